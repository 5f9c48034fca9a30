"""Issue 15 §5: the command line's contract holds for every class of input an attacker or a
failing machine found outside it: exit 0/1/2/3, exactly one line on stderr with no control
character, and nothing written on a refusal."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from kiosk.cli import cli
from store import Store
from tests.kiosk.test_cli_lifecycle import NOW, Kiosk, refused
from tests.kiosk.test_cli_lifecycle import kiosk as kiosk
from tests.kiosk.test_cli_lifecycle import office as office

ENV = {"KIOSK_ARGON2_PROFILE": None, "KIOSK_NOW": None, "KIOSK_LANG": "es", "KIOSK_STAFF": None}


# What a refused command still records, by design: who logged in to run it (C1), and a failed
# try that counts toward a limit (A11 logins, B7 code look-ups).
RECORDED_TRIES = ("staff.login", "staff.login_failed", "booking.lookup_failed")


def fingerprint(store: Store) -> dict[str, int]:
    """How many rows each table holds (the audit log without RECORDED_TRIES) and how many
    failed logins the accounts carry: what a refusal must leave as it was."""
    engine = store.database.engine
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        found = {
            t: connection.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
            for t in tables
            if "_fts" not in t and t != "audit_events"
        }
        found["audit_events"] = connection.execute(
            sa.text("SELECT count(*) FROM audit_events WHERE action NOT IN :tries").bindparams(
                sa.bindparam("tries", expanding=True)
            ),
            {"tries": list(RECORDED_TRIES)},
        ).scalar_one()
    return found


def one_line(result: Result, status: int) -> str:
    """The refusal's one line, with no control character in all of stderr."""
    line = refused(result, status)
    assert all(ch.isprintable() or ch == "\n" for ch in result.stderr), repr(result.stderr)
    return line


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=ENV)


# -- numbers and dates out of every range ---------------------------------------------------


@pytest.mark.parametrize("slot", ["2147483648", "9223372036854775808", "9" * 5000, "-1", "0"])
def test_slot_ids_past_the_databases_integers_are_bad_input(
    kiosk: Kiosk, office: Store, slot: str
) -> None:
    before = fingerprint(office)
    line = one_line(kiosk("book", "--applicant", "P1234567", "--slot", slot), 2)
    assert "--slot" in line and len(line) < 300, line
    assert fingerprint(office) == before


