"""Celery configuration, read by `workers.app` through `config_from_object`.

Every delay and countdown must stay below the Redis visibility timeout, or the broker
hands the task to a second worker while the first still holds it (DESIGN.md).
"""

from __future__ import annotations

from kombu import Queue

from models.settings import load_settings
from schedules.beat import beat_schedule as _beat_schedule

_settings = load_settings()

QUEUES = ("relay", "asr", "llm", "scoring", "notify", "outreach", "training")
# Redis priorities: 0 is served first. Routine work runs below it, so the fast lane
# (workers.chains) can overtake any backlog. Kombu keeps one list per priority step.
URGENT_PRIORITY = 0
ROUTINE_PRIORITY = 6

broker_url = _settings.redis_url
broker_connection_retry_on_startup = True
broker_connection_timeout = 2
# A worker outlives any Redis outage by itself: it reconnects for ever (Celery's default
# gives up after 100 attempts and exits), without a supervisor's restart.
broker_connection_retry = True
broker_connection_max_retries = None
# Tasks running when the connection drops finish and acknowledge after the reconnect
# (an ack is an HDEL by delivery tag): cancelling them would leave their messages to the
# visibility timeout. Celery still warns, on every reconnect, that its default may change.
worker_cancel_long_running_tasks_on_connection_loss = False
broker_transport_options = {
    "visibility_timeout": _settings.visibility_timeout,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # A dead worker's unacknowledged tasks come back once the visibility timeout has
    # passed; by default kombu looks only every ~100 s and a killed worker's restore
    # mutex blocks others for 300 s. Look every few seconds instead (one ZRANGE).
    "unacked_restore_interval": max(1, min(10, _settings.visibility_timeout // 2)),
    "unacked_restore_throttle": 1,
    "unacked_mutex_expire": max(5, min(300, _settings.visibility_timeout)),
}
# No result backend: chains pass ids in the message, state lives in the database.
task_ignore_result = True

imports = (
    "workers.kombu_redis_close",
    "workers.log_signals",
    "workers.signals",
    "workers.metrics",
    "workers.relay_tasks",
    "workers.analysis_tasks",
    "workers.scoring_tasks",
    "workers.notify_tasks",
    "workers.training_tasks",
    "workers.transcription_tasks",
    "workers.outreach_tasks",
    "workers.maintenance_tasks",
)

task_queues = [Queue(name) for name in QUEUES]
task_default_queue = "relay"
task_routes = {
    "outbox.*": {"queue": "relay"},
    "stages.*": {"queue": "relay"},
    "retention.*": {"queue": "relay"},
    "feedback.transcribe": {"queue": "asr"},
    "feedback.analyze": {"queue": "llm"},
    "llm.*": {"queue": "llm"},
    "feedback.score": {"queue": "scoring"},
    "feedback.route": {"queue": "notify"},
    "alerts.*": {"queue": "notify"},
    "ops.*": {"queue": "notify"},
    "reminders.*": {"queue": "outreach"},
    "training.*": {"queue": "training"},
}

task_default_priority = ROUTINE_PRIORITY

task_serializer = "json"
accept_content = ["json"]
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
task_time_limit = min(300, _settings.visibility_timeout - 1)
task_soft_time_limit = task_time_limit - 1 if task_time_limit > 2 else None
worker_send_task_events = True
task_send_sent_event = True

timezone = _settings.timezone
enable_utc = True
beat_schedule = _beat_schedule(_settings)
