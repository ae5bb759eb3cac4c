"""Every route with every role: the test lists who may call each route, and fails when a
route appears that the list does not cover, so a new endpoint cannot ship unguarded."""

from __future__ import annotations

import uuid

import falcon.inspect
import pytest
from falcon import testing
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.keys import ROLES, create_key
from tests.ingest.conftest import auth

PUBLIC = "public"
SIGNED = "signed by Twilio"
SENDGRID = "signed by SendGrid"
LINK = "signed link"  # the signature is in the path: the unsubscribe link of an email
SUBMITTERS = frozenset({"kiosk", "integration", "staff", "admin"})
OUTREACH = frozenset({"integration", "staff", "admin"})
STAFF = frozenset({"staff", "admin"})
ADMIN = frozenset({"admin"})
ACCESS: dict[tuple[str, str], frozenset[str] | str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # METRICS_TOKEN guards it when set (tests/ingest/test_metrics.py)
    ("GET", "/triage"): PUBLIC,  # the page asks for a staff key; its API calls need one
    ("GET", "/triage/app.js"): PUBLIC,
    ("GET", "/triage/app.css"): PUBLIC,
    ("POST", "/v1/feedback"): SUBMITTERS,
    ("POST", "/v1/feedback/batch"): SUBMITTERS,
    ("POST", "/v1/feedback/audio"): SUBMITTERS,
    ("POST", "/v1/surveys/responses"): SUBMITTERS,
    ("GET", "/v1/feedback"): STAFF,
    ("GET", "/v1/feedback/export.csv"): STAFF,
    ("GET", "/v1/feedback/{feedback_id}"): STAFF,
    ("PATCH", "/v1/feedback/{feedback_id}"): STAFF,
    ("GET", "/v1/triage/queue"): STAFF,
    ("GET", "/v1/analytics/summary"): STAFF,
    ("GET", "/v1/analytics/trends"): STAFF,
    ("GET", "/v1/training/runs/{run_id}"): STAFF,
    ("GET", "/v1/training/runs/{run_id}/{image}"): STAFF,
    ("GET", "/v1/admin/oncall"): ADMIN,
    ("POST", "/v1/admin/oncall"): ADMIN,
    ("DELETE", "/v1/admin/oncall/{entry_id}"): ADMIN,
    ("GET", "/v1/admin/keys"): ADMIN,
    ("POST", "/v1/admin/keys"): ADMIN,
    ("DELETE", "/v1/admin/keys/{name}"): ADMIN,
    ("POST", "/v1/twilio/sms"): SIGNED,
    ("POST", "/v1/twilio/voice"): SIGNED,
    ("POST", "/v1/twilio/recording"): SIGNED,
    ("POST", "/v1/twilio/status"): SIGNED,
    ("POST", "/v1/sendgrid/events"): SENDGRID,
    ("GET", "/v1/unsubscribe/{reminder_id}/{signature}"): LINK,
    ("POST", "/v1/unsubscribe/{reminder_id}/{signature}"): LINK,
    ("POST", "/v1/reminders"): OUTREACH,
    ("POST", "/v1/reminders/import"): OUTREACH,
    ("GET", "/v1/reminders/{reminder_id}"): OUTREACH,
    ("DELETE", "/v1/reminders/{reminder_id}"): OUTREACH,
    ("GET", "/v1/consents/{patient_ref}"): OUTREACH,
    ("PUT", "/v1/consents/{patient_ref}"): OUTREACH,
    ("GET", "/v1/admin/templates"): ADMIN,
    ("PUT", "/v1/admin/templates/{kind}/{channel}/{language}"): ADMIN,
}
PATH_VALUES = {
    "{feedback_id}": str(uuid.uuid4()),
    "{run_id}": "latest",
    "{image}": "confusion.png",
    "{entry_id}": "1",
    "{name}": "nobody",
    "{reminder_id}": str(uuid.uuid4()),
    "{signature}": "0" * 32,
    "{patient_ref}": "walk-patient",
    "{kind}": "appointment",
    "{channel}": "sms",
    "{language}": "en",
}


def served_routes(client: testing.TestClient) -> set[tuple[str, str]]:
    return {
        (method.method, route.path)
        for route in falcon.inspect.inspect_routes(client.app)
        for method in route.methods
        if not method.internal
    }


def concrete(path: str) -> str:
    for placeholder, value in PATH_VALUES.items():
        path = path.replace(placeholder, value)
    return path


@pytest.fixture
def every_role(sessions: sessionmaker[Session]) -> dict[str, str]:
    with session_scope(sessions) as session:
        return {role: create_key(session, f"walk-{role}", role) for role in ROLES}


def test_the_access_list_covers_every_route(client: testing.TestClient) -> None:
    assert served_routes(client) == set(ACCESS)


def test_every_route_refuses_every_caller_it_should(
    client: testing.TestClient, every_role: dict[str, str]
) -> None:
    for (method, template), allowed in sorted(ACCESS.items()):
        path = concrete(template)
        callers: dict[str | None, dict[str, str]] = {None: {}} | {
            role: auth(token) for role, token in every_role.items()
        }
        for role, headers in callers.items():
            if allowed == SIGNED:  # Twilio posts forms
                form = {"Content-Type": "application/x-www-form-urlencoded"}
                response = client.simulate_request(method, path, body="From=x", headers=headers | form)
            else:
                response = client.simulate_request(method, path, json={}, headers=headers)
            status = response.status_code
            where = f"{method} {template} as {role or 'nobody'}: {status}"
            if allowed == PUBLIC:
                assert status not in (401, 403), where
            elif allowed in (SIGNED, SENDGRID):
                assert status == 403, where  # a bearer key is no provider's signature
            elif allowed == LINK:
                assert status == 404, where  # nor is it the link's signature
            elif role is None:
                assert status == 401, where
            elif role in allowed:
                assert status not in (401, 403), where
            else:
                assert status == 403, where
