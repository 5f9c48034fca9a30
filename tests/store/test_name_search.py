"""C3, issue 19: the name search finds the same people in the same order on SQLite (FTS5) and
PostgreSQL (the words table of migration 0014), and PostgreSQL's words follow every write.

Each result is compared with the rule itself, worked out here in Python: every word of the query
is a word of the name, the last one may be unfinished; exact matches (a document) first, then
names in registration order (id), at most 20."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from store import Store
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.demo import read_rows
from store.validation import compact_document, fold, name_words
from tests.conftest import BACKENDS, NOW
from tests.factories import applicants, form, seed_catalog
from tests.store.bundle_sites import Site, person
from tests.store.test_audit_roles import deployment  # noqa: F401  (the fixture)

# (given names, first surname, second surname): accents, ñ, both apostrophes, hyphens, words
# that begin other words, a repeated word, letters beyond Latin-1.
NAMES = [
    ("José Antonio", "Muñoz", "Pérez"),
    ("María José", "Núñez", "Muñoz"),
    ("Josefa", "Muñoz", "Quispe"),
    ("Jean-Baptiste", "D’Arcy", "Saint-Fleur"),
    ("Wyddeline", "O'Brien", "Désir"),
    ("Ñusta", "Quispe", "Mamani"),
    ("Joséphine", "Pierre", "Pierre"),
    ("Marie-Ange", "Saint", "Fleur"),
    ("Łucja", "Østergaard", "Ångström"),
    ("Jose", "Munozo", ""),
]
# More namesakes than one page, each with three words beginning with "j".
NAMESAKES = [("Juan José", "Jara", "Prueba")] * 23
QUERIES = [
    # accents and case
    "jose munoz",
    "JOSÉ MUÑOZ",
    "Pérez",
    "maria jose",
    # ñ
    "ñusta",
    "NUSTA quispe",
    "núñez",
    # apostrophes and hyphens, as typed or left out
    "d’arcy",
    "d'arcy",
    "D ARCY",
    "darcy",
    "o'brien",
    "obrien",
    "jean-baptiste",
    "baptiste jean",
    "saint-fleur",
    "saint fle",
    "jean-bap",
    # the last word unfinished
    "jos",
    "jose mu",
    "muñ",
    "quispe mam",
    "j",
    "ja",
    "p",
    # one word, many words, a repeated word
    "pierre",
    "pierre pierre",
    "pierre pier",
    "josé antonio muñoz pérez",
    "jose maria munoz",
    "jose zzz munoz",
    "maría josé núñez muñoz",
    "josé antonio muñoz pérez quispe",
    "juan jose jara prueba",
    # letters beyond Latin-1
    "łucja østergaard ångström",
    "łucja",
    "lucja",
    "angstrom",
    # nobody, and a very common word
    "zzz",
    "jose zzz",
    "zzz jose",
    "prueba",
    "juan",
]


def expected(people: dict[int, str], query: str) -> list[int]:
    """C3 by its definition: the ids whose names hold every word of the query (the last one
    may be unfinished), in id order, at most 20."""
    *whole, last = name_words(query)
    found = []
    for applicant_id in sorted(people):
        words = set(name_words(people[applicant_id]))
        if set(whole) <= words and any(w.startswith(last) for w in words):
            found.append(applicant_id)
    return found[:20]


def insert_people(store: Store, names: list[tuple[str, str, str]], start: int) -> dict[int, str]:
    """People inserted in one statement (as a bundle import or the factories do), by id."""
    ids = applicants(store, len(names), start=start, names=names, prefix="N")
    return {i: " ".join(name) for i, name in zip(ids, names, strict=True)}


def words_in_step(store: Store) -> None:
    """PostgreSQL: the words table holds each applicant's name words, as `name_words` cuts
    them from the three names, and nothing else."""
    engine = store.database.engine
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        held = set(
            connection.execute(sa.text("SELECT applicant_id, word FROM applicants_fts_words"))
        )
        names = connection.execute(
            sa.text("SELECT id, given_names, first_surname, second_surname FROM applicants")
        ).all()
    assert held == {(i, w) for i, *name in names for w in name_words(" ".join(name))}


def test_c3_names_are_found_alike_on_both_databases(seeded: Store) -> None:
    """Every kind of query finds, on each database, exactly the people the rule names, in
    registration order, at most 20; registered and bulk-inserted people alike."""
    people = {}
    for n, (given, first, second) in enumerate(NAMES[:4]):
        email = f"r{n}@correo.cl"
        reg = seeded.register(
            form(
                given_names=given,
                first_surname=first,
                second_surname=second,
                document_number=f"R{n:07d}",
                email=email,
                email_confirmation=email,
            ),
            terms_accepted=True,
        )
        people[reg.applicant.id] = f"{given} {first} {second}"
    people |= insert_people(seeded, NAMESAKES[:10] + NAMES[4:] + NAMESAKES[10:], 0)
    words_in_step(seeded)
    for query in QUERIES:
        assert [a.id for a in seeded.find_applicants(query)] == expected(people, query), query
    # The rule worked out above is not vacuous.
    assert len(seeded.find_applicants("juan")) == 20
    assert len(seeded.find_applicants("j")) == 20
    assert [a.given_names for a in seeded.find_applicants("jose munoz")] == [
        "José Antonio",
        "María José",
        "Jose",
    ]
    assert seeded.find_applicants("darcy") == []
    assert [a.given_names for a in seeded.find_applicants("ŁUCJA")] == ["Łucja"]
    assert seeded.find_applicants("lucja") == []  # ł is a letter of its own, not an accented l


def test_c3_a_page_of_people_costs_a_few_statements_not_one_each(seeded: Store) -> None:
    """20 people found are read with their regions in a handful of statements: the look-up of
    each one's region (applicant_view) finds it loaded."""
    insert_people(seeded, NAMESAKES, 0)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        found = seeded.find_applicants("juan")
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    assert len(found) == 20
    # by document, by name, the people, their regions (21 before: one region per person)
    assert len(statements) <= 4, statements


