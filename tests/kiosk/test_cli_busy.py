"""Issue 15 §4: readers never wait for writers; a writer waits a bounded time, then says so.

Another connection holds the lock every write needs (SQLite: the write lock, `BEGIN
IMMEDIATE`; PostgreSQL: the office and procedure's row, which a booking locks) for the whole
test. Reading commands answer meanwhile: had they needed the lock, they would have failed
with it held. A write gives up after its budget (shortened here from 10 s) with exit 3, one
line, and nothing written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from kiosk.i18n import translator
from store import Store, db
from store.errors import Unavailable
from tests.factories import first_free, open_day, write_lock_held
from tests.kiosk.test_cli_lifecycle import Kiosk, refused
from tests.kiosk.test_cli_lifecycle import kiosk as kiosk
from tests.kiosk.test_cli_lifecycle import office as office


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write's wait budget, 10 s in use, at 0.3 s for these tests."""
    monkeypatch.setattr(db, "WRITE_WAIT_MS", 300)


def _bookings(store: Store) -> int:
    with store.database.reading() as session:
        return session.scalar(sa.text("SELECT count(*) FROM bookings")) or 0


def test_readers_answer_while_a_writer_holds_the_lock(kiosk: Kiosk, office: Store) -> None:
    open_day(office)
    with write_lock_held(office):
        catalog = kiosk.json("catalog", staff=None)
        assert catalog["offices"]
        slots = kiosk.json("slots", "list", "--office", "STG", "--procedure", "RT", staff=None)
        assert len(slots["slots"]) == 2
        assert office.is_ready() and office.verify_audit().ok


@pytest.mark.usefixtures("short_wait")
def test_a_write_past_its_wait_exits_3_and_writes_nothing(kiosk: Kiosk, office: Store) -> None:
    open_day(office)
    slot = first_free(office)
    before = _bookings(office)
    with write_lock_held(office):
        line = refused(
            kiosk("book", "--applicant", "P1234567", "--slot", str(slot), "--json"), status=3
        )
    assert line == "El sistema está ocupado; no se guardó nada; intente de nuevo en un momento."
    assert _bookings(office) == before
    # Once the other writer is done, the same command goes through.
    assert kiosk.json("book", "--applicant", "P1234567", "--slot", str(slot))["code"]


@pytest.mark.usefixtures("short_wait")
def test_the_store_raises_unavailable_in_the_persons_language(office: Store) -> None:
    open_day(office)
    slot = first_free(office)
    person = office.applicant_by_document("P1234567").id
    with write_lock_held(office), pytest.raises(Unavailable) as busy:
        office.book(person, slot)
    assert busy.value.render(translator("en")) == (
        "The system is busy; nothing was saved; please try again in a moment."
    )
