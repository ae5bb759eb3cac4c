"""reminders: appointments, reminders and survey invitations, consent, suppressed contacts, delivery events, templates

Revision ID: 0008_reminders
Revises: 0007_oncall
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_reminders"
down_revision = "0007_oncall"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("patient_ref", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("recipient_hash", sa.String(length=64), nullable=False),
        sa.Column("recipient_encrypted", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        _when("appointment_at", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("external_id", name=op.f("uq_appointments_external_id")),
    )
    op.create_index(op.f("ix_appointments_patient_ref"), "appointments", ["patient_ref"])
    op.create_index(op.f("ix_appointments_recipient_hash"), "appointments", ["recipient_hash"])
    op.create_index(op.f("ix_appointments_appointment_at"), "appointments", ["appointment_at"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("appointment_id", BIG_ID, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("patient_ref", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("recipient_hash", sa.String(length=64), nullable=False),
        sa.Column("recipient_encrypted", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        _when("appointment_at"),
        _when("send_at", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("claimed_at"),
        _when("sent_at"),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("delivery_status", sa.String(length=32), nullable=True),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.Column("reply", sa.String(length=16), nullable=True),
        _when("replied_at"),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_reminders_appointment_id_appointments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("appointment_id", "kind", name="uq_reminders_once"),
    )
    op.create_index("ix_reminders_due", "reminders", ["status", "send_at"])
    op.create_index(op.f("ix_reminders_patient_ref"), "reminders", ["patient_ref"])
    op.create_index(op.f("ix_reminders_recipient_hash"), "reminders", ["recipient_hash"])
    op.create_index(op.f("ix_reminders_provider_id"), "reminders", ["provider_id"])
    op.create_table(
        "consents",
        sa.Column("patient_ref", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        _when("changed_at", nullable=False),
        sa.PrimaryKeyConstraint("patient_ref", name=op.f("pk_consents")),
    )
    op.create_table(
        "suppressed_contacts",
        sa.Column("contact_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        _when("created_at", nullable=False),
        sa.PrimaryKeyConstraint("contact_hash", name=op.f("pk_suppressed_contacts")),
    )
    op.create_table(
        "delivery_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_key", sa.String(length=160), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("reminder_id", sa.String(length=36), nullable=True),
        _when("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_events")),
        sa.UniqueConstraint("event_key", name=op.f("uq_delivery_events_event_key")),
    )
    op.create_index(op.f("ix_delivery_events_reminder_id"), "delivery_events", ["reminder_id"])
    op.create_table(
        "message_templates",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        _when("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("kind", "channel", "language", name=op.f("pk_message_templates")),
    )


def downgrade() -> None:
    for table in (
        "message_templates",
        "delivery_events",
        "suppressed_contacts",
        "consents",
        "reminders",
        "appointments",
    ):
        op.drop_table(table)
