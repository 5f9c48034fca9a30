"""A sentence with the ways forward it names, one button each (A6: never a dead end)."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.text import Words, plain, words
from screens.widgets.keypad import KEYPAD_ARROWS


class ChoiceDialog(ModalScreen[str | None]):
    """Returns the id of the button pressed; escape returns None (nothing chosen, stay).

    `choices` are (id, label) pairs, the first one focused and marked primary; each text may
    be a function that says it in the language in use (redrawn after F2, K4)."""

    BINDINGS = [Binding("escape", "stay", show=False), *KEYPAD_ARROWS]

    def __init__(self, title: Words, text: Words, choices: Sequence[tuple[str, Words]]) -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="choice-dialog"):
            yield Static(plain(words(self._title)), classes="dialog-title")
            yield Static(plain(words(self._text)), id="choice-text")
            # One under the other: each whole at 80 columns, and the arrows go down the list.
            with Vertical(classes="choices"):
                for index, (choice, label) in enumerate(self._choices):
                    yield Button(
                        words(label), id=choice, variant="primary" if index == 0 else "default"
                    )

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_stay(self) -> None:
        self.dismiss(None)
