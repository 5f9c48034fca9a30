"""names and documents in any language (issue 16, K4)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 10:00:00

- procedure_names (procedure_id, language, name) and procedure_document_texts (document_id,
  language, text) hold a procedure's name and its documents in every language but Spanish,
  one row per language, in place of the columns procedures.name_en and
  procedure_documents.text_en. The English already entered is copied into them (an empty
  English name or text was "no translation" and gives no row); then the columns go.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# (new table, key column, parent table, parent key, text column, old column, length)
_MOVES = (
    ("procedure_names", "procedure_id", "procedures", "name", "name_en", 160),
    ("procedure_document_texts", "document_id", "procedure_documents", "text", "text_en", 300),
)


def upgrade() -> None:
    for table, key, parent, column, old, length in _MOVES:
        op.create_table(
            table,
            sa.Column(key, sa.Integer(), sa.ForeignKey(f"{parent}.id"), primary_key=True),
            sa.Column("language", sa.String(length=8), primary_key=True),
            sa.Column(column, sa.String(length=length), nullable=False),
        )
        op.execute(
            f"INSERT INTO {table} ({key}, language, {column}) "  # noqa: S608 (constants)
            f"SELECT id, 'en', {old} FROM {parent} WHERE TRIM({old}) <> ''"
        )
        # Not batch mode: rebuilding the table would drop it while other tables point at it,
        # which SQLite refuses with foreign keys on. Both databases drop a plain column in
        # place (SQLite since 3.35).
        op.execute(f"ALTER TABLE {parent} DROP COLUMN {old}")


def downgrade() -> None:
    for table, key, parent, column, old, length in _MOVES:
        with op.batch_alter_table(parent, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(old, sa.String(length=length), nullable=False, server_default="")
            )
        op.execute(
            f"UPDATE {parent} SET {old} = COALESCE((SELECT t.{column} FROM {table} t "  # noqa: S608
            f"WHERE t.{key} = {parent}.id AND t.language = 'en'), '')"
        )
        op.drop_table(table)
