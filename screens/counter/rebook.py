"""Por reubicar (B12): every booking of the office that a block or a closure displaced, and what
became of it (waiting at place N, assigned, rebooked at the counter, booked by the person, or
nothing yet); the counter books the next free time for the chosen one, or puts them back on
the waitlist with the date of their original booking."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Select, Static

from screens.counter.base import CounterScreen, cells
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.counter_change import outcome_text
from screens.labels import procedure_name
from screens.text import _, plain, say
from screens.widgets.choice_table import ChoiceTable
from store.codes import normalize_code
from store.errors import StoreError
from store.text import N_
from store.views import BookingView, RebookRow, WaitlistEntryView

# What a displaced person can still be helped with (B12).
CAN_REBOOK = ("waiting", "none")


class RebookScreen(CounterScreen):
    """The displaced bookings of the office, from today on, in time order."""

    ROLES = ("agent", "supervisor")
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("f5", "reload", N_("Actualizar"), key_display="F5"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.office = ""
        self.rows: list[RebookRow] = []
        self.chosen: str | None = None  # the chosen displaced booking's code

    def heading(self) -> str:
        return _("Por reubicar")

    def body(self) -> ComposeResult:
        offices = [(f"{o.code} · {o.name}", o.code) for o in self.host.catalog.offices]
        self.office = self.office or self.staff.office or offices[0][1]
        with Vertical(classes="page"):
            with Horizontal(classes="actions counter-bar"):
                yield Select(
                    offices,
                    value=self.office,
                    allow_blank=False,
                    id="office",
                    disabled=bool(self.staff.office),
                )
                yield Input(id="code", placeholder=_("Código de la reserva desplazada"))
            yield Static("", id="rebook-status", classes="lead")
            yield ChoiceTable(id="rebook-list")
            yield Static("", id="rebook-chosen")
            with Horizontal(classes="actions", id="rebook-actions"):
                yield Button(
                    _("Reservar la próxima hora libre"),
                    id="rebook",
                    variant="primary",
                    disabled=True,
                )
                yield Button(_("Inscribir de nuevo"), id="reenrol", disabled=True)

    def ready(self) -> None:
        self.query_one("#rebook-list", ChoiceTable).add_columns(
            _("Código"), _("Hora original"), _("Qué pasó"), _("Nombre"), _("Trámite")
        )
        self.query_one("#rebook-list").focus()
        self.action_reload()

    def after_relabel(self) -> None:
        self.ready()

    @on(Select.Changed, "#office")
    def _office(self, event: Select.Changed) -> None:
        if str(event.value) == self.office:
            return  # the same office, redrawn (in another language): keep the chosen row
        self.office = str(event.value)
        self.chosen = None
        self.action_reload()

    def action_reload(self) -> None:
        office = self.office
        self.call_store(lambda: self.store.to_rebook(office), self._show)

    def _show(self, rows: list[RebookRow]) -> None:
        self.rows = rows
        table = self.query_one("#rebook-list", ChoiceTable)
        table.clear()
        for row in rows:
            booking = row.displaced
            table.add_row(
                *cells(
                    booking.display_code or "—",
                    f"{booking.start:%d-%m-%Y %H:%M}",
                    outcome_text(row),
                    booking.applicant_name,
                    procedure_name(booking.procedure),
                ),
                key=booking.code,
            )
        table.choose(self.chosen)
        self._chosen_changed()

    # -- the chosen row ---------------------------------------------------------------------

    def chosen_row(self) -> RebookRow | None:
        return next((row for row in self.rows if row.displaced.code == self.chosen), None)

    @on(DataTable.RowHighlighted, "#rebook-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The agent moved the cursor: another row is chosen. (A table whose cursor is hidden
        also highlights, while it is filled or redrawn in another language: that is nobody's
        choice, and must not drop the one made.)"""
        if event.data_table.show_cursor and event.data_table is self.query_one("#rebook-list"):
            self._chosen_changed()

    def _chosen_changed(self) -> None:
        self.chosen = self.query_one("#rebook-list", ChoiceTable).chosen
        row = self.chosen_row()
        if not self.rows:
            hint = _("No hay reservas desplazadas desde hoy en esta oficina.")
        elif row is None:
            hint = _("Elija una fila (flechas y Enter, o un clic) o escriba su código arriba.")
        else:
            hint = _(
                "Elegida: {code} · {name} · motivo: {reason}",
                code=row.displaced.display_code or "—",
                name=row.displaced.applicant_name,
                reason=row.displaced.displaced_reason or "—",
            )
        self.query_one("#rebook-chosen", Static).update(plain(hint))
        self.query_one("#rebook", Button).disabled = row is None or row.outcome not in CAN_REBOOK
        self.query_one("#reenrol", Button).disabled = row is None or row.outcome != "none"

    @on(DataTable.RowSelected, "#rebook-list")
    def _row_selected(self) -> None:
        for button in self.query("#rebook-actions Button").results(Button):
            if not button.disabled:
                button.focus()
                return

    @on(Input.Changed, "#code")
    def _typed(self, event: Input.Changed) -> None:
        code = normalize_code(event.value)
        if code is not None and any(row.displaced.code == code for row in self.rows):
            self.query_one("#rebook-list", ChoiceTable).choose(code)
            self._chosen_changed()

    # -- the actions ------------------------------------------------------------------------

    @on(Button.Pressed, "#rebook")
    def _rebook(self) -> None:
        """B12: the next free time of the same office and procedure, once confirmed (their
        place on the waitlist closes)."""
        row = self.chosen_row()
        if row is None or self.busy or row.displaced.code is None:
            return
        code, actor, booking = row.displaced.code, self.actor, row.displaced
        lines = [
            _(
                "Se reservará para {name} la próxima hora libre de {procedure} en {office}.",
                name=booking.applicant_name,
                procedure=procedure_name(booking.procedure),
                office=booking.office.name,
            )
        ]
        if row.outcome == "waiting":
            lines.append(
                _("Deja su lugar {position} en la lista de espera.", position=row.position)
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.rebook(code, actor=actor), self._rebooked, self._refused
                )

        self.app.push_screen(
            ConfirmDialog(_("Reservar la próxima hora libre"), "\n".join(lines), _("Sí, reservar")),
            answered,
        )

    def _rebooked(self, booking: BookingView) -> None:
        self._say(
            _(
                "Hora reservada para {name}: {code}, {date}.",
                name=booking.applicant_name,
                code=booking.display_code or "—",
                date=f"{booking.start:%d-%m-%Y %H:%M}",
            )
        )
        self.action_reload()

    @on(Button.Pressed, "#reenrol")
    def _reenrol(self) -> None:
        """B12: back on the waitlist, ranked by the date of the original booking."""
        row = self.chosen_row()
        if row is None or self.busy or row.displaced.code is None:
            return
        code, actor, name = row.displaced.code, self.actor, row.displaced.applicant_name
        self.call_store(
            lambda: self.store.reenrol_displaced(code, actor=actor),
            lambda entry: self._reenrolled(name, entry),
            self._refused,
        )

    def _reenrolled(self, name: str, entry: WaitlistEntryView) -> None:
        self._say(
            _(
                "{name} volvió a la lista de espera en el lugar {position}, con la fecha de su reserva original.",
                name=name,
                position=entry.position,
            )
            if entry.position is not None
            else _("{name} volvió a la lista de espera y recibió una hora al instante.", name=name)
        )
        self.action_reload()

    def _refused(self, error: StoreError) -> None:
        self._say(say(error.message))

    def _say(self, text: str) -> None:
        self.query_one("#rebook-status", Static).update(plain(text))
