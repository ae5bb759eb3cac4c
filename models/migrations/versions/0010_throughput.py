"""throughput: urgent decisions found by level and time, so the relay's search for unrouted ones reads a day, not the whole table; outbox rows found by feedback, so marking a batch published reads only its rows

Revision ID: 0010_throughput
Revises: 0009_operations
"""

from __future__ import annotations

from alembic import op

revision = "0010_throughput"
down_revision = "0009_operations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("urgency_decisions") as batch:
        batch.create_index("ix_urgency_level_created", ["level", "created_at"])
        batch.drop_index("ix_urgency_decisions_level")
    op.create_index("ix_outbox_feedback", "outbox", ["feedback_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_feedback", table_name="outbox")
    with op.batch_alter_table("urgency_decisions") as batch:
        batch.create_index("ix_urgency_decisions_level", ["level"])
        batch.drop_index("ix_urgency_level_created")
