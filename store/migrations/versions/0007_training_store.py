"""a training store says so (issue 15: dates that cannot be forged)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00

- store_facts (key, value): `purpose = training` on a store made by `kiosk demo`. Only such a
  store accepts a stood-still clock (KIOSK_NOW) or fast password hashing, and its screens say
  "CAPACITACIÓN". A store that already holds the demo's staff (made by `kiosk demo` before this
  revision) is marked training here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_facts",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_store_facts")),
    )
    op.execute(
        "INSERT INTO store_facts (key, value) SELECT 'purpose', 'training' "
        "WHERE EXISTS (SELECT 1 FROM staff WHERE username = 'supervisora')"
    )


def downgrade() -> None:
    op.drop_table("store_facts")
