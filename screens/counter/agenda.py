"""Today's agenda of the office (C5): check arrivals in by code or document, then mark each
appointment attended or missed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from screens.counter.base import STATUS_NAMES, CounterScreen, cells
from screens.text import _, long_day, plain, say
from screens.widgets.table import Table
from store.codes import display_code
from store.errors import StoreError
from store.text import N_
from store.views import AgendaRow


class AgendaScreen(CounterScreen):
    """A table of the day; the check-in field keeps the focus for the next arrival."""

    ROLES = ("agent", "supervisor")
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("f5", "reload", N_("Actualizar"), key_display="F5"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AgendaRow] = []
        self.office = ""  # the staff member's own office, or the first (chosen in `body`)

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
                yield Static(plain(long_day(self.host.clock.now().date())), id="agenda-day")
            with Horizontal(classes="actions counter-bar"):
                yield Input(id="arrival", placeholder=_("Código de reserva o documento"))
                yield Button(_("Registrar llegada"), id="check-in", variant="primary")
            yield Static("", id="agenda-status", classes="lead")
            yield Table(id="agenda", cursor_type="row", zebra_stripes=True)
            yield Static("", id="agenda-empty", classes="lead")
            with Horizontal(classes="actions"):
                yield Button(_("Atendida"), id="attended")
                yield Button(_("No se presentó"), id="missed", variant="warning")

    def ready(self) -> None:
        self.query_one("#agenda", Table).add_columns(
            _("Hora"), _("Estado"), _("Código"), _("Nombre"), _("Trámite"), _("Documento")
        )
        self.query_one("#arrival").focus()
        self.action_reload()

    def after_relabel(self) -> None:
        self.ready()

    @on(Select.Changed, "#office")
    def _office(self, event: Select.Changed) -> None:
        self.office = str(event.value)
        self.action_reload()

    def action_reload(self) -> None:
        office = self.office
        self.call_store(lambda: self.store.agenda(office), self._show)

    def _show(self, rows: list[AgendaRow]) -> None:
        self.rows = rows
        table = self.query_one("#agenda", Table)
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(
                *cells(
                    row.start.strftime("%H:%M"),
                    _(STATUS_NAMES.get(row.status, row.status)),
                    display_code(row.code),
                    row.applicant_name,
                    row.procedure,
                    row.document,
                ),
                key=row.code,
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        self.query_one("#agenda-empty", Static).update("" if rows else _("No hay citas para hoy."))

    @on(Input.Submitted, "#arrival")
    @on(Button.Pressed, "#check-in")
    def _check_in(self) -> None:
        text = self.query_one("#arrival", Input).value
        if not text.strip():
            self._say(_("Escriba el código de la reserva o el número de documento."))
            return
        office, actor = self.office, self.actor
        self.call_store(
            lambda: self.store.check_in(office, text, actor=actor), self._checked_in, self._refused
        )

    def _checked_in(self, row: AgendaRow) -> None:
        self.query_one("#arrival", Input).value = ""
        self._say(
            _(
                "Llegada registrada: {name}, {time}.",
                name=row.applicant_name,
                time=f"{row.start:%H:%M}",
            )
        )
        self.action_reload()
        self.query_one("#arrival").focus()

    @on(Button.Pressed, "#attended, #missed")
    def _mark(self, event: Button.Pressed) -> None:
        table = self.query_one("#agenda", Table)
        if not self.rows:
            self._say(_("No hay citas para hoy."))
            return
        code = self.rows[table.cursor_row].code
        office, actor = self.office, self.actor
        mark = self.store.mark_attended if event.button.id == "attended" else self.store.mark_missed
        self.call_store(lambda: mark(office, code, actor=actor), self._marked, self._refused)

    def _marked(self, row: AgendaRow) -> None:
        self._say(
            _(
                "{code}: {status}.",
                code=row.code,
                status=_(STATUS_NAMES.get(row.status, row.status)),
            )
        )
        self.action_reload()

    def _refused(self, error: StoreError) -> None:
        self._say(say(error.message))

    def _say(self, text: str) -> None:
        self.query_one("#agenda-status", Static).update(plain(text))
