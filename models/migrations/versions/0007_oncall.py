"""oncall: roster, escalations, hourly digests, silence alerts (kiosk opening hours); alerts keyed by a hashed recipient

Revision ID: 0007_oncall
Revises: 0006_merge_branches
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0007_oncall"
down_revision = "0006_merge_branches"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column:
    return sa.Column("id", BIG_ID, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "oncall_entries",
        _id(),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("starts", sa.String(length=5), nullable=False),
        sa.Column("ends", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("phone_encrypted", sa.Text(), nullable=True),
        sa.Column("email_encrypted", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oncall_entries")),
    )
    op.create_index(op.f("ix_oncall_entries_department"), "oncall_entries", ["department"])
    op.create_index(op.f("ix_oncall_entries_phone_hash"), "oncall_entries", ["phone_hash"])
    op.create_table(
        "escalations",
        _id(),
        sa.Column("feedback_id", sa.String(length=36), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("ack_code", sa.String(length=8), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exhausted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"], ["feedback.id"], name=op.f("fk_escalations_feedback_id_feedback")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        sa.UniqueConstraint("feedback_id", name=op.f("uq_escalations_feedback_id")),
        sa.UniqueConstraint("ack_code", name=op.f("uq_escalations_ack_code")),
    )
    op.create_index(op.f("ix_escalations_next_at"), "escalations", ["next_at"])
    op.create_table(
        "alert_digests",
        _id(),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("recipient_hash", sa.String(length=64), nullable=False),
        sa.Column("period", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_digests")),
        sa.UniqueConstraint("department", "recipient_hash", "period", name="uq_alert_digests_once"),
    )
    op.create_table(
        "silence_alerts",
        _id(),
        sa.Column("source", sa.String(length=140), nullable=False),
        sa.Column("silent_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_silence_alerts")),
        sa.UniqueConstraint("source", "silent_since", name="uq_silence_alerts_once"),
    )
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("opening_hours", sa.String(length=11), nullable=True))
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("recipient_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("recipient_encrypted", sa.Text(), nullable=True))
        batch.add_column(sa.Column("tier", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("digest_id", BIG_ID, nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    _hash_legacy_recipients()
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column("recipient_hash", existing_type=sa.String(length=64), nullable=False)
        batch.drop_constraint("uq_alerts_once", type_="unique")
        batch.create_unique_constraint("uq_alerts_once", ["feedback_id", "recipient_hash", "channel"])
        batch.create_index(op.f("ix_alerts_digest_id"), ["digest_id"])
        batch.create_index("ix_alerts_status", ["status", "created_at"])


def _hash_legacy_recipients() -> None:
    """Alerts from before the roster named their address in clear: keep them unique by a
    plain hash of it, and replace the address with a label."""
    bind = op.get_bind()
    alerts = sa.table("alerts", sa.column("id"), sa.column("recipient"), sa.column("recipient_hash"))
    for alert_id, recipient in bind.execute(sa.select(alerts.c.id, alerts.c.recipient)).all():
        bind.execute(
            alerts.update()
            .where(alerts.c.id == alert_id)
            .values(recipient="on-call", recipient_hash=hashlib.sha256(recipient.encode()).hexdigest())
        )


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_status")
        batch.drop_index(op.f("ix_alerts_digest_id"))
        batch.drop_constraint("uq_alerts_once", type_="unique")
        batch.create_unique_constraint("uq_alerts_once", ["feedback_id", "recipient", "channel"])
        for column in ("claimed_at", "digest_id", "tier", "recipient_encrypted", "recipient_hash"):
            batch.drop_column(column)
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("acknowledged_at")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("opening_hours")
    for table in ("silence_alerts", "alert_digests", "escalations", "oncall_entries"):
        op.drop_table(table)
