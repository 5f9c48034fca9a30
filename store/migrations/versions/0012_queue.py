"""arrivals, walk-in numbers and calls (issue 18, Q1-Q5)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:00:00

- queue_tickets: a number in an office's waiting room for the day (an appointment checked in,
  or a walk-in), its calls, its counter, and when its service started and ended.
- office_procedures.walk_in: the office serves the procedure without appointment (Q2).
- offices.call_window_minutes (Q3: an appointment is due from that many minutes before its
  time) and offices.max_calls (Q3: calls without an answer before "absent" may be marked).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offices") as batch:
        batch.add_column(
            sa.Column("call_window_minutes", sa.Integer(), nullable=False, server_default="10")
        )
        batch.add_column(sa.Column("max_calls", sa.Integer(), nullable=False, server_default="3"))
    with op.batch_alter_table("office_procedures") as batch:
        batch.add_column(
            sa.Column("walk_in", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "queue_tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.String(length=36), nullable=False, unique=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("procedure_id", sa.Integer(), sa.ForeignKey("procedures.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column(
            "booking_id", sa.Integer(), sa.ForeignKey("bookings.id"), nullable=True, unique=True
        ),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=True),
        sa.Column("called_by", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("called_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("office_id", "day", "number"),
    )
    op.create_index(
        "ix_queue_tickets_office_day_status", "queue_tickets", ["office_id", "day", "status"]
    )
    op.create_index("ix_queue_tickets_called_at", "queue_tickets", ["called_at"])


def downgrade() -> None:
    op.drop_index("ix_queue_tickets_called_at", table_name="queue_tickets")
    op.drop_index("ix_queue_tickets_office_day_status", table_name="queue_tickets")
    op.drop_table("queue_tickets")
    with op.batch_alter_table("office_procedures") as batch:
        batch.drop_column("walk_in")
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("max_calls")
        batch.drop_column("call_window_minutes")
