"""The beat schedule as one dict. Each entry names its cadence and expires before the
next run, so a backlog after an outage never piles up copies of the same sweep.

Run exactly one beat process (a second one sends everything twice).
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from models.settings import Settings

RETRAIN_EXPIRES_SECONDS = 6 * 3600.0
RETENTION_EXPIRES_SECONDS = 12 * 3600.0
STALL_SWEEP_SECONDS = 10.0  # well inside the urgent lane's 20 s of silence (pipelines/stalls.py)


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    sweep = settings.outbox_sweep_seconds
    escalation = float(settings.escalation_check_seconds)
    return {
        # Every ESCALATION_CHECK_SECONDS (10 s): page the next tier of unacknowledged
        # critical items, and resend pages whose task was lost.
        "alerts-escalate": {
            "task": "alerts.escalate",
            "schedule": escalation,
            "options": {"expires": escalation},
        },
        # Hourly, on the hour: one digest email per department for new high-urgency items.
        "alerts-digest": {
            "task": "alerts.digest",
            "schedule": crontab(minute=0),
            "options": {"expires": 3000.0},
        },
        # Every 5 minutes: an ops alert for a kiosk or channel silent in opening hours.
        "ops-silence-check": {
            "task": "ops.silence_check",
            "schedule": 300.0,
            "options": {"expires": 300.0},
        },
        # Nightly, 01:00 in CAREPULSE_TIMEZONE by default (REMINDER_PLAN_CRON): plan tomorrow's
        # appointment reminders and the survey invitations of yesterday's visits.
        "reminders-plan": {
            "task": "reminders.plan",
            "schedule": crontab.from_string(settings.reminder_plan_cron),
            "options": {"expires": 3600.0},
        },
        # Every REMINDER_DISPATCH_SECONDS (15 s): send what is due, under the rate limit.
        "reminders-dispatch": {
            "task": "reminders.dispatch",
            "schedule": float(settings.reminder_dispatch_seconds),
            "options": {"expires": float(settings.reminder_dispatch_seconds)},
        },
        # Every OUTBOX_SWEEP_SECONDS (5 s by default): publish what ingest could not.
        "outbox-sweep": {
            "task": "outbox.sweep",
            "schedule": float(sweep),
            "options": {"expires": float(sweep)},
        },
        # Weekly, Sunday 02:00 in CAREPULSE_TIMEZONE by default (RETRAIN_CRON): retrain the
        # urgency model. Expires after six hours so an outage never queues a second run.
        "urgency-retrain": {
            "task": "training.retrain",
            "schedule": crontab.from_string(settings.retrain_cron),
            "options": {"expires": RETRAIN_EXPIRES_SECONDS},
        },
        # Every STALL_SWEEP_SECONDS (10 s): start again, in its own lane and from the stage
        # where it stopped, each item whose chain went silent (a worker killed mid-chain):
        # a critical item is paged again within a minute, whatever the visibility timeout.
        "stages-sweep": {
            "task": "stages.sweep",
            "schedule": STALL_SWEEP_SECONDS,
            "options": {"expires": STALL_SWEEP_SECONDS},
        },
        # Every 10 s: start a collector, in its lane, for Gemini micro-batch items a crashed
        # worker left buffered.
        "llm-sweep": {
            "task": "llm.sweep",
            "schedule": 10.0,
            "options": {"expires": 10.0},
        },
        # Daily, 03:30 in CAREPULSE_TIMEZONE by default (RETENTION_CRON): purge the free text
        # and audio of feedback older than RETENTION_DAYS. Expires before the next day's run.
        "retention-purge": {
            "task": "retention.purge",
            "schedule": crontab.from_string(settings.retention_cron),
            "options": {"expires": RETENTION_EXPIRES_SECONDS},
        },
        # Every 15 minutes: apply finished Gemini Batch-mode jobs (hours of turnaround).
        "llm-collect-batches": {
            "task": "llm.collect_batches",
            "schedule": 900.0,
            "options": {"expires": 900.0},
        },
    }
