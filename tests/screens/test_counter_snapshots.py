"""Snapshots of every counter screen at 120×40 and 80×24 (C1–C8). Fixed clock (Monday
23 November 2026, 09:00 in Santiago), fixed verification codes, no blink, no animation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from store import Store
from tests.factories import applicants, enrol_directly
from tests.screens.conftest import settle, staff_at, staff_log_in, tap
from tests.waiting_room import waiting_room as waiting_room  # the fixture

pytestmark = pytest.mark.usefixtures("fixed_codes")
SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
TODAY = date(2026, 11, 23)


@pytest.fixture
def counter_day(kiosk_store: Store, registered: Any, staff_accounts: dict[str, Any]) -> Any:
    """Two appointments today (one already checked in), an open ticket, two people waiting."""
    kiosk_store.open_capacity("STG", "RT", TODAY, TODAY, "10:00-11:00", 30)
    free = [s.id for s in kiosk_store.slots("STG", "RT", TODAY, TODAY) if s.free]
    kiosk_store.book(registered.id, free[0])
    other = applicants(kiosk_store, 3)
    second = kiosk_store.book(other[0], free[1])
    kiosk_store.check_in("STG", second.code or "", actor=staff_accounts["agent"].actor)
    enrol_directly(kiosk_store, other[1:], "STG", "RD")
    kiosk_store.open_ticket(
        registered.id, "question", "Pasaporte vencido", "documents", "¿Puedo ir con él vencido?"
    )
    return registered


def _as(username: str, *steps: str, then: Any = None) -> Any:
    """Log in as `username`, tap each button in turn, then run `then`."""

    async def run(pilot: Any) -> None:
        await staff_at(pilot, username, *steps)
        if then is not None:
            await then(pilot)
        await _tables_laid_out(pilot)

    return run


async def _tables_laid_out(pilot: Any) -> None:
    """Wait until every shown table has measured its rows (its virtual height holds the header
    and each row) and been given room, then settle: a table measures new rows when it is next
    idle, and on a busy machine a snapshot taken right after `settle` could come first."""
    from textual.widgets import DataTable

    for _ in range(100):
        tables = [t for t in pilot.app.screen.query(DataTable) if t.display and t.row_count]
        if all(t.virtual_size.height > t.row_count and t.size.height >= 2 for t in tables):
            break
        await pilot.pause(0.05)
    await settle(pilot)


async def _open_file(pilot: Any) -> None:
    """Search "desir", open the first result, and wait until its bookings table is drawn
    (a dialog opened on top keeps the screen below as it was at that moment)."""
    await pilot.press(*"desir", "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await _tables_laid_out(pilot)


@SIZES
def test_staff_login(snap_compare: Any, make_counter: Any, size: tuple[int, int]) -> None:
    """C1: user name and password, nothing else."""
    assert snap_compare(make_counter(), terminal_size=size)


@SIZES
def test_staff_login_refused(snap_compare: Any, make_counter: Any, size: tuple[int, int]) -> None:
    """C1, A11: a wrong password is said under the form; the password field is emptied."""

    async def run(pilot: Any) -> None:
        await settle(pilot)
        await staff_log_in(pilot, "agente", "equivocada")

    assert snap_compare(make_counter(), terminal_size=size, run_before=run)


@SIZES
@pytest.mark.parametrize("username", ["agente", "super", "auditor"])
def test_desk(snap_compare: Any, make_counter: Any, size: tuple[int, int], username: str) -> None:
    """C1: the desk shows what the role allows: agent, supervisor (everything), auditor."""
    assert snap_compare(make_counter(), terminal_size=size, run_before=_as(username))


@SIZES
def test_search_results(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C3: "desir" without the accent finds Wyddeline Ñusta Désir Saint-Fleur."""

    async def search(pilot: Any) -> None:
        await pilot.press(*"desir", "enter")
        await settle(pilot)

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("agente", "#search", then=search)
    )


@SIZES
def test_applicant_file(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C2, C4, C8: the person's data, "Atender", "Verificar identidad", bookings and places."""

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("agente", "#search", then=_open_file)
    )


