"""booking lifecycle: displacement (B12), moves (B13), closures that reopen (C6), no-shows (C11)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:40:00

- offices.grace_minutes: minutes after a time before "did not come" may be marked (C11);
- slots.closure_id: the closure that blocked a time, so removing it reopens only those (C6);
- bookings.missed_at, displaced_reason, moved_to_id (C11, B12, B13);
- waitlist_entries.ranked_at: the place in the queue (the enrolment, or for a displaced
  person the date of their original booking), filled from enrolled_at for existing rows;
  displaced_booking_id; the queue index orders by ranked_at, then id (W2, B12).
"""

import sqlalchemy as sa
from alembic import op

import store.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("grace_minutes", sa.Integer(), server_default="15", nullable=False)
        )
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closure_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_slots_closure_id"), ["closure_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_slots_closure_id_office_closures"),
            "office_closures",
            ["closure_id"],
            ["id"],
        )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("missed_at", store.models.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("displaced_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("moved_to_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_bookings_moved_to_id_bookings"), "bookings", ["moved_to_id"], ["id"]
        )
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ranked_at", store.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("displaced_booking_id", sa.Integer(), nullable=True))
    op.execute("UPDATE waitlist_entries SET ranked_at = enrolled_at")
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.alter_column("ranked_at", existing_type=store.models.UTCDateTime(), nullable=False)
        batch_op.create_index(
            batch_op.f("ix_waitlist_entries_displaced_booking_id"),
            ["displaced_booking_id"],
            unique=False,
        )
        batch_op.drop_index("ix_waitlist_entries_queue")
        batch_op.create_index(
            "ix_waitlist_entries_queue",
            ["office_id", "procedure_id", "status", "ranked_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_waitlist_entries_queue")
        batch_op.create_index(
            "ix_waitlist_entries_queue", ["office_id", "procedure_id", "status", "id"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_displaced_booking_id"))
        batch_op.drop_column("displaced_booking_id")
        batch_op.drop_column("ranked_at")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_bookings_moved_to_id_bookings"), type_="foreignkey")
        batch_op.drop_column("moved_to_id")
        batch_op.drop_column("displaced_reason")
        batch_op.drop_column("missed_at")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_slots_closure_id_office_closures"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_slots_closure_id"))
        batch_op.drop_column("closure_id")
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_column("grace_minutes")
