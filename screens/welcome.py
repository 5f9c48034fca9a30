"""The first screen an applicant meets: language, display, and where to go (K4, K5)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Static

from screens.base import KioskScreen, Outcome
from screens.text import _
from screens.widgets.keypad import KEYPAD_ARROWS, KeypadScroll
from screens.widgets.toggles import TickBox


class WelcomeScreen(KioskScreen):
    """Reservar hora (focused, so Enter moves on), Ya tengo cuenta, Mi buzón, Ayuda; the
    arrows move between them (K5)."""

    BINDINGS = [*KEYPAD_ARROWS]

    @dataclass
    class BookChosen(Outcome):
        """ "Reservar hora": a new applicant starts with the terms."""

    @dataclass
    class LoginChosen(Outcome):
        """ "Ya tengo cuenta"."""

    @dataclass
    class MailboxChosen(Outcome):
        """ "Mi buzón": it needs a login first."""

    @dataclass
    class HelpChosen(Outcome):
        """ "Ayuda", for anyone."""

    @dataclass
    class CheckInChosen(Outcome):
        """ "Tengo una hora" (Q1): at an office's kiosk only."""

    @dataclass
    class WalkInChosen(Outcome):
        """ "Sacar número" (Q2): at an office's kiosk only."""

    def body(self) -> ComposeResult:
        # Scrolls on a small terminal, so the display choices below are seen when focused;
        # its arrows move between the choices (a keypad's), Page Up and Down scroll.
        with KeypadScroll(classes="page", id="welcome"):
            yield Static(_("Bienvenida y bienvenido"), classes="page-title")
            yield Static(
                _(
                    "Reserve una hora para su trámite de extranjería, inscríbase en la "
                    "asignación automatizada de citas o lea su buzón. El servicio es gratuito."
                ),
                classes="lead",
            )
            with Vertical(id="welcome-actions"):
                yield Button(_("Reservar hora"), id="book", variant="primary")
                if self.host.kiosk_office:  # Q1, Q2: a kiosk in an office's waiting room
                    yield Button(_("Tengo una hora"), id="check-in")
                    yield Button(_("Sacar número"), id="walk-in")
                yield Button(_("Ya tengo cuenta"), id="login")
                yield Button(_("Mi buzón"), id="mailbox")
                yield Button(_("Ayuda"), id="help")
            yield Static(_("Pantalla"), classes="page-title")
            with Horizontal(id="display-choices"):
                yield TickBox(_("Alto contraste"), self.host.high_contrast, id="high-contrast")
                yield TickBox(_("Letra grande"), self.host.large_text, id="large-text")

    def on_mount(self) -> None:
        self.query_one("#book").focus()

    @on(Button.Pressed, "#book")
    def _book(self) -> None:
        self.post_message(self.BookChosen())

    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        self.post_message(self.LoginChosen())

    @on(Button.Pressed, "#mailbox")
    def _mailbox(self) -> None:
        self.post_message(self.MailboxChosen())

    @on(Button.Pressed, "#check-in")
    def _check_in(self) -> None:
        self.post_message(self.CheckInChosen())

    @on(Button.Pressed, "#walk-in")
    def _walk_in(self) -> None:
        self.post_message(self.WalkInChosen())

    @on(Button.Pressed, "#help")
    def _help(self) -> None:
        self.post_message(self.HelpChosen())

    @on(Checkbox.Changed)
    def _display(self) -> None:
        self.host.set_display(
            high_contrast=self.query_one("#high-contrast", Checkbox).value,
            large_text=self.query_one("#large-text", Checkbox).value,
        )
