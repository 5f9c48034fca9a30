"""Q3 "Derivar": where a called or waiting number goes on to (another procedure of the office,
another counter, or both); the person keeps their place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from screens.text import _, plain
from screens.widgets.keypad import KEYPAD_ARROWS


@dataclass(frozen=True)
class Transfer:
    """The procedure (None: the same) and the counter (None: any counter) to go on to."""

    procedure: str | None
    counter: int | None


class TransferDialog(ModalScreen[Transfer | None]):
    """A procedure list and a counter number; escape or "Volver" transfers nothing."""

    BINDINGS = [Binding("escape", "stay", show=False), *KEYPAD_ARROWS]

    def __init__(self, number: int, procedure: str, procedures: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.number = number
        self.procedure = procedure
        self.procedures = list(procedures)  # (label, code) of the office's procedures

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="transfer-dialog"):
            yield Static(
                plain(_("Derivar el número {number}", number=self.number)), classes="dialog-title"
            )
            yield Label(_("Trámite"))
            yield Select(self.procedures, value=self.procedure, allow_blank=False, id="procedure")
            yield Label(_("Mesón (vacío: cualquiera)"))
            yield Input(id="to-counter", type="integer", max_length=3)
            yield Static("", id="transfer-error", classes="field-error")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="stay")
                yield Button(_("Derivar"), id="transfer", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#procedure").focus()

    @on(Input.Submitted, "#to-counter")
    @on(Button.Pressed, "#transfer")
    def _transfer(self) -> None:
        procedure = str(self.query_one("#procedure", Select).value)
        typed = self.query_one("#to-counter", Input).value.strip()
        counter = int(typed) if typed.isdigit() else None
        if typed and (counter is None or counter < 1):
            self.query_one("#transfer-error", Static).update(
                _("El número de mesón es un número desde 1.")
            )
            return
        if procedure == self.procedure and counter is None:
            self.query_one("#transfer-error", Static).update(
                _("Elija otro trámite o escriba el número de otro mesón.")
            )
            return
        self.dismiss(Transfer(None if procedure == self.procedure else procedure, counter))

    @on(Button.Pressed, "#stay")
    def action_stay(self) -> None:
        self.dismiss(None)
