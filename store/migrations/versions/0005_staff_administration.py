"""staff administration (C10)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00

- staff.must_change_password: an account a supervisor created or whose password they reset
  has a temporary password, to be replaced at first use (A9's rule, for staff);
- staff.deactivated_at: when a supervisor deactivated the account (`active` stays the switch).
"""

import sqlalchemy as sa
from alembic import op

import store.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("deactivated_at", store.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("must_change_password")
