"""Twilio's webhooks: inbound SMS (opt-out keywords or feedback) and the IVR call flow.

Each webhook is found again by its Twilio sid, so a retried webhook stores nothing
twice. The sender's number is kept only as a keyed hash and a Fernet ciphertext.
"""

from __future__ import annotations

from collections.abc import Callable

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from ingest.channel_intake import add_feedback, publish_after_commit
from ingest.correlation import announce_accepted
from ingest.errors import FieldErrors
from ingest.sms_ack import ack_reply
from ingest.twilio_signature import TwilioWebhook
from models.channels import AudioClip, InboundMessage
from models.contacts import ContactCipher
from models.db import session_scope
from models.tables import Base, Feedback, new_id, utcnow
from pipelines.analysis.local import detect_language, fold
from pipelines.optout import HELP_WORDS, START_WORDS, OptOutRegistry, keyword_of
from pipelines.reminders.consent import patients_reached_at, set_consent
from pipelines.reminders.policy import ReminderPolicy
from pipelines.reminders.replies import record_reply
from pipelines.revocation import revocation_of
from pipelines.urgency.rules import needs_fast_lane

MAX_SMS_TEXT = 10_000
THANKS = {
    "en": "Thank you for your feedback. Reply STOP to stop messages.",
    "fr": "Merci pour votre avis. Répondez STOP pour ne plus recevoir de messages.",
    "es": "Gracias por su opinión. Responda STOP para dejar de recibir mensajes.",
}
START_REPLY = "You will receive messages from CarePulse again. Reply STOP to stop."
HELP_REPLY = "CarePulse patient feedback. Reply STOP to stop messages, START to receive them again."
REVOKED = {
    "en": "{provider}: you will receive no more messages from us. Reply START to receive them again.",
    "fr": "{provider} : vous ne recevrez plus nos messages. Répondez START pour les recevoir à nouveau.",
    "es": "{provider}: no recibira mas mensajes nuestros. Responda START para recibirlos de nuevo.",
}
VOICE_PROMPT = (
    "Thank you for calling. After the beep, please tell us about your care. Press any key when done."
)
VOICE_THANKS = "Thank you. Your feedback has been recorded. Goodbye."


def _twiml(resp: falcon.Response, document: str) -> None:
    resp.content_type = "application/xml"
    resp.text = document


def _required(form: dict[str, str], *names: str) -> None:
    missing = [{"field": name, "message": "required"} for name in names if not form.get(name)]
    if missing:
        raise FieldErrors(missing)


class InboundRecorder:
    """Stores one webhook's feedback once per Twilio sid, with the caller's number protected."""

    def __init__(
        self, sessions: sessionmaker[Session], registry: OptOutRegistry, cipher: ContactCipher
    ) -> None:
        self.sessions = sessions
        self.registry = registry
        self._cipher = cipher

    def seen(self, provider_sid: str) -> bool:
        with self.sessions() as session:
            return (
                session.scalar(select(InboundMessage.id).where(InboundMessage.provider_sid == provider_sid))
                is not None
            )

    def store(
        self, provider_sid: str, kind: str, phone: str, feedback: Feedback | None, *extras: Base
    ) -> bool:
        """True if stored now, False if another delivery of the same webhook was first."""
        message = InboundMessage(
            provider_sid=provider_sid,
            kind=kind,
            feedback_id=feedback.id if feedback else None,
            phone_hash=self.registry.hash(phone) if phone else None,
            phone_encrypted=self._cipher.encrypt(phone) if phone else None,
        )
        try:
            with session_scope(self.sessions) as session:
                if feedback is None:
                    session.add(message)
                else:
                    add_feedback(session, feedback, *extras, message)
        except IntegrityError:
            return False
        return True


