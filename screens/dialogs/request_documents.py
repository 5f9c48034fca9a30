"""C8: which documents are missing and by when; the request lands in the mailbox."""

from __future__ import annotations

from datetime import date, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from screens.text import _, say
from screens.widgets.fields import FormField
from store.errors import InvalidInput
from store.validation import parse_date

DEFAULT_DAYS = 10


class RequestDocumentsDialog(ModalScreen[tuple[str, date] | None]):
    """Returns (documents, deadline), or None for "back"."""

    BINDINGS = [Binding("escape", "back", show=False)]

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="request-dialog"):
            yield Static(_("Pedir documentos"), classes="dialog-title")
            yield FormField(_("Documentos que faltan"), Input(id="documents"), "documents")
            default = (self.today + timedelta(days=DEFAULT_DAYS)).strftime("%d-%m-%Y")
            yield FormField(_("Plazo (DD-MM-AAAA)"), Input(default, id="deadline"), "deadline")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Enviar al buzón"), id="send", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#documents").focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        documents = self.query_one("#documents", Input).value
        field = self.query_one("#field-documents", FormField)
        field.show(None if documents.strip() else _("Escriba qué documentos faltan."))
        try:
            deadline = parse_date("deadline", self.query_one("#deadline", Input).value)
        except InvalidInput as error:
            self.query_one("#field-deadline", FormField).show(say(error.message))
            return
        self.query_one("#field-deadline", FormField).show(None)
        if documents.strip():
            self.dismiss((documents, deadline))

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(None)
