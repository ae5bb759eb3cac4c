"""The Gemini face of analysis: the google-genai SDK, and nothing but the wire.

The SDK does not retry unless told to and ignores a 429's `retryDelay`, so this client
never retries: it turns every failure into a `GeminiError` that says whether it is
worth retrying and how long the server asked us to wait. `GEMINI_BASE_URL` points the
SDK at another address (an egress gateway, or the local fake in tests).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from google import genai
from google.genai import errors, types
from pydantic import BaseModel


def _transport_errors() -> tuple[type[Exception], ...]:
    """httpx (SDK 1.x) or its fork httpx2 (SDK 3.x): whichever the SDK installed."""
    found = []
    for module in ("httpx", "httpx2"):
        try:
            found.append(importlib.import_module(module).HTTPError)
        except ImportError:
            continue
    return tuple(found)


TRANSPORT_ERRORS = (*_transport_errors(), OSError)
RETRYABLE_CODES = frozenset({408, 429, 500, 502, 503, 504})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


class GeminiError(Exception):
    """A failed call. `kind` is safe to log and store ("http_429", "timeout", ...)."""

    def __init__(self, kind: str, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


@dataclass(frozen=True)
class GeminiReply:
    text: str
    usage: Usage


@dataclass(frozen=True)
class BatchJob:
    name: str
    state: str  # "pending" | "running" | "succeeded" | "failed" | "cancelled" | "expired"
    replies: dict[str, GeminiReply]  # by request key, once succeeded


def retry_delay(details: Any) -> float | None:
    """The `google.rpc.RetryInfo` delay of an error body (`"retryDelay": "37s"`), if any."""
    error = details.get("error", details) if isinstance(details, dict) else {}
    for detail in error.get("details") or [] if isinstance(error, dict) else []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("RetryInfo"):
            match = _DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def _usage(metadata: types.GenerateContentResponseUsageMetadata | None) -> Usage:
    if metadata is None:
        return Usage()
    prompt = metadata.prompt_token_count or 0
    output = (metadata.candidates_token_count or 0) + (metadata.thoughts_token_count or 0)
    return Usage(prompt, output, metadata.total_token_count or prompt + output)


def _reply(response: types.GenerateContentResponse) -> GeminiReply:
    try:
        text = response.text
    except ValueError:  # no candidate, or a blocked one
        text = None
    return GeminiReply(text or "", _usage(response.usage_metadata))


_JOB_STATES = {
    "JOB_STATE_SUCCEEDED": "succeeded",
    "JOB_STATE_FAILED": "failed",
    "JOB_STATE_CANCELLED": "cancelled",
    "JOB_STATE_EXPIRED": "expired",
    "JOB_STATE_RUNNING": "running",
}


class GeminiClient:
    """One model, JSON output constrained by a response schema, no SDK retries."""

    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_seconds: float = 30,
    ) -> None:
        self.model = model
        options = types.HttpOptions(timeout=int(timeout_seconds * 1000), base_url=base_url)
        self._client = genai.Client(api_key=api_key, http_options=options)

    def _config(
        self, system: str, schema: type[BaseModel], max_output_tokens: int
    ) -> types.GenerateContentConfig:
        return types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_schema=schema,
            temperature=0,
            max_output_tokens=max_output_tokens,
        )

    def generate(
        self, system: str, prompt: str, schema: type[BaseModel], max_output_tokens: int
    ) -> GeminiReply:
        """One generateContent call; raises GeminiError on any failure."""
        try:
            response = self._client.models.generate_content(
                model=self.model, contents=prompt, config=self._config(system, schema, max_output_tokens)
            )
        except errors.APIError as exc:
            code = exc.code or 0
            retry_after = retry_delay(exc.details) if code == 429 else None
            raise GeminiError(f"http_{code}", code in RETRYABLE_CODES, retry_after) from None
        except TRANSPORT_ERRORS as exc:
            kind = "timeout" if "timeout" in type(exc).__name__.lower() else "network"
            raise GeminiError(kind, True) from None
        return _reply(response)

    def submit_batch(
        self, system: str, prompts: dict[str, str], schema: type[BaseModel], max_output_tokens: int
    ) -> str:
        """Submit a Batch-mode job (half the price, hours of turnaround); return its name."""
        config = self._config(system, schema, max_output_tokens)
        requests = [
            types.InlinedRequest(contents=prompt, metadata={"key": key}, config=config)
            for key, prompt in prompts.items()
        ]
        try:
            job = self._client.batches.create(model=self.model, src=requests)
        except errors.APIError as exc:
            raise GeminiError(f"http_{exc.code}", (exc.code or 0) in RETRYABLE_CODES) from None
        except TRANSPORT_ERRORS:
            raise GeminiError("network", True) from None
        return job.name or ""

    def batch_job(self, name: str) -> BatchJob:
        """A Batch-mode job's state, and its replies by key once it has succeeded."""
        try:
            job = self._client.batches.get(name=name)
        except errors.APIError as exc:
            raise GeminiError(f"http_{exc.code}", (exc.code or 0) in RETRYABLE_CODES) from None
        except TRANSPORT_ERRORS:
            raise GeminiError("network", True) from None
        state = _JOB_STATES.get(job.state.value if job.state else "", "pending")
        replies: dict[str, GeminiReply] = {}
        if state == "succeeded" and job.dest and job.dest.inlined_responses:
            for inlined in job.dest.inlined_responses:
                key = (inlined.metadata or {}).get("key")
                if key and inlined.response is not None:
                    replies[key] = _reply(inlined.response)
        return BatchJob(name, state, replies)
