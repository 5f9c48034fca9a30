"""The bar at the top of every screen: where you are, and the language switch (K4)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Static

from screens.text import _, language, plain

LANGUAGES = (("es", "Español"), ("en", "English"), ("ht", "Kreyòl"))


class TopBar(Horizontal):
    """Title on the left; Español / English on the right, the current one marked."""

    DEFAULT_CSS = """
    TopBar { height: 3; dock: top; background: $primary-background; padding: 0 1; align-vertical: middle; }
    TopBar #top-title { width: 1fr; content-align: left middle; height: 3; text-style: bold; }
    TopBar Button { min-width: 11; margin-left: 1; }
    TopBar.-assisting { background: $warning-muted; height: auto; min-height: 3; }
    TopBar.-assisting #top-title { height: auto; }
    """

    @dataclass
    class LanguageChosen(Message):
        """The person asked for another language."""

        language: str

    def __init__(self, title: str, banner: str | None = None) -> None:
        super().__init__(id="top-bar", classes="-assisting" if banner else "")
        self._title = title
        self._banner = banner

    def compose(self) -> ComposeResult:
        """The title; K8: in assisted mode, under it, who is served and by whom (in words and
        in reverse video, never by colour alone)."""
        if self._banner:
            text = plain(self._title)
            text.append("\n")
            text.append(f" {self._banner} ", style="reverse bold")
            yield Static(text, id="top-title")
        else:
            yield Static(plain(self._title), id="top-title")
        # Shown only on a training store (kiosk.tcss: App.-training), never by colour alone.
        yield Static(f" {_('CAPACITACIÓN')} ", id="top-training")
        for code, name in LANGUAGES:
            button = Button(name, id=f"lang-{code}", compact=True)
            button.can_focus = False  # Tab walks the page; the language is one tap away
            button.tooltip = _("Cambiar el idioma")
            if code == language():
                button.add_class("-current")
            yield button

    @on(Button.Pressed)
    def _choose(self, event: Button.Pressed) -> None:
        event.stop()
        chosen = (event.button.id or "").removeprefix("lang-")
        if chosen and chosen != language():
            self.post_message(self.LanguageChosen(chosen))
