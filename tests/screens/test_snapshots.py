"""Snapshots of every kiosk screen and dialog at 120×40 and 80×24 (Spanish), the main ones in
English. Fixed clock, no cursor blink, no animation, fixed theme."""

from __future__ import annotations

from typing import Any

import pytest

from tests.screens.conftest import log_in, settle, tap

pytestmark = pytest.mark.usefixtures("fixed_codes")
SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])


async def _to_terms(pilot: Any) -> None:
    await tap(pilot, "#book")
    await settle(pilot)


async def _to_form(pilot: Any) -> None:
    await _to_terms(pilot)
    await tap(pilot, "#accept")
    await tap(pilot, "#continue")
    await settle(pilot)


async def _home(pilot: Any) -> None:
    await log_in(pilot, "jose@correo.cl")


async def _procedures(pilot: Any) -> None:
    await _home(pilot)
    await tap(pilot, "#book")
    await settle(pilot)


async def _offices(pilot: Any) -> None:
    await _procedures(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _slots(pilot: Any) -> None:
    await _offices(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _hold(pilot: Any) -> None:
    await _slots(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _receipt(pilot: Any) -> None:
    await _hold(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _waitlist(pilot: Any) -> None:
    await _procedures(pilot)
    await pilot.press("down", "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


@SIZES
def test_welcome(snap_compare: Any, make_kiosk: Any, size: tuple[int, int]) -> None:
    """Welcome: language switch, four actions with "Reservar hora" focused, display choices."""
    assert snap_compare(make_kiosk(), terminal_size=size)


@SIZES
def test_terms(snap_compare: Any, make_kiosk: Any, size: tuple[int, int]) -> None:
    """A1: the terms with "Continuar" disabled until accepted."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_to_terms)


@SIZES
def test_registration_form(snap_compare: Any, make_kiosk: Any, size: tuple[int, int]) -> None:
    """A2: the empty registration form, document type first."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_to_form)


@SIZES
def test_registration_errors(snap_compare: Any, make_kiosk: Any, size: tuple[int, int]) -> None:
    """A2–A7: "Revisar mis datos" on an empty form: a message under every required field."""

    async def run(pilot: Any) -> None:
        await _to_form(pilot)
        await tap(pilot, "#review")
        await settle(pilot)
        pilot.app.screen.query_one("#registration-form").scroll_home(animate=False)
        await pilot.pause()

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_login(snap_compare: Any, make_kiosk: Any, size: tuple[int, int]) -> None:
    """A9–A11: e-mail or document, password, "Olvidé mi contraseña"."""

    async def run(pilot: Any) -> None:
        await tap(pilot, "#login")
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_recovery(snap_compare: Any, make_kiosk: Any, size: tuple[int, int]) -> None:
    """A10: recovery without e-mail."""

    async def run(pilot: Any) -> None:
        await tap(pilot, "#login")
        await settle(pilot)
        await tap(pilot, "#forgot")
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_home(snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]) -> None:
    """B1, W3, M1: region, bookings, waitlist places, mailbox with unread count."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_home)


@SIZES
def test_procedure(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """B2: procedures with the documents to bring for the highlighted one."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_procedures)


@SIZES
def test_office(snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]) -> None:
    """B3: the region's offices with their next free time."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_offices)


@SIZES
def test_slot_grid(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """B5: the week grid with legend; every state has a word, not only a colour."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_slots)


@SIZES
def test_slot_list(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """B5: the same times as a list, for screen readers and small terminals."""

    async def run(pilot: Any) -> None:
        await _slots(pilot)
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_hold_dialog(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """B6: the held time with its countdown and the confirm button focused."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_hold)


@SIZES
def test_receipt(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """B7: the verification code, details, documents to bring, printed."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_receipt)


@SIZES
def test_waitlist_offer(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """W1: a full office offers automated assignment."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_waitlist)


@SIZES
def test_mailbox(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """M1, M2: the notices with an opened one and its print button."""

    async def run(pilot: Any) -> None:
        await _home(pilot)
        await tap(pilot, "#mailbox")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_help(snap_compare: Any, make_kiosk: Any, size: tuple[int, int]) -> None:
    """H4: help for anyone, with the "free of charge" warning."""

    async def run(pilot: Any) -> None:
        await tap(pilot, "#help")
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_ticket_form(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """H1: the help ticket form."""

    async def run(pilot: Any) -> None:
        await _home(pilot)
        await tap(pilot, "#help")
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_still_there_dialog(
    snap_compare: Any, make_kiosk: Any, registered: Any, ticker: Any, size: tuple[int, int]
) -> None:
    """K1: "¿Sigue ahí?" with the seconds left."""

    async def run(pilot: Any) -> None:
        await _home(pilot)
        ticker.now += 91
        pilot.app.guard_idle()
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_withdraw_dialog(
    snap_compare: Any, make_kiosk: Any, registered: Any, kiosk_store: Any, size: tuple[int, int]
) -> None:
    """W4: leaving the list warns that the place and the date are lost; "Volver" focused."""
    kiosk_store.enrol(registered.id, "STG", "RD")

    async def run(pilot: Any) -> None:
        await _home(pilot)
        await tap(pilot, "#withdraw-0")
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_region_dialog(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """B1: choosing the region of domicile."""

    async def run(pilot: Any) -> None:
        await _home(pilot)
        await tap(pilot, "#change-region")
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@SIZES
def test_refusal_dialog(
    snap_compare: Any, make_kiosk: Any, registered: Any, size: tuple[int, int]
) -> None:
    """A refusal as one sentence in a dialog (B8: a second booking of the same procedure)."""

    async def run(pilot: Any) -> None:
        await _receipt(pilot)
        await tap(pilot, "#back")
        await settle(pilot)
        await _book_again(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


async def _book_again(pilot: Any) -> None:
    await tap(pilot, "#book")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


@SIZES
def test_staff_exit_dialog(snap_compare: Any, make_kiosk: Any, size: tuple[int, int]) -> None:
    """K2: only a staff login closes the kiosk (F12)."""

    async def run(pilot: Any) -> None:
        await pilot.press("f12")
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("journey", ["welcome", "home", "slots", "receipt"])
def test_english(
    snap_compare: Any, make_kiosk: Any, registered: Any, kiosk_store: Any, journey: str
) -> None:
    """K4: the main screens in English (the applicant's language follows their account)."""
    steps = {"welcome": None, "home": _home, "slots": _slots, "receipt": _receipt}
    kiosk_store.set_language(registered.id, "en")
    assert snap_compare(make_kiosk("en"), terminal_size=(120, 40), run_before=steps[journey])


@SIZES
@pytest.mark.parametrize("journey", ["welcome", "registration", "slots", "receipt"])
def test_kreyol(
    snap_compare: Any,
    make_kiosk: Any,
    registered: Any,
    kiosk_store: Any,
    journey: str,
    size: tuple[int, int],
) -> None:
    """K4 (issue 16): the welcome, the registration form, the time grid and the receipt in
    Kreyòl, at both sizes: Kreyòl words, day and month names, the procedure's Kreyòl name."""
    steps = {"welcome": None, "registration": _to_form, "slots": _slots, "receipt": _receipt}
    kiosk_store.set_language(registered.id, "ht")
    assert snap_compare(make_kiosk("ht"), terminal_size=size, run_before=steps[journey])
