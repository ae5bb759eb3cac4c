"""Reading Prometheus figures back: from this process's registry, or from a scrape."""

from __future__ import annotations

import urllib.request

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

Series = tuple[str, dict[str, str]]  # a sample's name and its labels


def counted(series: dict[str, Series]) -> dict[str, float]:
    """Each named series' value in this process (0 before its first count)."""
    return {key: REGISTRY.get_sample_value(name, labels) or 0.0 for key, (name, labels) in series.items()}


def grown(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """How much each series grew, leaving out those that did not (to the microsecond: sums of
    float seconds carry rounding noise)."""
    return {key: round(after[key] - before[key], 6) for key in after if after[key] != before[key]}


def scrape(url: str, token: str | None = None) -> str:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def scraped(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels` (0 if none)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )
