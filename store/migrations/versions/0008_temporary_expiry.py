"""temporary passwords expire (issue 15 §6)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00

- applicants.temporary_expires_at, staff.temporary_expires_at: when a temporary password stops
  working (`KIOSK_TEMPORARY_HOURS`, 72 by default, after it was issued); recovery or a
  supervisor's reset issues a new one. A temporary password issued before this revision gets
  72 hours from the upgrade.
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import store.models
from store.clock import SystemClock

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("applicants", "staff"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("temporary_expires_at", store.models.UTCDateTime(), nullable=True)
            )
        rows = sa.table(
            table,
            sa.column("must_change_password", sa.Boolean()),
            sa.column("temporary_expires_at", store.models.UTCDateTime()),
        )
        op.execute(
            rows.update()
            .where(rows.c.must_change_password == sa.true())
            .values(temporary_expires_at=SystemClock().now() + timedelta(hours=72))
        )


def downgrade() -> None:
    for table in ("applicants", "staff"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("temporary_expires_at")
