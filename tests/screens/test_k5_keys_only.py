"""K5 (issue 16): a keypad with arrows and Enter, and a keyboard for the letters, is enough for
the whole journey: the welcome, the terms, the registration form, the review, the password
shown once, the login and the password change, the home, a procedure, an office, a time, the
hold and the receipt. No Tab, no mouse: every step below is a key a keypad has or a letter."""

from __future__ import annotations

import re
from typing import Any

from tests.screens.conftest import screen_text, settle

KEYPAD = {"up", "down", "left", "right", "enter", "space", "escape"}


async def test_k5_register_log_in_and_book_with_arrows_enter_and_letters(
    make_kiosk: Any, kiosk_store: Any
) -> None:
    from screens.home import HomeScreen
    from screens.receipt import ReceiptScreen

    app = make_kiosk()
    seen: list[str] = []

    async def keys(*pressed: str) -> None:
        assert all(k in KEYPAD or len(k) == 1 for k in pressed), pressed
        await pilot.press(*pressed)
        await settle(pilot)
        seen.append(type(app.screen).__name__)

    async def typed(text: str) -> None:
        await keys(*text, "enter")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await keys("enter")  # "Reservar hora"
        await keys("space", "down", "down", "enter")  # tick the terms, on to "Continuar"
        assert seen[-1] == "RegistrationScreen"
        await keys("enter")  # Pasaporte ordinario, already chosen: Enter goes on
        await typed("P7654321")
        await typed("01-01-2031")
        await typed("Ana María")
        await typed("Pérez")
        await typed("Soto")
        await keys("enter")  # past "No tengo segundo apellido", left unticked
        await typed("ana.perez@correo.cl")
        await typed("ana.perez@correo.cl")
        await keys(*"vene", "down", "enter")  # the list's first match: Venezuela
        await typed("01-05-1990")
        # The region list opens on "Elija su región"; the seventh below is Metropolitana.
        await keys("enter", *["down"] * 7, "enter")
        await keys("enter")  # the phone is optional: on to "Revisar mis datos"
        await keys("enter")
        assert seen[-1] == "ReviewScreen", screen_text(app)
        await keys("enter")  # "Confirmar"
        assert seen[-1] == "RegisteredScreen"
        found = re.search(r"\n(\S{10,})\n", screen_text(app))
        assert found, screen_text(app)
        temporary = found.group(1)  # read off the screen, as the person does
        await keys("enter")  # "Ingresar": the login, the e-mail already filled in
        await typed(temporary)
        await typed("Una-clave-nueva-2026")  # the new password, twice
        await typed("Una-clave-nueva-2026")
        assert isinstance(app.screen, HomeScreen), (seen, screen_text(app))
        await keys("enter")  # "Reservar hora", focused
        assert seen[-1] == "ProcedureScreen"
        await keys("enter")  # the first procedure
        await keys("enter")  # the first office, with free times
        await keys("enter")  # the first free time, focused in the grid
        assert seen[-1] == "HoldDialog", screen_text(app)
        await keys("enter")  # "Confirmar la hora"
        assert isinstance(app.screen, ReceiptScreen), (seen, screen_text(app))
    person = kiosk_store.login("ana.perez@correo.cl", "Una-clave-nueva-2026")
    assert person.region == "CL-RM"
    assert [b.status for b in kiosk_store.bookings_of(person.id)] == ["confirmed"]


async def test_k5_the_receipt_is_read_to_its_end_and_left_with_the_arrows(
    make_kiosk: Any, registered: Any
) -> None:
    """At 80×24 the receipt is longer than the screen: down scrolls to its last line (the
    documents to bring, the reminder to print), right reaches "Volver", and Enter there goes."""
    from screens.receipt import ReceiptScreen
    from tests.screens.test_reliability import _to_the_hold

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_the_hold(pilot, registered.email)
        await pilot.press("enter")
        await settle(pilot)
        receipt = app.screen
        assert isinstance(receipt, ReceiptScreen)
        page = receipt.query_one("#receipt")
        assert page.max_scroll_y > 0  # there is something below the fold to reach
        assert receipt.focused is not None and receipt.focused.id == "print"
        for _ in range(page.max_scroll_y):
            await pilot.press("down")
        await settle(pilot)
        assert page.scroll_y == page.max_scroll_y
        await pilot.press("up")
        await settle(pilot)
        assert page.scroll_y < page.max_scroll_y
        await pilot.press("right")
        assert receipt.focused is not None and receipt.focused.id == "back"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is not receipt


