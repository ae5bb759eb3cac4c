"""The urgency model registry, training runs and staff urgency labels.

Exactly one version is the champion at a time (the one workers score with); every
other version keeps its metrics so a rollback is a choice, not a retraining.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base, BigId, JsonType, utcnow


class UrgencyModelVersion(Base):
    """One trained model: where its artifact is, what it was trained on, how it scored."""

    __tablename__ = "urgency_model_versions"
    __table_args__ = (
        Index(
            "uq_urgency_model_versions_one_champion",
            "status",
            unique=True,
            postgresql_where=text("status = 'champion'"),
            sqlite_where=text("status = 'champion'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # champion | retired | rejected
    artifact: Mapped[str] = mapped_column(Text)  # file name under the model directory
    # The joblib bytes too, so a worker on another host can fetch the file it lacks.
    # Deferred: the champion check every MODEL_REFRESH_SECONDS never loads them.
    artifact_bytes: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    data_hash: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(64))
    training_rows: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TrainingRun(Base):
    """One retraining: the challenger, the comparison, the decision and its report."""

    __tablename__ = "training_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trigger: Mapped[str] = mapped_column(String(32))  # schedule | command | bootstrap
    challenger_version: Mapped[str | None] = mapped_column(String(64))
    champion_version: Mapped[str | None] = mapped_column(String(64))
    promoted: Mapped[bool] = mapped_column(default=False)
    decision: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    confusion_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    pr_png: Mapped[bytes | None] = mapped_column(LargeBinary)


class UrgencyLabel(Base):
    """A staff member's urgency for one feedback: the gold label retraining learns from."""

    __tablename__ = "urgency_labels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id"), unique=True)
    label: Mapped[str] = mapped_column(String(16))
    labeled_by: Mapped[str] = mapped_column(String(100))
    labeled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
