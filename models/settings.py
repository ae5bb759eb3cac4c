"""Every environment variable CarePulse reads, in one place, validated at start.

Settings sit in the lowest package so that every layer can read them without an
import pointing upward; a bad value fails fast with the variable's name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CLOCK = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


class SettingsError(ValueError):
    """A configuration variable is missing or malformed; the message names it."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    """A TCP port; 0 turns the listener off."""
    value = _int(env, name, default)
    if value > 65535:
        raise SettingsError(f"{name} must be a TCP port (0 to 65535), got {value}")
    return value


def _fraction(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number between 0 and 1, got {raw!r}") from None
    if not 0 <= value <= 1:
        raise SettingsError(f"{name} must be between 0 and 1, got {value}")
    return value


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if not value.startswith(schemes):
        raise SettingsError(
            f"{name} must start with one of {', '.join(schemes)}; got {value.split(':')[0]!r}"
        )
    return value


def _cron(env: Mapping[str, str], name: str, default: str) -> str:
    """Five crontab fields (minute hour day-of-month month day-of-week), in CAREPULSE_TIMEZONE."""
    value = (env.get(name) or default).strip()
    if len(value.split()) != 5:
        raise SettingsError(
            f"{name} must have five crontab fields (minute hour day month weekday), got {value!r}"
        )
    return value


def parse_hours(value: str) -> tuple[str, str]:
    """`HH:MM-HH:MM` as (opens, closes); an end before the start crosses midnight."""
    start, _, end = value.strip().partition("-")
    if not (CLOCK.match(start) and CLOCK.match(end)):
        raise ValueError(f"must look like 08:00-20:00, got {value!r}")
    return start, end


def _hours(env: Mapping[str, str], name: str, default: str) -> tuple[str, str]:
    """Opening hours in CAREPULSE_TIMEZONE."""
    try:
        return parse_hours(env.get(name) or default)
    except ValueError as exc:
        raise SettingsError(f"{name} {exc}") from None


def _clock_setting(env: Mapping[str, str], name: str, default: str) -> str:
    value = (env.get(name) or default).strip()
    if not CLOCK.match(value) or value == "24:00":
        raise SettingsError(f"{name} must look like 10:00, got {value!r}")
    return value


def default_database_url(var_dir: Path) -> str:
    """SQLite under ./var: the zero-setup default for one machine."""
    return f"sqlite:///{(var_dir / 'carepulse.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    """The validated configuration of one CarePulse process."""

    database_url: str
    redis_url: str
    secret_key: str
    var_dir: Path
    environment: str = "development"
    timezone: str = "UTC"
    urgency_model_dir: Path = Path("var/models")
    model_refresh_seconds: int = 30
    retrain_cron: str = "0 2 * * 0"
    visibility_timeout: int = 3600
    outbox_sweep_seconds: int = 5
    outbox_grace_seconds: int = 10
    publish_window_ms: int = 200
    max_body_bytes: int = 64 * 1024
    key_cache_seconds: int = 30
    oncall_sms_to: str = "on-call"
    oncall_email_to: str = "on-call"
    public_base_url: str = "http://127.0.0.1:8000"
    google_api_key: str | None = None
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None
    gemini_batch_size: int = 10
    gemini_batch_wait_ms: int = 1000
    gemini_daily_token_budget: int = 2_000_000
    gemini_max_attempts: int = 3
    gemini_timeout_seconds: int = 30
    gemini_breaker_failures: int = 5
    gemini_breaker_reset_seconds: int = 60
    flower_basic_auth: str | None = None
    analytics_min_sample: int = 30
    metrics_token: str | None = None
    worker_metrics_port: int = 9540
    worker_metrics_address: str = "0.0.0.0"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    max_batch_bytes: int = 4 * 1024 * 1024
    max_audio_bytes: int = 25 * 1024 * 1024
    max_audio_seconds: int = 600
    transcript_min_confidence: float = 0.5
    rate_limit_per_minute: int = 600
    rate_limit_per_address: int = 1200
    sendgrid_replay_seconds: int = 600
    twilio_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    sendgrid_api_key: str | None = None
    sendgrid_from: str = "carepulse@localhost"
    sendgrid_api_base_url: str = "https://api.sendgrid.com"
    provider_timeout_seconds: int = 10
    escalation_minutes: int = 10
    escalation_check_seconds: int = 10
    silence_minutes: int = 120
    opening_hours: tuple[str, str] = ("08:00", "20:00")
    ops_email_to: str = "on-call"
    previous_secret_keys: tuple[str, ...] = ()
    reminder_window: tuple[str, str] = ("08:00", "21:00")
    reminder_send_time: str = "10:00"
    reminder_plan_cron: str = "0 1 * * *"
    reminder_dispatch_seconds: int = 15
    reminder_sms_per_second: int = 1
    reminder_email_per_second: int = 10
    reminder_daily_cap: int = 1
    reminder_weekly_cap: int = 3
    reminder_reply_hours: int = 48
    reminder_max_attempts: int = 5
    sms_max_segments: int = 1
    provider_name: str = "CarePulse"
    survey_url: str = "http://127.0.0.1:8000/survey"
    sendgrid_webhook_public_key: str | None = None
    max_import_bytes: int = 32 * 1024 * 1024
    stage_max_retries: int = 8
    retention_days: int = 365
    retention_cron: str = "30 3 * * *"


DEV_SECRET = "carepulse-dev-secret-change-me"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the environment; raise SettingsError naming the bad variable."""
    env = os.environ if env is None else env
    var_dir = Path(env.get("CAREPULSE_VAR_DIR") or "var")
    secret = env.get("CAREPULSE_SECRET_KEY") or DEV_SECRET
    if env.get("CAREPULSE_ENV") == "production" and secret == DEV_SECRET:
        raise SettingsError("CAREPULSE_SECRET_KEY must be set in production")
    if len(secret) < 16:
        raise SettingsError("CAREPULSE_SECRET_KEY must be at least 16 characters")
    previous = tuple(
        key.strip() for key in (env.get("CAREPULSE_PREVIOUS_SECRET_KEYS") or "").split(",") if key.strip()
    )
    if any(len(key) < 16 for key in previous):
        raise SettingsError("CAREPULSE_PREVIOUS_SECRET_KEYS must list keys of at least 16 characters")
    visibility = _int(env, "CELERY_VISIBILITY_TIMEOUT", 3600, minimum=2)
    sweep = _int(env, "OUTBOX_SWEEP_SECONDS", 5, minimum=1)
    if sweep >= visibility:
        raise SettingsError("OUTBOX_SWEEP_SECONDS must be below CELERY_VISIBILITY_TIMEOUT")
    return Settings(
        database_url=_url(env, "DATABASE_URL", default_database_url(var_dir), ("sqlite", "postgresql")),
        redis_url=_url(
            env,
            "REDIS_URL",
            "redis://127.0.0.1:6379/0",
            ("redis://", "rediss://", "redis+socket://", "unix://"),
        ),
        secret_key=secret,
        var_dir=var_dir,
        environment=env.get("CAREPULSE_ENV") or "development",
        timezone=env.get("CAREPULSE_TIMEZONE") or "UTC",
        urgency_model_dir=Path(env.get("URGENCY_MODEL_DIR") or var_dir / "models"),
        model_refresh_seconds=_int(env, "MODEL_REFRESH_SECONDS", 30, minimum=1),
        retrain_cron=_cron(env, "RETRAIN_CRON", "0 2 * * 0"),
        visibility_timeout=visibility,
        outbox_sweep_seconds=sweep,
        outbox_grace_seconds=_int(env, "OUTBOX_GRACE_SECONDS", 10, minimum=0),
        publish_window_ms=_int(env, "PUBLISH_WINDOW_MS", 200, minimum=0),
        max_body_bytes=_int(env, "MAX_FEEDBACK_BYTES", 64 * 1024, minimum=1024),
        key_cache_seconds=_int(env, "KEY_CACHE_SECONDS", 30, minimum=0),
        oncall_sms_to=env.get("ONCALL_SMS_TO") or "on-call",
        oncall_email_to=env.get("ONCALL_EMAIL_TO") or "on-call",
        public_base_url=env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000",
        google_api_key=env.get("GOOGLE_API_KEY") or None,
        gemini_model=env.get("GEMINI_MODEL") or "gemini-2.5-flash",
        gemini_base_url=(
            _url(env, "GEMINI_BASE_URL", "", ("http://", "https://")) if env.get("GEMINI_BASE_URL") else None
        ),
        gemini_batch_size=_int(env, "GEMINI_BATCH_SIZE", 10, minimum=1),
        gemini_batch_wait_ms=_int(env, "GEMINI_BATCH_WAIT_MS", 1000, minimum=0),
        gemini_daily_token_budget=_int(env, "GEMINI_DAILY_TOKEN_BUDGET", 2_000_000, minimum=0),
        gemini_max_attempts=_int(env, "GEMINI_MAX_ATTEMPTS", 3, minimum=1),
        gemini_timeout_seconds=_int(env, "GEMINI_TIMEOUT_SECONDS", 30, minimum=1),
        gemini_breaker_failures=_int(env, "GEMINI_BREAKER_FAILURES", 5, minimum=1),
        gemini_breaker_reset_seconds=_int(env, "GEMINI_BREAKER_RESET_SECONDS", 60, minimum=1),
        flower_basic_auth=env.get("FLOWER_BASIC_AUTH") or None,
        analytics_min_sample=_int(env, "ANALYTICS_MIN_SAMPLE", 30, minimum=1),
        metrics_token=env.get("METRICS_TOKEN") or None,
        worker_metrics_port=_port(env, "WORKER_METRICS_PORT", 9540),
        worker_metrics_address=env.get("WORKER_METRICS_ADDRESS") or "0.0.0.0",
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        twilio_api_base_url=_url(
            env, "TWILIO_API_BASE_URL", "https://api.twilio.com", ("http://", "https://")
        ),
        max_batch_bytes=_int(env, "MAX_BATCH_BYTES", 4 * 1024 * 1024, minimum=1024),
        max_audio_bytes=_int(env, "MAX_AUDIO_BYTES", 25 * 1024 * 1024, minimum=1024),
        max_audio_seconds=_int(env, "MAX_AUDIO_SECONDS", 600, minimum=1),
        transcript_min_confidence=_fraction(env, "TRANSCRIPT_MIN_CONFIDENCE", 0.5),
        rate_limit_per_minute=_int(env, "RATE_LIMIT_PER_MINUTE", 600, minimum=0),
        rate_limit_per_address=_int(env, "RATE_LIMIT_PER_ADDRESS_PER_MINUTE", 1200, minimum=0),
        sendgrid_replay_seconds=_int(env, "SENDGRID_REPLAY_SECONDS", 600, minimum=1),
        twilio_from=env.get("TWILIO_FROM") or None,
        twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
        sendgrid_api_key=env.get("SENDGRID_API_KEY") or None,
        sendgrid_from=env.get("SENDGRID_FROM") or "carepulse@localhost",
        sendgrid_api_base_url=_url(
            env, "SENDGRID_API_BASE_URL", "https://api.sendgrid.com", ("http://", "https://")
        ),
        provider_timeout_seconds=_int(env, "PROVIDER_TIMEOUT_SECONDS", 10, minimum=1),
        escalation_minutes=_int(env, "ALERT_ESCALATION_MINUTES", 10, minimum=1),
        escalation_check_seconds=_int(env, "ESCALATION_CHECK_SECONDS", 10, minimum=1),
        silence_minutes=_int(env, "SILENCE_ALERT_MINUTES", 120, minimum=5),
        opening_hours=_hours(env, "OPENING_HOURS", "08:00-20:00"),
        ops_email_to=env.get("OPS_EMAIL_TO") or env.get("ONCALL_EMAIL_TO") or "on-call",
        previous_secret_keys=previous,
        reminder_window=_hours(env, "REMINDER_WINDOW", "08:00-21:00"),
        reminder_send_time=_clock_setting(env, "REMINDER_SEND_TIME", "10:00"),
        reminder_plan_cron=_cron(env, "REMINDER_PLAN_CRON", "0 1 * * *"),
        reminder_dispatch_seconds=_int(env, "REMINDER_DISPATCH_SECONDS", 15, minimum=1),
        reminder_sms_per_second=_int(env, "REMINDER_SMS_PER_SECOND", 1, minimum=1),
        reminder_email_per_second=_int(env, "REMINDER_EMAIL_PER_SECOND", 10, minimum=1),
        reminder_daily_cap=_int(env, "REMINDER_DAILY_CAP", 1, minimum=1),
        reminder_weekly_cap=_int(env, "REMINDER_WEEKLY_CAP", 3, minimum=1),
        reminder_reply_hours=_int(env, "REMINDER_REPLY_HOURS", 48, minimum=1),
        reminder_max_attempts=_int(env, "REMINDER_MAX_ATTEMPTS", 5, minimum=1),
        sms_max_segments=_int(env, "SMS_MAX_SEGMENTS", 1, minimum=1),
        provider_name=(env.get("PROVIDER_NAME") or "CarePulse").strip(),
        survey_url=_url(
            env,
            "SURVEY_URL",
            (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/") + "/survey",
            ("http://", "https://"),
        ),
        sendgrid_webhook_public_key=env.get("SENDGRID_WEBHOOK_PUBLIC_KEY") or None,
        max_import_bytes=_int(env, "MAX_IMPORT_BYTES", 32 * 1024 * 1024, minimum=1024),
        stage_max_retries=_int(env, "STAGE_MAX_RETRIES", 8, minimum=0),
        retention_days=_int(env, "RETENTION_DAYS", 365, minimum=0),
        retention_cron=_cron(env, "RETENTION_CRON", "30 3 * * *"),
    )
