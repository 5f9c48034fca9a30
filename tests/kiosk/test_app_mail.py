"""M3, M4 at the counter: a running counter desk sends the due e-mails and deposits the
day-before reminders by itself (every `mail_every_seconds`), so an office with a counter needs
no cron job. Through a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.app import CounterApp, make_app
from kiosk.settings import Settings
from receipts.printer import FolderPrinter
from store import Store
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.mail import parse_sender, parse_smtp_url
from tests.factories import MONDAY, form, open_day, seed_catalog
from tests.mailserver import MailServer

SUNDAY = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # noon in Santiago, the day before MONDAY


@pytest.fixture
def server() -> Iterator[MailServer]:
    running = MailServer().start()
    yield running
    running.stop()


@pytest.fixture
def office(db_url: str) -> Iterator[Store]:
    """Two people booked on Monday 30 November, seen from the Sunday before."""
    store = Store(
        db_url, clock=FixedClock(SUNDAY), passwords=Passwords(fast_hasher()), mail_enabled=True
    )
    seed_catalog(store)
    store.clock = FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))
    open_day(store, "STG", "RT")
    for n, slot in enumerate(store.slots("STG", "RT", MONDAY, MONDAY)):
        person = store.register(
            form(
                document_number=f"P00{n}5555",
                email=f"c{n}@correo.cl",
                email_confirmation=f"c{n}@correo.cl",
            ),
            terms_accepted=True,
        )
        store.book(person.applicant.id, slot.id)
    store.clock = FixedClock(SUNDAY)
    yield store
    store.close()


def _counter(store: Store, server: MailServer, tmp_path: Path, *, watch: bool) -> CounterApp:
    settings = Settings(
        db_url=store.url,
        now=SUNDAY,
        smtp=parse_smtp_url(server.url),
        mail_from=parse_sender("citas@extranjeria.gob.cl"),
        mail_every_seconds=1,
    )
    app = make_app(
        settings, store, FolderPrinter(tmp_path / "r"), counter=True, watch_idle=watch, blink=False
    )
    assert isinstance(app, CounterApp)
    return app


async def test_m3_m4_a_round_of_the_counter_reminds_and_sends(
    office: Store, server: MailServer, tmp_path: Path
) -> None:
    app = _counter(office, server, tmp_path, watch=False)
    async with app.run_test():
        worker = app.send_mail()
        assert worker is not None
        assert app.send_mail() is None  # one round at a time
        await worker.wait()
        # two registrations and two bookings queued before; two reminders deposited now
        subjects = sorted(str(r.message["Subject"]) for r in server.received)
        assert len(subjects) == 6
        assert (
            sum(s.startswith("Recordatorio: Residencia temporal, el 30-11-2026") for s in subjects)
            == 2
        )
        again = app.send_mail()
        assert again is not None
        await again.wait()
        assert len(server.received) == 6  # nothing twice
    assert {e.actor for e in office.audit_log("booking.reminded")} == {"system:counter"}
    assert {e.actor for e in office.audit_log("outbox.sent")} == {"system:counter"}


async def test_m3_the_counter_sends_by_itself_while_it_runs(
    office: Store, server: MailServer, tmp_path: Path
) -> None:
    app = _counter(office, server, tmp_path, watch=True)
    async with app.run_test() as pilot:
        for _ in range(200):  # wait for the work (the server's mail), at most 20 s
            if len(server.received) == 6:
                break
            await asyncio.sleep(0.1)
        await pilot.pause()
    assert len(server.received) == 6
