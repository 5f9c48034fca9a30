"""applicant name words (C3, issue 19): PostgreSQL finds a name through a table of its words

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:00:00

PostgreSQL only; SQLite keeps the FTS5 index of 0002, which already walks its matches in id
order. The GIN index of 0002 found every applicant holding the words and sorted them all to
keep the first 20 by id: 30-130 ms when a name is common among 1 000 000, and its planner's
other choice, walking the applicants in id order recomputing each one's text vector, took up
to seconds for a word nobody has. `applicants_fts_words` holds one row per word of each
applicant's folded name, with a B-tree on (word, applicant_id): one word's applicants come in
id order, so the search merges the words' lists, or probes the others' (applicant_id, word)
index, and stops at the 20th match.

A word is a run of letters and digits of `name_folded`, as `store.validation.name_words` cuts
a query; the classes come from ICU's root collation, so the server's own locale makes no
difference (a "C" database knows no letter beyond ASCII; glibc's C.UTF-8 counts 2 237 marks
as letters, which Python and ICU do not). A server built without ICU uses its database's
collation.

Size, 1 000 000 people (4 000 000 words): 170 MB of rows, 157 + 121 MB of keys, against
8-13 MB for the GIN index; the second key is what lets the unfinished word be a probe (without
it the same searches took 37-50 ms). Index-only scans need the table vacuumed: autovacuum
comes after the fill (its insert threshold), the bench vacuums after loading.

Triggers keep the words in step with every write of `applicants` (registration, a change of
names, a bundle import, the demo, COPY): inserted rows per statement, a changed name per row;
the foreign key removes them with their applicant (also on TRUNCATE … CASCADE). Every object's
name contains `_fts`, which `env.include_name` skips.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _words_of(name: str, collation: str) -> str:
    """A query of the distinct words (`word`) of the folded name `name`."""
    return (
        f'SELECT DISTINCT word FROM regexp_split_to_table({name} COLLATE "{collation}", '
        "'[^[:alnum:]]+') AS word WHERE word <> ''"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    icu = bind.exec_driver_sql("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'")
    collation = "und-x-icu" if icu.first() else "default"
    each = _words_of("a.name_folded", collation)
    # Filled before its keys are built: a sort each instead of one insertion per word.
    op.execute(
        "CREATE TABLE applicants_fts_words "
        '(word text COLLATE "C" NOT NULL, applicant_id integer NOT NULL)'
    )
    op.execute(
        "INSERT INTO applicants_fts_words (word, applicant_id) "
        f"SELECT w.word, a.id FROM applicants AS a, LATERAL ({each}) AS w"
    )
    op.execute(
        "ALTER TABLE applicants_fts_words "
        "ADD CONSTRAINT pk_applicants_fts_words PRIMARY KEY (word, applicant_id), "
        "ADD CONSTRAINT fk_applicants_fts_words_applicant_id_applicants "
        "FOREIGN KEY (applicant_id) REFERENCES applicants (id) ON DELETE CASCADE"
    )
    op.execute(
        "CREATE INDEX ix_applicants_fts_words_applicant "
        "ON applicants_fts_words (applicant_id, word)"
    )
    op.execute(
        "CREATE FUNCTION applicants_fts_words_added() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO applicants_fts_words (word, applicant_id) "
        f"SELECT w.word, a.id FROM added AS a, LATERAL ({each}) AS w; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION applicants_fts_words_renamed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "DELETE FROM applicants_fts_words WHERE applicant_id = OLD.id; "
        "INSERT INTO applicants_fts_words (word, applicant_id) "
        f"SELECT w.word, NEW.id FROM ({_words_of('NEW.name_folded', collation)}) AS w; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER applicants_fts_words_ai AFTER INSERT ON applicants "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        "EXECUTE FUNCTION applicants_fts_words_added()"
    )
    op.execute(
        "CREATE TRIGGER applicants_fts_words_au AFTER UPDATE OF name_folded ON applicants "
        "FOR EACH ROW WHEN (OLD.name_folded IS DISTINCT FROM NEW.name_folded) "
        "EXECUTE FUNCTION applicants_fts_words_renamed()"
    )
    op.execute("ANALYZE applicants_fts_words")
    op.execute("DROP INDEX ix_applicants_name_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_applicants_name_fts ON applicants "
        "USING gin (to_tsvector('simple', name_folded))"
    )
    op.execute("DROP TRIGGER applicants_fts_words_au ON applicants")
    op.execute("DROP TRIGGER applicants_fts_words_ai ON applicants")
    op.execute("DROP FUNCTION applicants_fts_words_renamed()")
    op.execute("DROP FUNCTION applicants_fts_words_added()")
    op.execute("DROP TABLE applicants_fts_words")
