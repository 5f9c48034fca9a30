"""Days in words, in each of the product's languages (K4): "lunes, 30 de noviembre de 2026",
"Monday, 30 November 2026", "lendi 30 novanm 2026".

Spanish and English come from Babel's locale data (es_CL, en_GB). Babel has no Haitian Creole
of its own and falls back to French for `ht` ("lundi 30 novembre"), so Kreyòl's month and
weekday names are given here, written as the Akademi Kreyòl Ayisyen spells them."""

from __future__ import annotations

from datetime import date

BABEL_LOCALES = {"es": "es_CL", "en": "en_GB"}

# Monday first, as date.weekday() counts.
_HT_WEEKDAYS = ("lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch")
_HT_WEEKDAYS_SHORT = ("len", "mad", "mèk", "jed", "van", "sam", "dim")
_HT_MONTHS = (
    "janvye",
    "fevriye",
    "mas",
    "avril",
    "me",
    "jen",
    "jiyè",
    "out",
    "septanm",
    "oktòb",
    "novanm",
    "desanm",
)
_HT_MONTHS_SHORT = (
    "jan",
    "fev",
    "mas",
    "avr",
    "me",
    "jen",
    "jiy",
    "out",
    "sep",
    "okt",
    "nov",
    "des",
)


def long_day(day: date, language: str) -> str:
    """The day in full: lunes, 30 de noviembre de 2026 / Monday, 30 November 2026 /
    lendi 30 novanm 2026."""
    if language == "ht":
        return f"{_HT_WEEKDAYS[day.weekday()]} {day.day} {_HT_MONTHS[day.month - 1]} {day.year}"
    from babel.dates import format_date

    return format_date(day, "full", locale=BABEL_LOCALES.get(language, "es_CL"))


def short_day(day: date, language: str) -> str:
    """A grid column's header: lun 30 nov / Mon 30 Nov / len 30 nov."""
    if language == "ht":
        weekday, month = _HT_WEEKDAYS_SHORT[day.weekday()], _HT_MONTHS_SHORT[day.month - 1]
        return f"{weekday} {day.day} {month}"
    from babel.dates import format_date

    return format_date(day, "EEE d MMM", locale=BABEL_LOCALES.get(language, "es_CL"))


def weekday_names(language: str) -> tuple[str, ...]:
    """The seven weekdays' names, Monday first."""
    if language == "ht":
        return _HT_WEEKDAYS
    from babel.dates import get_day_names

    names = get_day_names("wide", locale=BABEL_LOCALES.get(language, "es_CL"))
    return tuple(names[i] for i in range(7))
