"""The counter as staff met it (issue 14): after a refused check-in what was typed is
selected, so the next code replaces it instead of being appended to it; back from a file, the
search list shows what was done there."""

from __future__ import annotations

from textual.widgets import Input

from store import Store
from store.views import ApplicantView
from tests.screens.conftest import screen_text, settle, staff_log_in, tap
from tests.screens.test_counter import TODAY, MakeCounter, _cells, first_free_today


async def test_c5_a_refused_check_in_selects_what_was_typed(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    kiosk_store.open_capacity("STG", "RT", TODAY, TODAY, "10:00-11:00", 30)
    booking = kiosk_store.book(registered.id, first_free_today(kiosk_store))
    assert booking.code is not None
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await staff_log_in(pilot, "agente")
        await tap(pilot, "#agenda")
        await settle(pilot)
        await pilot.press(*"P9999999", "enter")  # nobody's document
        await settle(pilot)
        field = app.screen.query_one("#arrival", Input)
        assert field.value == "P9999999" and field.selected_text == "P9999999"
        assert app.focused is field
        await pilot.press(*booking.code.lower(), "enter")  # typed over, not appended
        await settle(pilot)
        assert "Llegada registrada: Wyddeline Ñusta Désir Saint-Fleur, 10:00." in screen_text(app)
    assert kiosk_store.agenda("STG")[0].status == "checked_in"


async def test_c3_c4_the_search_list_shows_what_was_done_in_the_file(
    make_counter: MakeCounter, registered: ApplicantView
) -> None:
    """Verified at the counter in the file, then back: the list says "sí" on the same row."""
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await staff_log_in(pilot, "agente")
        await tap(pilot, "#search")
        await settle(pilot)
        await pilot.press(*"desir", "enter")
        await settle(pilot)
        assert _cells(app, "#results")[0][2] == "no"
        await pilot.press("enter")
        await settle(pilot)
        await tap(pilot, "#verify")
        await settle(pilot)
        await tap(pilot, "#yes")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert _cells(app, "#results")[0][2] == "sí"
