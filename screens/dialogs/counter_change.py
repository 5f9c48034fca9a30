"""What closing or reopening times did (C6, B12, W2): how many times, who was displaced and
what became of each (on the waitlist at place N, or given a time at once), and how many
waiting people got a time."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.text import _, plain
from screens.widgets.table import Table
from store.views import BookingView, CapacityChange, RebookRow


def change_summary(change: CapacityChange, *, reopened: bool = False) -> str:
    """C6: the figures of a block, a closure, an unblock or a removed closure, one a line."""
    lines = [
        _("Horas reabiertas: {count}", count=change.times)
        if reopened
        else _("Horas cerradas: {count}", count=change.times)
    ]
    if not reopened:
        lines.append(_("Reservas desplazadas: {count}", count=len(change.displaced)))
    lines.append(_("Personas en espera que recibieron una hora: {count}", count=change.assigned))
    return "\n".join(lines)


def outcome_text(row: RebookRow) -> str:
    """B12: what became of a displaced booking, in a few words."""
    current = row.current
    when = {
        "code": (current.display_code if current else None) or "—",
        "date": f"{current.start:%d-%m-%Y %H:%M}" if current else "—",
    }
    if row.outcome == "waiting":
        return _("en espera, lugar {position}", position=row.position or "—")
    if row.outcome == "assigned":
        return _("asignada por la lista: {code}, {date}", **when)
    if row.outcome == "rebooked":
        return _("reservada en el mesón: {code}, {date}", **when)
    if row.outcome == "booked":
        return _("reservó por su cuenta: {code}, {date}", **when)
    return _("sin hora ni lugar en la lista")


class CapacityChangeDialog(ModalScreen[None]):
    """B12: the people a block or a closure displaced (told in their mailbox), and what became
    of each right after: waiting at their place, or given a free time at once (W2)."""

    BINDINGS = [Binding("escape", "close", show=False)]

    def __init__(
        self, title: str, change: CapacityChange, followed: Sequence[RebookRow] = ()
    ) -> None:
        super().__init__()
        self._title = title
        self.change = change
        # "Por reubicar" read right after the change: what the waitlist did with each person.
        self._followed = {row.displaced.code: row for row in followed}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="change-dialog"):
            yield Static(plain(self._title), classes="dialog-title")
            yield Static(plain(change_summary(self.change)), id="change-summary")
            if self.change.displaced:
                yield Static(
                    _(
                        "Cada persona fue avisada en su buzón y quedó en la lista de espera con la "
                        "fecha de su reserva original. Siga lo que pasó con cada una en "
                        "«Por reubicar»."
                    ),
                    classes="lead",
                    id="change-told",
                )
                yield Table(id="displaced", cursor_type="none", zebra_stripes=True)
            with Horizontal(classes="actions"):
                yield Button(_("Entendido"), id="ok", variant="primary")

    def _what_became(self, booking: BookingView) -> str:
        row = self._followed.get(booking.code)
        if row is not None:
            return outcome_text(row)
        position = booking.waitlist_position
        return _("en espera, lugar {position}", position=position) if position else "—"

    def on_mount(self) -> None:
        if self.change.displaced:
            table = self.query_one("#displaced", Table)
            # What became of them before the name: on a small terminal the name is cut.
            table.add_columns(_("Código"), _("Qué pasó"), _("Hora"), _("Nombre"))
            for booking in self.change.displaced:
                table.add_row(
                    plain(booking.display_code or "—"),
                    plain(self._what_became(booking)),
                    plain(f"{booking.start:%d-%m-%Y %H:%M}"),
                    plain(booking.applicant_name),
                )
        self.query_one("#ok").focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
