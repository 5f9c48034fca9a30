"""The two ways the store says no.

`Refused`: the input was well formed but a rule of domain.md forbids it (exit status 1).
`InvalidInput`: the input itself is wrong; it names the field and says how to fix it (exit 2).
Both carry a `Message`, translated by whoever shows it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from store.text import Message


class StoreError(Exception):
    """Base of the store's own refusals; never a crash."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render())
        self.message = message

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        """The sentence for the user, translated when a translator is given."""
        return self.message.render(translate) if translate else self.message.render()


class Unavailable(StoreError):
    """The database could not do it now (busy past the bounded wait, a connection lost before
    the commit): nothing was written, and the same act may simply be tried again."""


class Refused(StoreError):
    """A rule forbids this; `rule` is the domain.md id (B8, W1, …) and `code` a stable name."""

    def __init__(
        self,
        rule: str,
        code: str,
        msgid: str,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(Message(msgid, dict(params or {})))
        self.rule = rule
        self.code = code


class NotFound(Refused):
    """The thing asked for does not exist (a code, a document, an office)."""

    def __init__(self, code: str, msgid: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__("-", code, msgid, params)


class InvalidInput(StoreError):
    """Input that cannot be accepted as typed; `field` names the form field to fix."""

    def __init__(self, field: str, msgid: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(Message(msgid, dict(params or {})))
        self.field = field


class InvalidForm(InvalidInput):
    """Several fields at once: `errors` maps each field to its own message."""

    def __init__(self, errors: Mapping[str, Message]) -> None:
        first_field, first = next(iter(errors.items()))
        super().__init__(first_field, first.msgid, first.params)
        self.errors = dict(errors)
