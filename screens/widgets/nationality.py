"""A2: nationality as a searchable list: type a few letters (accents optional), tap the country."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from store.validation import fold, nationalities

SHOWN = 5


class NationalityPicker(Vertical):
    """An input that filters the country list as you type; Enter or a tap picks. Escape with
    the list open closes the list only (K5): the form, and what was typed, stay."""

    BINDINGS = [Binding("escape", "close_list", show=False)]

    DEFAULT_CSS = """
    NationalityPicker { height: auto; }
    NationalityPicker OptionList { height: auto; max-height: 7; display: none; }
    NationalityPicker.-open OptionList { display: block; }
    """

    @dataclass
    class Picked(Message):
        """A country was chosen (or the choice was cleared: code None)."""

        picker: NationalityPicker
        code: str | None

    def __init__(self, language: str, hint: str, code: str | None = None) -> None:
        super().__init__(id="nationality-picker")
        self.language = language
        self.hint = hint
        self.code = code

    def compose(self) -> ComposeResult:
        names = nationalities(self.language)
        yield Input(names.get(self.code or "", ""), placeholder=self.hint, id="nationality")
        yield OptionList(id="nationality-options")

    def matches(self, typed: str) -> list[tuple[str, str]]:
        """Countries whose name starts with, then contains, what was typed."""
        wanted = fold(typed.strip())
        if not wanted:
            return []
        names = nationalities(self.language)
        starts = [(c, n) for c, n in names.items() if fold(n).startswith(wanted)]
        inside = [(c, n) for c, n in names.items() if wanted in fold(n) and (c, n) not in starts]
        return (starts + inside)[:SHOWN]

    @on(Input.Changed, "#nationality")
    def _filter(self, event: Input.Changed) -> None:
        names = nationalities(self.language)
        exact = [c for c, n in names.items() if fold(n) == fold(event.value.strip())]
        self.code = exact[0] if exact else None
        options = self.query_one(OptionList)
        options.clear_options()
        found = [] if exact else self.matches(event.value)
        options.add_options([Option(name, id=code) for code, name in found])
        self.set_class(bool(found), "-open")
        self.post_message(self.Picked(self, self.code))

    @on(Input.Submitted, "#nationality")
    def _take_first(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if self.code is None and options.option_count:
            event.stop()
            self._choose(options.get_option_at_index(0).id)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id)

    def _choose(self, code: str | None) -> None:
        if code is None:
            return
        entry = self.query_one("#nationality", Input)
        entry.value = nationalities(self.language)[code]  # fires Changed: sets self.code
        entry.cursor_position = len(entry.value)
        entry.focus()
        # K5: a country chosen is an answer given: on to the next field, as Enter does from a
        # text field (the chosen name stays in view, and Shift+Tab goes back to it).
        self.call_after_refresh(self.screen.focus_next)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # With the list closed, escape is the screen's again ("Volver").
        return self.has_class("-open") if action == "close_list" else True

    def action_close_list(self) -> None:
        self.remove_class("-open")
        self.query_one("#nationality", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """Down arrow from the input walks into the list."""
        options = self.query_one(OptionList)
        if event.key == "down" and self.has_class("-open") and not options.has_focus:
            # The first match highlighted, and this key spent: the list must not move on
            # to the second one with it.
            event.stop()
            event.prevent_default()
            options.focus()
            options.highlighted = 0
