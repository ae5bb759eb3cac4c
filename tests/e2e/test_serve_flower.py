"""`carepulse serve flower` listens on loopback unless told otherwise: Flower's /metrics and
/healthcheck answer without its login, and it can revoke tasks. docker-compose.yml gives
it `--address 0.0.0.0` inside its container (tests/deploy checks that)."""

from __future__ import annotations

from pathlib import Path

from carepulse.private_redis import free_port
from tests.conftest import REDIS_URL
from tests.support.polling import wait_until
from tests.support.processes import Role, healthy, listening_addresses, role_env, running


def test_flower_listens_on_loopback_by_default(tmp_path: Path) -> None:
    port = free_port()
    env = role_env(f"sqlite:///{tmp_path / 'unused.db'}", REDIS_URL, tmp_path, FLOWER_BASIC_AUTH="ops:secret")
    with running(Role(["flower", "--port", str(port)], env, tmp_path / "flower.log")):
        url = f"http://127.0.0.1:{port}/healthcheck"
        wait_until(lambda: healthy(url), 90, "flower never answered", 0.2)
        assert listening_addresses(range(port, port + 1)) == {"127.0.0.1"}
