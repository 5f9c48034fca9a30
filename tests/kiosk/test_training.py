"""Issue 15 §2: legal dates cannot be forged. A store made by `kiosk demo` is a training store
and says so on every screen; only it accepts a stood-still clock (`KIOSK_NOW`) or fast password
hashing. Anywhere else both are refused in one line, before anything is written. A hash made
with other parameters is replaced at the next successful login."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlmodel import col

from kiosk.cli import cli
from store import Store
from store.credentials import Passwords, fast_hasher
from store.errors import Refused
from store.models import Applicant, AuditEvent, Staff, WaitlistEntry
from tests.factories import applicants, form, training

NOW = "2026-11-23T12:00:00Z"


def _run(store: Store, tmp_path: Path, *args: str, **env: str | None) -> Result:
    environment: dict[str, str | None] = {
        "KIOSK_DB": store.url,
        "KIOSK_LANG": "es",
        "KIOSK_NOW": None,
        "KIOSK_ARGON2_PROFILE": None,
        "KIOSK_STAFF": "sup",
        "KIOSK_STAFF_PASSWORD": "sup-password-1",
        "KIOSK_LOG_DIR": str(tmp_path / "log"),
        "KIOSK_RECEIPTS_DIR": str(tmp_path / "receipts"),
        "KIOSK_PRINTER": "folder",
        "KIOSK_CONFIG": None,
        **env,
    }
    return CliRunner().invoke(cli, list(args), env=environment)


def _rows(store: Store) -> tuple[int, int]:
    with store.database.reading() as session:
        entries = session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry)) or 0
        events = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0
    return entries, events


@pytest.fixture
def real(seeded: Store) -> Store:
    """A real store (not made by the demo) with a supervisor and a person to enrol."""
    seeded.create_staff("sup", "Paula Supervisora", "supervisor", "sup-password-1", "STG")
    seeded.register(form(), terms_accepted=True)
    return seeded


ENROL = ("waitlist", "enrol", "--applicant", "P1234567", "--office", "STG", "--procedure", "RT")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KIOSK_NOW": "2025-01-01T12:00:00Z"}, "KIOSK_NOW"),
        ({"KIOSK_ARGON2_PROFILE": "fast"}, "KIOSK_ARGON2_PROFILE=fast"),
    ],
)
def test_a_real_store_refuses_a_forged_clock_and_fast_hashing_before_writing(
    real: Store, tmp_path: Path, env: dict[str, str], named: str
) -> None:
    before = _rows(real)
    for args in (ENROL, ("catalog", "--json"), ("counter",), ()):
        result = _run(real, tmp_path, *args, **env)
        assert result.exit_code == 1, (args, result.output)
        (line,) = result.stderr.strip().splitlines()
        assert named in line and "kiosk demo" in line, line
    assert _rows(real) == before  # no entry dated 2025, no audit row either
    # Without the setting the same command works, dated by the real clock.
    assert _run(real, tmp_path, *ENROL).exit_code == 0
    with real.database.reading() as session:
        (enrolled,) = session.scalars(sa.select(col(WaitlistEntry.enrolled_at))).all()
    assert enrolled.year >= 2026


def test_a_training_store_accepts_both(real: Store, tmp_path: Path) -> None:
    assert not real.is_training()
    training(real)
    assert real.is_training()
    enrolled = _run(real, tmp_path, *ENROL, KIOSK_NOW=NOW, KIOSK_ARGON2_PROFILE="fast")
    assert enrolled.exit_code == 0, enrolled.output


def test_kiosk_demo_makes_a_training_store(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    env = {"KIOSK_NOW": NOW, "KIOSK_ARGON2_PROFILE": "fast", "KIOSK_LANG": "es"}
    assert CliRunner().invoke(cli, ["--db", str(path), "db", "upgrade"], env=env).exit_code == 0
    assert CliRunner().invoke(cli, ["--db", str(path), "demo"], env=env).exit_code == 0
    store = Store(str(path))
    try:
        assert store.is_training()
    finally:
        store.close()


def _hash_of(store: Store, table: type[Staff] | type[Applicant]) -> str:
    with store.database.reading() as session:
        found = session.scalar(sa.select(col(table.password_hash)))
    assert found is not None
    return found


def test_a_weaker_hash_is_replaced_at_the_next_login(seeded: Store) -> None:
    """A demo's fast hashes (or an older default's) become the store's own at login: staff
    and applicants, only on a successful login."""
    seeded.create_staff("sup", "Paula Supervisora", "supervisor", "sup-password-1", "STG")
    seeded.register(form(), terms_accepted=True)
    weak = _hash_of(seeded, Staff)
    assert "m=1024" in weak  # the test store hashes fast
    standard = Store(seeded.url, clock=seeded.clock, passwords=Passwords())
    try:
        with pytest.raises(Refused):
            standard.login_staff("sup", "wrong-password")
        assert _hash_of(standard, Staff) == weak  # a failed login replaces nothing
        standard.login_staff("sup", "sup-password-1")
        strong = _hash_of(standard, Staff)
        assert "m=65536" in strong
        standard.login_staff("sup", "sup-password-1")  # the new hash verifies
        assert _hash_of(standard, Staff) == strong  # and is kept
    finally:
        standard.close()


def test_applicants_are_rehashed_too(seeded: Store) -> None:
    (person,) = applicants(seeded, 1)
    fast = Passwords(fast_hasher())
    seeded.database.write(
        lambda session: session.execute(
            sa.update(Applicant)
            .where(col(Applicant.id) == person)
            .values(password_hash=fast.hash("clave-de-prueba-1"))
        )
    )
    standard = Store(seeded.url, clock=seeded.clock, passwords=Passwords())
    try:
        standard.login("p0@correo.cl", "clave-de-prueba-1")
        assert "m=65536" in _hash_of(standard, Applicant)
    finally:
        standard.close()
