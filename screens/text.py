"""The screens' words: the translation function in use, and dates as people read them (K4).

Message ids are Spanish; `_` marks and translates them. The application sets the language with
`use_language`, and every screen composes its text through `_`, so switching language and
recomposing redraws everything, footer included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from rich.text import Text

from store.text import Message, localised

Translate = Callable[[str], str]


def _spanish(text: str) -> str:
    return text


class _Current:
    translate: Translate = _spanish
    language: str = "es"


def use_language(language: str, translate: Translate) -> None:
    """Make `_` speak this language (called by the app at start and on every switch)."""
    _Current.language = language
    _Current.translate = translate


def language() -> str:
    return _Current.language


def translate(msgid: str) -> str:
    """The bare translation function (for `Message.render`)."""
    return _Current.translate(msgid)


def _(msgid: str, **params: object) -> str:
    """Translate a Spanish msgid and fill in its `{named}` values."""
    text = _Current.translate(msgid)
    return text.format(**params) if params else text


def n_(singular: str, plural: str, count: int, **params: object) -> str:
    """A sentence with a count, in the form the current language uses for it (ngettext):
    "1 persona", "2 personas"; `{count}` and the other `{named}` values are filled in."""
    choose = getattr(_Current.translate, "plural", None)
    text = choose(singular, plural, count) if choose else (singular if count == 1 else plural)
    return text.format(count=count, **params)


Words = str | Callable[[], str]
"""A dialog's text: a string, or a function that says it in the language now in use (so that a
dialog redrawn after F2 speaks the new language, not the one it was opened in)."""


def words(text: Words) -> str:
    """The text of `Words`, in the language now in use."""
    return text() if callable(text) else text


def say(message: Message) -> str:
    """A store message (a refusal, a notice) in the current language."""
    return localised(message, _Current.language).render(_Current.translate)


def plain(text: str) -> Text:
    """User text (names, subjects) shown as it is: never parsed as markup."""
    return Text(text)


def long_day(day: date) -> str:
    """lunes, 30 de noviembre de 2026, in the current language."""
    from store import daywords  # not before the first screen, which shows no date (issue 19)

    return daywords.long_day(day, _Current.language)


def short_day(day: date) -> str:
    """lun 30 nov: a grid column header."""
    from store import daywords  # not before the first screen, which shows no date (issue 19)

    return daywords.short_day(day, _Current.language)


def short_moment(value: datetime, zone: str = "America/Santiago") -> str:
    """23-11-2026 09:00: a list line."""
    from zoneinfo import ZoneInfo

    return f"{value.astimezone(ZoneInfo(zone)):%d-%m-%Y %H:%M}"


def moment(value: datetime, zone: str = "America/Santiago") -> str:
    """A date and a time on an office's (or mainland Chile's) wall clock."""
    from zoneinfo import ZoneInfo

    local = value.astimezone(ZoneInfo(zone))
    return f"{long_day(local.date())}, {local:%H:%M}"
