"""K5 on the registration form (issue 16): what a person typed is never lost by a key pressed
in passing. Escape closes an open list and nothing else; "Volver" or escape with typed data
asks first, with the safe answer focused; Enter means "next" (on the check box too) and, on the
last field, "Revisar mis datos"; Space ticks the box."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox, Input

from screens.dialogs.confirm import ConfirmDialog
from screens.registration import RegistrationScreen
from tests.screens.conftest import settle, to_registration_form


async def _typed(pilot: Any, field: str, text: str) -> None:
    pilot.app.screen.query_one(f"#{field}").focus()
    await pilot.press(*text)
    await settle(pilot)


async def test_k5_escape_closes_the_list_then_asks_before_the_form_is_lost(
    make_kiosk: Any,
) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_registration_form(pilot)
        form = app.screen
        assert isinstance(form, RegistrationScreen)
        await _typed(pilot, "given_names", "Ana María")
        await _typed(pilot, "nationality", "hai")
        picker = form.query_one("#nationality-picker")
        assert picker.has_class("-open")
        await pilot.press("escape")  # the list closes; the form stays
        await settle(pilot)
        assert app.screen is form and not picker.has_class("-open")
        assert form.query_one("#given_names", Input).value == "Ana María"
        await pilot.press("escape")  # now "Volver": typed data, so it asks
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.focused is not None and app.screen.focused.id == "no"
        await pilot.press("enter")  # the safe answer: back to the form, as it was
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#given_names", Input).value == "Ana María"
        assert form.query_one("#nationality", Input).value == "hai"
        await pilot.press("escape", "right", "enter")  # "Salir sin guardar"
        await settle(pilot)
        assert not isinstance(app.screen, (RegistrationScreen, ConfirmDialog))


async def test_k5_an_empty_form_is_left_without_a_question(make_kiosk: Any) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_registration_form(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, (RegistrationScreen, ConfirmDialog))


async def test_k5_enter_goes_on_space_ticks_and_the_last_field_leads_to_review(
    make_kiosk: Any,
) -> None:
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await to_registration_form(pilot)
        form = app.screen
        box = form.query_one("#no-second-surname", Checkbox)
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert box.value is False and not box.has_focus  # Enter went on, the answer stayed
        box.focus()
        await pilot.press("space")
        await settle(pilot)
        assert box.value is True and form.query_one("#second_surname", Input).disabled
        await _typed(pilot, "phone", "+56 9 1234 5678")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id == "review"


async def test_b5_k5_a_ticked_box_and_a_chosen_answer_differ_in_shape(make_kiosk: Any) -> None:
    """Not by colour alone: "▐ ▌" unticked and "▐X▌" ticked; "▐○▌" not chosen, "▐●▌" chosen."""
    from textual.widgets import RadioButton

    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await to_registration_form(pilot)
        box = app.screen.query_one("#no-second-surname", Checkbox)
        assert str(box.render()).startswith("▐ ▌")
        box.value = True
        await settle(pilot)
        assert str(box.render()).startswith("▐X▌")
        passport, cedula = app.screen.query(RadioButton)
        assert str(passport.render()).startswith("▐●▌")
        assert str(cedula.render()).startswith("▐○▌")


async def test_k5_a_keypad_gets_from_the_welcome_past_the_terms(make_kiosk: Any) -> None:
    """Arrows and Enter alone: down to "Ya tengo cuenta" and back up to "Reservar hora";
    Enter; on the terms, Enter ticks the box and the down arrow reaches "Continuar"."""
    from screens.registration import RegistrationScreen

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        assert app.screen.focused is not None and app.screen.focused.id == "login"
        await pilot.press("up", "enter")
        await settle(pilot)
        accept = app.screen.query_one("#accept", Checkbox)
        accept.focus()
        await pilot.press("enter")  # the terms' box: Enter ticks it (it is not a form)
        await settle(pilot)
        assert accept.value
        await pilot.press("down")
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id in ("continue", "back")
        if app.screen.focused.id == "back":
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RegistrationScreen)


async def test_k5_a_focused_choice_below_the_fold_is_scrolled_into_view(make_kiosk: Any) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#large-text")
        box.focus()
        await settle(pilot)
        assert box.region.bottom <= app.screen.size.height - 1  # above the footer, on screen
