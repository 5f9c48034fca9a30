"""One audit event in full (C1, W7): when, who, what and about what, and every detail on a line
of its own, wrapped, never cut. Arrows scroll a long one; Enter or Escape closes it (K5)."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.text import _, say, short_moment
from store.text import N_
from store.views import AuditEventView

# What the details' usual keys are called; any other key is shown as it is stored.
DETAIL_NAMES = {
    "code": N_("Código"),
    "document": N_("Documento"),
    "reason": N_("Motivo"),
    "office": N_("Oficina"),
    "entry": N_("Entrada en lista de espera"),
    "enrolled_at": N_("Inscrita el"),
    "ranked_at": N_("Lugar según"),
    "position": N_("Posición"),
    "slot": N_("Hora (número)"),
    "to": N_("Nueva reserva"),
    "query": N_("Búsqueda"),
    "found": N_("Resultados"),
    "how": N_("Cómo"),
    "kind": N_("Tipo"),
    "deadline": N_("Plazo"),
    "role": N_("Rol asignado"),
    "date_from": N_("Desde"),
    "date_to": N_("Hasta"),
    "hours": N_("Horario"),
    "every": N_("Cada (min)"),
    "seats": N_("Cupos por hora"),
    "times": N_("Horas"),
    "assigned": N_("Asignadas"),
    "displaced": N_("Desplazadas"),
    "created": N_("Creadas"),
    "override": N_("Fuera de la política"),
    "marked": N_("Marcadas"),
    "left": N_("Quedan"),
    "sent": N_("Enviados"),
    "failed": N_("Fallidos"),
    "pending": N_("Pendientes"),
}
# How a session ended (staff.logout).
HOW_NAMES = {
    "f9": N_("tecla F9"),
    "button": N_("botón «Cerrar sesión»"),
    "idle": N_("tiempo sin uso"),
}


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("sí") if value else _("no")
    if key == "how" and value in HOW_NAMES:
        return _(HOW_NAMES[value])
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def event_lines(event: AuditEventView) -> Text:
    """The event as labelled lines of plain text (names are never read as markup)."""
    text = Text()

    def line(label: str, value: str, indent: str = "") -> None:
        # A non-breaking indent: wrapping keeps it at the start of the line.
        text.append(indent.replace(" ", "\u00a0"))
        text.append(f"{label}: ", style="bold")
        text.append(value)
        text.append("\n")

    line(_("Cuándo"), f"{short_moment(event.at, 'UTC')} UTC")
    line(_("Quién"), f"{event.actor_name} ({event.actor})" if event.actor_name else event.actor)
    line(_("Acción"), event.action)
    if event.subject_label is not None:
        line(_("Sobre"), say(event.subject_label))
        line(_("Identificador"), event.subject or "—")
    else:
        line(_("Sobre"), event.subject or "—")
    try:
        details = json.loads(event.details or "{}")
    except ValueError:
        details = event.details
    if isinstance(details, dict) and details:
        text.append(_("Detalle") + ":\n", style="bold")
        for key, value in details.items():
            name = _(DETAIL_NAMES[key]) if key in DETAIL_NAMES else key
            line(name, _value(key, value), "  ")
    elif details and not isinstance(details, dict):
        line(_("Detalle"), str(details))
    else:
        line(_("Detalle"), "—")
    text.rstrip()
    return text


class AuditEventDialog(ModalScreen[None]):
    """Read one event; "Cerrar" (focused) closes with Enter, Escape too."""

    BINDINGS = [
        Binding("escape", "close", show=False),
        Binding("up", "scroll(-1)", show=False),
        Binding("down", "scroll(1)", show=False),
        Binding("pageup", "scroll(-10)", show=False),
        Binding("pagedown", "scroll(10)", show=False),
    ]

    def __init__(self, event: AuditEventView) -> None:
        super().__init__()
        self.event = event

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="event-dialog"):
            yield Static(_("Evento n.º {id}", id=self.event.id), classes="dialog-title")
            with VerticalScroll(id="event-scroll"):
                yield Static(event_lines(self.event), id="event-facts")
            with Horizontal(classes="actions"):
                yield Button(_("Cerrar"), id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close").focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#event-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)
