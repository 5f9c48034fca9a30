"""K2: only a staff login closes the kiosk."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from screens.text import _, say
from store.errors import StoreError

if TYPE_CHECKING:
    from screens.host import Host


class StaffExitDialog(ModalScreen[bool]):
    """Username and password of a staff member; True only when the store accepts them."""

    BINDINGS = [Binding("escape", "back", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="staff-exit"):
            yield Static(_("Cerrar el quiosco (solo personal)"), classes="dialog-title")
            yield Label(_("Usuario"))
            yield Input(id="staff-user")
            yield Label(_("Contraseña"))
            yield Input(id="staff-password", password=True)
            yield Static("", id="staff-error", classes="field-error")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Cerrar el quiosco"), id="close", variant="error")

    def on_mount(self) -> None:
        self.query_one("#staff-user").focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#close")
    def _check(self) -> None:
        username = self.query_one("#staff-user", Input).value
        password = self.query_one("#staff-password", Input).value
        store = cast("Host", self.app).store

        def check() -> None:
            try:
                store.login_staff(username, password)
            except StoreError as error:
                self.app.call_from_thread(self._refused, say(error.message))
            else:
                self.app.call_from_thread(self.dismiss, True)

        self.run_worker(check, thread=True, exclusive=True, exit_on_error=False)

    def _refused(self, text: str) -> None:
        self.query_one("#staff-error", Static).update(text)
        self.query_one("#staff-password", Input).value = ""

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(False)
