"""A sentence the person must read, with one button to go on."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.text import Words, _, plain, words


class MessageDialog(ModalScreen[None]):
    """A refusal or a notice: title, one clear sentence, "Entendido"."""

    BINDINGS = [Binding("escape", "close", show=False)]

    def __init__(self, title: Words, text: Words) -> None:
        """`title` and `text` may be functions that say them in the language in use (K4)."""
        super().__init__()
        self._title = title
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="message-dialog"):
            yield Static(plain(words(self._title)), classes="dialog-title")
            yield Static(plain(words(self._text)), id="message-text")
            with Horizontal(classes="actions"):
                yield Button(_("Entendido"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
