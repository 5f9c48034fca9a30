"""Staff log in at the counter with their own account (C1); five failures lock it (A11); a
temporary password is replaced before the desk opens (C10, as A9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from screens.base import KioskScreen, Outcome
from screens.text import _, plain, say
from screens.widgets.fields import FormField, NewPasswordFields
from store.errors import StoreError
from store.text import N_

if TYPE_CHECKING:  # the desk opens on this screen: nothing heavy before it is drawn
    from store.views import StaffView


class StaffLoginScreen(KioskScreen):
    """User name and password; what went wrong is said under the form."""

    @dataclass
    class LoggedIn(Outcome):
        """C1: the desk opens for this staff member and their role (C10: once a temporary
        password is replaced; `password` is kept only for that)."""

        staff: StaffView
        password: str = ""

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
            lambda staff: self.post_message(self.LoggedIn(staff, password)),
            self._refused,
        )

    def _refused(self, error: StoreError) -> None:
        self.query_one("#password", Input).value = ""
        self.query_one("#login-error", Static).update(say(error.message))
        self.query_one("#password").focus()


class StaffPasswordScreen(KioskScreen):
    """C10 (A9 for staff): a temporary password is replaced before the desk opens."""

    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    @dataclass
    class PasswordChanged(Outcome):
        """The password is the staff member's own now: the desk opens."""

        staff: StaffView

    def __init__(self, staff: StaffView, current: str) -> None:
        super().__init__()
        self.account = staff
        self.current = current

    def heading(self) -> str:
        return _("Mesón de atención: elija su contraseña")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static(
                plain(
                    _(
                        "{name}: ingresó con una contraseña temporal. Elija una nueva de al "
                        "menos 8 caracteres, distinta de la temporal; el mesón se abre después.",
                        name=self.account.full_name,
                    )
                ),
                classes="lead",
            )
            yield NewPasswordFields()
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Guardar contraseña"), id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one(NewPasswordFields).focus_first()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.query_one(NewPasswordFields).submit()

    @on(NewPasswordFields.Chosen)
    def _chosen(self, event: NewPasswordFields.Chosen) -> None:
        current, actor, new = self.current, self.account.actor, event.password
        self.call_store(
            lambda: self.store.change_staff_password(current, new, actor=actor),
            self._changed,
            lambda error: self.query_one(NewPasswordFields).refused(say(error.message), clear=True),
        )

    def _changed(self, staff: StaffView) -> None:
        self.app.notify(_("Contraseña guardada."))
        self.post_message(self.PasswordChanged(staff))
