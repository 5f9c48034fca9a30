"""Bad input through the screens, the way out of kiosk mode, the idle reset and double presses
(issue 6, K1, K2, K3, A2–A7).

Hypothesis throws arbitrary text (control characters, right-to-left marks, very long strings,
markup, SQL-looking text) at every field of the registration form and the login, through a
real app: no crash, a clear sentence under each field it refuses, nothing written."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Static

from screens.registration import TEXT_FIELDS
from store import Store
from store.clock import FixedClock
from store.models import Applicant
from store.views import ApplicantView, BookingView
from tests.screens.conftest import (
    KioskPilot,
    Ticker,
    log_in,
    screen_text,
    settle,
    tap,
    to_registration_form,
)

SPECIAL = [
    "[b]negrita[/b]",
    "[link=https://x]x[/link]",
    "'; DROP TABLE applicants; --",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "\x00\x1b[31m\x07",
    "x" * 10_000,
    "José\tMuñoz\n",
    "   ",
]
ANY_TEXT = st.text(max_size=80)
FIELDS = TEXT_FIELDS  # every text field of the registration form
# One app, into which every special text and DRAWN arbitrary ones are typed one after the
# other, as a person corrects a form (starting an app was most of each try's time, and ten
# tries met a few of the special texts at most).
DRAWN = 10
ONE_APP_EACH = settings(
    max_examples=1,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _texts(data: st.DataObject, label: str) -> list[str]:
    return [*SPECIAL, *(data.draw(ANY_TEXT, label=label) for _ in range(DRAWN))]


def _applicants(store: Store) -> int:
    with store.database.reading() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Applicant)) or 0


@ONE_APP_EACH
@given(data=st.data())
def test_a2_a7_every_registration_field_takes_any_text(
    make_kiosk: Any, kiosk_store: Store, data: st.DataObject
) -> None:
    before = _applicants(kiosk_store)

    async def run() -> None:
        app = make_kiosk()
        async with app.run_test(size=(120, 40)) as pilot:
            await to_registration_form(pilot)
            for text in _texts(data, "text"):
                for field in FIELDS:
                    app.screen.query_one(f"#{field}").value = text
                await tap(pilot, "#review")
                await settle(pilot)
                assert type(app.screen).__name__ == "RegistrationScreen"  # refused, still here
                errors = app.screen.query(".field-error").results(Static)
                shown = [m for m in (str(w.render()) for w in errors) if m.strip()]
                assert shown, f"no field said what to fix for {text!r}"
                for message in shown:
                    assert "Traceback" not in message and message.rstrip().endswith((".", ")"))
                for field in FIELDS:  # K: the person's text is kept to be corrected
                    assert app.screen.query_one(f"#{field}").value == text

    asyncio.run(run())
    assert _applicants(kiosk_store) == before


@ONE_APP_EACH
@given(data=st.data())
def test_a11_login_takes_any_text(make_kiosk: Any, kiosk_store: Store, data: st.DataObject) -> None:
    async def run() -> None:
        app = make_kiosk()
        async with app.run_test(size=(120, 40)) as pilot:
            await tap(pilot, "#login")
            await settle(pilot)
            for identifier in _texts(data, "identifier"):
                password = data.draw(st.one_of(ANY_TEXT, st.sampled_from(SPECIAL)), label="pw")
                app.screen.query_one("#identifier").value = identifier
                app.screen.query_one("#password").value = password
                await tap(pilot, "#login")
                await settle(pilot)
                assert app.session is None
                assert type(app.screen).__name__ == "LoginScreen"
                texts = [str(w.render()) for w in app.screen.query(Static)]
                assert not any("Traceback" in t for t in texts)

    asyncio.run(run())


async def test_k2_the_kiosk_cannot_reach_a_staff_screen_without_a_staff_login(
    make_kiosk: Any,
) -> None:
    """No binding leads to a counter screen; pushed by force, one only says it is not allowed;
    F12 asks for a staff login and a wrong one leaves the kiosk as it was."""
    from screens.counter.capacity import CapacityScreen
    from screens.counter.desk import DeskScreen
    from screens.dialogs.staff_exit import StaffExitDialog

    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for screen in (DeskScreen(), CapacityScreen()):
            await app.push_screen(screen)
            await settle(pilot)
            assert app.screen.query("#denied")
            assert not [
                b for b in app.screen.query("Button") if not (b.id or "").startswith("lang-")
            ]
            app.pop_screen()
            await settle(pilot)
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, StaffExitDialog)
        await pilot.press(*"nadie", "tab", *"sin-clave", "enter")
        await settle(pilot)
        assert app.is_running


def _key_labels(app: Any) -> list[str]:
    """The description of every key binding in force (the footer shows some of them)."""
    return [active.binding.description for active in app.screen.active_bindings.values()]


async def test_k1_the_idle_reset_brings_the_language_back_to_spanish(
    make_kiosk: Any, registered: ApplicantView, ticker: Ticker
) -> None:
    """The next person meets the kiosk in Spanish, whatever the last one chose (K1, K4): the
    welcome after the reset reads word for word as it did at start, key labels included."""
    from screens.text import language
    from screens.welcome import WelcomeScreen

    app = make_kiosk(idle_seconds=90)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        welcome, keys = screen_text(app), _key_labels(app)
        assert "Bienvenida y bienvenido" in welcome
        await log_in(pilot, registered.email)
        await pilot.press("f2")
        await settle(pilot)
        assert (app.language, language()) == ("en", "en")
        assert "My appointments" in screen_text(app)
        ticker.now += 91
        app.guard_idle()
        await settle(pilot)
        ticker.now += 31
        app.guard_idle()
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen) and app.session is None
        assert (app.language, language()) == ("es", "es")
        assert screen_text(app) == welcome
        assert _key_labels(app) == keys


async def _to_the_hold(pilot: KioskPilot, email: str) -> None:
    """Log in, Reservar hora, the first procedure and office, Enter on the first free time."""
    from screens.dialogs.hold import HoldDialog

    await log_in(pilot, email)
    await tap(pilot, "#book")
    await settle(pilot)
    await pilot.press("enter")  # Residencia temporal
    await settle(pilot)
    await pilot.press("enter")  # STG, with free times
    await settle(pilot)
    await pilot.press("enter")  # the first free time is focused
    await settle(pilot)
    assert isinstance(pilot.app.screen, HoldDialog)


async def test_k3_a_double_press_on_confirmar_la_hora_books_once(
    make_kiosk: Any,
    kiosk_store: Store,
    registered: ApplicantView,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enter, Enter on "Confirmar la hora": the first closes the dialog and starts the booking;
    the second reaches the time grid while the booking runs and is ignored there, so the time
    is not held again, no second dialog opens and there is one booking."""
    from screens.receipt import ReceiptScreen
    from screens.slots import SlotsScreen

    holds: list[int] = []
    confirms: list[int] = []
    release = threading.Event()
    hold, confirm = kiosk_store.hold, kiosk_store.confirm

    def counted_hold(applicant_id: int, slot_id: int, **options: Any) -> BookingView:
        holds.append(slot_id)
        return hold(applicant_id, slot_id, **options)

    def slow_confirm(applicant_id: int, hold_id: int, **options: Any) -> BookingView:
        confirms.append(hold_id)
        assert release.wait(30), "the test never let the booking finish"
        return confirm(applicant_id, hold_id, **options)

    monkeypatch.setattr(kiosk_store, "hold", counted_hold)
    monkeypatch.setattr(kiosk_store, "confirm", slow_confirm)
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_the_hold(pilot, registered.email)
        try:
            await pilot.press("enter", "enter")  # the booking is held until both are handled
            grid = app.screen
            assert isinstance(grid, SlotsScreen) and grid.busy  # no second dialog
        finally:
            release.set()
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
    assert len(holds) == 1 and len(confirms) == 1
    assert [b.status for b in kiosk_store.bookings_of(registered.id)] == ["confirmed"]


