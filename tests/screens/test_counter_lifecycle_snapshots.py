"""Snapshots of the booking lifecycle at the counter at 120×40 and 80×24 (C5, C6, C11, B12):
"Por reubicar", the closures, the people a block displaced, the no-show and close-day
confirmations, and a preview of times that exist already. Fixed clock (Monday 23 November
2026, 09:00 in Santiago unless moved), fixed verification codes, no blink, no animation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from store import Store
from store.clock import FixedClock
from tests.factories import MONDAY, applicants, at, first_free
from tests.screens.conftest import settle, staff_at, tap
from tests.screens.test_counter_snapshots import _tables_laid_out

pytestmark = pytest.mark.usefixtures("fixed_codes")
SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
TODAY = date(2026, 11, 23)


@pytest.fixture
def monday_booked(kiosk_store: Store, registered: Any, staff_accounts: dict[str, Any]) -> Any:
    """Both of Monday 30 November's times booked: Wyddeline at 09:00, someone else at 09:30."""
    kiosk_store.book(registered.id, first_free(kiosk_store))
    kiosk_store.book(applicants(kiosk_store, 1, start=50)[0], first_free(kiosk_store))
    return registered


@pytest.fixture
def displaced(kiosk_store: Store, monday_booked: Any) -> Any:
    """Monday's morning blocked: both people displaced; the second then left the list."""
    change = kiosk_store.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-10:00", "Corte de luz")
    kiosk_store.withdraw(change.displaced[1].applicant_id, "STG", "RT")
    return change


@pytest.fixture
def today_booked(kiosk_store: Store, registered: Any, staff_accounts: dict[str, Any]) -> Any:
    """Two appointments today, at 10:00 and 10:30."""
    kiosk_store.open_capacity("STG", "RT", TODAY, TODAY, "10:00-11:00", 30)
    for person in (registered.id, applicants(kiosk_store, 1, start=50)[0]):
        free = next(s.id for s in kiosk_store.slots("STG", "RT", TODAY, TODAY) if s.free)
        kiosk_store.book(person, free)
    return registered


def _as(username: str, *steps: str, then: Any = None) -> Any:
    """Log in as `username`, tap each button in turn, then run `then`."""

    async def run(pilot: Any) -> None:
        await staff_at(pilot, username, *steps)
        if then is not None:
            await then(pilot)
        await _tables_laid_out(pilot)

    return run


def _fill(**values: str) -> Any:
    async def run(pilot: Any) -> None:
        for field, value in values.items():
            pilot.app.screen.query_one(f"#{field.removesuffix('_')}").value = value
        await pilot.pause()

    return run


def _then(*steps: Any) -> Any:
    async def run(pilot: Any) -> None:
        for step in steps:
            if isinstance(step, str):
                await tap(pilot, step)
                await settle(pilot)
            else:
                await step(pilot)

    return run


@SIZES
def test_rebook_list(
    snap_compare: Any, make_counter: Any, displaced: Any, size: tuple[int, int]
) -> None:
    """B12: two displaced bookings, one waiting at place 1, one with neither a time nor a place;
    the first chosen by typing its code, so its one possible action is offered."""
    code = displaced.displaced[0].code
    assert snap_compare(
        make_counter(),
        terminal_size=size,
        run_before=_as("agente", "#rebook", then=_fill(code=code)),
    )


@SIZES
def test_block_displaced_dialog(
    snap_compare: Any, make_counter: Any, monday_booked: Any, size: tuple[int, int]
) -> None:
    """C6, B12: blocking Monday's morning lists both people with their place on the waitlist."""
    steps = _then(
        _fill(from_="30-11-2026", to="30-11-2026", hours="09:00-10:00", reason="Corte de luz"),
        "#block",
        "#yes",
    )
    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("super", "#capacity", then=steps)
    )


@SIZES
def test_closures(
    snap_compare: Any, make_counter: Any, kiosk_store: Store, staff_accounts: Any, size: Any
) -> None:
    """C6: two closures to come, none chosen: "Quitar el cierre" waits for a choice."""
    kiosk_store.add_closure("STG", date(2026, 12, 7), "Fumigación")
    kiosk_store.add_closure("STG", date(2026, 12, 24), "Inventario anual")
    assert snap_compare(make_counter(), terminal_size=size, run_before=_as("super", "#closures"))


@SIZES
def test_closure_confirmation(
    snap_compare: Any, make_counter: Any, monday_booked: Any, size: tuple[int, int]
) -> None:
    """C6, B12: closing Monday 30 November says its two bookings will be displaced."""
    steps = _then(_fill(day="30-11-2026", reason="Fumigación"), "#add-closure")
    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("super", "#closures", then=steps)
    )


@SIZES
def test_no_show_confirmation(
    snap_compare: Any, make_counter: Any, today_booked: Any, clock: FixedClock, size: Any
) -> None:
    """C11: at 10:20 the 10:00 appointment, chosen with the arrow, asks before "No se presentó";
    "Volver" has the focus."""
    clock.set(at(TODAY, 10, 20))

    async def choose_and_mark(pilot: Any) -> None:
        pilot.app.screen.query_one("#agenda").focus()
        await pilot.press("down")
        await settle(pilot)
        await tap(pilot, "#missed")
        await settle(pilot)

    assert snap_compare(
        make_counter(),
        terminal_size=size,
        run_before=_as("agente", "#agenda", then=choose_and_mark),
    )


@SIZES
def test_agenda_supervisor_missed_row_chosen(
    snap_compare: Any,
    make_counter: Any,
    kiosk_store: Store,
    today_booked: Any,
    staff_accounts: Any,
    clock: FixedClock,
    size: Any,
) -> None:
    """C5, C11: a supervisor's agenda with "Cerrar el día"; the missed 10:00 row chosen, so
    "Deshacer" is offered."""
    clock.set(at(TODAY, 10, 20))
    first = kiosk_store.agenda("STG")[0].code
    kiosk_store.mark_missed("STG", first, actor=staff_accounts["supervisor"].actor)
    assert snap_compare(
        make_counter(),
        terminal_size=size,
        run_before=_as("super", "#agenda", then=_fill(arrival=first)),
    )


@SIZES
def test_close_day_confirmation(
    snap_compare: Any, make_counter: Any, today_booked: Any, clock: FixedClock, size: Any
) -> None:
    """C11: at 10:20 two remain; one is past its grace and will be marked, one is left."""
    clock.set(at(TODAY, 10, 20))
    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("super", "#agenda", "#close-day")
    )


@SIZES
def test_capacity_preview_existing_times(
    snap_compare: Any, make_counter: Any, kiosk_store: Store, staff_accounts: Any, size: Any
) -> None:
    """C6: Monday's two blocked times exist (unblock them), two new ones would be created, and
    the one person waiting would get one; the weekend is skipped by name."""
    kiosk_store.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-10:00", "Inventario")
    kiosk_store.enrol(applicants(kiosk_store, 1, start=50)[0], "STG", "RT")
    steps = _then(
        _fill(from_="28-11-2026", to="30-11-2026", hours="09:00-11:00", every="30"), "#preview"
    )
    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("super", "#capacity", then=steps)
    )
