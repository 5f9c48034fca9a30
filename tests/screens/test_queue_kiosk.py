"""Q1, Q2, Q5 at the kiosk: "Tengo una hora" checks a booking in by its code (as a scanner
types it) and prints a number; "Sacar número" gives a walk-in number with no account; a wrong
code gets one sentence and keeps what was typed; nothing personal stays after printing (K1).
Snapshots at 120×40 and 80×24."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col
from textual.widgets import Digits, Input

from kiosk.app import KioskApp
from screens.arrivals import CheckInScreen, QueueTicketScreen, WalkInScreen
from screens.welcome import WelcomeScreen
from store import Store
from store.codes import display_code
from store.models import Office, OfficeProcedure, Procedure
from tests.factories import applicants, open_day
from tests.screens.conftest import Outcomes, screen_text, settle, tap

MakeKiosk = Callable[..., KioskApp]
SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])


def _walk_in(store: Store, procedure: str = "RD") -> None:
    def work(session: Any) -> None:
        stg = session.scalar(sa.select(Office).where(col(Office.code) == "STG"))
        proc = session.scalar(sa.select(Procedure).where(col(Procedure.code) == procedure))
        session.get(OfficeProcedure, (stg.id, proc.id)).walk_in = True

    store.database.write(work)


@pytest.fixture
def today_booking(kiosk_store: Store) -> str:
    """Someone's booking at STG today (Monday 23 November) at 09:30; its code. RD is served
    without appointment at STG."""
    from datetime import date

    _walk_in(kiosk_store)
    open_day(kiosk_store, "STG", "RT", day=date(2026, 11, 23), hours="09:00-11:00")
    (person,) = applicants(kiosk_store, 1, start=40)
    slot = next(
        s.id
        for s in kiosk_store.slots("STG", "RT", date(2026, 11, 23), date(2026, 11, 23))
        if (s.start.hour, s.start.minute) == (9, 30)
    )
    code = kiosk_store.book(person, slot).code
    assert code is not None
    return code


def _printed(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "receipts").glob("queue-*.pdf"))


async def test_q1_a_scanned_code_checks_in_and_prints_a_number(
    make_kiosk: MakeKiosk, today_booking: str, tmp_path: Path, outcomes: Outcomes
) -> None:
    app = make_kiosk(office="STG")
    async with app.run_test(size=(80, 24), message_hook=outcomes) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # K5: the arrows reach "Tengo una hora"
        await settle(pilot)
        assert isinstance(app.screen, CheckInScreen)
        # A scanner types the code from the receipt's QR and presses Enter.
        await pilot.press(*today_booking.lower(), "enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueTicketScreen)
        assert app.screen.query_one("#queue-number", Digits).value == "1"
        text = screen_text(app)
        assert "Nadie está antes que usted." in text
        assert "sin estimación" in text
        # K1: no code, no name on screen; the screen typed into is gone.
        assert display_code(today_booking) not in text and today_booking not in text
        assert not any(isinstance(s, CheckInScreen) for s in app.screen_stack)
        assert len(_printed(tmp_path)) == 1
        await pilot.press("enter")  # "Listo"
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
    assert outcomes.kinds()[-2:] == ["NumberScreen.Numbered", "QueueTicketScreen.Finished"]


async def test_q1_a_wrong_code_gets_one_sentence_and_keeps_the_typing(
    make_kiosk: MakeKiosk, today_booking: str, tmp_path: Path
) -> None:
    app = make_kiosk(office="STG")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await tap(pilot, "#check-in")
        await settle(pilot)
        await pilot.press(*"ZZZZ9999", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CheckInScreen)
        assert app.screen.query_one("#code", Input).value == "ZZZZ9999"
        error = str(app.screen.query_one("#code-error").render())
        assert error and "\n" not in error.strip()
        assert not _printed(tmp_path)
        await pilot.press("f2")  # K4: the sentence says itself again in English, not gone
        await settle(pilot)
        assert "not an appointment code" in str(app.screen.query_one("#code-error").render())
        assert app.screen.query_one("#code", Input).value == "ZZZZ9999"
        # The right code typed over it (the wrong one is selected, so it is replaced).
        await pilot.press(*today_booking, "enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueTicketScreen)


async def test_q2_a_walk_in_takes_a_number_without_an_account(
    make_kiosk: MakeKiosk, today_booking: str, tmp_path: Path
) -> None:
    app = make_kiosk(office="STG", language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # "Take a number"
        await settle(pilot)
        assert isinstance(app.screen, WalkInScreen)
        text = screen_text(app)  # only what STG serves without appointment is offered
        assert "Residencia definitiva" in text and "Residencia temporal" not in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueTicketScreen)
        assert app.screen.query_one("#queue-number", Digits).value == "1"
        assert "Nobody is ahead of you." in screen_text(app)
        assert app.session is None
        assert len(_printed(tmp_path)) == 1


async def test_q1_q2_no_queue_buttons_on_a_kiosk_without_an_office(make_kiosk: MakeKiosk) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.query("#check-in") and not app.screen.query("#walk-in")


def _at(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@SIZES
def test_snapshot_welcome_in_an_office(
    snap_compare: Any, make_kiosk: MakeKiosk, size: tuple[int, int]
) -> None:
    """Q1, Q2: the two waiting-room buttons under "Reservar hora"."""
    assert snap_compare(make_kiosk(office="STG"), terminal_size=size, run_before=_at())


@SIZES
def test_snapshot_check_in_after_a_wrong_code(
    snap_compare: Any, make_kiosk: MakeKiosk, today_booking: str, size: tuple[int, int]
) -> None:
    assert snap_compare(
        make_kiosk(office="STG"),
        terminal_size=size,
        run_before=_at("down", "enter", *"ZZZZ9999", "enter"),
    )


@SIZES
def test_snapshot_walk_in_procedures(
    snap_compare: Any, make_kiosk: MakeKiosk, today_booking: str, size: tuple[int, int]
) -> None:
    assert snap_compare(
        make_kiosk(office="STG"), terminal_size=size, run_before=_at("down", "down", "enter")
    )


@SIZES
def test_snapshot_the_number_in_kreyol(
    snap_compare: Any, make_kiosk: MakeKiosk, today_booking: str, size: tuple[int, int]
) -> None:
    """Q5: a second walk-in: one person ahead, no estimate yet; in Kreyòl."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.store.queue_take("STG", "RD")
        await _at("down", "down", "enter", "enter", "f2", "f2")(pilot)

    assert snap_compare(make_kiosk(office="STG"), terminal_size=size, run_before=run_before)


async def test_q1_checking_in_again_at_once_says_the_number_was_printed_already(
    make_kiosk: MakeKiosk, today_booking: str, tmp_path: Path
) -> None:
    """K3: the same number again within moments prints nothing more, and the screen says so
    instead of sending the person to an empty printer; F2 keeps the line, in English."""
    app = make_kiosk(office="STG")
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(2):
            await settle(pilot)
            await tap(pilot, "#check-in")
            await settle(pilot)
            await pilot.press(*today_booking, "enter")
            await settle(pilot)
            assert isinstance(app.screen, QueueTicketScreen)
            if _ == 0:
                assert "Número impreso." in screen_text(app)
                await pilot.press("enter")
        assert "ya se imprimió hace un momento" in screen_text(app)
        assert len(_printed(tmp_path)) == 1
        await pilot.press("f2")
        await settle(pilot)
        assert "printed a moment ago" in screen_text(app)
