"""The model registry: which version is champion, where its artifact lives, rollbacks.

Artifacts are joblib files under the model directory (URGENCY_MODEL_DIR), named relative
to it, and also stored in the row so workers on other hosts need no shared volume.
Exactly one row is the champion (a partial unique index enforces it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import utcnow
from models.urgency_models import UrgencyModelVersion
from pipelines.urgency.model import UrgencyModel, write_atomically


class RegistryError(LookupError):
    """A version asked for does not exist or cannot take the role asked."""


def champion(session: Session) -> UrgencyModelVersion | None:
    return session.scalar(select(UrgencyModelVersion).where(UrgencyModelVersion.status == "champion"))


def find(session: Session, version: str) -> UrgencyModelVersion | None:
    return session.scalar(select(UrgencyModelVersion).where(UrgencyModelVersion.version == version))


def versions(session: Session) -> list[UrgencyModelVersion]:
    return list(session.scalars(select(UrgencyModelVersion).order_by(UrgencyModelVersion.id.desc())))


def artifact_path(model_dir: Path, version: str) -> Path:
    return model_dir / f"{version}.joblib"


def load(model_dir: Path, row: UrgencyModelVersion) -> UrgencyModel:
    """From the local file; a host without it first copies the bytes from the database."""
    path = model_dir / row.artifact
    if not path.exists():
        write_atomically(path, row.artifact_bytes)
    return UrgencyModel.load(path)


def register(
    session: Session,
    model: UrgencyModel,
    model_dir: Path,
    *,
    data_hash: str,
    code_version: str,
    training_rows: int,
    metrics: dict[str, Any],
) -> UrgencyModelVersion:
    """Save the artifact and record the version (not yet champion)."""
    path = artifact_path(model_dir, model.version)
    if not path.exists():
        model.save(path)
    row = UrgencyModelVersion(
        version=model.version,
        status="rejected",
        artifact=path.name,
        artifact_bytes=path.read_bytes(),
        data_hash=data_hash,
        code_version=code_version,
        training_rows=training_rows,
        metrics=metrics,
    )
    session.add(row)
    session.flush()
    return row


def promote(session: Session, row: UrgencyModelVersion) -> None:
    """Make `row` the champion; the previous champion is retired (and can come back)."""
    current = champion(session)
    if current is not None and current.id != row.id:
        current.status = "retired"
        session.flush()  # the partial unique index sees one champion at a time
    row.status = "champion"
    row.promoted_at = utcnow()
    session.flush()


def rollback(session: Session, version: str | None = None) -> UrgencyModelVersion:
    """Back to `version`, or to the most recently promoted version before the champion."""
    current = champion(session)
    if version is not None:
        target = find(session, version)
        if target is None:
            raise RegistryError(f"no model version {version!r}")
    else:
        target = session.scalar(
            select(UrgencyModelVersion)
            .where(UrgencyModelVersion.status == "retired", UrgencyModelVersion.promoted_at.is_not(None))
            .order_by(UrgencyModelVersion.promoted_at.desc())
            .limit(1)
        )
        if target is None:
            raise RegistryError("no earlier champion to roll back to")
    if current is not None and current.id == target.id:
        raise RegistryError(f"{target.version} is already the champion")
    promote(session, target)
    return target
