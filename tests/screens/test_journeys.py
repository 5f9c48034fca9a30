"""Pilot walks through the applicant's journeys end to end (A, B, W, M, K): each step's outcome
message and the screen the journey showed after it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Select, Static

from kiosk.app import KioskApp
from screens.home import HomeScreen
from screens.login import ChangePasswordScreen, LoginScreen
from screens.mailbox import MailboxScreen
from screens.office import OfficeScreen
from screens.receipt import ReceiptScreen
from screens.registered import RegisteredScreen
from screens.registration import RegistrationScreen
from screens.review import ReviewScreen
from screens.slots import SlotsScreen
from screens.waitlist import WaitlistScreen
from screens.welcome import WelcomeScreen
from store import Store
from store.forms import ApplicantForm
from store.views import ApplicantView, Registration
from tests.factories import MONDAY, open_day
from tests.screens.conftest import (
    PASSWORD,
    KioskPilot,
    Outcomes,
    Ticker,
    log_in,
    screen_text,
    settle,
    tap,
    to_registration_form,
)

MakeKiosk = Callable[..., KioskApp]


async def _type_into(pilot: KioskPilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    await pilot.pause()
    widget.value = ""
    await pilot.press(*text)


async def test_a1_to_b7_new_applicant_registers_changes_password_books_and_prints(
    make_kiosk: MakeKiosk, tmp_path: Path, outcomes: Outcomes
) -> None:
    app = make_kiosk()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await pilot.press("enter")  # the primary action has the focus
        await settle(pilot)
        assert app.screen.query_one("#continue").disabled  # A1: not before accepting
        await tap(pilot, "#accept")
        await tap(pilot, "#continue")
        await settle(pilot)
        await tap(pilot, "#doc-cedula")
        values = {
            "#document_number": "12.345.678-5",
            "#document_expiry": "01-01-2030",
            "#given_names": "Wyddeline Ñusta",
            "#first_surname": "Désir",
            "#email": "W.Desir@Correo.cl",
            "#email_confirmation": "w.desir@correo.cl",
            "#birth_date": "30-09-1993",
        }
        for selector, text in values.items():
            await _type_into(pilot, selector, text)
        await tap(pilot, "#no-second-surname")  # A3
        await _type_into(pilot, "#nationality", "hait")
        await pilot.press("enter")
        app.screen.query_one("#region", Select).value = "CL-RM"
        await pilot.pause()
        await tap(pilot, "#review")
        await settle(pilot)
        assert outcomes.last(RegistrationScreen.Checked).clean.second_surname == "Désir"  # A3
        assert isinstance(app.screen, ReviewScreen)
        assert "Registro: revise sus datos" in screen_text(app)
        assert "Désir" in screen_text(app) and "Haití" in screen_text(app)
        await tap(pilot, "#confirm")
        await settle(pilot)
        registration = outcomes.last(ReviewScreen.Registered).registration
        assert registration.applicant.email == "w.desir@correo.cl"
        assert isinstance(app.screen, RegisteredScreen)
        password = str(app.screen.query_one("#temporary-password", Static).render())
        assert password == registration.temporary_password
        assert len(password) >= 10 and "Registro completado" in screen_text(app)
        # A8, K7: the training (folder) printer keeps no slip, and the screen says so.
        assert not list((tmp_path / "receipts").glob("credentials-*.pdf"))
        assert "Esta impresora de práctica no imprime ni guarda" in screen_text(app)
        await tap(pilot, "#login")
        await settle(pilot)
        assert app.screen.query_one("#identifier", Input).value == "w.desir@correo.cl"
        assert len(app.screen_stack) == 3  # the registration screens are gone: welcome, login
        await pilot.press(*password, "enter")
        await settle(pilot)
        assert outcomes.last(LoginScreen.LoggedIn).applicant.must_change_password
        assert isinstance(app.screen, ChangePasswordScreen)  # A9
        await pilot.press(*PASSWORD, "enter", *PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await tap(pilot, "#book")
        await settle(pilot)
        await pilot.press("enter")  # the first procedure: Residencia temporal
        await settle(pilot)
        await pilot.press("enter")  # the first office: STG, with free times
        await settle(pilot)
        await pilot.press("enter")  # the first free time is focused
        await settle(pilot)
        assert "Confirme su hora" in screen_text(app) and "5:00" in screen_text(app)  # B6 countdown
        await pilot.press("enter")
        await settle(pilot)
        booked = outcomes.last(SlotsScreen.Booked).booking
        assert isinstance(app.screen, ReceiptScreen) and app.screen.booking == booked
        assert isinstance(app.screen_stack[-2], HomeScreen)  # home underneath the receipt
        code = app.screen.booking.code
        assert code and app.screen.booking.status == "confirmed"
        assert (tmp_path / "receipts" / f"booking-{code}.pdf").exists()  # B7: printed
        await tap(pilot, "#print")  # K3: a second press within the window prints nothing new
        await settle(pilot)
        assert len(list((tmp_path / "receipts").glob("booking-*.pdf"))) == 1
    assert outcomes.kinds() == [
        "WelcomeScreen.BookChosen",
        "TermsScreen.Accepted",
        "RegistrationScreen.Checked",
        "ReviewScreen.Registered",
        "RegisteredScreen.LoginChosen",
        "LoginScreen.LoggedIn",
        "ChangePasswordScreen.PasswordChanged",
        "HomeScreen.BookChosen",
        "ProcedureScreen.Chosen",
        "OfficeScreen.Chosen",
        "SlotsScreen.Booked",
    ]


async def test_w1_w2_full_office_enrol_then_capacity_assigns_and_mailbox_shows_it(
    make_kiosk: MakeKiosk,
    registered: ApplicantView,
    kiosk_store: Store,
    tmp_path: Path,
    outcomes: Outcomes,
) -> None:
    app = make_kiosk()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#book")
        await settle(pilot)
        await pilot.press("down", "enter")  # Residencia definitiva: no times at STG
        await settle(pilot)
        assert "personas en espera" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        chosen = outcomes.last(OfficeScreen.Chosen)
        assert chosen.offering.next_free is None and isinstance(app.screen, WaitlistScreen)
        await tap(pilot, "#enrol")
        await settle(pilot)
        await tap(pilot, "#yes")
        await settle(pilot)
        assert "Inscripción confirmada" in screen_text(
            app
        ) and "lugar en la lista: 1" in screen_text(app)
        assert list((tmp_path / "receipts").glob("waitlist-*.pdf"))
        await tap(pilot, "#home")
        await settle(pilot)
        outcomes.last(WaitlistScreen.HomeChosen)
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 3
        assert "lugar 1" in screen_text(app)  # W3: position and enrolment date at home
        # A supervisor opens capacity through the store: W2 assigns at once.
        opened = open_day(kiosk_store, "STG", "RD", MONDAY, "11:00-11:30", 30)
        assert opened.assigned == 1
        assert isinstance(app.screen, HomeScreen)
        app.screen.reload()
        await settle(pilot)
        assert "No está inscrito en ninguna lista." in screen_text(app)
        assert "sin leer" in str(app.screen.query_one("#mailbox", Button).label)  # M1 count
        await tap(pilot, "#mailbox")
        await settle(pilot)
        outcomes.last(HomeScreen.MailboxChosen)
        await pilot.press("enter")  # the newest notice: the assignment
        await settle(pilot)
        assert isinstance(app.screen, MailboxScreen)
        assert app.screen.opened is not None and app.screen.opened.booking_code


async def test_w4_withdrawal_warns_and_frees_the_place(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store
) -> None:
    kiosk_store.enrol(registered.id, "STG", "RD")
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#withdraw-0")
        await settle(pilot)
        assert "Perderá su lugar" in screen_text(app)
        assert app.screen.focused is not None and app.screen.focused.id == "no"  # safe default
        # K5: with the arrows and Enter alone, the other answer is one arrow away.
        await pilot.press("right")
        assert app.screen.focused is not None and app.screen.focused.id == "yes"
        await pilot.press("left")
        assert app.screen.focused is not None and app.screen.focused.id == "no"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert kiosk_store.waitlist("STG", "RD") == []


async def test_a11_lockout_says_until_when(
    make_kiosk: MakeKiosk, registered: ApplicantView
) -> None:
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await tap(pilot, "#login")
        await settle(pilot)
        await pilot.press(*registered.email, "enter")
        for _attempt in range(5):
            await pilot.press(*"wrong-password", "enter")
            await settle(pilot)
        message = str(app.screen.query_one("#password-error", Static).render())
        assert "bloqueada" in message and ":" in message
        assert app.screen.query_one("#identifier", Input).value == registered.email


async def test_k1_idle_reset_forgets_everything(
    make_kiosk: MakeKiosk, registered: ApplicantView, ticker: Ticker
) -> None:
    app = make_kiosk(idle_seconds=90)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, registered.email)
        assert isinstance(app.screen, HomeScreen)
        ticker.now += 91
        app.guard_idle()
        await settle(pilot)
        assert "¿Sigue ahí?" in screen_text(app)
        ticker.now += 31
        app.guard_idle()
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen) and app.session is None
        shown = "\n".join(
            str(w.render()) for screen in app.screen_stack for w in screen.query(Static)
        )
        values = [w.value for screen in app.screen_stack for w in screen.query(Input)]
        assert "Wyddeline" not in shown and registered.email not in values
        assert len(app.screen_stack) == 2


async def test_k1_answering_keeps_the_session(
    make_kiosk: MakeKiosk, registered: ApplicantView, ticker: Ticker
) -> None:
    app = make_kiosk(idle_seconds=90)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, registered.email)
        ticker.now += 91
        app.guard_idle()
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        ticker.now += 40
        app.guard_idle()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.session is not None


async def test_k2_quit_keys_and_palette_do_nothing(make_kiosk: MakeKiosk) -> None:
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+q", "ctrl+c", "ctrl+p")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, WelcomeScreen)
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press(*"nobody", "enter")
        await settle(pilot)
        assert app.is_running  # only a staff login closes the kiosk


async def test_k4_switching_language_redraws_screen_and_footer_and_keeps_input(
    make_kiosk: MakeKiosk,
) -> None:
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await tap(pilot, "#login")
        await settle(pilot)
        await pilot.press(*"ana@correo.cl")
        await pilot.press("f2")
        await settle(pilot)
        assert "Log in" in screen_text(app) or "Email or document number" in screen_text(app)
        assert app.screen.query_one("#identifier", Input).value == "ana@correo.cl"
        footer = [active.binding.description for active in app.screen.active_bindings.values()]
        assert "Back" in footer and "Volver" not in footer


async def test_a2_a7_wrong_input_on_every_field_says_what_to_fix_and_keeps_it(
    make_kiosk: MakeKiosk,
) -> None:
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await to_registration_form(pilot)
        await tap(pilot, "#doc-cedula")
        wrong = {
            "document_number": "12.345.678-9",
            "document_expiry": "31-02-2030",
            "given_names": "Ana[b]1",
            "first_surname": "O'Higgins 2",
            "second_surname": "@@",
            "email": "ana@correo.cl",
            "email_confirmation": "otra@correo.cl",
            "birth_date": "01-01-2990",
            "phone": "12",
        }
        for field, text in wrong.items():
            await _type_into(pilot, f"#{field}", text)
        await tap(pilot, "#review")
        await settle(pilot)
        for field, text in wrong.items():
            assert app.screen.query_one(f"#{field}", Input).value == text, field
            if field == "email":
                continue  # valid here; its confirmation is what differs
            message = str(app.screen.query_one(f"#{field}-error", Static).render())
            assert message.strip(), f"no message under {field}"
        # As you type: a broken e-mail is named at once, and what was typed stays.
        await _type_into(pilot, "#email", "ana@")
        await pilot.pause()
        assert str(app.screen.query_one("#email-error", Static).render()).strip()
        assert app.screen.query_one("#email", Input).value == "ana@"
        for field in ("nationality", "region"):
            assert str(app.screen.query_one(f"#{field}-error", Static).render()).strip(), field
        assert type(app.screen).__name__ == "RegistrationScreen"


async def test_k5_one_tap_on_a_free_time_holds_it_and_a_tap_on_a_closed_one_says_why(
    make_kiosk: MakeKiosk, registered: ApplicantView
) -> None:
    """The slot grid is one widget drawn line by line: a tap is turned into its cell."""
    from screens.dialogs.hold import HoldDialog
    from screens.widgets.slot_grid import SlotGrid

    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "jose@correo.cl")
        await tap(pilot, "#book")
        await settle(pilot)
        await pilot.press("enter")  # Residencia temporal
        await settle(pilot)
        await pilot.press("enter")  # STG
        await settle(pilot)
        grid = app.screen.query_one(SlotGrid)
        closed = (grid.TIME_WIDTH + grid.cell_width + grid.GUTTER + 2, 1)  # Tuesday 09:00
        await pilot.click(grid, offset=closed)
        await settle(pilot)
        assert not isinstance(app.screen, HoldDialog)
        assert grid.cursor == (0, 1)
        await pilot.click(grid, offset=(grid.TIME_WIDTH + 2, 2))  # Monday 09:30: free
        await settle(pilot)
        assert isinstance(app.screen, HoldDialog)
        assert app.screen.hold.start.strftime("%H:%M") == "09:30"


async def test_k3_a_double_press_on_confirm_creates_one_account(
    make_kiosk: MakeKiosk,
    kiosk_store: Store,
    outcomes: Outcomes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enter, Enter on "Confirmar registro": the second press comes while the first store call
    is still running and is ignored, so there is one account and no "already registered"."""
    calls: list[ApplicantForm] = []
    release = threading.Event()
    register = kiosk_store.register

    def slow_register(form: ApplicantForm, **options: Any) -> Registration:
        calls.append(form)
        assert release.wait(30), "the test never let the registration finish"
        return register(form, **options)

    monkeypatch.setattr(kiosk_store, "register", slow_register)
    app = make_kiosk()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await to_registration_form(pilot)
        await tap(pilot, "#doc-passport")
        for field, value in {
            "document_number": "ZX445566",
            "document_expiry": "01-01-2030",
            "given_names": "Marie",
            "first_surname": "Pierre",
            "second_surname": "Louis",
            "email": "marie@correo.cl",
            "email_confirmation": "marie@correo.cl",
            "birth_date": "03-03-1990",
        }.items():
            await _type_into(pilot, f"#{field}", value)
        await _type_into(pilot, "#nationality", "hait")
        await pilot.press("enter")
        app.screen.query_one("#region", Select).value = "CL-RM"
        await tap(pilot, "#review")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.focused is not None
        await pilot.press("enter", "enter")  # the first call is held until both are handled
        assert app.screen.busy
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, RegisteredScreen)
    assert len(calls) == 1 and outcomes.kinds().count("ReviewScreen.Registered") == 1
    assert [a.email for a in kiosk_store.find_applicants("marie@correo.cl")] == ["marie@correo.cl"]