def test_c3_postgresql_cuts_words_as_python_does_for_every_letter_and_mark(seeded: Store) -> None:
    """Every letter and mark Python knows, between two letters: PostgreSQL's trigger makes the
    same words of it as `name_words` (a mark is no part of a word; the server's own locale,
    glibc's C.UTF-8 here, would keep 2 237 marks inside words)."""
    if seeded.database.engine.dialect.name != "postgresql":
        pytest.skip("the words table is PostgreSQL's")
    marks = [chr(c) for c in range(0x20, 0x30000) if unicodedata.category(chr(c))[0] in "LM"]
    names: list[tuple[str, str, str]] = []
    fields, folded = ["", "", ""], 0  # each name's width is 60, the folded whole's 200
    for char in marks:
        word = f"a{char}b "
        spare = next((n for n, f in enumerate(fields) if len(f + word) <= 60), None)
        if spare is None or folded + len(fold(word)) > 198:
            names.append((fields[0], fields[1], fields[2]))
            fields, folded, spare = ["", "", ""], 0, 0
        fields[spare] += word
        folded += len(fold(word))
    names.append((fields[0], fields[1], fields[2]))
    insert_people(seeded, names, 0)
    words_in_step(seeded)


def test_c3_an_exact_match_comes_before_the_names(seeded: Store) -> None:
    """A passport spelled as a name: its holder first, then the people so named, by id."""
    named = insert_people(seeded, [("Rosa", "Quispe", "Mamani"), ("Luz", "Quispe", "Rojas")], 0)
    email = "doc@correo.cl"
    holder = seeded.register(
        form(document_number="QUISPE", email=email, email_confirmation=email),
        terms_accepted=True,
    )
    assert [a.id for a in seeded.find_applicants("quispe")] == [holder.applicant.id, *named]


