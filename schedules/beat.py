"""The beat schedule as one dict. Each entry names its cadence and expires before the
next run, so a backlog after an outage never piles up copies of the same sweep.

Run exactly one beat process (a second one sends everything twice).
"""

from __future__ import annotations

from typing import Any

from models.settings import Settings


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    sweep = settings.outbox_sweep_seconds
    return {
        # Every OUTBOX_SWEEP_SECONDS (5 s by default): publish what ingest could not.
        "outbox-sweep": {
            "task": "outbox.sweep",
            "schedule": float(sweep),
            "options": {"expires": float(sweep)},
        },
    }
