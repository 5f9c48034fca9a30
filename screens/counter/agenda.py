"""Today's agenda of the office (C5, C11): check arrivals in by code or document, then mark the
chosen appointment attended or missed; a "did not come" marked by mistake is undone the same
day; a supervisor closes the day.

No row is chosen until the agent chooses one (arrows and Enter, a click, or typing its code):
the buttons that act on a row stay disabled until then, so Tab, Tab, Enter never marks the
first person of the day."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Select, Static

from screens.counter.base import STATUS_NAMES, CounterScreen, cells
from screens.dialogs.confirm import ConfirmDialog
from screens.text import _, long_day, plain, say
from screens.widgets.choice_table import ChoiceTable
from store.clock import local_today
from store.codes import display_code, normalize_code
from store.errors import StoreError
from store.text import N_
from store.views import AgendaRow, DayClosed, OfficeView


class AgendaScreen(CounterScreen):
    """A table of the day; the check-in field keeps the focus for the next arrival."""

    FIT_SHORT = True  # at 80x24 the day's table shows most of its rows, not three

    ROLES = ("agent", "supervisor")
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("f5", "reload", N_("Actualizar"), key_display="F5"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AgendaRow] = []
        self.office = ""  # the staff member's own office, or the first (chosen in `body`)
        self.chosen: str | None = None  # the code of the row the agent chose (C5)

    def heading(self) -> str:
        return _("Agenda de hoy")

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
                yield Static(plain(long_day(self.today())), id="agenda-day")
            with Horizontal(classes="actions counter-bar"):
                yield Input(id="arrival", placeholder=_("Código de reserva o documento"))
                yield Button(_("Registrar llegada"), id="check-in", variant="primary")
            yield Static("", id="agenda-status", classes="lead")
            yield ChoiceTable(id="agenda")
            yield Static("", id="agenda-chosen")
            with Horizontal(classes="actions", id="agenda-actions"):
                yield Button(_("Atendida"), id="attended", disabled=True)
                yield Button(_("No se presentó"), id="missed", variant="warning", disabled=True)
                yield Button(_("Deshacer"), id="undo-missed", disabled=True)
                if self.staff.role == "supervisor":
                    yield Button(_("Cerrar el día"), id="close-day")

    def ready(self) -> None:
        self.query_one("#agenda", ChoiceTable).add_columns(
            _("Hora"), _("Estado"), _("Código"), _("Documento"), _("Trámite"), _("Nombre")
        )
        self.query_one("#arrival").focus()
        self.action_reload()

    def after_relabel(self) -> None:
        self.ready()

    def office_view(self) -> OfficeView:
        return next(o for o in self.host.catalog.offices if o.code == self.office)

    def today(self) -> date:
        """The day on the office's own wall clock."""
        return local_today(self.host.clock, self.office_view().time_zone)

    @on(Select.Changed, "#office")
    def _office(self, event: Select.Changed) -> None:
        if str(event.value) == self.office:
            return  # the same office, redrawn (in another language): keep the chosen row
        self.office = str(event.value)
        self.chosen = None
        self.query_one("#agenda-day", Static).update(plain(long_day(self.today())))
        self.action_reload()

    def action_reload(self) -> None:
        office = self.office
        self.call_store(lambda: self.store.agenda(office), self._show)

    def _show(self, rows: list[AgendaRow]) -> None:
        self.rows = rows
        table = self.query_one("#agenda", ChoiceTable)
        table.clear()
        for row in rows:
            table.add_row(
                *cells(
                    row.start.strftime("%H:%M"),
                    _(STATUS_NAMES.get(row.status, row.status)),
                    display_code(row.code),
                    row.document,  # short, and what an arrival shows: before the long name
                    row.procedure,
                    row.applicant_name,
                ),
                key=row.code,
            )
        table.choose(self.chosen)  # the same person stays chosen after a change
        self._chosen_changed()

    # -- the chosen row ---------------------------------------------------------------------

    def chosen_row(self) -> AgendaRow | None:
        return next((row for row in self.rows if row.code == self.chosen), None)

    @on(DataTable.RowHighlighted, "#agenda")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The agent moved the cursor: another row is chosen. (A table whose cursor is hidden
        also highlights, while it is filled or redrawn in another language: that is nobody's
        choice, and must not drop the one made.)"""
        if event.data_table.show_cursor and event.data_table is self.query_one("#agenda"):
            self._chosen_changed()

    def _chosen_changed(self) -> None:
        """C5: the buttons act on the chosen row, and only once there is one."""
        self.chosen = self.query_one("#agenda", ChoiceTable).chosen
        row = self.chosen_row()
        if not self.rows:
            hint = _("No hay citas para hoy.")
        elif row is None:
            hint = _("Elija una fila (flechas y Enter, o un clic) o escriba su código arriba.")
        else:
            hint = _(
                "Fila elegida: {time} · {code} · {name} · {status}",
                time=row.start.strftime("%H:%M"),
                code=display_code(row.code),
                name=row.applicant_name,
                status=_(STATUS_NAMES.get(row.status, row.status)),
            )
        self.query_one("#agenda-chosen", Static).update(plain(hint))
        self.query_one("#attended", Button).disabled = row is None
        self.query_one("#missed", Button).disabled = row is None
        self.query_one("#undo-missed", Button).disabled = row is None or row.status != "missed"

    @on(DataTable.RowSelected, "#agenda")
    def _row_selected(self) -> None:
        """Enter on a chosen row: on to its buttons (K5, arrows and Enter alone)."""
        for button in self.query("#agenda-actions Button").results(Button):
            if not button.disabled and button.id != "close-day":
                button.focus()
                return

    @on(Input.Changed, "#arrival")
    def _typed(self, event: Input.Changed) -> None:
        """A typed code chooses its row, so every action can be done by typing the code."""
        code = normalize_code(event.value)
        if code is not None and any(row.code == code for row in self.rows):
            self.query_one("#agenda", ChoiceTable).choose(code)
            self._chosen_changed()

    # -- arrivals ---------------------------------------------------------------------------

    @on(Input.Submitted, "#arrival")
    @on(Button.Pressed, "#check-in")
    def _check_in(self) -> None:
        text = self.query_one("#arrival", Input).value.strip() or (self.chosen or "")
        if not text:
            self._say(_("Escriba el código de la reserva o el número de documento."))
            return
        office, actor = self.office, self.actor
        self.call_store(
            lambda: self.store.check_in(office, text, actor=actor),
            self._checked_in,
            self._check_in_refused,
        )

    def _check_in_refused(self, error: StoreError) -> None:
        """The refusal, and what was typed selected: the next code typed replaces it instead
        of being appended to it."""
        self._refused(error)
        field = self.query_one("#arrival", Input)
        field.focus()
        field.select_all()

    def _checked_in(self, row: AgendaRow) -> None:
        # The arrival is done with: nothing stays chosen for the next Tab, Tab, Enter to mark
        # (the person who just arrived has not been attended yet).
        self.chosen = None
        self.query_one("#arrival", Input).value = ""
        arrived = _(
            "Llegada registrada: {name}, {time}.",
            name=row.applicant_name,
            time=f"{row.start:%H:%M}",
        )
        if row.queue_number is not None:  # Q1: they wait in the room with this number
            arrived += " " + _("Número de espera: {number}.", number=row.queue_number)
        self._say(arrived)
        self.action_reload()
        self.query_one("#arrival").focus()

    # -- attended, missed, undone (C5, C11) -------------------------------------------------

    @on(Button.Pressed, "#attended")
    def _attended(self) -> None:
        row = self.chosen_row()
        if row is None or self.busy:
            return
        office, actor, code = self.office, self.actor, row.code
        self.call_store(
            lambda: self.store.mark_attended(office, code, actor=actor), self._marked, self._refused
        )

    @on(Button.Pressed, "#missed")
    def _missed(self) -> None:
        """C11: only after the time plus the grace, and only once confirmed. Before that the
        store's refusal says from when (the screen does not keep a copy of the rule)."""
        row = self.chosen_row()
        if row is None or self.busy:
            return
        office, actor, code = self.office, self.actor, row.code

        def mark() -> None:
            self.call_store(
                lambda: self.store.mark_missed(office, code, actor=actor),
                self._marked,
                self._refused,
            )

        if row.status != "confirmed" or (
            row.missable_at is not None and self.host.clock.now() < row.missable_at
        ):
            mark()  # refused: the store says why, and from when
            return
        self.app.push_screen(
            ConfirmDialog(
                _("No se presentó"),
                _(
                    "¿Marcar que {name} no se presentó a su cita de las {time} ({code})?",
                    name=row.applicant_name,
                    time=row.start.strftime("%H:%M"),
                    code=display_code(code),
                ),
                _("Sí, no se presentó"),
                warning=_("Se puede deshacer hoy mismo con «Deshacer»."),
            ),
            lambda yes: mark() if yes else None,
        )

    @on(Button.Pressed, "#undo-missed")
    def _undo_missed(self) -> None:
        row = self.chosen_row()
        if row is None or self.busy:
            return
        office, actor, code = self.office, self.actor, row.code
        self.call_store(
            lambda: self.store.undo_missed(office, code, actor=actor), self._undone, self._refused
        )

    def _marked(self, row: AgendaRow) -> None:
        self._say(
            _(
                "{code}: {status}.",
                code=display_code(row.code),
                status=_(STATUS_NAMES.get(row.status, row.status)),
            )
        )
        self.action_reload()

    def _undone(self, row: AgendaRow) -> None:
        self._say(
            _(
                "{code}: se deshizo «No se presentó»; ya puede registrar su llegada.",
                code=display_code(row.code),
            )
        )
        self.action_reload()

    # -- closing the day (C11, supervisors) -------------------------------------------------

    @on(Button.Pressed, "#close-day")
    def _close_day(self) -> None:
        """Counted fresh, then confirmed: how many remain, how many will be marked."""
        if self.busy:
            return
        office = self.office
        self.call_store(lambda: self.store.agenda(office), self._confirm_close)

    def _confirm_close(self, rows: list[AgendaRow]) -> None:
        self._show(rows)
        now = self.host.clock.now()
        remaining = [row for row in rows if row.status == "confirmed"]
        due = [r for r in remaining if r.missable_at is None or r.missable_at <= now]
        office, actor, day = self.office, self.actor, self.today()

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.close_day(office, day, actor=actor),
                    self._day_closed,
                    self._refused,
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Cerrar el día"),
                "\n".join(
                    (
                        _("Citas sin llegada registrada: {count}", count=len(remaining)),
                        _(
                            "Se marcarán «No se presentó» (pasó su hora y la tolerancia): {count}",
                            count=len(due),
                        ),
                        _(
                            "Quedan como están (aún pueden llegar): {count}",
                            count=len(remaining) - len(due),
                        ),
                    )
                ),
                _("Sí, cerrar el día"),
                warning=_("Después solo se puede deshacer cita por cita, con «Deshacer»."),
            ),
            answered,
        )

    def _day_closed(self, closed: DayClosed) -> None:
        self._say(
            _(
                "Día cerrado. Marcadas «No se presentó»: {marked}. Aún pueden llegar: {left}.",
                marked=closed.marked,
                left=closed.left,
            )
        )
        self.action_reload()

    def _refused(self, error: StoreError) -> None:
        self._say(say(error.message))

    def _say(self, text: str) -> None:
        self.query_one("#agenda-status", Static).update(plain(text))
