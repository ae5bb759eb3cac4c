"""Time from a kiosk POST to `status: analyzed` (and to the alert for critical items),
on the one-machine stack that `make run` starts (`carepulse dev`: SQLite, private Redis).

    .venv/bin/python bench/pipeline_latency.py --items 200 --rate 10

Starts its own `carepulse dev` in a temporary directory, posts at the given rate, polls
each item until analyzed, prints p50/p95/p99 and the machine it ran on, then stops.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TEXTS = [
    "my father in bed 4 can't breathe and nobody comes",
    "The nurses were wonderful, thank you",
    "We waited four hours and nobody explained anything",
    "The room was dirty and the food was cold",
]


def call(method: str, url: str, token: str, body: object = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_dev(var_dir: Path, port: int) -> tuple[subprocess.Popen[bytes], str, str]:
    log = var_dir / "dev.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["CAREPULSE_VAR_DIR"] = str(var_dir)
    # The bench polls far faster than any client should, all from one address.
    env["RATE_LIMIT_PER_MINUTE"] = env["RATE_LIMIT_PER_ADDRESS_PER_MINUTE"] = "1000000"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "carepulse.cli", "dev", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while "Press Ctrl-C" not in log.read_text():
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"carepulse dev did not start; see {log}")
        time.sleep(0.2)
    text = log.read_text()
    kiosk = re.search(r"kiosk key: (\S+)", text).group(1)
    staff = re.search(r"staff key: (\S+)", text).group(1)
    return process, kiosk, staff


def measure(base: str, kiosk: str, staff: str, n: int, text: str) -> tuple[float, float | None]:
    """Seconds to analyzed, and to the first sent alert (None when no alert is due)."""
    started = time.monotonic()
    created = call(
        "POST",
        f"{base}/v1/feedback",
        kiosk,
        {"channel": "kiosk", "text": text, "department": f"ward-{n % 5}"},
    )
    analyzed_at = None
    deadline = started + 60
    while time.monotonic() < deadline:
        body = call("GET", f"{base}/v1/feedback/{created['id']}", staff)
        if body["status"] == "analyzed" and analyzed_at is None:
            analyzed_at = time.monotonic() - started
        if analyzed_at is not None:
            level = body["analysis"]["urgency"]["level"]
            if level not in ("critical", "high"):
                return analyzed_at, None
            if any(alert["status"] == "sent" for alert in body["alerts"]):
                return analyzed_at, time.monotonic() - started
        time.sleep(0.02)
    raise SystemExit(f"item {created['id']} not done within 60 s")


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="items per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carepulse-bench-") as tmp:
        port = free_port()
        process, kiosk, staff = start_dev(Path(tmp), port)
        base = f"http://127.0.0.1:{port}"
        try:
            with ThreadPoolExecutor(max_workers=32) as pool:
                futures = []
                for n in range(args.items):
                    futures.append(pool.submit(measure, base, kiosk, staff, n, TEXTS[n % len(TEXTS)]))
                    time.sleep(1 / args.rate)
                results = [future.result() for future in futures]
        finally:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=60)
    analyzed = [r[0] for r in results]
    alerted = [r[1] for r in results if r[1] is not None]
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"stack: carepulse dev (SQLite, private Redis), {args.items} items at {args.rate}/s")
    for name, values in (("POST → analyzed", analyzed), ("POST → alert sent", alerted)):
        if values:
            print(
                f"{name}: n={len(values)} p50={percentile(values, 50):.3f}s "
                f"p95={percentile(values, 95):.3f}s p99={percentile(values, 99):.3f}s max={max(values):.3f}s"
            )


if __name__ == "__main__":
    main()
