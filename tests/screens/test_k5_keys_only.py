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
