"""A yes-or-no question before something that cannot be undone (W4, cancellations)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.text import Words, _, plain, words
from screens.widgets.keypad import KEYPAD_ARROWS


class ConfirmDialog(ModalScreen[bool]):
    """Returns True for the action, False for "back"; escape is "back"."""

    BINDINGS = [Binding("escape", "back", show=False), *KEYPAD_ARROWS]

    def __init__(
        self,
        title: Words,
        text: Words,
        yes: Words,
        *,
        warning: Words | None = None,
        no: Words | None = None,
    ) -> None:
        """Each text may be a function of no arguments that says it in the language in use:
        after F2 the dialog is composed again, in the new language (K4)."""
        super().__init__()
        self._title = title
        self._text = text
        self._yes = yes
        self._warning = warning
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Static(plain(words(self._title)), classes="dialog-title")
            yield Static(plain(words(self._text)))
            if self._warning:
                yield Static(
                    plain(words(self._warning)), classes="warning-box", id="confirm-warning"
                )
            with Horizontal(classes="actions"):
                yield Button(words(self._no) if self._no else _("Volver"), id="no")
                if self._warning:
                    yield Button(words(self._yes), id="yes", variant="warning")
                else:
                    yield Button(words(self._yes), id="yes", variant="primary")

    def on_mount(self) -> None:
        # Where a mistake loses something, the safe answer has the focus.
        self.query_one("#no" if self._warning else "#yes").focus()

    @on(Button.Pressed)
    def _answer(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_back(self) -> None:
        self.dismiss(False)
