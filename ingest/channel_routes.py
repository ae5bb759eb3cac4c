"""The channel endpoints (Twilio SMS and IVR, audio uploads, surveys, kiosk batches),
added to the app in one place so `create_app` stays a short list."""

from __future__ import annotations

from typing import Protocol

import falcon
from sqlalchemy.orm import Session, sessionmaker

from ingest.audio_resource import AudioUpload
from ingest.auth import Authenticator
from ingest.batch_resource import FeedbackBatch
from ingest.delivery_webhooks import SendGridEvents, TwilioStatus
from ingest.survey_resource import SurveyResponses
from ingest.twilio_resources import InboundRecorder, TwilioRecording, TwilioSms, TwilioVoice
from ingest.twilio_signature import TwilioWebhook
from ingest.unsubscribe import Unsubscribe
from models.contacts import Keyring
from models.settings import Settings
from pipelines.optout import OptOutRegistry
from pipelines.reminders.policy import ReminderPolicy


class ChannelPublisher(Protocol):
    def publish(self, feedback_ids: list[str]) -> None: ...

    def publish_urgent(self, feedback_ids: list[str]) -> None: ...

    def publish_audio(self, feedback_ids: list[str]) -> None: ...


def add_channel_routes(
    app: falcon.App,
    settings: Settings,
    sessions: sessionmaker[Session],
    publisher: ChannelPublisher,
    auth: Authenticator,
    policy: ReminderPolicy,
) -> None:
    webhook = TwilioWebhook(settings.twilio_auth_token, settings.public_base_url)
    keys = Keyring.from_settings(settings)
    recorder = InboundRecorder(sessions, OptOutRegistry(keys), keys.cipher)
    app.add_route(
        "/v1/twilio/sms", TwilioSms(webhook, recorder, policy, publisher.publish, publisher.publish_urgent)
    )
    app.add_route("/v1/twilio/status", TwilioStatus(webhook, sessions, policy))
    app.add_route(
        "/v1/sendgrid/events",
        SendGridEvents(
            settings.sendgrid_webhook_public_key,
            sessions,
            policy,
            settings.max_batch_bytes,
            settings.sendgrid_replay_seconds,
        ),
    )
    app.add_route("/v1/unsubscribe/{reminder_id}/{signature}", Unsubscribe(sessions, policy))
    app.add_route("/v1/twilio/voice", TwilioVoice(webhook, settings.max_audio_seconds))
    app.add_route("/v1/twilio/recording", TwilioRecording(webhook, recorder, publisher.publish_audio))
    app.add_route(
        "/v1/feedback/audio",
        AudioUpload(
            auth, sessions, publisher.publish_audio, settings.max_audio_bytes, settings.max_audio_seconds
        ),
    )
    app.add_route(
        "/v1/feedback/batch", FeedbackBatch(auth, sessions, publisher.publish, settings.max_batch_bytes)
    )
    app.add_route(
        "/v1/surveys/responses", SurveyResponses(auth, sessions, publisher.publish, settings.max_body_bytes)
    )
