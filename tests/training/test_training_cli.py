"""`carepulse retrain`, `carepulse models list|report|rollback` and the weekly beat entry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.schedules import crontab

from models.settings import SettingsError, load_settings
from schedules.beat import beat_schedule


def carepulse(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "carepulse.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    return result.stdout


def test_retrain_list_report_and_rollback(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cp.db'}",
        "CAREPULSE_VAR_DIR": str(tmp_path),
    }
    carepulse(env, "migrate")

    out = carepulse(env, "retrain", "--promote-if-better")
    assert "held-out macro F1" in out and "safety critical recall" in out
    assert "PROMOTED" in out

    listing = carepulse(env, "models", "list").splitlines()
    assert len(listing) == 3  # header, the challenger (champion now), the bootstrap (retired)
    assert " champion " in listing[1] and " retired " in listing[2]

    report = carepulse(env, "models", "report", "--out", str(tmp_path / "reports"))
    summary = json.loads(report.splitlines()[0])
    run_dir = tmp_path / "reports" / f"run-{summary['run']}"
    assert summary["promoted"] is True
    written = json.loads((run_dir / "metrics.json").read_text())
    assert written["report"]["challenger"]["version"] == summary["challenger"]
    assert summary["challenger"].startswith("urgency-")
    for image in ("confusion.png", "precision_recall.png"):
        assert (run_dir / image).read_bytes().startswith(b"\x89PNG")

    assert "champion is now bootstrap-" in carepulse(env, "models", "rollback")
    assert " champion " in carepulse(env, "models", "list").splitlines()[2]


def test_weekly_retraining_on_beat_in_the_hospital_timezone() -> None:
    settings = load_settings({"CAREPULSE_TIMEZONE": "Europe/Paris"})
    entry = beat_schedule(settings)["urgency-retrain"]
    assert entry["task"] == "training.retrain"
    assert entry["schedule"] == crontab(minute="0", hour="2", day_of_week="0")
    assert 0 < entry["options"]["expires"] < 7 * 24 * 3600
    custom = beat_schedule(load_settings({"RETRAIN_CRON": "30 3 * * 6"}))["urgency-retrain"]
    assert custom["schedule"] == crontab(minute="30", hour="3", day_of_week="6")
    with pytest.raises(SettingsError, match="RETRAIN_CRON"):
        load_settings({"RETRAIN_CRON": "every sunday"})
