"""llm: micro-batch buffer, token usage and budget, result cache, fallbacks, batch jobs

Revision ID: 0005_llm
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_llm"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "llm_pending",
        sa.Column("feedback_id", sa.String(length=36), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_llm_pending_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_llm_pending")),
    )
    op.create_index(op.f("ix_llm_pending_enqueued_at"), "llm_pending", ["enqueued_at"])
    op.create_table(
        "llm_usage",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("total_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_usage")),
    )
    op.create_index(op.f("ix_llm_usage_day"), "llm_usage", ["day"])
    op.create_table(
        "llm_budget_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("spent_tokens", sa.Integer(), nullable=False),
        sa.Column("reserved_tokens", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_llm_budget_days")),
    )
    op.create_table(
        "llm_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_llm_cache")),
    )
    op.create_table(
        "llm_fallbacks",
        sa.Column("feedback_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reanalyzed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch_job", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_llm_fallbacks_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_llm_fallbacks")),
    )
    op.create_index(op.f("ix_llm_fallbacks_at"), "llm_fallbacks", ["at"])
    op.create_index(op.f("ix_llm_fallbacks_batch_job"), "llm_fallbacks", ["batch_job"])
    op.create_table(
        "llm_batch_jobs",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("estimate_tokens", sa.Integer(), nullable=False),
        sa.Column("budget_day", sa.Date(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_llm_batch_jobs")),
    )


def downgrade() -> None:
    op.drop_table("llm_batch_jobs")
    op.drop_index(op.f("ix_llm_fallbacks_batch_job"), table_name="llm_fallbacks")
    op.drop_index(op.f("ix_llm_fallbacks_at"), table_name="llm_fallbacks")
    op.drop_table("llm_fallbacks")
    op.drop_table("llm_cache")
    op.drop_table("llm_budget_days")
    op.drop_index(op.f("ix_llm_usage_day"), table_name="llm_usage")
    op.drop_table("llm_usage")
    op.drop_index(op.f("ix_llm_pending_enqueued_at"), table_name="llm_pending")
    op.drop_table("llm_pending")
