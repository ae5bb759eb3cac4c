"""Merge the urgency-model, channels and LLM branches into one history.

Revision ID: 0006_merge_branches
Revises: 0003_urgency_model, 0004_channels, 0005_llm
"""

from __future__ import annotations

revision = "0006_merge_branches"
down_revision = ("0003_urgency_model", "0004_channels", "0005_llm")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the three branches touch separate tables."""


def downgrade() -> None:
    """Nothing to undo."""
