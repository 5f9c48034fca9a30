"""The first screen an applicant meets: language, display, and where to go (K4, K5)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Static

from screens.base import KioskScreen
from screens.text import _


class WelcomeScreen(KioskScreen):
    """Reservar hora (focused, so Enter moves on), Ya tengo cuenta, Mi buzón, Ayuda."""

    def body(self) -> ComposeResult:
        with Vertical(classes="page", id="welcome"):
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
                yield Button(_("Ya tengo cuenta"), id="login")
                yield Button(_("Mi buzón"), id="mailbox")
                yield Button(_("Ayuda"), id="help")
            yield Static(_("Pantalla"), classes="page-title")
            with Horizontal(id="display-choices"):
                yield Checkbox(_("Alto contraste"), self.kiosk.high_contrast, id="high-contrast")
                yield Checkbox(_("Letra grande"), self.kiosk.large_text, id="large-text")

    def on_mount(self) -> None:
        self.query_one("#book").focus()

    @on(Button.Pressed, "#book")
    def _book(self) -> None:
        from screens.terms import TermsScreen

        self.app.push_screen(TermsScreen())

    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        from screens.login import LoginScreen

        self.app.push_screen(LoginScreen(then="home"))

    @on(Button.Pressed, "#mailbox")
    def _mailbox(self) -> None:
        from screens.login import LoginScreen

        self.app.push_screen(LoginScreen(then="mailbox"))

    @on(Button.Pressed, "#help")
    def _help(self) -> None:
        from screens.tickets import HelpScreen

        self.app.push_screen(HelpScreen())

    @on(Checkbox.Changed)
    def _display(self) -> None:
        self.kiosk.set_display(
            high_contrast=self.query_one("#high-contrast", Checkbox).value,
            large_text=self.query_one("#large-text", Checkbox).value,
        )
