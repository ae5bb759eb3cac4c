"""`carepulse dev`: the SQLite path, a private Redis, every role on loopback, and a clean
stop; Flower behind its login lists the worker and the tasks of an item, and ingest and
the worker serve their metrics. test_dev_orphans stops it every other way."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from carepulse.dev import READY_TIMEOUT
from carepulse.private_redis import free_port
from tests.support.http import call
from tests.support.metrics import scrape, scraped
from tests.support.polling import wait_until
from tests.support.processes import healthy, listening_addresses

FEEDBACK_TASKS = ("feedback.analyze", "feedback.score", "feedback.route")


def flower_get(url: str, login: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if login:
        request.add_header("Authorization", "Basic " + base64.b64encode(login.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def flower_json(url: str, login: str) -> Any:
    status, body = flower_get(url, login)
    assert status == 200, status
    return json.loads(body)


def check_flower(flower: str, login: str, feedback_id: str) -> None:
    """The login is asked for, the dev worker is listed, and the item's tasks show up."""
    assert flower_get(f"{flower}/")[0] == 401
    assert flower_get(f"{flower}/api/workers")[0] == 401
    assert flower_get(f"{flower}/", "ops:wrong-password")[0] == 401
    assert flower_get(f"{flower}/metrics")[0] == 200  # Flower serves it without the login
    workers = wait_until(
        lambda: [
            name for name in flower_json(f"{flower}/api/workers?refresh=1", login) if name.startswith("dev@")
        ],
        30,
        "Flower never listed the dev worker",
    )
    assert len(workers) == 1

    def item_tasks() -> dict[str, str] | None:
        tasks = flower_json(f"{flower}/api/tasks", login).values()
        states = {t["name"]: t["state"] for t in tasks if feedback_id in (t.get("args") or "")}
        return states if all(states.get(name) == "SUCCESS" for name in FEEDBACK_TASKS) else None

    wait_until(item_tasks, 30, "Flower never showed the item's tasks succeeding")


def check_worker_metrics(url: str) -> None:
    """Each stage's run time, the pages sent and the time from ingest to the first one."""

    def observed() -> str | None:
        text = scrape(url)
        timed = [
            scraped(text, "carepulse_stage_duration_seconds_count", task=name, outcome="success")
            for name in FEEDBACK_TASKS
        ]
        return text if all(timed) else None

    text = wait_until(observed, 30, "the worker's metrics never showed the feedback tasks")
    assert scraped(text, "carepulse_stage_items_total", task="feedback.route", outcome="success") >= 1
    assert scraped(text, "carepulse_sends_total", kind="page", result="sent") == 2
    assert scraped(text, "carepulse_ingest_to_alert_seconds_count", level="critical") == 2


@pytest.mark.timeout(480)
def test_dev_runs_everything_on_sqlite_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}} | {
        "CAREPULSE_VAR_DIR": str(tmp_path / "var"),
        "OUTBOX_SWEEP_SECONDS": "1",
    }
    output = tmp_path / "dev.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "carepulse.cli", "dev", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        printed = wait_until(  # a first run trains its first urgency model: dev allows it READY_TIMEOUT
            lambda: "Press Ctrl-C" in output.read_text() and output.read_text(),
            READY_TIMEOUT,
            "dev never became ready",
            0.5,
        )
        kiosk = re.search(r"kiosk key: (\S+)", printed).group(1)
        staff = re.search(r"staff key: (\S+)", printed).group(1)
        flower = f"http://127.0.0.1:{port + 1}"
        login = re.search(rf"flower: +{flower} +\(login (ops:\S+)\)", printed).group(1)
        worker_metrics = f"http://127.0.0.1:{port + 2}/metrics"
        assert worker_metrics in printed
        assert (tmp_path / "var" / "flower-login").read_text() == login
        assert "sqlite:///" in printed
        assert (tmp_path / "var" / "carepulse.db").exists()
        # The banner comes last: every role answers already, each on loopback only.
        assert healthy(f"{flower}/healthcheck") and healthy(f"http://127.0.0.1:{port}/healthz")
        assert listening_addresses(range(port, port + 3)) == {"127.0.0.1"}

        base = f"http://127.0.0.1:{port}"
        status, created = call(
            "POST",
            f"{base}/v1/feedback",
            kiosk,
            {"text": "She collapsed in the bathroom and is not waking up"},
        )
        assert status == 202

        def routed() -> dict | None:
            _, body = call("GET", f"{base}/v1/feedback/{created['id']}", staff)
            return body if body["status"] == "analyzed" and len(body["alerts"]) == 2 else None

        body = wait_until(routed, 30, "feedback was not analyzed on the dev stack")
        assert body["analysis"]["urgency"]["level"] == "critical"
        status, ready = call("GET", f"{base}/readyz")
        assert status == 200 and ready["checks"] == {"database": "ok", "broker": "ok"}
        check_flower(flower, login, created["id"])
        check_worker_metrics(worker_metrics)
        ingest_metrics = scrape(f"{base}/metrics")
        assert (
            scraped(ingest_metrics, "carepulse_http_requests_total", route="/v1/feedback", status="202") == 1
        )
        assert (
            scraped(ingest_metrics, "carepulse_http_request_duration_seconds_count", route="/v1/feedback")
            == 1
        )
    finally:
        os.killpg(process.pid, signal.SIGINT)
        code = process.wait(timeout=60)
    assert code == 0
    assert "CarePulse stopped." in output.read_text()
    assert not healthy(f"http://127.0.0.1:{port}/healthz")
