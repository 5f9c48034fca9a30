"""Validation and normalisation of everything a person types (rules A2–A7, A9, K6).

One function per field. The store calls them before it writes, and the registration form's
validators call the very same functions, so a rule lives in one place. Each function returns
the normalised value or raises `InvalidInput` naming the field and saying how to fix it."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import cache

import phonenumbers
from stdnum.cl import rut as stdnum_rut

from store.errors import InvalidInput
from store.text import N_

DOCUMENT_TYPES = ("cedula", "passport")
NAME_MAX = 60
EMAIL_MAX = 254
PASSWORD_MIN = 8
# A4: the separators real names contain, besides letters and combining marks.
_NAME_SEPARATORS = frozenset(" '’-")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _clean(text: object) -> str:
    """Text as typed, without surrounding spaces; anything that is not text is an empty field."""
    return text.strip() if isinstance(text, str) else ""


def printable(text: object) -> str:
    """Typed text without control and formatting characters (NUL, bidi marks …), trimmed.

    For search terms, codes and free text: such characters are never part of what a person
    means, and PostgreSQL refuses NUL in text outright."""
    if not isinstance(text, str):
        return ""
    return "".join(
        ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\n\t"
    ).strip()


def fold(text: str) -> str:
    """Lower case without accents, for accent-insensitive search (C3): "Muñoz" -> "munoz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_words(text: str) -> list[str]:
    """A name's words folded, as the name search (C3) and recovery (A10) compare them: the
    runs of letters and digits of `fold(text)`. Accents and case make no difference, nor which
    apostrophe (’ ' ` ´), hyphen or spaces separate the words; the words themselves and their
    order do: "D’Arcy-Núñez" -> ["d", "arcy", "nunez"], as "D'Arcy Nunez"; "DArcy" differs."""
    return re.findall(r"[^\W_]+", fold(text))


def normalize_name(field: str, text: object, *, required: bool = True) -> str:
    """A4: a given name or surname with every letter people really have."""
    value = unicodedata.normalize("NFC", " ".join(_clean(text).split()))
    if not value:
        if required:
            raise InvalidInput(field, N_("Escriba este dato tal como aparece en su documento."))
        return ""
    if len(value) > NAME_MAX:
        raise InvalidInput(
            field, N_("Es demasiado largo: use como máximo {max} caracteres."), {"max": NAME_MAX}
        )
    for char in value:
        if char in _NAME_SEPARATORS or unicodedata.category(char)[0] in "LM":
            continue
        raise InvalidInput(
            field,
            N_("Use solo letras, espacios, apóstrofos y guiones; quite el carácter «{char}»."),
            {"char": char if char.isprintable() else repr(char)},
        )
    if not any(unicodedata.category(char)[0] == "L" for char in value):
        raise InvalidInput(field, N_("Escriba al menos una letra."))
    return value


def normalize_email(text: object, field: str = "email") -> str:
    """A5: trimmed and lower-cased, so that one address is one account."""
    value = _clean(text).lower()
    if not value:
        raise InvalidInput(field, N_("Escriba su correo electrónico, por ejemplo ana@correo.cl."))
    if len(value) > EMAIL_MAX or _CONTROL.search(value) or not _EMAIL.match(value):
        raise InvalidInput(
            field,
            N_("El correo no es válido: debe tener la forma nombre@dominio.cl, sin espacios."),
        )
    return value


def check_email_confirmation(email: str, confirmation: object) -> None:
    """A2: the confirmation must be the same address (compared as A5 normalises it)."""
    if _clean(confirmation).lower() != email:
        raise InvalidInput(
            "email_confirmation",
            N_("Los dos correos no coinciden: escriba el mismo correo en ambos campos."),
        )


def compact_document(text: object) -> str:
    """A document number in any usual spelling, as one key: "12.345.678-k" -> "12345678K"."""
    return "".join(ch for ch in _clean(text).upper() if ch.isascii() and ch.isalnum())


def normalize_run(text: object, field: str = "document_number") -> str:
    """A7: a Chilean RUN with a valid check digit, stored as "12345678-5".

    Bodies of six to eight digits are accepted: python-stdnum refuses six-digit bodies, but
    older RUNs below one million are real, so the check digit is verified here directly."""
    compact = compact_document(text)
    if not compact:
        raise InvalidInput(field, N_("Escriba el número de su cédula, por ejemplo 12.345.678-5."))
    body, check = compact[:-1], compact[-1:]
    if (
        not body.isdigit()
        or not 6 <= len(body.lstrip("0")) <= 8
        or not (check.isdigit() or check == "K")
    ):
        raise InvalidInput(
            field,
            N_("El RUN debe tener de 6 a 8 dígitos y un dígito verificador: 12.345.678-5."),
        )
    body = body.lstrip("0")
    if stdnum_rut.calc_check_digit(body) != check:
        raise InvalidInput(
            field,
            N_("El dígito verificador no corresponde al RUN: revise el número y el último dígito."),
        )
    return f"{body}-{check}"