def test_c3_the_words_follow_a_change_of_names(seeded: Store) -> None:
    reg = seeded.register(form(), terms_accepted=True)
    insert_people(seeded, [("José Antonio", "Muñoz", "Pérez")], 0)
    seeded.update_identity(reg.applicant.id, form(given_names="Zoë", first_surname="D’Arcy-Núñez"))
    words_in_step(seeded)
    assert reg.applicant.id not in [a.id for a in seeded.find_applicants("jose munoz")]
    assert [a.id for a in seeded.find_applicants("zoe d'arcy nunez")] == [reg.applicant.id]
    seeded.update_identity(reg.applicant.id, form(given_names="Zoë", first_surname="Muñoz"))
    words_in_step(seeded)
    assert seeded.find_applicants("arcy") == []
    assert [a.id for a in seeded.find_applicants("zoe munoz")] == [reg.applicant.id]


def test_c3_people_imported_from_a_bundle_are_found_by_their_names(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    """O4: a person registered at an office, then renamed there, is found at the central store
    by the name each bundle brought (inserted, then updated by an import)."""
    stg = offices["STG"]
    reg = stg.store.register(
        person("P3333333", "rosa@correo.cl", given_names="Rosa Elena", first_surname="D’Arcy"),
        terms_accepted=True,
    )
    stg.export(tmp_path / "one.bundle")
    central.take(tmp_path / "one.bundle")
    words_in_step(central.store)
    found = central.store.find_applicants("rosa d'arcy")
    assert [a.document_number for a in found] == ["P3333333"]
    stg.store.update_identity(
        reg.applicant.id,
        person("P3333333", "rosa@correo.cl", given_names="Rosa Elena", first_surname="Núñez"),
    )
    stg.export(tmp_path / "two.bundle")
    assert central.take(tmp_path / "two.bundle")["applicants"]["updated"] == 1
    words_in_step(central.store)
    assert central.store.find_applicants("rosa d arcy") == []
    found = central.store.find_applicants("rosa nunez")
    assert [a.document_number for a in found] == ["P3333333"]


def test_c3_the_demo_s_people_are_found_by_name(store: Store) -> None:
    store.load_demo(date(2026, 11, 23))
    words_in_step(store)
    for row in read_rows("demo_applicants.csv"):
        name = f"{row['given_names']} {row['first_surname']} {row['second_surname']}"
        found = [compact_document(a.document_number) for a in store.find_applicants(name)]
        assert compact_document(row["document_number"]) in found, name


@pytest.mark.parametrize("empty_url", BACKENDS, indirect=True)
def test_c3_the_upgrade_indexes_the_names_already_there(empty_url: str) -> None:
    """A store at 0013 with people in it: after the upgrade they are found by name (on
    PostgreSQL through words made from the names already there); a downgrade gives back 0013's
    index."""
    from alembic import command

    from store import db

    store = Store(empty_url)
    with store.database.engine.connect() as connection:
        command.upgrade(db.alembic_config(connection), "0013")
        connection.commit()
    seed_catalog(store)
    people = insert_people(store, [*NAMES, *NAMESAKES], 0)
    store.upgrade()
    words_in_step(store)
    for query in QUERIES:
        assert [a.id for a in store.find_applicants(query)] == expected(people, query), query
    engine = store.database.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            command.downgrade(db.alembic_config(connection), "0013")
            connection.commit()
        inspector = sa.inspect(engine)
        assert "applicants_fts_words" not in inspector.get_table_names()
        assert "ix_applicants_name_fts" in {i["name"] for i in inspector.get_indexes("applicants")}
    store.close()


def test_c3_the_application_role_keeps_the_words_it_writes(
    deployment: tuple[str, str, str],  # noqa: F811
) -> None:
    """W7: the role the application runs as (not the schema's owner) registers, renames and
    finds; the triggers write the words with its rights."""
    owner_url, app_url, app_role = deployment
    owner = Store(owner_url)
    owner.upgrade(app_role=app_role)
    owner.close()
    store = Store(app_url, clock=FixedClock(NOW), passwords=Passwords(fast_hasher()))
    seed_catalog(store)
    reg = store.register(form(), terms_accepted=True)
    assert [a.id for a in store.find_applicants("jose munoz")] == [reg.applicant.id]
    store.update_identity(reg.applicant.id, form(first_surname="Núñez"))
    assert store.find_applicants("jose munoz") == []
    assert [a.id for a in store.find_applicants("jose nunez")] == [reg.applicant.id]
    words_in_step(store)
    store.close()
