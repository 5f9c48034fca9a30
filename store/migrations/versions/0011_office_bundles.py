"""offices exchange bundles (issue 17, O3, O4)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09 10:00:00

- sync_seq on every row that travels (applicants, office_closures, slots, bookings,
  waitlist_entries, notices, tickets), set by triggers on every insert and update, so that an
  export carries what changed since the receiver's last acknowledgement whoever wrote it (a
  service, a set-based statement, an import):
  - SQLite: the next number of `sync_counter` (writers take turns, so the numbers follow the
    commits);
  - PostgreSQL: the id of the writing transaction (`pg_current_xact_id`); an export reads in
    one snapshot and takes as its watermark the oldest transaction still running then
    (`pg_snapshot_xmin`), so a transaction that commits after the export is sent next time.
- audit_events.origin, audit_events.origin_hash: an event another store wrote, as it arrived.
- sync_peers, applicant_aliases, sync_conflicts (store/models.py).
- W1 says one waiting entry per office and procedure, and two offline offices may each hold
  one for the same person: the unique index takes the office; likewise one open help ticket per
  office (H2 is still checked for the person as a whole where a ticket is opened).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TRAVELLING = (
    "applicants",
    "office_closures",
    "slots",
    "bookings",
    "waitlist_entries",
    "notices",
    "tickets",
)
_SQLITE_STAMP = (
    "INSERT INTO sync_counter (id, value) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET value = value + 1; "
    "UPDATE {table} SET sync_seq = (SELECT value FROM sync_counter WHERE id = 1) "
    "WHERE id = NEW.id;"
)
_PG_FUNCTION = """
CREATE FUNCTION kiosk_sync_stamp() RETURNS trigger AS $$
BEGIN
    NEW.sync_seq := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "sync_counter",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "sync_peers",
        sa.Column("peer", sa.String(length=12), primary_key=True),
        sa.Column("received_seq", sa.BigInteger(), nullable=False),
        sa.Column("received_audit", sa.Integer(), nullable=False),
        sa.Column("acked_seq", sa.BigInteger(), nullable=False),
        sa.Column("acked_audit", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "applicant_aliases",
        sa.Column("uuid", sa.String(length=36), primary_key=True),
        sa.Column("applicant_id", sa.Integer(), sa.ForeignKey("applicants.id"), nullable=False),
    )
    op.create_index("ix_applicant_aliases_applicant_id", "applicant_aliases", ["applicant_id"])
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("applicant_id", sa.Integer(), sa.ForeignKey("applicants.id"), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("local_value", sa.String(length=254), nullable=True),
        sa.Column("incoming_value", sa.String(length=254), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("kept", sa.String(length=10), nullable=True),
        sa.UniqueConstraint("applicant_id", "field", "incoming_value"),
    )
    op.create_index("ix_sync_conflicts_applicant_id", "sync_conflicts", ["applicant_id"])
    # Plain ALTER TABLE (no batch copy): the audit log's triggers refuse the copy on SQLite.
    op.add_column("audit_events", sa.Column("origin", sa.String(length=12), nullable=True))
    op.add_column("audit_events", sa.Column("origin_hash", sa.String(length=64), nullable=True))
    op.create_index("uq_audit_events_origin_hash", "audit_events", ["origin_hash"], unique=True)
    for table in TRAVELLING:
        op.add_column(
            table, sa.Column("sync_seq", sa.BigInteger(), nullable=False, server_default="0")
        )
        op.create_index(f"ix_{table}_sync_seq", table, ["sync_seq"])
    if sqlite:
        for table in TRAVELLING:
            stamp = _SQLITE_STAMP.format(table=table)
            op.execute(
                f"CREATE TRIGGER {table}_sync_insert AFTER INSERT ON {table} BEGIN {stamp} END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_sync_update AFTER UPDATE ON {table} "
                f"WHEN NEW.sync_seq = OLD.sync_seq BEGIN {stamp} END"
            )
    else:
        op.execute(_PG_FUNCTION)
        for table in TRAVELLING:
            op.execute(
                f"CREATE TRIGGER {table}_sync BEFORE INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION kiosk_sync_stamp()"
            )
    _reindex(
        "waitlist_entries",
        "uq_waitlist_entries_one_waiting",
        ["applicant_id", "office_id", "procedure_id"],
        "status = 'waiting'",
    )
    _reindex("tickets", "uq_tickets_one_open", ["applicant_id", "office_id"], "status = 'open'")


def _reindex(table: str, name: str, columns: list[str], where: str) -> None:
    op.drop_index(name, table_name=table)
    op.create_index(
        name,
        table,
        columns,
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _reindex("tickets", "uq_tickets_one_open", ["applicant_id"], "status = 'open'")
    _reindex(
        "waitlist_entries",
        "uq_waitlist_entries_one_waiting",
        ["applicant_id", "procedure_id"],
        "status = 'waiting'",
    )
    for table in TRAVELLING:
        if sqlite:
            op.execute(f"DROP TRIGGER {table}_sync_insert")
            op.execute(f"DROP TRIGGER {table}_sync_update")
        else:
            op.execute(f"DROP TRIGGER {table}_sync ON {table}")
        op.drop_index(f"ix_{table}_sync_seq", table_name=table)
        op.drop_column(table, "sync_seq")
    if not sqlite:
        op.execute("DROP FUNCTION kiosk_sync_stamp()")
    op.drop_index("uq_audit_events_origin_hash", table_name="audit_events")
    op.drop_column("audit_events", "origin_hash")
    op.drop_column("audit_events", "origin")
    op.drop_index("ix_sync_conflicts_applicant_id", table_name="sync_conflicts")
    op.drop_table("sync_conflicts")
    op.drop_index("ix_applicant_aliases_applicant_id", table_name="applicant_aliases")
    op.drop_table("applicant_aliases")
    op.drop_table("sync_peers")
    op.drop_table("sync_counter")