async def test_k3_printing_again_a_second_later_prints_nothing_new(
    make_kiosk: Any,
    registered: ApplicantView,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    """The receipt prints on arrival; "Imprimir comprobante" a second later draws a PDF with
    another creation time, and still nothing more is printed (K3)."""
    from screens.receipt import ReceiptScreen

    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_the_hold(pilot, registered.email)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        (printed,) = (tmp_path / "receipts").glob("booking-*.pdf")
        first = printed.read_bytes()
        clock.advance(seconds=1)
        await tap(pilot, "#print")
        await settle(pilot)
        assert list((tmp_path / "receipts").glob("booking-*.pdf")) == [printed]
        assert printed.read_bytes() == first  # not drawn again over it


async def test_issue15_a_busy_database_says_so_and_nothing_is_lost(
    make_kiosk: Any,
    kiosk_store: Store,
    registered: ApplicantView,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another writer holds the lock past the write's budget (10 s, 0.3 s here): "Confirmar la
    hora" ends in one sentence saying nothing was saved, never a frozen screen; the hold is
    still there, and confirming again once the other writer is done books the time."""
    from screens.dialogs.hold import HoldDialog
    from store import db
    from tests.factories import write_lock_held

    monkeypatch.setattr(db, "WRITE_WAIT_MS", 300)
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_the_hold(pilot, registered.email)
        assert isinstance(app.screen, HoldDialog)
        with write_lock_held(kiosk_store):
            await pilot.press("enter")
            await settle(pilot)
            text = screen_text(app)
            assert "El sistema está ocupado; no se guardó nada; intente de nuevo" in text
        assert [b.status for b in kiosk_store.bookings_of(registered.id)] == ["held"]


async def test_c1_background_store_calls_run_in_the_order_asked(make_kiosk: Any) -> None:
    """The audit records nobody waits for (assisted mode ended, then the logout) are written
    in the order they happened: a later one waits for the one before, even when that one is
    slow (here: held until both were asked for)."""
    import threading

    from textual.worker import WorkerState

    app = make_kiosk()
    written: list[str] = []
    gate = threading.Event()

    def slow() -> None:
        gate.wait()
        written.append("assisted.ended")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.in_background(slow)
        app.in_background(lambda: written.append("staff.logout"))
        # Both workers' threads are going before the first is let go: without the order, the
        # second would write first.
        while not all(
            w.state == WorkerState.RUNNING for w in app.workers if w.group == "background"
        ):
            await pilot.pause()
        await pilot.pause()
        gate.set()
        await app.workers.wait_for_complete()
        await settle(pilot)
    assert written == ["assisted.ended", "staff.logout"]
