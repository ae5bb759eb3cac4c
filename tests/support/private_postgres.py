"""A PostgreSQL cluster of a test's own, on a free port, that the test may crash and start
again without touching the shared server.

`initdb` and `pg_ctl` come from the PATH or /usr/lib/postgresql/<version>/bin; without
them the test fails (a fault suite that skips proves nothing). PostgreSQL refuses to run
as root, so as root the cluster belongs to the `postgres` OS user and every command runs
through `runuser`, in a directory that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from carepulse.private_redis import free_port

OWNER = "postgres"


def server_binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(f"{name} not found: the PostgreSQL fault case needs PostgreSQL's server binaries")
    return found


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", OWNER, "--", *args] if os.geteuid() == 0 else args


class PrivateCluster:
    """One cluster: trust authentication, loopback only, `postgres` superuser and database."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str) -> None:
        result = subprocess.run(_as_owner(list(args)), capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr or result.stdout}")

    def initdb(self) -> None:
        self._run(
            server_binary("initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        # fsync off: a crash of the server process (not of the machine) keeps every write
        # the kernel has, so the crash recovery tested here is the real one, only faster.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.directory} -c fsync=off"
        self._run(
            server_binary("pg_ctl"),
            "start",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
        )

    def crash(self) -> None:
        """Stop at once, as a crash would: no checkpoint, every connection cut; the next
        start replays the write-ahead log."""
        self._run(server_binary("pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w")


@contextmanager
def private_postgres() -> Iterator[PrivateCluster]:
    """A fresh cluster, started; stopped and deleted afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="carepulse-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam(OWNER)
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    cluster = PrivateCluster(directory, free_port())
    try:
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.crash()
        shutil.rmtree(directory, ignore_errors=True)