async def test_a_store_call_that_breaks_says_nothing_was_saved_and_the_kiosk_goes_on(
    make_kiosk: MakeKiosk, kiosk_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one place a worker's end is handled: an unexpected error becomes "Algo salió mal"
    (never a traceback), the screen takes presses again, and what was typed stays."""
    from screens.dialogs.message import MessageDialog

    def broken(identifier: str, password: str) -> ApplicantView:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(kiosk_store, "login", broken)
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await tap(pilot, "#login")
        await settle(pilot)
        await pilot.press(*"ana@correo.cl", "enter", *"secreta-123", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)
        assert "No se guardó nada" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and not app.screen.busy
        assert app.screen.query_one("#identifier", Input).value == "ana@correo.cl"


async def test_k1_after_logging_in_for_the_mailbox_volver_leads_home_not_to_the_welcome(
    make_kiosk: MakeKiosk, registered: ApplicantView
) -> None:
    """Mi buzón from the welcome asks for a login, then shows the mailbox over the person's home:
    "Volver" leads home, and the welcome screen is never shown with someone still logged in."""
    from screens.tickets import TicketsScreen

    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await tap(pilot, "#mailbox")
        await settle(pilot)
        await pilot.press(*registered.email, "enter", *PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, MailboxScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.session is not None
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen) and app.session is None
        await tap(pilot, "#help")
        await settle(pilot)
        await tap(pilot, "#ticket")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)  # the session really ended
        await pilot.press(*registered.email, "enter", *PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketsScreen)
        assert isinstance(app.screen_stack[-2], HomeScreen)
