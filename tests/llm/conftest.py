"""Gemini tests: the real google-genai SDK against the local fake of the REST API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.gemini_server import FakeGemini, running_fake


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    with running_fake() as server:
        yield server
