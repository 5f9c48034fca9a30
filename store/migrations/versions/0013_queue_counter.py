"""a number sent to another counter (issue 18, Q3 "Derivar")

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 18:30:00

- queue_tickets.for_counter: the counter a number was sent to; only that counter calls it,
  and it keeps its place (its `due_at` or `taken_at`) in that counter's order.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue_tickets") as batch:
        batch.add_column(sa.Column("for_counter", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_tickets") as batch:
        batch.drop_column("for_counter")
