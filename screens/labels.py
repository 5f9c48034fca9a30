"""What the screens call things, in the current language: procedures and the documents they need,
document types, help-ticket kinds and topics. Shared by kiosk and counter screens, so that one
name is written once."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from screens.text import _, language
from store.forms import FIELD_LABELS
from store.text import N_

if TYPE_CHECKING:
    from store.views import ProcedureView, SkippedDay

DOCUMENT_TYPES = (("passport", N_("Pasaporte ordinario")), ("cedula", N_("Cédula de identidad")))

# H1: what a help ticket is, and what it is about.
TICKET_KINDS = (
    ("question", N_("Pregunta")),
    ("complaint", N_("Reclamo")),
    ("suggestion", N_("Sugerencia")),
    ("congratulation", N_("Felicitación")),
)
TICKET_CATEGORIES = (
    ("booking", N_("Horas y reservas")),
    ("waitlist", N_("Asignación automatizada")),
    ("account", N_("Mi cuenta y contraseña")),
    ("documents", N_("Documentos")),
    ("other", N_("Otro tema")),
)


def field_label(field: str) -> str:
    """A form field's name, as the registration and capacity forms and the command line say it."""
    return _(FIELD_LABELS[field])


def _named(table: tuple[tuple[str, str], ...], code: str) -> str:
    """The label of `code` in the current language; an unknown code as it is."""
    return next((_(label) for known, label in table if known == code), code)


def document_type_name(code: str) -> str:
    """ "Pasaporte ordinario" or "Cédula de identidad"."""
    return _named(DOCUMENT_TYPES, code)


def ticket_kind_name(code: str) -> str:
    """ "Pregunta", "Reclamo"…"""
    return _named(TICKET_KINDS, code)


def ticket_category_name(code: str) -> str:
    """ "Horas y reservas", "Documentos"…"""
    return _named(TICKET_CATEGORIES, code)


def procedure_name(procedure: ProcedureView) -> str:
    """The procedure's name in the current language."""
    return procedure.name_in(language())


def documents(procedure: ProcedureView) -> tuple[str, ...]:
    """B2: the documents to bring, in the current language."""
    return procedure.documents_in(language())


# The languages `holidays` names Chile's holidays in; any other reads their official (Spanish)
# names, as it reads its dates.
_HOLIDAY_LANGUAGES = {"es": "es", "en": "en_US"}


@cache
def _holiday_names(region: str, year: int, in_language: str) -> dict[date, str]:
    import holidays

    table = holidays.country_holidays(
        "CL", subdiv=region.removeprefix("CL-") or None, years=year, language=in_language
    )
    return dict(table.items())


def holiday_name(skipped: SkippedDay, region: str) -> str:
    """A public holiday's name (national or of `region`) in the current language; the store's
    Spanish name where the library has none."""
    names = _holiday_names(region, skipped.day.year, _HOLIDAY_LANGUAGES.get(language(), "es"))
    return names.get(skipped.day, skipped.reason)
