"""Staff access to training-run reports: GET /v1/training/runs/{run_id} (JSON metrics and
the decision) and /v1/training/runs/{run_id}/{image} for the two PNG figures.
`run_id` may be "latest".
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.auth import Authenticator
from models.keys import STAFF_ROLES
from models.urgency_models import TrainingRun

IMAGES = {"confusion.png": "confusion_png", "precision_recall.png": "pr_png"}


class TrainingRunReport:
    def __init__(self, auth: Authenticator, sessions: sessionmaker[Session]) -> None:
        self._auth = auth
        self._sessions = sessions

    def on_get(self, req: falcon.Request, resp: falcon.Response, run_id: str) -> None:
        self._auth.require(req, STAFF_ROLES)
        with self._sessions() as session:
            run = self._run(session, run_id)
            resp.media = _summary(run)
        resp.set_header("Cache-Control", "no-store")

    def on_get_image(self, req: falcon.Request, resp: falcon.Response, run_id: str, image: str) -> None:
        self._auth.require(req, STAFF_ROLES)
        if image not in IMAGES:
            raise falcon.HTTPNotFound(title="Not found", description=f"Images: {', '.join(IMAGES)}.")
        with self._sessions() as session:
            data = getattr(self._run(session, run_id), IMAGES[image])
        if not data:
            raise falcon.HTTPNotFound(title="Not found", description="This run has no such image.")
        resp.content_type = "image/png"
        resp.data = data
        resp.set_header("Cache-Control", "no-store")

    @staticmethod
    def _run(session: Session, run_id: str) -> TrainingRun:
        if run_id == "latest":
            run = session.scalar(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(1))
        else:
            run = (
                session.get(TrainingRun, int(run_id))
                if run_id.isascii() and run_id.isdigit() and len(run_id) <= 18
                else None
            )
        if run is None:
            raise falcon.HTTPNotFound(title="Not found", description="No training run with this id.")
        return run


def _summary(run: TrainingRun) -> dict[str, Any]:
    base = f"/v1/training/runs/{run.id}"
    return {
        "id": run.id,
        "trigger": run.trigger,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "challenger_version": run.challenger_version,
        "champion_version": run.champion_version,
        "promoted": run.promoted,
        "decision": run.decision,
        "report": run.report,
        "images": {name: f"{base}/{name}" for name in IMAGES},
    }
