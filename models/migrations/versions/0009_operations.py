"""operations: dead letters of tasks that exhausted their retries; when retention purged a feedback's free text; the offline sender keeps recipients as keyed hashes

Revision ID: 0009_operations
Revises: 0008_reminders
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_operations"
down_revision = "0008_reminders"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("task_name", sa.String(length=128), nullable=False),
        sa.Column("args", JSON, nullable=False),
        sa.Column("kwargs", JSON, nullable=False),
        sa.Column("error", sa.String(length=128), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
        sa.UniqueConstraint("task_id", name=op.f("uq_dead_letters_task_id")),
    )
    op.create_index("ix_dead_letters_open", "dead_letters", ["replayed_at", "failed_at"])
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    # The offline sender kept addresses in clear: drop them, keep only a keyed hash from now on.
    op.execute("UPDATE sent_messages SET recipient = ''")
    with op.batch_alter_table("sent_messages") as batch:
        batch.alter_column(
            "recipient",
            new_column_name="recipient_hash",
            existing_type=sa.String(length=255),
            type_=sa.String(length=64),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("sent_messages") as batch:
        batch.alter_column(
            "recipient_hash",
            new_column_name="recipient",
            existing_type=sa.String(length=64),
            type_=sa.String(length=255),
            existing_nullable=False,
        )
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("purged_at")
    op.drop_index("ix_dead_letters_open", table_name="dead_letters")
    op.drop_table("dead_letters")