def normalize_passport(text: object, field: str = "document_number") -> str:
    """A7: a passport number of 5 to 20 letters and digits (spaces and dashes dropped)."""
    value = compact_document(text)
    if not _PASSPORT.match(value) or _CONTROL.search(_clean(text)):
        raise InvalidInput(
            field, N_("El número de pasaporte debe tener de 5 a 20 letras o dígitos.")
        )
    return value


def normalize_document(document_type: object, number: object) -> str:
    """A7: the document number normalised for its type."""
    if document_type == "cedula":
        return normalize_run(number)
    if document_type == "passport":
        return normalize_passport(number)
    raise InvalidInput(
        "document_type",
        N_("Elija el tipo de documento: Pasaporte ordinario o Cédula de identidad."),
    )


def format_document(document_type: str, number: str) -> str:
    """The usual printed spelling: "12.345.678-5" for a RUN, the number itself for a passport."""
    if document_type != "cedula":
        return number
    body, check = number.split("-")
    return f"{int(body):,}".replace(",", ".") + f"-{check}"


def mask_document(document_type: str, number: str) -> str:
    """K6: a document number partly hidden for printouts and logs: "12.3**.***-5"."""
    shown = format_document(document_type, number)
    if document_type == "cedula":
        head, tail = shown[:4], shown[-2:]
        middle = "".join("*" if ch.isdigit() else ch for ch in shown[4:-2])
        return head + middle + tail
    keep = 2 if len(shown) > 6 else 1
    return shown[:keep] + "*" * (len(shown) - keep - 1) + shown[-1]


# The years a date may have (a birth in 1900 still gives an age under 120 in 2019).
FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse_date(field: str, text: object) -> date:
    """A date as people write it (2026-03-01, 01-03-2026, 01/03/2026), checked for real."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    value = _clean(text)
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            day = datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if not FIRST_YEAR <= day.year <= LAST_YEAR:  # 9999-12-30 + a day would overflow
            raise InvalidInput(
                field,
                N_("Escriba una fecha entre los años {first} y {last}."),
                {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return day
    raise InvalidInput(
        field, N_("Escriba una fecha real con la forma DD-MM-AAAA, por ejemplo 07-03-1990.")
    )


def check_expiry(expiry: date, today: date) -> date:
    """A7: the document must not have expired."""
    if expiry < today:
        raise InvalidInput(
            "document_expiry",
            N_("El documento venció el {date}: use un documento vigente."),
            {"date": expiry.strftime("%d-%m-%Y")},
        )
    return expiry


def check_birth_date(birth: date, today: date) -> date:
    """A7: a birth date in the past giving an age under 120."""
    if birth >= today:
        raise InvalidInput("birth_date", N_("La fecha de nacimiento debe estar en el pasado."))
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if age >= 120:
        raise InvalidInput(
            "birth_date", N_("Revise el año de nacimiento: la edad resultante supera 120 años.")
        )
    return birth


@cache
def nationalities(language: str = "es") -> dict[str, str]:
    """ISO 3166-1 alpha-2 codes with their names in a language (babel's CLDR data), by name.
    CLDR has no Kreyòl names (Babel answers `ht` in French: "Haïti", "Thaïlande"), so a
    Kreyòl reader gets the Spanish ones, as Chile's documents write them."""
    from babel import Locale

    from store.daywords import BABEL_LOCALES  # the languages Babel really speaks

    names = Locale(language if language in BABEL_LOCALES else "es").territories
    return {
        code: name
        for code, name in sorted(names.items(), key=lambda item: fold(item[1]))
        if len(code) == 2
        and code.isalpha()
        and code not in {"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"}
    }


def normalize_nationality(text: object) -> str:
    """A2: nationality as an ISO 3166-1 alpha-2 code."""
    value = _clean(text).upper()
    if value not in nationalities():
        raise InvalidInput(
            "nationality", N_("Elija su nacionalidad de la lista (código de país de dos letras).")
        )
    return value


def normalize_phone(text: object) -> str | None:
    """A2: an optional mobile phone, stored as E.164 (+56912345678); Chilean by default."""
    value = _clean(text)
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, "CL")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            "phone",
            N_(
                "El teléfono no es válido: escríbalo con código de país, por ejemplo +56 9 8765 4321."
            ),
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_new_password(new: object, old: str | None = None) -> str:
    """A9: a password of the person's choice: at least 8 characters, not the temporary one."""
    value = new if isinstance(new, str) else ""
    if len(value) < PASSWORD_MIN:
        raise InvalidInput(
            "password",
            N_("La contraseña debe tener al menos {min} caracteres."),
            {"min": PASSWORD_MIN},
        )
    if len(value) > 200 or _CONTROL.search(value):
        raise InvalidInput(
            "password", N_("La contraseña no puede tener caracteres de control ni superar 200.")
        )
    if old is not None and value == old:
        raise InvalidInput(
            "password", N_("Elija una contraseña nueva, distinta de la contraseña temporal.")
        )
    return value
