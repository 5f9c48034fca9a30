"""the audit log's newest hash in a row of its own (issue 19)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:00:00

- audit_head: one row (id 1) holding the newest event's hash, kept by a trigger on every
  insert into audit_events (SQLite: per row; PostgreSQL: per statement, the statement's newest
  row). On PostgreSQL its row lock is the chain's turn: `SELECT … FOR UPDATE` waits for the
  writer before and reads what that writer left, in one statement, where an advisory lock
  then a read of the newest event took two; an event alone is chained and written by one
  statement (store/services/audit_chain.py). A release burst's 32 clients spent most of
  their time queued behind the advisory lock's three round trips.
- The application's role (`kiosk db upgrade --app-role`) may read and update the row, not
  delete it: a missing row stops every write that would be audited.
"""

import sqlalchemy as sa
from alembic import op

from store.services.audit_chain import GENESIS

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE FUNCTION kiosk_audit_head() RETURNS trigger AS $$
BEGIN
    UPDATE audit_head SET hash = newest.hash
    FROM (SELECT hash FROM new_events ORDER BY id DESC LIMIT 1) AS newest
    WHERE audit_head.id = 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_one_row")),
    )
    op.execute(
        sa.text(
            "INSERT INTO audit_head (id, hash) SELECT 1, COALESCE("
            "(SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), :genesis)"
        ).bindparams(genesis=GENESIS)
    )
    if sqlite:
        op.execute(
            "CREATE TRIGGER audit_events_head AFTER INSERT ON audit_events "
            "BEGIN UPDATE audit_head SET hash = NEW.hash WHERE id = 1; END"
        )
    else:
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_head AFTER INSERT ON audit_events "
            "REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT "
            "EXECUTE FUNCTION kiosk_audit_head()"
        )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER audit_events_head")
    else:
        op.execute("DROP TRIGGER audit_events_head ON audit_events")
        op.execute("DROP FUNCTION kiosk_audit_head()")
    op.drop_table("audit_head")
