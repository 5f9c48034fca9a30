"""Help tickets at the counter (C8, H3): the open ones, oldest first, with who asked; the answer
goes to the applicant's mailbox, and F4 opens the person's file."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static, TextArea

from screens.base import Outcome
from screens.counter.base import CounterScreen, cells
from screens.labels import ticket_category_name, ticket_kind_name
from screens.text import _, n_, plain, say, short_moment
from screens.widgets.table import Table
from store.codes import display_code, normalize_code
from store.errors import StoreError
from store.text import N_
from store.views import ApplicantView, TicketView


def _reference(text: str | None) -> str:
    """A booking code as the receipt prints it (with its dash); anything else as typed."""
    if not text:
        return "—"
    code = normalize_code(text)
    return display_code(code) if code else text


class CounterTicketsScreen(CounterScreen):
    """Choose a ticket, read it, write the answer, send; or open the file of who asked."""

    ROLES = ("agent", "supervisor")
    FIT_SHORT = True
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("f4", "open_file", N_("Ficha de la persona"), key_display="F4"),
    ]

    @dataclass
    class FileChosen(Outcome):
        """C8: the file of the person who asked comes next."""

        applicant: ApplicantView

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
                yield Button(_("Ficha de la persona (F4)"), id="open-file")

    def ready(self) -> None:
        table = self.query_one("#tickets", Table)
        table.clear(columns=True)
        table.add_columns(_("Abierto"), _("Oficina"), _("Quién pregunta"), _("Asunto"))
        self.reload()

    def after_relabel(self) -> None:
        self.ready()

    def reload(self) -> None:
        actor = self.actor
        self.call_store(lambda: self.store.open_tickets(actor=actor), self._show)

    def _show(self, tickets: list[TicketView]) -> None:
        self.tickets = tickets
        table = self.query_one("#tickets", Table)
        table.clear()
        for ticket in tickets:
            table.add_row(
                *cells(
                    short_moment(ticket.opened_at),
                    ticket.office_code or _("Cualquiera"),
                    ticket.applicant_name,
                    ticket.subject,
                )
            )
        self.query_one("#tickets-status", Static).update(
            n_(
                "{count} ticket abierto.",
                "{count} tickets abiertos, del más antiguo al más nuevo.",
                len(tickets),
            )
            if tickets
            else _("No hay tickets abiertos.")
        )
        self._select(0 if tickets else None)
        if tickets:
            table.focus()

    def _select(self, index: int | None) -> None:
        self.current = self.tickets[index] if index is not None else None
        message = self.query_one("#ticket-message", Static)
        message.update(self._detail(self.current) if self.current else "")
        self.query_one("#answer").display = self.current is not None
        self.query_one("#send").display = self.current is not None
        self.query_one("#open-file").display = self.current is not None

    @staticmethod
    def _detail(ticket: TicketView) -> Text:
        """The whole subject, the kind, category and reference above the message: the table
        keeps to four columns so that it fits at 80 columns."""
        facts = " · ".join(
            (
                ticket_kind_name(ticket.kind),
                ticket_category_name(ticket.category),
                _("Referencia: {reference}", reference=_reference(ticket.reference)),
            )
        )
        return Text.assemble((ticket.subject, "bold"), "\n", facts, "\n", ticket.message)

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

    @on(Button.Pressed, "#open-file")
    def action_open_file(self) -> None:
        """C1, C8: the file of who asked; opening it is recorded with who looked."""
        if self.current is None:
            return
        applicant_id, actor = self.current.applicant_id, self.actor
        self.call_store(
            lambda: self.store.open_file(applicant_id, actor=actor),
            lambda applicant: self.post_message(self.FileChosen(applicant)),
        )

    def _answered(self, _ticket: TicketView) -> None:
        self.query_one("#answer", TextArea).text = ""
        self.app.notify(_("Respuesta enviada al buzón de la persona."))
        self.reload()

    def _refused(self, error: StoreError) -> None:
        self.query_one("#tickets-status", Static).update(plain(say(error.message)))
