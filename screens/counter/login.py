"""Staff log in at the counter with their own account (C1); five failures lock it (A11)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from screens.base import KioskScreen, Outcome
from screens.text import _, say
from screens.widgets.fields import FormField
from store.errors import StoreError

if TYPE_CHECKING:  # the desk opens on this screen: nothing heavy before it is drawn
    from store.views import StaffView


class StaffLoginScreen(KioskScreen):
    """User name and password; what went wrong is said under the form."""

    @dataclass
    class LoggedIn(Outcome):
        """C1: the desk opens for this staff member and their role."""

        staff: StaffView

    def heading(self) -> str:
        return _("Mesón de atención: ingreso del personal")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static(
                _("Ingrese con su propia cuenta. Lo que haga queda en el registro de auditoría."),
                classes="lead",
            )
            yield FormField(_("Usuario"), Input(id="username"), "username")
            yield FormField(_("Contraseña"), Input(id="password", password=True), "password")
            yield Static("", id="login-error", classes="field-error")
            with Horizontal(classes="actions"):
                yield Button(_("Ingresar"), id="login", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#username").focus()

    @on(Input.Submitted, "#username")
    def _next(self) -> None:
        self.query_one("#password").focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        if not username.strip() or not password:
            self.query_one("#login-error", Static).update(_("Escriba su usuario y su contraseña."))
            return
        self.query_one("#login-error", Static).update("")
        self.call_store(
            lambda: self.store.login_staff(username, password),
            lambda staff: self.post_message(self.LoggedIn(staff)),
            self._refused,
        )

    def _refused(self, error: StoreError) -> None:
        self.query_one("#password", Input).value = ""
        self.query_one("#login-error", Static).update(say(error.message))
        self.query_one("#password").focus()
