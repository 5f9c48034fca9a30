"""C10: the dialogs of the office's staff screen: a new account, and a temporary password
shown once.

Keyboard alone (K5): Enter goes from one field to the next, the arrows choose the role and
Enter takes it, then Enter on "Crear la cuenta"; the arrows move between the answers; escape
is "Volver"."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioSet, Static

from screens.text import _, plain
from screens.widgets.fields import FormField
from screens.widgets.keypad import KEYPAD_ARROWS
from screens.widgets.toggles import Choice
from store.text import N_

# The roles a supervisor may give, in the order the dialog offers them (C1).
ROLE_CHOICES = (
    ("agent", N_("Agente: atiende, agenda, tickets")),
    ("supervisor", N_("Supervisor/a: además horas, cierres y personal")),
    ("auditor", N_("Auditor/a: solo lee el registro de auditoría")),
)


@dataclass(frozen=True)
class NewStaff:
    """What the dialog asks for a new account (the office is the screen's)."""

    username: str
    full_name: str
    role: str


class NewStaffDialog(ModalScreen[NewStaff | None]):
    """User name, full name and role of a new account of `office_label`; returns None for
    "Volver". The store checks the answers (the screen says what it refused)."""

    # K5: up and down also walk the fields (an Input keeps left and right for its text).
    BINDINGS = [Binding("escape", "back", show=False), *KEYPAD_ARROWS]

    def __init__(
        self,
        office_label: str,
        previous: NewStaff | None = None,
        problem: tuple[str, str] | None = None,
    ) -> None:
        """`previous` and `problem` (field, sentence): the answers the store refused, shown
        again with why, so nothing typed is lost (K5)."""
        super().__init__()
        self.office_label = office_label
        self.previous = previous
        self.problem = problem

    def compose(self) -> ComposeResult:
        # Scrolls on a small terminal (80×24), so the focused field and the answers show.
        with VerticalScroll(classes="dialog", id="new-staff-dialog"):
            yield Static(_("Crear una cuenta del personal"), classes="dialog-title")
            yield Static(plain(self.office_label), id="new-staff-office")
            before = self.previous
            yield FormField(
                _("Usuario (letras o dígitos, sin espacios)"),
                Input(before.username if before else "", id="username"),
                "username",
            )
            yield FormField(
                _("Nombre completo"),
                Input(before.full_name if before else "", id="full_name"),
                "full_name",
            )
            roles = [
                Choice(_(label), before is not None and before.role == role, id=f"role-{role}")
                for role, label in ROLE_CHOICES
            ]
            yield FormField(_("Rol"), RadioSet(*roles, id="role"), "role")
            yield Static(
                _(
                    "Se mostrará una contraseña temporal, una sola vez: la persona la cambia al entrar."
                ),
                classes="lead",
            )
            with Horizontal(classes="actions", id="new-staff-actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Crear la cuenta"), id="create", variant="primary")

    def on_mount(self) -> None:
        field = "username"
        if self.problem is not None:
            # An office refused (an agent needs one) is about the role chosen for it.
            field = self.problem[0] if self.problem[0] in ("username", "full_name") else "role"
            self.query_one(f"#field-{field}", FormField).show(self.problem[1])
        self.query_one(f"#{field}").focus()

    @on(Input.Submitted, "#username")
    def _to_name(self) -> None:
        self.query_one("#full_name").focus()

    @on(Input.Submitted, "#full_name")
    def _to_role(self) -> None:
        self.query_one("#role").focus()

    @on(RadioSet.Changed, "#role")
    def _role_chosen(self) -> None:
        self.query_one("#field-role", FormField).show(None)
        self.query_one("#create").focus()

    def role(self) -> str | None:
        pressed = self.query_one("#role", RadioSet).pressed_button
        return (pressed.id or "").removeprefix("role-") if pressed is not None else None

    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        full_name = self.query_one("#full_name", Input).value.strip()
        role = self.role()
        problems = {
            "username": None if username else _("Escriba el usuario."),
            "full_name": None if full_name else _("Escriba el nombre completo."),
            "role": None if role else _("Elija el rol (flechas y Enter)."),
        }
        for field, problem in problems.items():
            self.query_one(f"#field-{field}", FormField).show(problem)
        first = next((f for f, p in problems.items() if p), None)
        if first is not None:
            self.query_one(f"#{first}").focus()
            return
        assert role is not None
        self.dismiss(NewStaff(username, full_name, role))

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(None)


class TemporaryPasswordDialog(ModalScreen[None]):
    """C10: the temporary password of a new or reset account, shown this once (it is stored
    only as an argon2 hash); the staff member changes it at their first login."""

    BINDINGS = [Binding("escape", "close", show=False), *KEYPAD_ARROWS]

    def __init__(self, title: str, name: str, username: str, password: str) -> None:
        super().__init__()
        self._title = title
        self._name = name
        self._username = username
        self._password = password

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="temporary-password-dialog"):
            yield Static(plain(self._title), classes="dialog-title")
            yield Static(
                plain(_("{name}, usuario {user}", name=self._name, user=self._username)),
                id="temporary-for",
            )
            yield Static(_("Contraseña temporal:"))
            yield Static(plain(self._password), id="temporary-password", classes="big-code")
            yield Static(
                _(
                    "Désela en persona. Se muestra solo esta vez; al ingresar, la persona "
                    "elegirá una nueva de al menos 8 caracteres."
                ),
                classes="lead",
            )
            with Horizontal(classes="actions"):
                yield Button(_("Entendido"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    @on(Button.Pressed, "#ok")
    def action_close(self) -> None:
        self.dismiss(None)
