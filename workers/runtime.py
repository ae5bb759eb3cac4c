"""What a worker process holds for its tasks: settings, one engine, and the clients
configuration picks. Built lazily, rebuilt after fork (see `workers.signals`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.contacts import Keyring
from models.db import make_engine, make_session_factory, session_scope
from models.settings import Settings, load_settings
from pipelines.alert_delivery import PageLease
from pipelines.alerts import AlertPolicy
from pipelines.analysis.gemini import gemini_analyzer
from pipelines.analysis.local import LocalAnalyzer
from pipelines.analysis.result import Analyzer
from pipelines.clients.messaging import ChannelSender, OfflineSender, Sender
from pipelines.clients.sendgrid_email import SendGridEmailSender
from pipelines.clients.twilio_recordings import TwilioRecordingFetcher
from pipelines.clients.twilio_sms import TwilioSmsSender
from pipelines.oncall import Roster
from pipelines.optout import OptOutGuard, OptOutRegistry
from pipelines.reminders.policy import ReminderPolicy
from pipelines.reminders.throttle import RedisThrottle
from pipelines.silence import SilencePolicy
from pipelines.training.serving import ChampionProvider
from pipelines.transcription.gemini import GeminiTranscriber
from pipelines.transcription.result import Transcriber
from pipelines.transcription.sphinx import PocketSphinxTranscriber
from pipelines.transcription.stage import RecordingFetcher, TranscriptionPolicy
from pipelines.urgency.model import UrgencyModel


@cache
def settings() -> Settings:
    return load_settings()


@cache
def engine() -> Engine:
    return make_engine(settings().database_url)


@cache
def _session_factory() -> sessionmaker[Session]:
    return make_session_factory(engine())


@contextmanager
def task_session() -> Iterator[Session]:
    """One session per task: commit on success, roll back on error, always close."""
    with session_scope(_session_factory()) as session:
        yield session


@cache
def analyzer() -> Analyzer:
    """Gemini (the local analyzer behind it) when GOOGLE_API_KEY is set, else local."""
    if settings().google_api_key:
        return gemini_analyzer(settings(), session_factory())
    return LocalAnalyzer()


def session_factory() -> sessionmaker[Session]:
    """For pipeline steps that need several short transactions (the Gemini batcher)."""
    return _session_factory()


@cache
def sender() -> Sender:
    """Twilio for SMS and SendGrid for email when their keys are set, else the offline
    sender; every outbound message passes the opt-out registry, whichever face sends it."""
    s = settings()
    keys = Keyring.from_settings(s)
    sms: Sender = OfflineSender(keys)
    email: Sender = OfflineSender(keys)
    if s.twilio_account_sid and s.twilio_auth_token and (s.twilio_from or s.twilio_messaging_service_sid):
        sms = TwilioSmsSender(
            s.twilio_account_sid,
            s.twilio_auth_token,
            s.twilio_api_base_url,
            from_number=s.twilio_from,
            messaging_service_sid=s.twilio_messaging_service_sid,
            timeout=s.provider_timeout_seconds,
        )
    if s.sendgrid_api_key:
        email = SendGridEmailSender(
            s.sendgrid_api_key, s.sendgrid_from, s.sendgrid_api_base_url, s.provider_timeout_seconds
        )
    return OptOutGuard(ChannelSender(sms, email), OptOutRegistry(keys))


@cache
def transcriber() -> Transcriber:
    """Gemini (every language) when GOOGLE_API_KEY is set, else offline English PocketSphinx."""
    s = settings()
    if s.google_api_key:
        return GeminiTranscriber(s.google_api_key, s.gemini_model, s.gemini_base_url)
    return PocketSphinxTranscriber()


@cache
def recording_fetcher() -> RecordingFetcher | None:
    """Twilio recordings need the account's credentials; without them IVR is off."""
    s = settings()
    if not (s.twilio_account_sid and s.twilio_auth_token):
        return None
    return TwilioRecordingFetcher(s.twilio_account_sid, s.twilio_auth_token, s.twilio_api_base_url)


@cache
def transcription_policy() -> TranscriptionPolicy:
    s = settings()
    return TranscriptionPolicy(min_confidence=s.transcript_min_confidence, max_seconds=s.max_audio_seconds)


@cache
def _champion() -> ChampionProvider:
    s = settings()
    return ChampionProvider(session_factory(), s.urgency_model_dir, s.model_refresh_seconds)


def urgency_model() -> UrgencyModel:
    """The registry's champion; call before opening the task's session (see ChampionProvider)."""
    return _champion().current()


@cache
def roster() -> Roster:
    return Roster.from_settings(settings())


@cache
def alert_policy() -> AlertPolicy:
    s = settings()
    return AlertPolicy(
        keys=Keyring.from_settings(s),
        link_base=s.public_base_url,
        escalate_after=timedelta(minutes=s.escalation_minutes),
    )


def delivery_lease() -> timedelta:
    """How long a claimed page or reminder may be in a provider call before it counts as abandoned:
    well past the provider's timeout."""
    return timedelta(seconds=2 * settings().provider_timeout_seconds + 5)


def page_lease() -> PageLease:
    """The delivery lease, and the longest a page's calls may take: a lookup and a send."""
    return PageLease(delivery_lease(), timedelta(seconds=2 * settings().provider_timeout_seconds))


@cache
def silence_policy() -> SilencePolicy:
    s = settings()
    opens, closes = s.opening_hours
    return SilencePolicy(s.silence_minutes, opens, closes, s.timezone, s.ops_email_to)


def reset_after_fork() -> None:
    """A forked child must not share its parent's database connections."""
    if engine.cache_info().currsize:
        engine().dispose(close=False)


@cache
def reminder_policy() -> ReminderPolicy:
    return ReminderPolicy.from_settings(settings())


@cache
def outreach_throttle() -> RedisThrottle:
    """One budget per sending identity: the long code (or messaging service) and the email account."""
    s = settings()
    sms_sender = s.twilio_messaging_service_sid or s.twilio_from or "offline-sms"
    return RedisThrottle(
        s.redis_url,
        {"sms": s.reminder_sms_per_second, "email": s.reminder_email_per_second},
        {"sms": sms_sender, "email": f"email:{s.sendgrid_from}"},
    )
