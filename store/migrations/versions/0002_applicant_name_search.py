"""applicant name search (C3): FTS5 on SQLite, a GIN text-search index on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 10:05:00

SQLite: an external-content FTS5 table over the three name columns, with the tokenizer
sqlite-utils' `enable_fts(..., tokenize="unicode61 remove_diacritics 2")` uses, so "jose munoz"
finds "José Muñoz", kept current by triggers. The statements are written out here rather than
run through sqlite-utils because its `executescript` would commit Alembic's transaction halfway.
PostgreSQL: a GIN index on `to_tsvector('simple', name_folded)` (the folded name has no
accents already). Every object's name contains `_fts`, which `env.include_name` skips.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NAMES = "given_names, first_surname, second_surname"
NEW = "new.given_names, new.first_surname, new.second_surname"
OLD = "old.given_names, old.first_surname, old.second_surname"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_applicants_name_fts ON applicants "
            "USING gin (to_tsvector('simple', name_folded))"
        )
        return
    op.execute(
        f"CREATE VIRTUAL TABLE applicants_fts USING fts5({NAMES}, content='applicants', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    op.execute(
        "CREATE TRIGGER applicants_fts_ai AFTER INSERT ON applicants BEGIN "
        f"INSERT INTO applicants_fts (rowid, {NAMES}) VALUES (new.id, {NEW}); END"
    )
    op.execute(
        "CREATE TRIGGER applicants_fts_ad AFTER DELETE ON applicants BEGIN "
        f"INSERT INTO applicants_fts (applicants_fts, rowid, {NAMES}) "
        f"VALUES ('delete', old.id, {OLD}); END"
    )
    op.execute(
        f"CREATE TRIGGER applicants_fts_au AFTER UPDATE OF {NAMES} ON applicants BEGIN "
        f"INSERT INTO applicants_fts (applicants_fts, rowid, {NAMES}) "
        f"VALUES ('delete', old.id, {OLD}); "
        f"INSERT INTO applicants_fts (rowid, {NAMES}) VALUES (new.id, {NEW}); END"
    )
    op.execute("INSERT INTO applicants_fts (applicants_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_applicants_name_fts")
        return
    for trigger in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER applicants_fts_{trigger}")
    op.execute("DROP TABLE applicants_fts")
