"""A real worker (prefork pool) serves on its metrics port what its pool children counted:
the run time of each task by outcome, the items it handled, and Gemini's calls and tokens."""

from __future__ import annotations

from pathlib import Path

import redis
from sqlalchemy import func, select

from carepulse.private_redis import free_port
from models.db import make_engine, make_session_factory
from models.llm import LlmUsage
from tests.conftest import REDIS_URL
from tests.fakes.gemini_server import running_fake
from tests.llm.helpers import add_feedback
from tests.support.metrics import scrape, scraped
from tests.support.polling import wait_until
from tests.support.processes import Role, role_env, running
from workers.chains import CeleryPublisher


def test_the_worker_serves_what_its_pool_children_counted(
    pg_url: str, tmp_path: Path, redis_client: redis.Redis
) -> None:
    engine = make_engine(pg_url)
    ids = add_feedback(make_session_factory(engine), "the food was cold", "the nurse was so kind")
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    with running_fake() as fake:
        env = role_env(pg_url, REDIS_URL, tmp_path, GOOGLE_API_KEY="test-key", GEMINI_BASE_URL=fake.url)
        worker = Role(
            ["worker", "--queues", "llm", "--concurrency", "2", "--metrics-port", str(port)],
            env,
            tmp_path / "worker.log",
        )
        with running(worker):
            CeleryPublisher().publish(ids)

            def analyzed() -> str | None:
                try:
                    text = scrape(url)
                except OSError:
                    return None  # the worker is still starting
                with engine.connect() as connection:
                    prompt = connection.scalar(select(func.sum(LlmUsage.prompt_tokens)))
                items = scraped(
                    text, "carepulse_stage_items_total", task="feedback.analyze", outcome="success"
                )
                tokens = scraped(text, "carepulse_llm_tokens_total", kind="prompt")
                return text if items == len(ids) and prompt and tokens == prompt else None

            text = wait_until(analyzed, 60, "the worker's metrics never showed the analysis and its tokens")
    engine.dispose()
    timed = scraped(
        text, "carepulse_stage_duration_seconds_count", task="feedback.analyze", outcome="success"
    )
    assert timed >= 1
    assert (
        scraped(text, "carepulse_stage_duration_seconds_bucket", task="feedback.analyze", le="+Inf") == timed
    )
    assert scraped(text, "carepulse_llm_requests_total", mode="online", outcome="ok") >= 1
