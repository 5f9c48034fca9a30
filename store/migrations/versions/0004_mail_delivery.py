"""e-mail delivery (M3) and reminders (M4)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:00:00

- outbox.claimed_until: a sender claims due e-mails in a short transaction and sends them
  outside any transaction; until this moment no other sender takes them (a sender that died
  between sending and marking leaves them to be sent again, with the same Message-ID);
- outbox.refusals and failed_at: a permanent refusal (5xx) is retried a bounded number of
  times, then the e-mail is given up and staff see the server's answer;
- bookings.reminded_at: the day-before reminder went out (once per booking).
"""

import sqlalchemy as sa
from alembic import op

import store.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_until", store.models.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("refusals", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("failed_at", store.models.UTCDateTime(), nullable=True))
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_at", store.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
        batch_op.drop_column("refusals")
        batch_op.drop_column("claimed_until")
