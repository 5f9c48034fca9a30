"""Messages the store hands to the interface, still untranslated.

The store never imports the interface's translation machinery (dependencies point down), so
every sentence it produces is a `Message`: a Spanish msgid marked with `N_` for extraction and
its parameters. The screens and the command line translate the msgid and then fill it in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("es", "en", "ht")
"""The languages the product speaks (K4): Spanish first, then English and Haitian Creole."""
TRANSLATED = LANGUAGES[1:]
"""The languages a procedure's name and documents may be given in besides Spanish."""


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


def localised(message: Message, language: str) -> Message:
    """A notice's sentence with the names that have a translation in `language`: a procedure's
    names travel beside the Spanish one as `procedure_names` ({language: name}; notices written
    before issue 16 carry `procedure_en`)."""
    params: Mapping[str, Any] = message.params
    names = params.get("procedure_names") or {}
    if not names and params.get("procedure_en"):
        names = {"en": params["procedure_en"]}
    if names.get(language):
        return Message(message.msgid, {**params, "procedure": names[language]})
    return message
