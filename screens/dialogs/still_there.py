"""K1: "¿Sigue ahí?", with the seconds left before everything is cleared."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.text import _, n_


class StillThereDialog(ModalScreen[bool]):
    """Any answer keeps the session; the app resets it if none comes in time."""

    def __init__(self, seconds_left: Callable[[], float]) -> None:
        super().__init__()
        self._seconds_left = seconds_left

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="still-there"):
            yield Static(_("¿Sigue ahí?"), classes="dialog-title")
            yield Static(self._countdown(), id="still-there-countdown")
            with Horizontal(classes="actions"):
                yield Button(_("Sí, sigo aquí"), id="here", variant="primary")

    def _countdown(self) -> str:
        left = max(0, round(self._seconds_left()))
        return n_(
            "Por su privacidad, en {count} segundo se borrará todo y el quiosco volverá al inicio.",
            "Por su privacidad, en {count} segundos se borrará todo y el quiosco volverá al inicio.",
            left,
        )

    def on_mount(self) -> None:
        self.query_one("#here").focus()
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        self.query_one("#still-there-countdown", Static).update(self._countdown())

    def on_button_pressed(self) -> None:
        self.dismiss(True)
