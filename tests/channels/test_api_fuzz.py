"""Schemathesis fuzzes every ingest endpoint in /openapi.json in process (WSGI, real
SQLite): at least 1,000 generated requests, valid and invalid, none answered with a 5xx
or with a response the document does not describe. Derandomized so the suite is stable;
a deeper random run: `schemathesis run --max-examples 2000 http://HOST/openapi.json`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ingest.app import create_app
from models.db import make_engine, make_session_factory, session_scope
from models.keys import create_key
from models.migrate import upgrade
from tests.channels.conftest import channel_settings
from workers.chains import CeleryPublisher

EXAMPLES_PER_MODE = 40  # x 2 modes x every operation (34 today): over 2,500 requests
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_endpoint_survives_generated_requests(tmp_path: Path, redis_client) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        token = create_key(session, "fuzz-admin", "admin")
    app = create_app(
        channel_settings(rate_limit_per_minute=0, rate_limit_per_address=0), sessions, CeleryPublisher()
    )
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    sent: Counter[str] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_MODE,
                deadline=None,
                database=None,
                derandomize=True,  # the same requests every run: the suite must not flake
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case) -> None:  # type: ignore[no-untyped-def]
                sent[case.operation.label] += 1
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

            try:
                fuzz()
            except Unsatisfiable:
                # Nothing to make invalid (no parameters, no body): negative mode has no cases.
                assert mode is GenerationMode.NEGATIVE, operation.label
    engine.dispose()

    assert {operation.label for operation in operations} >= {
        "POST /v1/feedback",
        "POST /v1/feedback/batch",
        "POST /v1/feedback/audio",
        "POST /v1/surveys/responses",
        "POST /v1/twilio/sms",
        "POST /v1/twilio/voice",
        "POST /v1/twilio/recording",
    }
    assert sum(sent.values()) >= 1000, sent
