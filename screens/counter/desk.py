"""The desk: what this staff member's role lets them do (C1), one button each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Button, Static

from screens.base import Outcome
from screens.counter.base import ROLE_NAMES, CounterScreen
from screens.text import _, plain
from store.text import N_

DeskAction = Literal[
    "search",
    "agenda",
    "rebook",
    "register",
    "tickets",
    "capacity",
    "closures",
    "figures",
    "audit",
    "staff",
    "conflicts",
    "queue",
]

# (button id, label, roles, what it is for)
ACTIONS: tuple[tuple[DeskAction, str, tuple[str, ...], str], ...] = (
    (
        "search",
        N_("Buscar persona"),
        ("agent", "supervisor"),
        N_("documento, correo, nombre o código"),
    ),
    ("agenda", N_("Agenda de hoy"), ("agent", "supervisor"), N_("llegadas, atendidas, ausentes")),
    (
        "rebook",
        N_("Por reubicar"),
        ("agent", "supervisor"),
        N_("reservas desplazadas y qué pasó"),
    ),
    ("register", N_("Registrar a una persona"), ("agent", "supervisor"), N_("modo asistido")),
    (
        "tickets",
        N_("Tickets de ayuda"),
        ("agent", "supervisor"),
        N_("del más antiguo al más nuevo"),
    ),
    (
        "capacity",
        N_("Abrir o bloquear horas"),
        ("supervisor",),
        N_("asigna al instante a quien espera"),
    ),
    (
        "closures",
        N_("Cierres de la oficina"),
        ("supervisor",),
        N_("cerrar un día; avisa a sus reservas"),
    ),
    ("figures", N_("Cifras"), ("supervisor",), N_("espera, cupos, reservas, ausencias")),
    (
        "staff",
        N_("Personal de la oficina"),
        ("supervisor",),
        N_("cuentas: crear, desbloquear, contraseñas"),
    ),
    (
        "audit",
        N_("Registro de auditoría"),
        ("auditor", "supervisor"),
        N_("quién hizo qué y cuándo"),
    ),
    # O4: last, so that the arrows' way to the others (K5) stays as staff learnt it.
    (
        "conflicts",
        N_("Datos en conflicto"),
        ("agent", "supervisor"),
        N_("dos oficinas con datos distintos"),
    ),
    # Q3: last as well, for the same reason.
    (
        "queue",
        N_("Sala de espera"),
        ("agent", "supervisor"),
        N_("llamar, derivar, terminar"),
    ),
)


class DeskScreen(CounterScreen):
    """The staff member's home at the counter."""

    # K5: a keypad has arrows and Enter, no Tab: the arrows walk the grid of buttons (ahead of
    # the page's own scrolling, which following the focus does anyway).
    BINDINGS = [
        Binding("up", "move(-2)", show=False, priority=True),
        Binding("down", "move(2)", show=False, priority=True),
        Binding("left", "move(-1)", show=False, priority=True),
        Binding("right", "move(1)", show=False, priority=True),
    ]

    @dataclass
    class Chosen(Outcome):
        """One of the desk's actions (C1: only those the role allows are offered)."""

        action: DeskAction

    @dataclass
    class LoggedOut(Outcome):
        """ "Cerrar sesión"."""

    def heading(self) -> str:
        return _("Mesón de atención")

    def body(self) -> ComposeResult:
        staff = self.staff
        office = staff.office or _("todas las oficinas")
        with VerticalScroll(classes="page", id="desk"):
            yield Static(
                plain(f"{staff.full_name} · {_(ROLE_NAMES[staff.role])} · {office}"),
                classes="page-title",
                id="desk-who",
            )
            with Grid(id="desk-actions"):
                for action, label, roles, hint in ACTIONS:
                    if staff.role in roles:
                        with Vertical(classes="desk-action"):
                            yield Button(_(label), id=action, classes="desk-button")
                            yield Static(_(hint), classes="desk-hint")
                with Vertical(classes="desk-action"):
                    yield Button(_("Cerrar sesión"), id="logout", classes="desk-button")
                    yield Static(_("o F9 desde cualquier pantalla"), classes="desk-hint")

    def ready(self) -> None:
        self.query(".desk-button").first().focus()

    def action_move(self, step: int) -> None:
        """Focus the button `step` places away in the grid (two columns), if there is one."""
        buttons = list(self.query(".desk-button"))
        here = buttons.index(self.focused) if self.focused in buttons else 0
        if 0 <= here + step < len(buttons):
            buttons[here + step].focus()

    @on(Button.Pressed, ".desk-button")
    def _open(self, event: Button.Pressed) -> None:
        action = event.button.id
        if action == "logout":
            self.post_message(self.LoggedOut())
        for known, *_rest in ACTIONS:
            if action == known:
                self.post_message(self.Chosen(known))
