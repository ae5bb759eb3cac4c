"""The workers' figures are counted where the outcome is decided: each page's and
reminder's send by result, the time from ingest to the first page, and Gemini's calls and
tokens as the ledger records them. Real SDK clients against the local fakes; the values
are read back from prometheus_client's registry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.db import session_scope
from models.llm import LlmUsage
from models.tables import utcnow
from pipelines.analysis.gemini import AnalysisRequest
from pipelines.optout import OptOutRegistry
from tests.fakes.gemini_server import running_fake
from tests.fakes.providers import fake_providers
from tests.llm.helpers import make_analyzer
from tests.support.alerting import roster, route_and_deliver, scored_item
from tests.support.metrics import counted, grown
from tests.support.outreach import KEYS, dispatch_at, policy, real_sender, schedule

NURSE_PHONE = "+15550100"
NURSE_EMAIL = "nurse@h.example"
MODEL = "gemini-2.5-flash"


def sends(channel: str, kind: str, result: str) -> tuple[str, dict[str, str]]:
    return "carepulse_sends_total", {"channel": channel, "kind": kind, "result": result}


def ingest_to_alert(part: str, channel: str) -> tuple[str, dict[str, str]]:
    return f"carepulse_ingest_to_alert_seconds_{part}", {"channel": channel, "level": "critical"}


def test_pages_are_counted_by_result_and_time_ingest_to_alert(sessions: sessionmaker[Session]) -> None:
    series = {
        "sms sent": sends("sms", "page", "sent"),
        "sms failed": sends("sms", "page", "failed"),
        "sms suppressed": sends("sms", "page", "suppressed"),
        "email retry": sends("email", "page", "retry"),
        "email sent": sends("email", "page", "sent"),
        "sms pages timed": ingest_to_alert("count", "sms"),
        "sms seconds": ingest_to_alert("sum", "sms"),
        "email pages timed": ingest_to_alert("count", "email"),
        "email seconds": ingest_to_alert("sum", "email"),
    }
    nurse = roster(sms_to=NURSE_PHONE, email_to=NURSE_EMAIL)
    received = utcnow() - timedelta(minutes=1)
    before = counted(series)
    with fake_providers() as providers:
        sender = real_sender(providers)

        def page(seconds_after_arrival: float) -> None:
            item = scored_item(sessions, received_at=received)
            at = received + timedelta(seconds=seconds_after_arrival)
            route_and_deliver(sessions, [item], sender, nurse, now=at)

        providers.sendgrid.fail_next(503)
        page(4)  # SMS sent after 4 s; the email waits for a retry
        providers.twilio.fail_next(400, code=21211)
        page(6)  # Twilio refuses the number; the email goes
        with session_scope(sessions) as session:
            OptOutRegistry(KEYS).record(session, NURSE_PHONE, "STOP")
        page(2)  # the nurse's phone replied STOP; the email goes
    assert grown(before, counted(series)) == {
        "sms sent": 1,
        "sms failed": 1,
        "sms suppressed": 1,
        "email retry": 1,
        "email sent": 2,
        "sms pages timed": 1,
        "sms seconds": 4,
        "email pages timed": 2,
        "email seconds": 8,
    }


def test_reminders_are_counted_by_kind_and_result(sessions: sessionmaker[Session]) -> None:
    rules = policy()
    now = utcnow().replace(hour=12, minute=0)
    series = {
        "sent": sends("sms", "survey_invite", "sent"),
        "failed": sends("sms", "survey_invite", "failed"),
        "retry": sends("email", "survey_invite", "retry"),
    }
    before = counted(series)
    with fake_providers() as providers:
        sender = real_sender(providers)
        schedule(sessions, rules, now, channel="sms", to="+33612345001", patient_ref="MRN-1")
        dispatch_at(sessions, sender, rules, now)
        providers.twilio.fail_next(400, code=21211)
        schedule(sessions, rules, now, channel="sms", to="+33612345002", patient_ref="MRN-2")
        dispatch_at(sessions, sender, rules, now)
        providers.sendgrid.fail_next(503)
        schedule(sessions, rules, now, channel="email", to="p3@mail.example", patient_ref="MRN-3")
        dispatch_at(sessions, sender, rules, now)
    assert grown(before, counted(series)) == {"sent": 1, "failed": 1, "retry": 1}


def test_gemini_calls_and_tokens_are_counted_as_the_ledger_records_them(
    sessions: sessionmaker[Session],
) -> None:
    series = {
        "ok calls": ("carepulse_llm_requests_total", {"model": MODEL, "mode": "online", "outcome": "ok"}),
        "500 calls": (
            "carepulse_llm_requests_total",
            {"model": MODEL, "mode": "online", "outcome": "http_500"},
        ),
        "prompt tokens": ("carepulse_llm_tokens_total", {"model": MODEL, "kind": "prompt"}),
        "output tokens": ("carepulse_llm_tokens_total", {"model": MODEL, "kind": "output"}),
    }
    before = counted(series)
    with running_fake() as fake:
        fake.script.append("500")  # the first call fails and is retried
        analyzer = make_analyzer(sessions, fake, attempts=2)
        analyzer.analyze_many([AnalysisRequest("a", "the food was cold"), AnalysisRequest("b", "so kind")])
    with sessions() as session:
        prompt, output = session.execute(
            select(func.sum(LlmUsage.prompt_tokens), func.sum(LlmUsage.output_tokens))
        ).one()
        outcomes = sorted(session.scalars(select(LlmUsage.outcome)))
    assert outcomes == ["http_500", "ok"]
    assert prompt > 0 and output > 0
    assert grown(before, counted(series)) == {
        "ok calls": 1,
        "500 calls": 1,
        "prompt tokens": prompt,
        "output tokens": output,
    }
