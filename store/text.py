"""Messages the store hands to the interface, still untranslated.

The store never imports the interface's translation machinery (dependencies point down), so
every sentence it produces is a `Message`: a Spanish msgid marked with `N_` for extraction and
its parameters. The screens and the command line translate the msgid and then fill it in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it (gettext's usual `N_`)."""
    return msgid


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class Message:
    """A translatable sentence: a Spanish msgid with `{named}` placeholders and their values."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        """The sentence in the language of `translate` (Spanish when none is given)."""
        text = translate(self.msgid)
        if not self.params:
            return text
        values = {
            key: value.render(translate) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return text.format(**values)

    def __str__(self) -> str:
        return self.render()
