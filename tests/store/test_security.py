"""Security figures of quality.md: passwords never in clear anywhere the store writes (the
database, the log records and the kiosk's log file), document numbers masked in the audit log
(K6) and absent from the log file, and the SQLite files readable by the kiosk's user alone (K7)."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from kiosk.logs import start_logging, stop_logging
from kiosk.settings import Settings
from store import Store
from store.credentials import Passwords, fast_hasher
from store.forms import RecoveryForm
from tests.factories import first_free, form, open_day


def _every_stored_text(store: Store) -> str:
    """Every value of every row of every table the models describe, as one text."""
    parts: list[str] = []
    with store.database.reading() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(sa.select(table)).all():
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The kiosk's log file (K7) in tmp_path/logs, as `kiosk` and `kiosk counter` start it."""
    path = start_logging(Settings(db_url="sqlite://", log_dir=tmp_path / "logs"))
    yield path
    stop_logging()


def _a_store_failure_is_logged(store: Store) -> None:
    """A real database failure whose parameters hold the person's data (a second copy of their
    row: the same document), logged the way screens/base.py logs a store call that broke."""
    table = SQLModel.metadata.tables["applicants"]
    with store.database.reading() as session:
        row = dict(session.execute(sa.select(table)).mappings().first() or {})
    row.pop("id")
    with pytest.raises(sa.exc.IntegrityError) as broke:
        store.database.write(lambda session: session.execute(sa.insert(table).values(**row)))
    assert "P1234567" in str(broke.value)  # what the redaction has to cut
    logging.getLogger("kiosk.screens").error("store call failed", exc_info=broke.value)


def test_a8_no_password_is_stored_or_logged_in_clear(
    seeded: Store, caplog: pytest.LogCaptureFixture, log_file: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    reg = seeded.register(form(), terms_accepted=True)
    seeded.login("jose@correo.cl", reg.temporary_password)
    seeded.change_password(reg.applicant.id, reg.temporary_password, "clave-propia-2026")
    recovered = seeded.recover_password(
        RecoveryForm("VE", "passport", "P1234567", "Muñoz", "Pérez", "José Antonio", "1990-05-01")
    )
    seeded.create_staff("agente", "Camila Rojas", "agent", "clave-del-meson", "STG")
    seeded.login_staff("agente", "clave-del-meson")
    for wrong in ("intento-fallido-1", "intento-fallido-2"):
        with pytest.raises(Exception):  # noqa: B017  (any refusal; what matters is what is kept)
            seeded.login("jose@correo.cl", wrong)
    seeded.login("jose@correo.cl", recovered)  # a login with a temporary password
    _a_store_failure_is_logged(seeded)
    stored = _every_stored_text(seeded)
    logged = caplog.text
    in_file = log_file.read_text(encoding="utf-8")
    assert "store call failed" in in_file and "IntegrityError" in in_file  # K7: it is there
    for secret in (
        reg.temporary_password,
        "clave-propia-2026",
        recovered,
        "clave-del-meson",
        "intento-fallido-1",
    ):
        assert secret not in stored, secret
        assert secret not in logged, secret
        assert secret not in in_file, secret
    assert stored.count("$argon2") >= 2  # the applicant's and the agent's hashes
    # K6, K7: the log file holds no full document number, nor a password's hash.
    assert "P1234567" not in in_file and "1234567" not in in_file
    assert "$argon2" not in in_file and "jose@correo.cl" not in in_file


def test_k6_the_audit_log_masks_document_numbers(seeded: Store) -> None:
    reg = seeded.register(form(), terms_accepted=True)
    open_day(seeded)
    booking = seeded.book(reg.applicant.id, first_free(seeded))
    seeded.cancel(booking.code or "", applicant_id=reg.applicant.id)
    seeded.enrol(reg.applicant.id, "STG", "RD")  # RD has no times: a waitlist
    events = seeded.audit_log(limit=1000)
    assert len(events) >= 4
    for event in events:
        text = f"{event.subject} {event.details}"
        assert "P1234567" not in text and "1234567" not in text, event
    assert any("P1*****7" in e.details for e in events)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def wide_umask() -> Iterator[None]:
    """The usual umask (0o022): a file made the ordinary way is readable by everyone."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _three_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


@pytest.mark.usefixtures("wide_umask")
def test_k7_the_sqlite_database_and_its_wal_shm_and_turn_files_are_0600(tmp_path: Path) -> None:
    from tests.factories import form, seed_catalog

    path = tmp_path / "office.db"
    store = Store(f"sqlite:///{path}", passwords=Passwords(fast_hasher()))
    try:
        assert _mode(path) == 0o600  # made private before SQLite first opens it
        store.upgrade()
        seed_catalog(store)
        store.register(form(), terms_accepted=True)  # written: the WAL holds it
        with store.database.reading() as session:  # a reader beside the writer
            session.execute(sa.text("SELECT count(*) FROM applicants")).one()
        for part in [*_three_files(path), path.with_name(path.name + "-turn")]:
            assert part.exists(), part.name
            assert _mode(part) == 0o600, (part.name, oct(_mode(part)))
    finally:
        store.close()


@pytest.mark.usefixtures("wide_umask")
def test_k7_a_database_left_readable_by_others_is_narrowed_on_open(tmp_path: Path) -> None:
    """A database an older version made 0644 (its WAL and shared memory too) becomes 0600."""
    path = tmp_path / "older.db"
    older = sqlite3.connect(path)  # kept open, so its -wal and -shm stay
    older.execute("PRAGMA journal_mode=WAL")
    older.execute("CREATE TABLE t (x)")
    older.execute("INSERT INTO t VALUES (1)")
    older.commit()
    try:
        assert [_mode(p) for p in _three_files(path)] == [0o644] * 3
        store = Store(f"sqlite:///{path}")
        with store.database.reading() as session:
            session.execute(sa.text("SELECT x FROM t")).one()
        assert [_mode(p) for p in _three_files(path)] == [0o600] * 3
        store.close()
    finally:
        older.close()
