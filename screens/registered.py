"""A8: "Registro completado": the temporary password shown once, and the credentials slip.

K7: the training (folder) printer keeps no credentials slip, so the screen then says plainly
that nothing was printed and that the person should write the password down or ask staff."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from screens.base import KioskScreen, Outcome
from screens.printing import print_document
from screens.text import _, language, plain
from screens.widgets.keypad import KEYPAD_ARROWS

if TYPE_CHECKING:
    from receipts.documents import CredentialsSlip
    from receipts.printer import Printed


class RegisteredScreen(KioskScreen):
    """The password in large type, printed once on arrival; then on to log in.

    Also the end of A10's recovery, which issues a new temporary password the same way."""

    BINDINGS = [*KEYPAD_ARROWS]

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
        # What the printer did with the slip: None (not yet), "printed" or "withheld" (K7).
        # Kept here so a language switch (which redraws the screen) still says it.
        self.slip: str | None = None
        self._slip_document: CredentialsSlip | None = None

    def _lead(self) -> str:
        if self.slip == "withheld":
            return _("Su contraseña temporal (se muestra una sola vez; anótela ahora):")
        return _("Su contraseña temporal (se muestra una sola vez; también sale impresa):")

    def _mark_withheld(self, status: Static) -> Static:
        """K7: no slip is news the person must act on: a warning box, not a muted line."""
        status.set_class(self.slip == "withheld", "warning-box")
        status.set_class(self.slip != "withheld", "lead")
        return status

    def _print_status(self) -> str:
        if self.slip == "withheld":
            return _(
                "Esta impresora de práctica no imprime ni guarda la hoja con su contraseña. "
                "Anote la contraseña ahora o pida ayuda en el mesón de atención."
            )
        if self.slip == "printed":
            return _("Comprobante impreso. Retírelo de la impresora.")
        return ""

    def heading(self) -> str:
        return _("Contraseña recuperada") if self.recovered else _("Registro completado")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static(self.heading(), classes="page-title")
            yield Static(self._lead(), classes="lead", id="password-lead")
            yield Static(
                plain(self.temporary_password), classes="big-code", id="temporary-password"
            )
            yield Static(
                _(
                    "Al ingresar con ella elegirá una contraseña nueva. Ingrese con su correo electrónico o con su número de documento."
                ),
                id="registered-next",
            )
            yield self._mark_withheld(Static(self._print_status(), id="print-status"))
            with Horizontal(classes="actions"):
                # K7: nothing to print again where the printer keeps no slip.
                yield Button(_("Imprimir otra vez"), id="print", disabled=self.slip == "withheld")
                yield Button(_("Ingresar ahora"), id="login", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#login").focus()
        self._print()

    @on(Button.Pressed, "#print")
    def _print(self) -> None:
        from receipts.sources import credentials_slip

        # One slip per password: printing it again is the same document (K3 knows a double
        # press of it), while another person's slip of the same second is another one.
        if self._slip_document is None:
            self._slip_document = credentials_slip(
                self.temporary_password, self.host.clock.now(), language()
            )
        elif self._slip_document.language != language():  # switched since: same slip, its words
            self._slip_document = replace(self._slip_document, language=language())
        print_document(self, self._slip_document, printed=self._slip_printed)

    def _slip_printed(self, printed: Printed) -> None:
        """Say what the printer did with the slip: printed, or (K7) kept none."""
        self.slip = "withheld" if printed.withheld else "printed"
        self.query_one("#password-lead", Static).update(self._lead())
        self._mark_withheld(self.query_one("#print-status", Static)).update(self._print_status())
        self.query_one("#print", Button).disabled = printed.withheld

    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        self.post_message(self.LoginChosen(self.identifier))
