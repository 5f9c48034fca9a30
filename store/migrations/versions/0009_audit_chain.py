"""the audit log proves itself (issue 15 §3)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:00:00

- audit_events.prev_hash, audit_events.hash: every event carries a SHA-256 over its content and
  the previous event's hash (store/services/audit_chain.py). Events written before this
  revision are chained here, in id order; the append-only triggers are lifted for that alone.
"""

import sqlalchemy as sa
from alembic import op

import store.models
from store.services.audit_chain import GENESIS, link

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = {
    "update": "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "delete": "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
}


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in ("prev_hash", "hash"):
        op.add_column(
            "audit_events",
            sa.Column(name, sa.String(length=64), nullable=False, server_default=""),
        )
    events = sa.table(
        "audit_events",
        sa.column("id", sa.Integer()),
        sa.column("at", store.models.UTCDateTime()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("subject", sa.String()),
        sa.column("details", sa.Text()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    bind = op.get_bind()
    rows = [
        dict(row)
        for row in bind.execute(
            sa.select(
                events.c.id,
                events.c.at,
                events.c.actor,
                events.c.action,
                events.c.subject,
                events.c.details,
            ).order_by(events.c.id)
        ).mappings()
    ]
    if not rows:
        return
    linked, _ = link(GENESIS, rows)
    if sqlite:
        op.execute("DROP TRIGGER audit_events_no_update")
    else:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    bind.execute(
        events.update()
        .where(events.c.id == sa.bindparam("event_id"))
        .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("digest")),
        [{"event_id": r["id"], "prev": r["prev_hash"], "digest": r["hash"]} for r in linked],
    )
    if sqlite:
        op.execute(_SQLITE_TRIGGERS["update"])
    else:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite drops a column by copying the table, which the triggers would refuse.
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    if sqlite:
        op.execute(_SQLITE_TRIGGERS["update"])
        op.execute(_SQLITE_TRIGGERS["delete"])