class TwilioSms:
    def __init__(
        self,
        webhook: TwilioWebhook,
        recorder: InboundRecorder,
        policy: ReminderPolicy,
        publish: Callable[[list[str]], None],
        publish_urgent: Callable[[list[str]], None],
    ) -> None:
        self._webhook = webhook
        self._recorder = recorder
        self._policy = policy
        self._publish = publish
        self._publish_urgent = publish_urgent

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = self._webhook.verified_form(req)
        _required(form, "MessageSid", "From")
        sid, phone, body = form["MessageSid"], form["From"], form.get("Body", "")[:MAX_SMS_TEXT]
        reply = MessagingResponse()
        keyword = keyword_of(body)
        hashes = self._recorder.registry.hashes(phone)
        acknowledged = ack_reply(self._recorder.sessions, hashes, body)
        answered = acknowledged or self._reminder_answer(hashes, body)
        revocation = None if answered else revocation_of(body)
        if answered is not None:
            reply.message(answered)
        elif revocation is not None:
            self._record_consent(sid, phone, hashes, "REVOKE" if keyword is None else keyword, "revoked")
            if not revocation.carrier_confirms:  # Twilio confirms its own keywords; one confirmation
                reply.message(REVOKED[revocation.language].format(provider=self._policy.provider))
        elif keyword is not None:
            if keyword in START_WORDS:
                self._record_consent(sid, phone, hashes, keyword, "granted")
                reply.message(START_REPLY)
            elif keyword in HELP_WORDS:
                reply.message(HELP_REPLY)
        elif body.strip():
            language = detect_language(fold(body).split())
            if not self._recorder.seen(sid):
                feedback = Feedback(id=new_id(), channel="sms", text=body.strip(), language=language)
                if self._recorder.store(sid, "sms", phone, feedback):
                    announce_accepted(req, resp, [feedback.id], "sms")
                    urgent = needs_fast_lane(feedback.text, language)
                    publish = self._publish_urgent if urgent else self._publish
                    publish_after_commit(publish, self._recorder.sessions, [feedback.id])
            reply.message(THANKS.get(language, THANKS["en"]))
        _twiml(resp, str(reply))

    def _reminder_answer(self, hashes: list[str], body: str) -> str | None:
        """C/YES or R to a reminder sent within the reply window; None otherwise."""
        with session_scope(self._recorder.sessions) as session:
            return record_reply(session, hashes, body, utcnow(), self._policy)

    def _record_consent(self, sid: str, phone: str, hashes: list[str], keyword: str, state: str) -> None:
        """The phone's opt-out, and the consent of every patient reached at it (all channels)."""
        if self._recorder.seen(sid):
            return
        with session_scope(self._recorder.sessions) as session:
            self._recorder.registry.record(session, phone, keyword)
            patients = patients_reached_at(session, hashes)
            set_consent(session, patients, state, "sms", f"sms {keyword.lower()}")
        self._recorder.store(sid, "sms", phone, None)


class TwilioVoice:
    """Answers a call: a prompt, then a recording that Twilio posts to /v1/twilio/recording."""

    def __init__(self, webhook: TwilioWebhook, max_seconds: int) -> None:
        self._webhook = webhook
        self._max_seconds = max_seconds

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        _required(self._webhook.verified_form(req), "CallSid")
        reply = VoiceResponse()
        reply.say(VOICE_PROMPT)
        reply.record(
            action=self._webhook.url_for("/v1/twilio/recording"),
            method="POST",
            max_length=self._max_seconds,
            play_beep=True,
            timeout=5,
        )
        reply.say("We did not receive a recording. Goodbye.")
        _twiml(resp, str(reply))


class TwilioRecording:
    """The recording callback: voice feedback whose audio the transcribe stage downloads."""

    def __init__(
        self, webhook: TwilioWebhook, recorder: InboundRecorder, publish_audio: Callable[[list[str]], None]
    ) -> None:
        self._webhook = webhook
        self._recorder = recorder
        self._publish_audio = publish_audio

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = self._webhook.verified_form(req)
        _required(form, "RecordingSid")
        sid = form["RecordingSid"]
        if not self._recorder.seen(sid):
            feedback = Feedback(id=new_id(), channel="voice")
            clip = AudioClip(feedback_id=feedback.id, recording_sid=sid, content_type="audio/wav")
            if self._recorder.store(sid, "voice", form.get("From", ""), feedback, clip):
                announce_accepted(req, resp, [feedback.id], "voice")
                publish_after_commit(self._publish_audio, self._recorder.sessions, [feedback.id])
        reply = VoiceResponse()
        reply.say(VOICE_THANKS)
        reply.hangup()
        _twiml(resp, str(reply))
