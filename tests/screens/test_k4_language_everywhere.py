"""K4 (issue 16): F2 switches the language inside a dialog too, and every screen of the
stack follows the switch (the ones below show again later)."""

from __future__ import annotations

from typing import Any

from screens.dialogs.hold import HoldDialog
from screens.dialogs.still_there import StillThereDialog
from store.views import ApplicantView
from tests.screens.conftest import screen_text, settle, tap


async def test_k4_f2_inside_the_hold_dialog_switches_it_and_the_grid_below(
    make_kiosk: Any, registered: ApplicantView
) -> None:
    from tests.screens.test_reliability import _to_the_hold

    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_the_hold(pilot, registered.email)
        dialog = app.screen
        assert "Confirme su hora" in screen_text(app)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is dialog and isinstance(dialog, HoldDialog)
        text = screen_text(app)
        assert "Confirm your appointment" in text and "Confirme su hora" not in text
        assert app.screen.focused is not None  # the focus is kept: Enter still answers
        await pilot.press("escape")  # "Elegir otra hora": back to the grid, in English
        await settle(pilot)
        assert not isinstance(app.screen, HoldDialog)
        assert "Volver" not in screen_text(app)


async def test_k4_f2_inside_still_there_switches_it(make_kiosk: Any) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(StillThereDialog(lambda: 5))
        await settle(pilot)
        assert "¿Sigue ahí?" in screen_text(app)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(app)
        assert "Are you still there?" in text and "¿Sigue ahí?" not in text
        assert "in 5 seconds" in text


async def test_k4_the_screens_below_follow_the_switch(make_kiosk: Any) -> None:
    """Welcome in Spanish, on to the terms, F2, escape: the welcome is in English too."""
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        welcome = app.screen
        await tap(pilot, "#book")
        await settle(pilot)
        assert app.screen is not welcome
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is welcome
        text = screen_text(app)
        assert "Book an appointment" in text and "Reservar hora" not in text


async def test_k4_english_chosen_before_login_stays_and_becomes_the_accounts(
    make_kiosk: Any, kiosk_store: Any, registered: ApplicantView
) -> None:
    """F2 on the welcome, then log in (the account says Spanish): the kiosk stays in English,
    the account's language becomes English (its e-mails), and the booking's receipt is."""
    from screens.receipt import ReceiptScreen
    from tests.screens.test_reliability import _to_the_hold

    assert registered.language == "es"
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await _to_the_hold(pilot, registered.email)
        assert "Confirm your appointment" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert "Verification code" in screen_text(app)
    # Notices are kept as messages and read in the reader's language; e-mails and reminders
    # go out in the account's, which is now English.
    assert kiosk_store.applicant(registered.id).language == "en"


async def test_k4_without_a_choice_the_accounts_language_is_the_kiosks(
    make_kiosk: Any, kiosk_store: Any, registered: ApplicantView
) -> None:
    from tests.screens.conftest import log_in

    kiosk_store.set_language(registered.id, "en")
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, registered.email)
        assert "Hello" in screen_text(app)
    assert kiosk_store.applicant(registered.id).language == "en"


async def test_k4_f2_inside_a_question_says_it_again_in_each_language(make_kiosk: Any) -> None:
    """ "¿Salir sin guardar?" opened in Spanish: F2 says its title, sentence and both answers
    in English, F2 again in Kreyòl; the safe answer keeps the focus, and the form below keeps
    what was typed."""
    from textual.widgets import Input

    from screens.dialogs.confirm import ConfirmDialog
    from tests.screens.conftest import to_registration_form

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_registration_form(pilot)
        form = app.screen
        form.query_one("#given_names").focus()
        await pilot.press(*"Ana")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "¿Salir sin guardar?" in screen_text(app)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(app)
        assert "Leave without saving?" in text and "¿Salir sin guardar?" not in text
        assert "Seguir con el formulario" not in text
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(app)
        assert app.language == "ht" and "Leave without saving?" not in text
        from kiosk.i18n import translator

        assert translator("ht")("¿Salir sin guardar?") in text
        assert app.screen.focused is not None and app.screen.focused.id == "no"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form and form.query_one("#given_names", Input).value == "Ana"


async def test_k4_f2_inside_a_refusal_says_it_in_the_new_language(make_kiosk: Any) -> None:
    """A store's refusal is shown as a message, not a sentence fixed at the moment it came."""
    from screens.dialogs.message import MessageDialog
    from store.errors import Refused
    from store.text import N_

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        refusal = Refused("B8", "test", N_("Código de verificación: {code}"), {"code": "AB12"})
        app.screen.show_refusal(refusal)
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)
        assert "Código de verificación: AB12" in screen_text(app)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(app)
        assert "Verification code: AB12" in text and "No fue posible" not in text


async def test_k4_f2_in_an_open_list_leaves_the_focus_on_its_field(make_kiosk: Any) -> None:
    """F2 while the nationality list has the focus: the redraw closes the list, and the focus
    goes to the nationality field beside it, not nowhere (Down and Enter keep working)."""
    from tests.screens.conftest import to_registration_form

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_registration_form(pilot)
        app.screen.query_one("#nationality").focus()
        await pilot.press(*"hai", "down")
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id == "nationality-options"
        await pilot.press("f2")
        await settle(pilot)
        focused = app.screen.focused
        assert focused is not None and focused.id == "nationality", focused


async def test_b9_the_hold_says_until_when_the_time_can_be_cancelled(
    make_kiosk: Any, registered: ApplicantView
) -> None:
    """Said before "Confirmar la hora", in the person's language: STG allows cancelling up to
    24 hours before, so Monday 09:00 can be cancelled or changed until Sunday 09:00."""
    from tests.screens.test_reliability import _to_the_hold

    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_the_hold(pilot, registered.email)
        text = screen_text(app)
        assert "Podrá anularla o cambiarla hasta el domingo, 29 de noviembre de 2026, 09:00" in text
        await pilot.press("f2")
        await settle(pilot)
        assert "You can cancel or change it until Sunday, 29 November 2026, 09:00" in screen_text(
            app
        )
        # A time whose deadline is already past when it is held (a 48-hour office, a time
        # tomorrow), and an office that never allows it: each said, not discovered later.
        import dataclasses
        from datetime import timedelta

        dialog = app.screen
        now = app.clock.now()
        dialog.hold = dataclasses.replace(dialog.hold, cancel_until=now - timedelta(hours=1))
        assert "can no longer be cancelled or changed" in dialog._policy()
        dialog.hold = dataclasses.replace(dialog.hold, cancel_until=None)
        assert "does not allow" in dialog._policy()
