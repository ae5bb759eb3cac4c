"""Audio upload → ingest → Celery (transcribe on asr, analyze, score, route) → alert,
with ingest, worker and beat as real processes on PostgreSQL and Redis."""

from __future__ import annotations

import json
import urllib.request

from tests.channels.conftest import AUDIO
from tests.channels.multipart import multipart
from tests.e2e.conftest import System, system  # noqa: F401 - the running-system fixture
from tests.support.http import call
from tests.support.polling import wait_until


def test_spoken_emergency_is_transcribed_and_alerted_by_real_workers(system: System) -> None:  # noqa: F811
    body, content_type = multipart(
        [
            ("metadata", None, "application/json", json.dumps({"department": "ward-3"}).encode()),
            ("audio", "speech.webm", "audio/webm", (AUDIO / "chest_pain_rms.webm").read_bytes()),
        ]
    )
    request = urllib.request.Request(
        f"{system.base_url}/v1/feedback/audio",
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "Authorization": f"Bearer {system.kiosk}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 202
        feedback_id = json.loads(response.read())["id"]

    def routed() -> dict | None:
        status, item = call("GET", f"{system.base_url}/v1/feedback/{feedback_id}", system.staff)
        assert status == 200
        sent = [alert for alert in item["alerts"] if alert["status"] == "sent"]
        return item if item["status"] == "analyzed" and len(sent) == 2 else None

    item = wait_until(routed, 60, "the audio feedback was not transcribed, analyzed and alerted")
    assert item["analysis"]["urgency"]["level"] == "critical"
    assert item["channel"] == "kiosk" and item["department"] == "ward-3"
    assert {"chest", "breathe"} <= set(item["transcript"].split())
    assert item["audio"]["transcriber"] == "pocketsphinx" and not item["audio"]["needs_listening"]
