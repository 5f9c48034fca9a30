"""The office's closures (C6, B12; supervisors): close the office for a day, which displaces
that day's bookings onto the waitlist, see the closures to come, and remove one."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Input, Select, Static

from screens.counter.base import CounterScreen, cells
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.counter_change import CapacityChangeDialog, change_summary
from screens.text import _, long_day, plain, say
from screens.widgets.choice_table import ChoiceTable
from screens.widgets.fields import FormField
from store.errors import InvalidInput, StoreError
from store.text import N_
from store.validation import parse_date
from store.views import AgendaRow, CapacityChange, ClosureView, RebookRow


class ClosuresScreen(CounterScreen):
    """A form for a new closure above the list of the closures from today on."""

    ROLES = ("supervisor",)
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("f5", "reload", N_("Actualizar"), key_display="F5"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.office = ""
        self.closures: list[ClosureView] = []
        self.chosen: str | None = None  # the chosen closure's day, ISO

    def heading(self) -> str:
        return _("Cierres de la oficina")

    def body(self) -> ComposeResult:
        offices = [(f"{o.code} · {o.name}", o.code) for o in self.host.catalog.offices]
        self.office = self.office or self.staff.office or offices[0][1]
        with VerticalScroll(classes="page", id="closures-page"):
            with Horizontal(classes="counter-bar"):
                yield Select(
                    offices,
                    value=self.office,
                    allow_blank=False,
                    id="office",
                    disabled=bool(self.staff.office),
                )
            with Horizontal(classes="counter-bar"):
                yield FormField(
                    _("Día (DD-MM-AAAA)"), Input(id="day", placeholder=_("DD-MM-AAAA")), "day"
                )
                yield FormField(_("Motivo"), Input(id="reason"), "reason")
            with Horizontal(classes="actions"):
                yield Button(_("Cerrar la oficina ese día"), id="add-closure", variant="warning")
            yield Static("", id="closures-status", classes="lead")
            yield ChoiceTable(id="closures")
            yield Static("", id="closures-chosen")
            with Horizontal(classes="actions"):
                yield Button(_("Quitar el cierre"), id="remove-closure", disabled=True)

    def ready(self) -> None:
        self.query_one("#closures", ChoiceTable).add_columns(_("Día"), _("Motivo"))
        self.query_one("#day").focus()
        self.action_reload()

    def after_relabel(self) -> None:
        self.ready()

    def _office_name(self) -> str:
        return next((o.name for o in self.host.catalog.offices if o.code == self.office), "")

    @on(Select.Changed, "#office")
    def _office(self, event: Select.Changed) -> None:
        if str(event.value) == self.office:
            return  # the same office, redrawn (in another language): keep the chosen row
        self.office = str(event.value)
        self.chosen = None
        self.action_reload()

    def action_reload(self) -> None:
        office = self.office
        self.call_store(lambda: self.store.closures(office), self._show)

    def _show(self, closures: list[ClosureView]) -> None:
        self.closures = closures
        table = self.query_one("#closures", ChoiceTable)
        table.clear()
        for closure in closures:
            table.add_row(
                *cells(long_day(closure.day), closure.reason), key=closure.day.isoformat()
            )
        table.choose(self.chosen)
        self._chosen_changed()

    def chosen_closure(self) -> ClosureView | None:
        return next((c for c in self.closures if c.day.isoformat() == self.chosen), None)

    @on(DataTable.RowHighlighted, "#closures")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The agent moved the cursor: another row is chosen. (A table whose cursor is hidden
        also highlights, while it is filled or redrawn in another language: that is nobody's
        choice, and must not drop the one made.)"""
        if event.data_table.show_cursor and event.data_table is self.query_one("#closures"):
            self._chosen_changed()

    def _chosen_changed(self) -> None:
        self.chosen = self.query_one("#closures", ChoiceTable).chosen
        closure = self.chosen_closure()
        if not self.closures:
            hint = _("La oficina no tiene cierres desde hoy.")
        elif closure is None:
            hint = _("Elija un cierre (flechas y Enter, o un clic) para quitarlo.")
        else:
            hint = _("Cierre elegido: {day}", day=long_day(closure.day))
        self.query_one("#closures-chosen", Static).update(plain(hint))
        self.query_one("#remove-closure", Button).disabled = closure is None

    @on(DataTable.RowSelected, "#closures")
    def _row_selected(self) -> None:
        self.query_one("#remove-closure").focus()

    # -- a new closure ----------------------------------------------------------------------

    @on(Input.Submitted, "#day, #reason")
    @on(Button.Pressed, "#add-closure")
    def _add(self) -> None:
        """Read the day, count the bookings it will displace, then ask (B12)."""
        if self.busy:
            return
        for field in ("day", "reason"):
            self.query_one(f"#field-{field}", FormField).show(None)
        reason = self.query_one("#reason", Input).value
        try:
            day = parse_date("day", self.query_one("#day", Input).value)
        except InvalidInput as error:
            self.query_one("#field-day", FormField).show(say(error.message))
            return
        if not reason.strip():
            self.query_one("#field-reason", FormField).show(
                _("Escriba el motivo del cierre (hasta 200 caracteres).")
            )
            return
        office = self.office
        self.call_store(
            lambda: self.store.agenda(office, day),
            lambda rows: self._confirm_add(day, reason, rows),
            self._refused,
        )

    def _confirm_add(self, day: date, reason: str, rows: list[AgendaRow]) -> None:
        office, actor = self.office, self.actor
        booked = sum(1 for row in rows if row.status == "confirmed")

        def answered(yes: bool | None) -> None:
            if yes:

                def close() -> tuple[CapacityChange, list[RebookRow]]:
                    change = self.store.add_closure(office, day, reason, actor=actor)
                    return change, self.store.to_rebook(office)

                self.call_store(close, self._added, self._refused)

        self.app.push_screen(
            ConfirmDialog(
                _("Cerrar la oficina ese día"),
                "\n".join(
                    (
                        _(
                            "{office} cerrará el {day} ({reason}): nadie podrá reservar ese día.",
                            office=self._office_name(),
                            day=long_day(day),
                            reason=reason.strip(),
                        ),
                        _("Reservas de ese día que se desplazarán: {count}", count=booked),
                    )
                ),
                _("Sí, cerrar ese día"),
                warning=_(
                    "Cada reserva de ese día queda sin efecto: la persona recibe un aviso y pasa a "
                    "la lista de espera con la fecha de su reserva original."
                ),
            ),
            answered,
        )

    def _added(self, result: tuple[CapacityChange, list[RebookRow]]) -> None:
        change, followed = result
        for field in ("day", "reason"):
            self.query_one(f"#{field}", Input).value = ""
        self._say(change_summary(change))
        if change.displaced:
            self.app.push_screen(
                CapacityChangeDialog(_("Oficina cerrada ese día"), change, followed)
            )
        self.action_reload()

    # -- removing one -----------------------------------------------------------------------

    @on(Button.Pressed, "#remove-closure")
    def _remove(self) -> None:
        closure = self.chosen_closure()
        if closure is None or self.busy:
            return
        office, actor, day = self.office, self.actor, closure.day

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.remove_closure(office, day, actor=actor),
                    self._removed,
                    self._refused,
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Quitar el cierre"),
                _(
                    "{office} atenderá el {day} después de todo: sus horas de ese día se abren de "
                    "nuevo y se asignan al instante a quien espera. Las reservas que el cierre "
                    "desplazó no vuelven: siga cada una en «Por reubicar».",
                    office=self._office_name(),
                    day=long_day(day),
                ),
                _("Sí, quitar el cierre"),
            ),
            answered,
        )

    def _removed(self, change: CapacityChange) -> None:
        self._say(change_summary(change, reopened=True))
        self.chosen = None
        self.action_reload()

    def _refused(self, error: StoreError) -> None:
        if isinstance(error, InvalidInput) and error.field in ("day", "reason"):
            self.query_one(f"#field-{error.field}", FormField).show(say(error.message))
        else:
            self._say(say(error.message))

    def _say(self, text: str) -> None:
        self.query_one("#closures-status", Static).update(plain(text))
