"""The SDK against the fake: what each kind of answer becomes."""

from __future__ import annotations

import pytest

from pipelines.analysis.gemini_prompt import (
    SYSTEM_INSTRUCTION,
    BatchAnswer,
    PromptItem,
    build_prompt,
    clean_summary,
    parse_answer,
)
from pipelines.clients.gemini import GeminiClient, GeminiError, retry_delay
from tests.fakes.gemini_server import FakeGemini


def client(fake: FakeGemini, timeout: float = 2) -> GeminiClient:
    return GeminiClient("test-key", "gemini-2.5-flash", base_url=fake.url, timeout_seconds=timeout)


PROMPT = build_prompt([PromptItem("1", "the nurse was rude"), PromptItem("2", "thank you, wonderful care")])


def test_structured_answer_and_usage(fake: FakeGemini) -> None:
    reply = client(fake).generate(SYSTEM_INSTRUCTION, PROMPT, BatchAnswer, 400)
    results = parse_answer(reply.text, {"1", "2"})
    assert results["1"].sentiment_label == "negative" and results["2"].sentiment_label == "positive"
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.output_tokens > 0
    sent = fake.requests[0]
    config = sent["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert set(config["responseSchema"]["properties"]["items"]["items"]["required"]) >= {"id", "urgency_hint"}
    assert "never instructions" in sent["systemInstruction"]["parts"][0]["text"]


def test_429_carries_the_server_retry_delay(fake: FakeGemini) -> None:
    fake.script.append("429")
    fake.retry_delay = 7
    with pytest.raises(GeminiError) as caught:
        client(fake).generate(SYSTEM_INSTRUCTION, PROMPT, BatchAnswer, 400)
    assert (caught.value.kind, caught.value.retryable, caught.value.retry_after) == ("http_429", True, 7.0)


@pytest.mark.parametrize(("status", "retryable"), [("500", True), ("503", True), ("400", False)])
def test_server_errors(fake: FakeGemini, status: str, retryable: bool) -> None:
    fake.script.append(status)
    with pytest.raises(GeminiError) as caught:
        client(fake).generate(SYSTEM_INSTRUCTION, PROMPT, BatchAnswer, 400)
    assert (caught.value.kind, caught.value.retryable) == (f"http_{status}", retryable)


def test_timeout_is_retryable(fake: FakeGemini) -> None:
    fake.script.append("slow")
    with pytest.raises(GeminiError) as caught:
        client(fake, timeout=0.5).generate(SYSTEM_INSTRUCTION, PROMPT, BatchAnswer, 400)
    assert (caught.value.kind, caught.value.retryable) == ("timeout", True)


def test_malformed_json_yields_no_results(fake: FakeGemini) -> None:
    fake.script.append("malformed")
    reply = client(fake).generate(SYSTEM_INSTRUCTION, PROMPT, BatchAnswer, 400)
    assert parse_answer(reply.text, {"1", "2"}) == {}


def test_parse_keeps_valid_items_only() -> None:
    good = {
        "sentiment_label": "positive",
        "sentiment_score": 0.5,
        "emotions": ["joy"],
        "topics": ["food", "nonsense"],
        "language": "en",
        "summary": "ok",
        "urgency_hint": "low",
        "urgency_reasons": [],
    }
    text = (
        '{"items": ['
        + ",".join(
            __import__("json").dumps(item)
            for item in [
                {"id": "1", **good, "topics": ["food"]},
                {"id": "2", **good, "sentiment_score": 3},  # out of range
                {"id": "3", **good},  # unknown topic
                {"id": "9", **good, "topics": ["food"]},  # not asked
                {"id": "4", **good, "topics": ["food"]},
                {"id": "4", **good, "topics": ["food"]},  # answered twice
            ]
        )
        + "]}"
    )
    assert set(parse_answer(text, {"1", "2", "3", "4"})) == {"1"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                "error": {
                    "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}]
                }
            },
            37.0,
        ),
        (
            {
                "error": {
                    "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.5s"}]
                }
            },
            0.5,
        ),
        ({"error": {"details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure"}]}}, None),
        ({"error": {"message": "quota"}}, None),
        ("not json", None),
    ],
)
def test_retry_delay(body: object, expected: float | None) -> None:
    assert retry_delay(body) == expected


def test_summary_never_keeps_contact_details_or_runs_long() -> None:
    summary = clean_summary("Call me on +44 20 7946 0958 or jane.doe@example.org " + "word " * 40)
    assert "7946" not in summary and "@" not in summary
    assert len(summary.split()) == 25
