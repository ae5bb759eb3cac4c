"""urgency model registry, training runs and staff urgency labels

Revision ID: 0003_urgency_model
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_urgency_model"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "urgency_model_versions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("artifact", sa.Text(), nullable=False),
        sa.Column("artifact_bytes", sa.LargeBinary(), nullable=False),
        sa.Column("data_hash", sa.String(length=64), nullable=False),
        sa.Column("code_version", sa.String(length=64), nullable=False),
        sa.Column("training_rows", sa.Integer(), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_urgency_model_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_urgency_model_versions_version")),
    )
    op.create_index(
        "uq_urgency_model_versions_one_champion",
        "urgency_model_versions",
        ["status"],
        unique=True,
        postgresql_where=sa.text("status = 'champion'"),
        sqlite_where=sa.text("status = 'champion'"),
    )
    op.create_table(
        "training_runs",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("challenger_version", sa.String(length=64), nullable=True),
        sa.Column("champion_version", sa.String(length=64), nullable=True),
        sa.Column("promoted", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("report", JSON, nullable=False),
        sa.Column("confusion_png", sa.LargeBinary(), nullable=True),
        sa.Column("pr_png", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_runs")),
    )
    op.create_table(
        "urgency_labels",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("feedback_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("labeled_by", sa.String(length=100), nullable=False),
        sa.Column("labeled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"], ["feedback.id"], name=op.f("fk_urgency_labels_feedback_id_feedback")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_urgency_labels")),
        sa.UniqueConstraint("feedback_id", name=op.f("uq_urgency_labels_feedback_id")),
    )
    op.create_index(op.f("ix_urgency_labels_labeled_at"), "urgency_labels", ["labeled_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_urgency_labels_labeled_at"), table_name="urgency_labels")
    op.drop_table("urgency_labels")
    op.drop_table("training_runs")
    op.drop_index("uq_urgency_model_versions_one_champion", table_name="urgency_model_versions")
    op.drop_table("urgency_model_versions")
