"""`carepulse dev`: the SQLite path, a private Redis, every role, and a clean stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from carepulse.private_redis import free_port
from tests.support.http import call
from tests.support.polling import wait_until
from tests.support.processes import healthy


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
        printed = wait_until(
            lambda: "Press Ctrl-C" in output.read_text() and output.read_text(), 90, "dev never became ready"
        )
        kiosk = re.search(r"kiosk key: (\S+)", printed).group(1)
        staff = re.search(r"staff key: (\S+)", printed).group(1)
        assert f"http://127.0.0.1:{port + 1}" in printed
        assert "sqlite:///" in printed
        assert (tmp_path / "var" / "carepulse.db").exists()
        wait_until(lambda: healthy(f"http://127.0.0.1:{port + 1}/healthcheck"), 30, "flower never answered")

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
    finally:
        os.killpg(process.pid, signal.SIGINT)
        code = process.wait(timeout=60)
    assert code == 0
    assert "CarePulse stopped." in output.read_text()
    assert not healthy(f"http://127.0.0.1:{port}/healthz")