async def test_k5_the_week_buttons_are_reached_from_the_grid_with_the_arrows(
    make_kiosk: Any, registered: Any
) -> None:
    """Down past the grid's last row lands on the buttons under it; right walks them to
    "Semana siguiente"; up from the first comes back into the grid. The footer names the
    page keys as the keyboard in the person's language prints them."""
    from screens.slots import SlotsScreen
    from screens.widgets.slot_grid import SlotGrid
    from tests.screens.conftest import log_in, tap

    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#book")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SlotsScreen)
        grid = screen.query_one(SlotGrid)
        assert grid.has_focus
        await pilot.press(*["down"] * len(grid.times))
        assert screen.focused is not None and screen.focused.id == "back"
        await pilot.press("right", "right")
        assert screen.focused is not None and screen.focused.id == "next"
        await pilot.press("left", "left", "up")
        assert grid.has_focus
        await pilot.press("f2")
        await settle(pilot)
        names = {active.binding.key_display for active in app.screen.active_bindings.values()}
        assert {"PgUp", "PgDn"} <= names and "RePág" not in names


async def test_k5_down_into_the_nationality_list_highlights_the_first_match_in_kreyol(
    make_kiosk: Any,
) -> None:
    """ "hai", Down: the first match ("Haití") is the one highlighted, not the second; a Kreyòl
    reader sees the Spanish country names (Babel would give French: "Haïti", "Thaïlande")."""
    from textual.widgets import OptionList

    from tests.screens.conftest import to_registration_form

    app = make_kiosk("ht")
    async with app.run_test(size=(80, 24)) as pilot:
        await to_registration_form(pilot)
        app.screen.query_one("#nationality").focus()
        await pilot.press(*"hai", "down")
        await settle(pilot)
        options = app.screen.query_one("#nationality-options", OptionList)
        assert options.has_focus and options.highlighted == 0
        first = str(options.get_option_at_index(0).prompt)
        assert first == "Haití", first
        names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "Thaïlande" not in names


async def test_k5_the_terms_text_is_read_with_down_and_left_at_its_end(make_kiosk: Any) -> None:
    """At 80×24 the terms scroll: up from the box into the text, down reads it to its end, and
    one more down goes on to the box again (it held the focus before)."""
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.query_one("#terms-text")
        assert text.max_scroll_y > 0
        await pilot.press("up")
        assert text.has_focus
        await pilot.press(*["down"] * (text.max_scroll_y + 1))
        await settle(pilot)
        assert text.scroll_y == text.max_scroll_y
        focused = app.screen.focused
        assert focused is not None and focused.id == "accept"


async def test_k5_up_and_down_in_a_form_move_between_its_fields(make_kiosk: Any) -> None:
    """Walked at 80×24: up in "Segundo apellido" scrolled the page until the field was gone.
    Up goes to the field above and down to the one below, each scrolled into view."""
    from tests.screens.conftest import to_registration_form

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_registration_form(pilot)
        form = app.screen
        form.query_one("#second_surname").focus()
        await settle(pilot)
        await pilot.press("up")
        await settle(pilot)
        assert form.focused is not None and form.focused.id == "first_surname"
        await pilot.press("down", "down")
        await settle(pilot)
        focused = form.focused
        assert focused is not None and focused.id == "no-second-surname"
        page = form.query_one("#registration-form")
        assert page.region.contains_region(focused.region)  # on screen, not scrolled away


async def test_k5_the_arrows_move_between_the_login_fields_and_buttons(
    make_kiosk: Any, registered: Any
) -> None:
    """Walked at 80×24: in the login's fields the arrows did nothing, so "Olvidé mi
    contraseña" and "Volver" needed Tab; and in the new password's first field the second
    typing went into the first. Down and up move between fields and buttons."""
    from textual.widgets import Input

    from screens.login import ChangePasswordScreen, LoginScreen
    from tests.screens.conftest import PASSWORD, tap

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await tap(pilot, "#login")
        await settle(pilot)
        login = app.screen
        assert isinstance(login, LoginScreen)
        login.query_one("#identifier").focus()
        await pilot.press("down")
        assert login.focused is not None and login.focused.id == "password"
        await pilot.press("up")
        assert login.focused is not None and login.focused.id == "identifier"
        await pilot.press(*registered.email, "down", *PASSWORD, "enter")
        await settle(pilot)
        assert not isinstance(app.screen, LoginScreen)  # logged in, keys alone
        app.push_screen(ChangePasswordScreen(PASSWORD))
        await settle(pilot)
        change = app.screen
        first = change.focused
        assert isinstance(first, Input)
        await pilot.press("down")
        second = change.focused
        assert isinstance(second, Input) and second is not first
        await pilot.press("down")
        assert change.focused is not None and change.focused.id == "save"


async def test_k5_a_chosen_region_is_left_with_the_arrows(make_kiosk: Any) -> None:
    """Walked: Down on the region field reopened its list, forever. Enter opens it; up and
    down go to the fields around it."""
    from textual.widgets import Select

    from tests.screens.conftest import to_registration_form

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_registration_form(pilot)
        form = app.screen
        region = form.query_one("#region", Select)
        region.focus()
        await pilot.press("down")
        assert form.focused is not None and form.focused.id == "phone"
        await pilot.press("up", "up")
        assert form.focused is not None and form.focused.id == "birth_date"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert region.expanded
