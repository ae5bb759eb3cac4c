"""The monitoring files cannot drift from the code: every metric the Grafana dashboard (or
deploy/prometheus.yml) names is one that ingest, a worker or Flower exposes, and Prometheus
scrapes the services, ports and paths docker-compose.yml gives them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import redis
import yaml
from falcon import testing
from flower.events import get_prometheus_metrics
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

import pipelines.telemetry  # noqa: F401 - registers the workers' metrics
from carepulse.cli import build_parser
from ingest.app import create_app
from models.db import make_engine, make_session_factory
from models.settings import load_settings
from workers.chains import CeleryPublisher

ROOT = Path(__file__).parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "carepulse.json"
PROMETHEUS = ROOT / "deploy" / "prometheus.yml"
COMPOSE = ROOT / "docker-compose.yml"

SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
}
IDENTIFIER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
# Label matchers, strings, `by (...)` groupings and range selectors name no metric.
NOT_A_METRIC = re.compile(r'\{[^}]*\}|"[^"]*"|\b(?:by|without)\s*\([^)]*\)|\[[^\]]*\]')
# What operators asked to see: the dashboard must show each of them.
ISSUE_FIGURES = {
    "carepulse_http_requests_total",
    "carepulse_http_request_duration_seconds_bucket",
    "carepulse_feedback_items",
    "carepulse_queue_depth",
    "carepulse_stage_duration_seconds_bucket",
    "carepulse_ingest_to_alert_seconds_bucket",
    "carepulse_llm_requests_total",
    "carepulse_llm_tokens_total",
    "carepulse_sends_total",
    "carepulse_open_pages",
    "carepulse_oldest_open_page_seconds",
    "flower_worker_online",
    "flower_events_total",
}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless"}


def sample_names(exposition: str) -> set[str]:
    """The names a scrape of this exposition can hold, from each family's type (a labelled
    family shows its type before anything was counted in it)."""
    return {
        family.name + suffix
        for family in text_string_to_metric_families(exposition)
        for suffix in SUFFIXES.get(family.type, ("",))
    }


def metric_names(query: str) -> set[str]:
    """The metric names of a PromQL query: identifiers that are not functions, labels or words."""
    rest = NOT_A_METRIC.sub(" ", query)
    return {
        match.group()
        for match in IDENTIFIER.finditer(rest)
        if not rest[match.end() :].lstrip().startswith("(") and match.group() not in PROMQL_WORDS
    }


def dashboard_queries() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def exposed_by_ingest(pg_url: str) -> set[str]:
    engine = make_engine(pg_url)
    client = testing.TestClient(create_app(load_settings(), make_session_factory(engine), CeleryPublisher()))
    text = client.simulate_get("/metrics").text
    engine.dispose()
    return sample_names(text)


def test_every_metric_the_dashboard_reads_is_exposed(pg_url: str, redis_client: redis.Redis) -> None:
    get_prometheus_metrics()  # Flower's metrics, as its /metrics serves them
    exposed = exposed_by_ingest(pg_url) | sample_names(generate_latest(REGISTRY).decode())
    queries = dashboard_queries()
    used = set().union(*map(metric_names, queries))
    assert ISSUE_FIGURES <= used
    assert used - exposed == set()
    in_scrape_config = set(re.findall(r"\b(?:carepulse|flower)_[a-z0-9_]+", PROMETHEUS.read_text()))
    assert in_scrape_config - exposed == set()


def test_the_queries_name_metrics_not_labels() -> None:
    query = 'histogram_quantile(0.99, sum by (le, task) (rate(x_bucket{outcome="success"}[5m]))) / y'
    assert metric_names(query) == {"x_bucket", "y"}


def test_prometheus_scrapes_what_compose_serves() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    jobs = {job["job_name"]: job for job in yaml.safe_load(PROMETHEUS.read_text())["scrape_configs"]}

    ingest = jobs["carepulse-ingest"]
    assert ingest["static_configs"][0]["targets"] == ["ingest:8000"]
    assert "0.0.0.0:8000" in services["ingest"]["command"]
    token_file = ingest["authorization"]["credentials_file"]
    assert f"> {token_file}" in services["prometheus"]["command"][0]
    assert services["prometheus"]["volumes"][0].endswith(":/etc/prometheus/prometheus.yml:ro")

    workers = {
        name
        for name, service in services.items()
        if service.get("command", [])[:3] == ["carepulse", "serve", "worker"]
    }
    [discovery] = jobs["carepulse-worker"]["dns_sd_configs"]
    assert set(discovery["names"]) == workers
    for name in workers:
        port = services[name]["environment"]["WORKER_METRICS_PORT"]
        assert int(port) == discovery["port"] and services[name]["expose"] == [port]
        assert "ports" not in services[name]  # never published beyond the internal network

    flower = jobs["flower"]
    assert flower["static_configs"][0]["targets"] == ["flower:5555"]
    served = build_parser().parse_args(services["flower"]["command"][1:])
    # Its container's every interface: the published loopback port and Prometheus reach it there.
    assert (served.role, served.port, served.address) == ("flower", 5555, "0.0.0.0")
    assert {job["metrics_path"] for job in jobs.values()} == {"/metrics"}
