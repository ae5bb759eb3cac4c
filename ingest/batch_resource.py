"""POST /v1/feedback/batch: a kiosk's offline queue, synced when it is back online.

Each item is judged on its own: created, duplicate (the same device sent this client_id
before, or earlier in the same batch) or invalid with field errors. The device is the
kiosk's key, so (key, client_id) is unique and a resent batch creates nothing.
"""

from __future__ import annotations

from typing import Any

import falcon
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ingest.body import read_model
from ingest.channel_intake import publish_after_commit
from ingest.channel_schemas import BatchIn, BatchItemIn
from ingest.correlation import announce_accepted
from ingest.errors import error_list
from ingest.feedback_resource import SUBMITTER_ROLES
from ingest.submission import SubmissionResource
from models.channels import BatchItem
from models.db import session_scope
from models.tables import Feedback, OutboxEntry, new_id

CHAIN_SIZE = 50  # items per published chain: Celery's per-task cost paid once per 50


def _validate(index: int, raw: Any) -> tuple[str | None, BatchItemIn | None, list[dict[str, str]]]:
    """(client_id, item, errors) of one raw item; client_id even when the rest is invalid."""
    client_id = raw.get("client_id") if isinstance(raw, dict) else None
    client_id = client_id if isinstance(client_id, str) else None
    if not isinstance(raw, dict):
        return None, None, [{"field": f"items.{index}", "message": "must be an object"}]
    try:
        return client_id, BatchItemIn.model_validate(raw), []
    except ValidationError as exc:
        return client_id, None, error_list(exc)


class FeedbackBatch(SubmissionResource):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal = self._auth.require(req, SUBMITTER_ROLES)
        batch = read_model(req, self._limit, BatchIn)
        checked = [_validate(index, raw) for index, raw in enumerate(batch.items)]
        try:
            results, created = self._store(principal.key_id, checked)
        except IntegrityError:
            # The same batch arrived twice at once and the other request won: now every
            # item it stored is a duplicate, so a second pass cannot collide again.
            results, created = self._store(principal.key_id, checked)
        channels = ",".join(sorted({item.channel for _, item, _ in checked if item is not None}))
        announce_accepted(req, resp, created, channels)
        for start in range(0, len(created), CHAIN_SIZE):
            publish_after_commit(self._publish, self._sessions, created[start : start + CHAIN_SIZE])
        resp.media = {"results": results}

    def _store(
        self, key_id: str, checked: list[tuple[str | None, BatchItemIn | None, list[dict[str, str]]]]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        created: list[str] = []
        with session_scope(self._sessions) as session:
            client_ids = [item.client_id for _, item, _ in checked if item is not None]
            known = dict(
                session.execute(
                    select(BatchItem.client_id, BatchItem.feedback_id).where(
                        BatchItem.api_key_id == key_id, BatchItem.client_id.in_(client_ids)
                    )
                ).all()
            )
            new_rows: list[Feedback] = []
            links: list[BatchItem] = []
            for client_id, item, errors in checked:
                if item is None:
                    results.append({"client_id": client_id, "result": "invalid", "errors": errors})
                elif item.client_id in known:
                    results.append(
                        {"client_id": item.client_id, "id": known[item.client_id], "result": "duplicate"}
                    )
                else:
                    feedback = Feedback(
                        id=new_id(), api_key_id=key_id, **item.model_dump(exclude={"client_id"})
                    )
                    new_rows.append(feedback)
                    links.append(
                        BatchItem(api_key_id=key_id, client_id=item.client_id, feedback_id=feedback.id)
                    )
                    known[item.client_id] = feedback.id
                    created.append(feedback.id)
                    results.append({"client_id": item.client_id, "id": feedback.id, "result": "created"})
            # Two flushes for the whole batch: the feedback rows first, for the foreign keys.
            session.add_all(new_rows)
            session.flush()
            session.add_all([*links, *(OutboxEntry(feedback_id=row.id) for row in new_rows)])
        return results, created
