"""Q3 at the counter: the agent sets the counter number once per session, calls the next
person (F6), calls again (F7), sends the person on to another counter keeping their place,
finishes (F8) and opens the called person's file in one key (F4). Keys only; snapshots at
120×40 and 80×24."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from textual.widgets import Input

from kiosk.app import CounterApp
from screens.counter.applicant import ApplicantScreen
from screens.counter.queue import QueueScreen
from screens.dialogs.transfer import TransferDialog
from store import Store
from store.clock import FixedClock
from tests.conftest import NOW
from tests.factories import applicants, open_day
from tests.screens.conftest import screen_text, settle, staff_at, tap
from tests.screens.test_counter_snapshots import _tables_laid_out
from tests.screens.test_queue_kiosk import _walk_in

MakeCounter = Callable[..., CounterApp]
SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
TODAY = date(2026, 11, 23)  # the fixed clock's Monday, 09:00 in Santiago


@pytest.fixture
def waiting_room(kiosk_store: Store, clock: FixedClock) -> dict[str, Any]:
    """At STG, 09:00: an appointment at 09:30 checked in (number 1), then two walk-ins for
    RD (numbers 2 and 3); then it is 09:25, and the appointment is due."""
    _walk_in(kiosk_store)
    open_day(kiosk_store, "STG", "RT", day=TODAY, hours="09:00-10:00")
    (person,) = applicants(kiosk_store, 1, start=50)
    slot = next(s.id for s in kiosk_store.slots("STG", "RT", TODAY, TODAY) if s.start.minute == 30)
    code = kiosk_store.book(person, slot).code
    assert code is not None
    kiosk_store.queue_check_in("STG", code)
    kiosk_store.queue_take("STG", "RD")
    kiosk_store.queue_take("STG", "RD")
    clock.set(NOW + timedelta(minutes=25))
    return {"code": code, "applicant": person}


def _status(store: Store) -> dict[int, tuple[str, int | None, int | None]]:
    return {t.number: (t.status, t.counter, t.for_counter) for t in store.queue_tickets("STG")}


async def _to_queue(pilot: Any) -> None:
    await staff_at(pilot, "agente")
    await tap(pilot, "#queue")
    await settle(pilot)


async def test_q3_call_recall_transfer_finish_with_keys(
    make_counter: MakeCounter, kiosk_store: Store, waiting_room: dict[str, Any]
) -> None:
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_queue(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.focused is app.screen.query_one("#counter", Input)
        await pilot.press("f6")  # no counter yet: it is asked for, nothing is called
        await settle(pilot)
        assert "mesón" in str(app.screen.query_one("#queue-message").render())
        assert _status(kiosk_store)[1][0] == "waiting"
        await pilot.press("2", "enter", "f6")
        await settle(pilot)
        assert _status(kiosk_store)[1] == ("called", 2, None), screen_text(app)
        assert "número 1" in screen_text(app)
        await pilot.press("f7")
        await settle(pilot)
        assert "llamadas: 2 de 3" in screen_text(app)
        # Derivar to counter 3: keys only (right to "Derivar", Enter, down to the counter).
        await tap(pilot, "#transfer")
        await settle(pilot)
        assert isinstance(app.screen, TransferDialog)
        app.screen.query_one("#to-counter").focus()
        await pilot.press("3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert _status(kiosk_store)[1] == ("waiting", None, 3)
        await pilot.press("f6")  # counter 2 passes over number 1, sent to counter 3
        await settle(pilot)
        assert _status(kiosk_store)[2] == ("called", 2, None)
        await pilot.press("f8")
        await settle(pilot)
        assert _status(kiosk_store)[2][0] == "done"
        assert "Número 2: atención terminada." in screen_text(app)


async def test_q3_the_counter_number_is_set_once_per_session(
    make_counter: MakeCounter, waiting_room: dict[str, Any]
) -> None:
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_queue(pilot)
        await pilot.press("4", "enter")
        await pilot.press("escape")
        await settle(pilot)
        await tap(pilot, "#queue")
        await settle(pilot)
        assert app.screen.query_one("#counter", Input).value == "4"
        assert app.screen.focused is app.screen.query_one("#call-next")
        await pilot.press("f9")  # log out: the next agent sets their own
        await settle(pilot)
        assert app.desk_counter is None


async def test_q3_f4_opens_the_called_person_s_file(
    make_counter: MakeCounter, waiting_room: dict[str, Any]
) -> None:
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_queue(pilot)
        await pilot.press("1", "enter", "f6")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ApplicantScreen)
        assert app.screen.applicant.id == waiting_room["applicant"]


async def test_q3_absent_only_after_the_office_s_calls(
    make_counter: MakeCounter, kiosk_store: Store, waiting_room: dict[str, Any]
) -> None:
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_queue(pilot)
        await pilot.press("1", "enter")
        assert app.staff is not None
        kiosk_store.queue_call("STG", 5, actor=app.staff.actor)  # number 1 to counter 5
        await pilot.press("f6")
        await settle(pilot)
        assert _status(kiosk_store)[2] == ("called", 1, None)
        await tap(pilot, "#absent")
        await settle(pilot)
        message = str(app.screen.query_one("#queue-message").render())
        assert "1 de 3" in message  # refused, in one sentence
        for _ in range(2):  # called again, twice (a press while one is on its way is ignored)
            await pilot.press("f7")
            await settle(pilot)
        assert "puede marcarlo ausente" in screen_text(app)
        # F7 left the focus on "Ausente", where the agent had put it: Enter marks absent.
        assert app.screen.focused is app.screen.query_one("#absent")
        await pilot.press("enter")
        await settle(pilot)
        assert _status(kiosk_store)[2][0] == "absent"


async def test_q3_an_auditor_has_no_waiting_room(make_counter: MakeCounter) -> None:
    """C1: the desk offers it to agents and supervisors; an auditor opening it sees only the
    refusal."""
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await staff_at(pilot, "auditor")
        assert not app.screen.query("#queue")
        app.push_screen(QueueScreen())
        await settle(pilot)
        assert app.screen.query("#denied") and not app.screen.query("#call-next")


@SIZES
def test_snapshot_a_called_appointment(
    snap_compare: Any,
    make_counter: MakeCounter,
    fixed_codes: None,
    waiting_room: dict[str, Any],
    size: tuple[int, int],
) -> None:
    """Q3: the counter's number, the called appointment and its calls, the order of the rest."""

    async def run_before(pilot: Any) -> None:
        await _to_queue(pilot)
        await pilot.press("2", "enter", "f6")
        await _tables_laid_out(pilot)

    assert snap_compare(make_counter(), terminal_size=size, run_before=run_before)


@SIZES
def test_snapshot_transfer_dialog_in_english(
    snap_compare: Any,
    make_counter: MakeCounter,
    fixed_codes: None,
    waiting_room: dict[str, Any],
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Any) -> None:
        await _to_queue(pilot)
        await pilot.press("2", "enter", "f6")
        await settle(pilot)
        await pilot.press("right", "enter")
        await settle(pilot)

    assert snap_compare(make_counter(language="en"), terminal_size=size, run_before=run_before)
