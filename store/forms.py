"""What a person fills in, and the whole-form check built from the field validators (A2–A7).

The registration screen validates field by field as the person types (same functions, from
store.validation); `clean_applicant_form` checks the whole form before anything is written."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from store import validation as v
from store.errors import InvalidForm, InvalidInput
from store.text import N_, Message

# What each field is called, wherever a person reads its name: the kiosk and counter forms show
# it above the field, the command line puts it before the field's problem ("Correo electrónico:
# …"). Keys are the field names of `InvalidInput.field` and `InvalidForm.errors`; values are
# untranslated msgids. A date's label holds no format hint ("DD-MM-AAAA"): the command line is
# documented with 2026-03-01 (`validation.parse_date` takes both), so a screen adds its hint.
FIELD_LABELS: dict[str, str] = {
    "app_role": N_("Rol de la aplicación"),
    "catalog": N_("Catálogo"),
    "db": N_("Base de datos"),
    "document_type": N_("Tipo de documento"),
    "document_number": N_("Número de documento"),
    "document_expiry": N_("Vencimiento del documento"),
    "given_names": N_("Nombres"),
    "first_surname": N_("Primer apellido"),
    "second_surname": N_("Segundo apellido"),
    "email": N_("Correo electrónico"),
    "email_confirmation": N_("Repita el correo electrónico"),
    "nationality": N_("Nacionalidad"),
    "birth_date": N_("Fecha de nacimiento"),
    "region": N_("Región donde vive"),
    "phone": N_("Teléfono móvil (opcional)"),
    "language": N_("Idioma"),
    # Opening capacity (C6): the counter's capacity screen and `kiosk slots open`.
    "from": N_("Desde"),
    "to": N_("Hasta"),
    "hours": N_("Horario (p. ej. 09:00-13:00)"),
    "every": N_("Intervalo en minutos"),
    "seats": N_("Cupos por hora"),
    # `kiosk demo --today`.
    "today": N_("Fecha"),
}


@dataclass(frozen=True)
class ApplicantForm:
    """The registration form (A2) as typed. `second_surname` None or "" means none (A3)."""

    document_type: str
    document_number: str
    document_expiry: str | date
    given_names: str
    first_surname: str
    second_surname: str | None
    email: str
    email_confirmation: str
    nationality: str
    birth_date: str | date
    region: str
    phone: str | None = None
    language: str = "es"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ApplicantForm:
        """A form from a JSON object; unknown keys are refused, missing ones are empty."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(
                unknown[0],
                N_("Campo desconocido «{field}»: quítelo del archivo."),
                {"field": unknown[0]},
            )
        values: dict[str, Any] = {}
        for name in known:
            raw = data.get(name)
            if raw is not None and not isinstance(raw, str):
                raise InvalidInput(name, N_("El campo «{field}» debe ser texto."), {"field": name})
            values[name] = raw
        values["language"] = values.get("language") or "es"
        return cls(
            **{
                k: ("" if val is None and k not in {"second_surname", "phone"} else val)
                for k, val in values.items()
            }
        )


@dataclass(frozen=True)
class CleanApplicant:
    """A registration form that passed every check, normalised for storage."""

    document_type: str
    document_number: str
    document_expiry: date
    given_names: str
    first_surname: str
    second_surname: str
    email: str
    nationality: str
    birth_date: date
    region: str
    phone: str | None
    language: str


def _collect(errors: dict[str, Message], field: str, check: Callable[[], Any]) -> Any:
    try:
        return check()
    except InvalidInput as error:
        errors.setdefault(error.field or field, error.message)
        return None


def clean_applicant_form(form: ApplicantForm, today: date) -> CleanApplicant:
    """A2–A7 for the whole form at once: every field's problem is reported, not just the first."""
    errors: dict[str, Message] = {}
    number = _collect(
        errors,
        "document_number",
        lambda: v.normalize_document(form.document_type, form.document_number),
    )
    expiry = _collect(
        errors,
        "document_expiry",
        lambda: v.check_expiry(v.parse_date("document_expiry", form.document_expiry), today),
    )
    given = _collect(
        errors, "given_names", lambda: v.normalize_name("given_names", form.given_names)
    )
    first = _collect(
        errors, "first_surname", lambda: v.normalize_name("first_surname", form.first_surname)
    )
    second = _collect(
        errors,
        "second_surname",
        lambda: v.normalize_name("second_surname", form.second_surname, required=False),
    )
    email = _collect(errors, "email", lambda: v.normalize_email(form.email))
    if email:
        _collect(
            errors,
            "email_confirmation",
            lambda: v.check_email_confirmation(email, form.email_confirmation),
        )
    nationality = _collect(errors, "nationality", lambda: v.normalize_nationality(form.nationality))
    birth = _collect(
        errors,
        "birth_date",
        lambda: v.check_birth_date(v.parse_date("birth_date", form.birth_date), today),
    )
    phone = _collect(errors, "phone", lambda: v.normalize_phone(form.phone))
    region = (form.region or "").strip().upper()
    if not region:
        errors["region"] = Message(N_("Elija la región donde vive."))
    if form.language not in ("es", "en", "ht"):
        errors["language"] = Message(N_("Idioma no disponible: use es o en."))
    if errors:
        raise InvalidForm(errors)
    return CleanApplicant(
        document_type=form.document_type,
        document_number=number,
        document_expiry=expiry,
        given_names=given,
        first_surname=first,
        # A3: a person without a second surname repeats the first.
        second_surname=second or first,
        email=email,
        nationality=nationality,
        birth_date=birth,
        region=region,
        phone=phone,
        language=form.language,
    )


def field_problem(form: ApplicantForm, field: str, today: date) -> Message | None:
    """What is wrong with one field as typed so far, or None: the form validators' check.

    It runs the whole-form check, so a field that depends on another (the e-mail confirmation)
    is judged exactly as it will be on submission."""
    try:
        clean_applicant_form(form, today)
    except InvalidForm as error:
        return error.errors.get(field)
    return None


@dataclass(frozen=True)
class RecoveryForm:
    """A10: what identifies a person without e-mail."""

    nationality: str
    document_type: str
    document_number: str
    first_surname: str
    second_surname: str | None
    given_names: str
    birth_date: str | date