@pytest.mark.parametrize("day", ["9999-12-30", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_days_far_outside_any_calendar_are_bad_input(kiosk: Kiosk, day: str) -> None:
    result = kiosk(
        "slots", "list", "--office", "STG", "--procedure", "RT", "--from", day, staff=None
    )
    assert "entre los años 1900 y 2199" in one_line(result, 2)


# -- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"given_names": "\\ud800"}', "Nombres"),  # a lone surrogate, as JSON allows
        ("[" * 100_000, "no es JSON válido"),
        ('{"document_number": ' + "9" * 5000 + "}", "no es JSON válido"),
        (b"\xff\xfe\x00".decode("latin-1"), "no está en UTF-8"),
    ],
)
def test_an_applicant_file_no_one_could_mean_is_one_line(
    kiosk: Kiosk, office: Store, tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "person.json"
    path.write_bytes(content.encode("latin-1") if says == "no está en UTF-8" else content.encode())
    before = fingerprint(office)
    assert says in one_line(kiosk("applicant", "register", "--file", str(path)), 2)
    assert fingerprint(office) == before


def test_file_reads_only_a_bounded_regular_file(kiosk: Kiosk, tmp_path: Path) -> None:
    """A device would be read for ever (/dev/zero), a FIFO would wait for a writer."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"given_names": "a" * 1_100_000}))
    cases = {
        "/dev/zero": "no es un archivo común",
        str(fifo): "no es un archivo común",
        str(tmp_path): "es una carpeta",
        str(tmp_path / "absent.json"): "no existe",
        str(big): "demasiado grande",
    }
    for path, says in cases.items():
        assert says in one_line(kiosk("applicant", "register", "--file", path), 2), path


# -- what reaches the terminal --------------------------------------------------------------


def test_control_characters_in_an_argument_never_reach_the_terminal(kiosk: Kiosk) -> None:
    result = kiosk("mailbox", "--applicant", "\x1b]0;owned\x07X")
    line = one_line(result, 1)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "owned" in line  # what was typed, as text


@pytest.mark.parametrize("arg", ["\udcff\udcfe", "a\x00b"])
def test_an_argument_that_is_not_text_is_refused_first(kiosk: Kiosk, arg: str) -> None:
    assert "no es texto válido" in one_line(kiosk("verify", arg), 2)


@pytest.mark.parametrize(
    "args",
    [
        ("book", "--applicant"),  # an option without its value
        ("book",),  # required options missing
        ("waitlist", "list", "--bogus"),
        ("staff", "add", "--role", "king"),
        ("no-such-command",),
        ("--lang", "fr", "catalog"),
    ],
)
def test_a_usage_error_is_one_line(kiosk: Kiosk, args: tuple[str, ...]) -> None:
    assert "--help" in one_line(kiosk(*args), 2)


# -- --db -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "foo://x",
        "mysql://u@localhost/x",
        "http://example.org/db",
        "postgresql://u@[::1:5432/x",
        "postgresql://u:s3cret@db:port/x",
        "sqlite:////tmp/x.db?journal=off",
        "office\x00.db",
        " ",
    ],
)
def test_a_database_address_that_is_not_one_is_bad_input(url: str) -> None:
    result = _cli("--db", url, "catalog")
    line = one_line(result, 2)
    says = (
        "no es texto válido" if "\x00" in url else "no es una base de datos que este programa use"
    )
    assert says in line
    assert "s3cret" not in result.output


@pytest.mark.parametrize("kind", ["random", "text", "truncated"])
def test_a_file_that_is_not_a_sqlite_database_is_bad_input(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "kiosk.db"
    if kind == "random":
        path.write_bytes(os.urandom(8192))
    elif kind == "text":
        path.write_text("citas\n" * 100)
    else:
        assert _cli("--db", str(path), "db", "upgrade").exit_code == 0
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    before = path.read_bytes()
    for args in (("catalog",), ("db", "upgrade"), ("demo",)):
        line = one_line(_cli("--db", str(path), *args), 2)
        assert "SQLite" in line or "dañada" in line, line
    assert path.read_bytes() == before


def test_a_damaged_page_is_found_when_the_store_opens(tmp_path: Path) -> None:
    """Before this check a database with a corrupted page still accepted writes."""
    path = tmp_path / "kiosk.db"
    env = {**ENV, "KIOSK_ARGON2_PROFILE": "fast", "KIOSK_NOW": NOW}
    assert CliRunner().invoke(cli, ["--db", str(path), "demo"], env=env).exit_code == 0
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    with path.open("r+b") as file:
        file.seek(4096 * (pages // 2) + 8)
        file.write(b"\x07" * 3000)
    before = path.read_bytes()
    result = CliRunner().invoke(
        cli,
        ["--db", str(path), "closures", "add", "--day", "2026-12-24", "--staff", "supervisora"],
        env={**env, "KIOSK_STAFF_PASSWORD": "supervisora-demo-2026"},
    )
    assert "La base de datos está dañada" in one_line(result, 2)
    assert path.read_bytes() == before


def test_db_upgrade_leaves_another_applications_database_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    assert "otra aplicación" in one_line(_cli("--db", str(path), "db", "upgrade"), 2)
    with sqlite3.connect(path) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    assert tables == [("invoices",)]


def test_a_read_only_url_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    assert _cli("--db", str(path), "db", "upgrade").exit_code == 0
    before = path.read_bytes()
    for url in (f"sqlite:///{path}?mode=ro", f"{path}?mode=ro"):
        assert json.loads(_cli("--db", url, "catalog", "--json").stdout) == {
            "regions": [],
            "offices": [],
            "procedures": [],
        }
        written = _cli(
            "--db",
            url,
            "staff",
            "add",
            "--username",
            "ana",
            "--full-name",
            "Ana Díaz",
            "--role",
            "supervisor",
        )
        assert "readonly" in one_line(written, 3)
    assert path.read_bytes() == before