@SIZES
def test_request_documents_dialog(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C8: documents and a deadline ten days ahead, filled in."""

    async def request(pilot: Any) -> None:
        await _open_file(pilot)
        await tap(pilot, "#request")
        await settle(pilot)

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("agente", "#search", then=request)
    )


@SIZES
def test_agenda(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C5: today's two appointments, one checked in; the check-in field has the focus."""
    assert snap_compare(make_counter(), terminal_size=size, run_before=_as("agente", "#agenda"))


@SIZES
def test_capacity_preview(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C6: the preview names the skipped days (a weekend and 8 December, a holiday)."""

    async def preview(pilot: Any) -> None:
        screen = pilot.app.screen
        screen.query_one("#from").value = "05-12-2026"
        screen.query_one("#to").value = "09-12-2026"
        await tap(pilot, "#preview")
        await settle(pilot)

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("super", "#capacity", then=preview)
    )


@SIZES
def test_capacity_opened(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C6, W2: opening times for the full procedure assigns the two people waiting."""

    async def open_times(pilot: Any) -> None:
        screen = pilot.app.screen
        screen.query_one("#procedure").value = "RD"
        screen.query_one("#from").value = "30-11-2026"
        screen.query_one("#to").value = "30-11-2026"
        screen.query_one("#hours").value = "09:00-10:00"
        await tap(pilot, "#open")
        await settle(pilot)
        await tap(pilot, "#yes")
        await settle(pilot)

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("super", "#capacity", then=open_times)
    )


@SIZES
def test_capacity_blocked(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C6, B12: blocking today's morning displaces the booked person (listed in a dialog, see
    test_counter_lifecycle_snapshots); once it is closed the figures stay under the buttons."""

    async def block(pilot: Any) -> None:
        screen = pilot.app.screen
        screen.query_one("#from").value = "23-11-2026"
        screen.query_one("#to").value = "23-11-2026"
        screen.query_one("#hours").value = "10:00-11:00"
        screen.query_one("#reason").value = "Corte de luz"
        await tap(pilot, "#block")
        await settle(pilot)
        await tap(pilot, "#yes")
        await settle(pilot)
        assert pilot.app.screen.query_one("#displaced").row_count == 1
        await tap(pilot, "#ok")
        await settle(pilot)
        pilot.app.screen.query_one("#capacity").scroll_end(animate=False)
        await settle(pilot)

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("super", "#capacity", then=block)
    )


@SIZES
def test_tickets(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C8, H3: the open ticket with its message, and the answer box."""
    assert snap_compare(make_counter(), terminal_size=size, run_before=_as("agente", "#tickets"))


@SIZES
def test_figures(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C7: waiting, oldest enrolment, free seats, bookings per day as a sparkline, no-shows."""
    assert snap_compare(make_counter(), terminal_size=size, run_before=_as("super", "#figures"))


@SIZES
def test_figures_waiting_room(
    snap_compare: Any, make_counter: Any, waiting_room: None, size: tuple[int, int]
) -> None:
    """Q5: under C7's table, "Sala de espera" per day (newest first) and agent: served, mean
    and 90th-percentile wait, mean service, in minutes; at 80x24 the page scrolls to it."""

    async def to_the_end(pilot: Any) -> None:
        await _tables_laid_out(pilot)
        pilot.app.screen.query_one("#figures-page").scroll_end(animate=False)
        await settle(pilot)

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("super", "#figures", then=to_the_end)
    )


@SIZES
def test_audit_log(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C1: the auditor filters by "staff." and sees the staff accounts and logins."""

    async def filtered(pilot: Any) -> None:
        pilot.app.screen.query_one("#action").focus()
        await pilot.press(*"staff.", "enter")
        await settle(pilot)

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("auditor", "#audit", then=filtered)
    )


@SIZES
def test_audit_event_detail(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """C1: Enter on the check-in: when, who by name, the booking by code and person, the raw
    subject, every detail on its own line."""

    async def detail(pilot: Any) -> None:
        await _tables_laid_out(pilot)
        pilot.app.screen.query_one("#events").focus()
        events = pilot.app.screen.query_one("#events")
        actions = [str(r[2]) for r in map(events.get_row_at, range(min(6, events.row_count)))]
        await pilot.press(*["down"] * actions.index("booking.checked_in"), "enter")
        await settle(pilot)

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("auditor", "#audit", then=detail)
    )


@pytest.mark.parametrize("username, button", [("super", None), ("agente", "#agenda")])
def test_counter_in_english(
    snap_compare: Any, make_counter: Any, counter_day: Any, username: str, button: str | None
) -> None:
    """K4: the desk and the agenda in English (120×40)."""
    steps = (button,) if button else ()
    assert snap_compare(
        make_counter("en"), terminal_size=(120, 40), run_before=_as(username, *steps)
    )
