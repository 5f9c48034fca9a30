"""Help tickets at the counter (C8, H3): the open ones, oldest first; the answer goes to the
applicant's mailbox."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static, TextArea

from screens.counter.base import CounterScreen, cells
from screens.labels import ticket_category_name, ticket_kind_name
from screens.text import _, plain, say, short_moment
from screens.widgets.table import Table
from store.errors import StoreError
from store.text import N_
from store.views import TicketView


class CounterTicketsScreen(CounterScreen):
    """Choose a ticket, read it, write the answer, send."""

    ROLES = ("agent", "supervisor")
    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    def __init__(self) -> None:
        super().__init__()
        self.tickets: list[TicketView] = []
        self.current: TicketView | None = None

    def heading(self) -> str:
        return _("Tickets de ayuda abiertos")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static("", id="tickets-status", classes="lead")
            yield Table(id="tickets", cursor_type="row", zebra_stripes=True)
            yield Static("", id="ticket-message")
            yield TextArea(id="answer", placeholder=_("Escriba aquí la respuesta."))
            with Horizontal(classes="actions"):
                yield Button(_("Enviar respuesta"), id="send", variant="primary")

    def ready(self) -> None:
        self.query_one("#tickets", Table).add_columns(
            _("Abierto"), _("Tipo"), _("Asunto"), _("Categoría"), _("Referencia")
        )
        self.reload()

    def after_relabel(self) -> None:
        self.ready()

    def reload(self) -> None:
        self.call_store(self.store.open_tickets, self._show)

    def _show(self, tickets: list[TicketView]) -> None:
        self.tickets = tickets
        table = self.query_one("#tickets", Table)
        table.clear()
        for ticket in tickets:
            table.add_row(
                *cells(
                    short_moment(ticket.opened_at),
                    ticket_kind_name(ticket.kind),
                    ticket.subject,
                    ticket_category_name(ticket.category),
                    ticket.reference or "—",
                )
            )
        self.query_one("#tickets-status", Static).update(
            _("{count} ticket(s) abierto(s), del más antiguo al más nuevo.", count=len(tickets))
            if tickets
            else _("No hay tickets abiertos.")
        )
        self._select(0 if tickets else None)
        if tickets:
            table.focus()

    def _select(self, index: int | None) -> None:
        self.current = self.tickets[index] if index is not None else None
        message = self.query_one("#ticket-message", Static)
        message.update(plain(self.current.message) if self.current else "")
        self.query_one("#answer").display = self.current is not None
        self.query_one("#send").display = self.current is not None

    @on(DataTable.RowHighlighted, "#tickets")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.tickets):
            self._select(event.cursor_row)

    @on(DataTable.RowSelected, "#tickets")
    def _chosen(self) -> None:
        self.query_one("#answer").focus()

    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        if self.current is None:
            return
        ticket_id, actor = self.current.id, self.actor
        answer = self.query_one("#answer", TextArea).text
        self.call_store(
            lambda: self.store.answer_ticket(ticket_id, answer, actor=actor),
            self._answered,
            self._refused,
        )

    def _answered(self, _ticket: TicketView) -> None:
        self.query_one("#answer", TextArea).text = ""
        self.app.notify(_("Respuesta enviada al buzón de la persona."))
        self.reload()

    def _refused(self, error: StoreError) -> None:
        self.query_one("#tickets-status", Static).update(plain(say(error.message)))
