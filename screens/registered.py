"""A8: "Registro completado": the temporary password shown once, and the credentials slip."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from screens.base import KioskScreen, Outcome
from screens.printing import print_document
from screens.text import _, language, plain


class RegisteredScreen(KioskScreen):
    """The password in large type, printed once on arrival; then on to log in.

    Also the end of A10's recovery, which issues a new temporary password the same way."""

    @dataclass
    class LoginChosen(Outcome):
        """ "Ingresar ahora", with the e-mail or document already typed in."""

        identifier: str

    def __init__(
        self, temporary_password: str, identifier: str, *, recovered: bool = False
    ) -> None:
        super().__init__()
        self.temporary_password = temporary_password
        self.identifier = identifier
        self.recovered = recovered

    def heading(self) -> str:
        return _("Contraseña recuperada") if self.recovered else _("Registro completado")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static(self.heading(), classes="page-title")
            yield Static(
                _("Su contraseña temporal (se muestra una sola vez; también sale impresa):"),
                classes="lead",
            )
            yield Static(
                plain(self.temporary_password), classes="big-code", id="temporary-password"
            )
            yield Static(
                _(
                    "Al ingresar con ella elegirá una contraseña nueva. Ingrese con su correo electrónico o con su número de documento."
                ),
                id="registered-next",
            )
            yield Static("", id="print-status", classes="lead")
            with Horizontal(classes="actions"):
                yield Button(_("Imprimir otra vez"), id="print")
                yield Button(_("Ingresar ahora"), id="login", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#login").focus()
        self._print()

    @on(Button.Pressed, "#print")
    def _print(self) -> None:
        from receipts.sources import credentials_slip

        slip = credentials_slip(self.temporary_password, self.host.clock.now(), language())
        print_document(self, slip)

    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        self.post_message(self.LoginChosen(self.identifier))
