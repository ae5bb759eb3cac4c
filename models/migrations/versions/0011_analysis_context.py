"""analysis context: when the danger a text mentions is happening and whom it is about, as Gemini reads it (null when the analyzer cannot tell)

Revision ID: 0011_analysis_context
Revises: 0010_throughput
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_analysis_context"
down_revision = "0010_throughput"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        batch.add_column(sa.Column("timing", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("experiencer", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("experiencer")
        batch.drop_column("timing")
