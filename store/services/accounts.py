"""Accounts: registration, log in, passwords, recovery, region, identity (A1–A11, B1, B10, C4)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

import store.validation as v
from store.codes import normalize_code
from store.errors import InvalidInput, Refused
from store.forms import ApplicantForm, CleanApplicant, RecoveryForm, clean_applicant_form
from store.models import Applicant, Booking, Region, Slot, WaitlistEntry
from store.services import audit, mailbox
from store.services.context import Ctx
from store.services.lookups import applicant_by_id, applicant_view, region_by_code
from store.services.passwords import (
    LOCK_ZONE,
    check_password,
    count_failure,
    locked_refusal,
    no_such_account,
    temporary_expired,
    temporary_until,
)
from store.services.roles import require_role
from store.text import N_
from store.timefmt import in_zone
from store.views import ApplicantView, Registration

TERMS_VERSION = "2026-11"


def register(ctx: Ctx, form: ApplicantForm, *, terms_accepted: bool) -> Registration:
    """A1–A8: create an account and hand out its temporary password once."""
    if not terms_accepted:
        raise Refused(
            "A1", "terms_not_accepted", N_("Debe aceptar las condiciones de uso para registrarse.")
        )
    today = in_zone(ctx.now, LOCK_ZONE).date()
    clean = clean_applicant_form(form, today)
    _refuse_duplicates(
        ctx, clean.email, clean.document_type, clean.document_number, clean.nationality
    )
    temporary = ctx.config.passwords.temporary()
    applicant = Applicant(
        **_identity_fields(ctx, clean),
        language=clean.language,
        password_hash=ctx.config.passwords.hash(temporary),
        must_change_password=True,
        temporary_expires_at=temporary_until(ctx),
        terms_version=TERMS_VERSION,
        terms_accepted_at=ctx.now,
        created_at=ctx.now,
        created_by=ctx.actor.staff_id,
    )
    ctx.session.add(applicant)
    try:
        ctx.session.flush()
    except IntegrityError:
        # Another kiosk registered the same person a moment ago (PostgreSQL).
        raise Refused(
            "A6", "already_registered", N_("Esa persona ya tiene una cuenta: inicie sesión.")
        ) from None
    # A8: the notice says a password was issued; the password itself is never stored.
    _temporary_password_notice(ctx, applicant.id or 0, registration=True)
    audit.record(
        ctx,
        "applicant.registered",
        applicant.uuid,
        document=v.mask_document(applicant.document_type, applicant.document_number),
    )
    return Registration(applicant_view(ctx, applicant), temporary)


class _Identity(TypedDict):
    """The columns of `Applicant` that identify a person (B10)."""

    document_type: str
    document_number: str
    document_key: str
    document_expiry: date
    nationality: str
    given_names: str
    first_surname: str
    second_surname: str
    name_folded: str
    email: str
    phone: str | None
    birth_date: date
    region_id: int


def _identity_fields(ctx: Ctx, clean: CleanApplicant) -> _Identity:
    """The columns that identify a person (B10), from a cleaned form."""
    return {
        "document_type": clean.document_type,
        "document_number": clean.document_number,
        "document_key": v.compact_document(clean.document_number),
        "document_expiry": clean.document_expiry,
        "nationality": clean.nationality,
        "given_names": clean.given_names,
        "first_surname": clean.first_surname,
        "second_surname": clean.second_surname,
        "name_folded": v.fold(f"{clean.given_names} {clean.first_surname} {clean.second_surname}"),
        "email": clean.email,
        "phone": clean.phone,
        "birth_date": clean.birth_date,
        "region_id": region_by_code(ctx, clean.region).id or 0,
    }


def _refuse_duplicates(
    ctx: Ctx,
    email: str,
    document_type: str,
    number: str,
    nationality: str,
    *,
    exclude: int | None = None,
) -> None:
    """A5, A6: one e-mail, one account; one document, one person."""
    same_email = sa.select(col(Applicant.id)).where(col(Applicant.email) == email)
    same_doc = sa.select(col(Applicant.id)).where(
        col(Applicant.document_type) == document_type,
        col(Applicant.document_number) == number,
        col(Applicant.nationality) == nationality,
    )
    if exclude is not None:
        same_email = same_email.where(col(Applicant.id) != exclude)
        same_doc = same_doc.where(col(Applicant.id) != exclude)
    if ctx.session.scalar(same_email) is not None:
        raise Refused(
            "A6",
            "email_taken",
            N_(
                "Ese correo ya está registrado. Inicie sesión con él, o recupere la contraseña "
                "si no la recuerda."
            ),
        )
    if ctx.session.scalar(same_doc) is not None:
        raise Refused(
            "A6",
            "document_taken",
            N_(
                "Ese documento ya tiene una cuenta: una persona, una cuenta. Inicie sesión, o "
                "recupere la contraseña con sus datos personales."
            ),
        )


def _temporary_password_notice(ctx: Ctx, applicant_id: int, *, registration: bool) -> None:
    if registration:
        subject = N_("Registro completado")
        body = N_(
            "Su cuenta fue creada. La contraseña temporal se mostró en pantalla y se imprimió "
            "en su comprobante de credenciales; deberá cambiarla al iniciar sesión por primera vez."
        )
    else:
        subject = N_("Nueva contraseña temporal")
        body = N_(
            "Se emitió una nueva contraseña temporal para su cuenta; se mostró en pantalla y se "
            "imprimió. Deberá cambiarla al iniciar sesión. Si no fue usted, acuda a una oficina."
        )
    mailbox.deposit(ctx, mailbox.NewNotice(applicant_id, "credentials", subject, body, {}))


def _by_identifier(ctx: Ctx, identifier: str) -> Applicant | None:
    text = v.printable(identifier)
    if "@" in text:
        return ctx.session.scalar(sa.select(Applicant).where(col(Applicant.email) == text.lower()))
    rows = ctx.session.scalars(
        sa.select(Applicant).where(col(Applicant.document_key) == v.compact_document(text))
    ).all()
    return rows[0] if len(rows) == 1 else None


def _bad_credentials() -> Refused:
    """C10: the one sentence for a failed login, whether the account exists or not; it says
    nothing about the tries left (only a lockout, A11, says until when)."""
    return Refused(
        "A11",
        "bad_credentials",
        N_(
            "El correo o documento, o la contraseña, no son correctos. Si no tiene cuenta, "
            "regístrese; si olvidó la contraseña, use «Olvidé mi contraseña»."
        ),
    )


def login(ctx: Ctx, identifier: str, password: str) -> ApplicantView | Refused:
    """A9, A11: log in with e-mail or document number; the view says if A9 applies. An
    unknown account reads, and takes as long, as a wrong password (C10)."""
    applicant = _by_identifier(ctx, identifier)
    if applicant is None:
        # Audited like a wrong password (the same write), never with what was typed.
        audit.record(ctx, "applicant.login_failed", "unknown", reason="bad_credentials")
        return no_such_account(ctx, password, _bad_credentials())
    refusal = check_password(ctx, applicant, password, _bad_credentials())
    refusal = refusal or temporary_expired(
        ctx,
        applicant,
        N_(
            "Su contraseña temporal venció ({hours} horas después de entregada): pida una nueva "
            "con «Olvidé mi contraseña» o en el mesón de atención."
        ),
    )
    if refusal is not None:
        audit.record(ctx, "applicant.login_failed", applicant.uuid, reason=refusal.code)
        return refusal
    return applicant_view(ctx, applicant)


def change_password(ctx: Ctx, applicant_id: int, current: str, new: str) -> ApplicantView:
    """A9: replace the password (forced after a temporary one)."""
    applicant = applicant_by_id(ctx, applicant_id, lock=True)
    if not ctx.config.passwords.verify(applicant.password_hash, current):
        raise InvalidInput("current_password", N_("La contraseña actual no es correcta."))
    v.check_new_password(new, old=current)
    applicant.password_hash = ctx.config.passwords.hash(new)
    applicant.must_change_password = False
    applicant.temporary_expires_at = None
    audit.record(ctx, "applicant.password_changed", applicant.uuid)
    return applicant_view(ctx, applicant)


def _not_matched() -> Refused:
    # Deliberately vague: never tell a stranger which of the data was right.
    return Refused(
        "A10",
        "identity_not_matched",
        N_(
            "Los datos no coinciden con ninguna cuenta. Revíselos tal como aparecen en su "
            "documento, o acuda al mesón de atención."
        ),
    )


def recover(ctx: Ctx, form: RecoveryForm) -> str | Refused:
    """A10: a new temporary password for whoever proves who they are without e-mail.

    A11: data that do not match an account count as a failed try of that account, and a
    locked account is not unlocked by recovery: its lockout runs out first. (Returned, not
    raised, so that the count is committed.)"""
    try:
        number = v.normalize_document(form.document_type, form.document_number)
        birth = v.parse_date("birth_date", form.birth_date)
    except InvalidInput:
        number, birth = None, None
    applicant = ctx.session.scalar(
        sa.select(Applicant).where(
            col(Applicant.document_type) == form.document_type,
            col(Applicant.document_number) == number,
            col(Applicant.nationality) == v.printable(form.nationality).upper(),
        )
    )
    second = form.second_surname or form.first_surname
    if applicant is None:
        audit.record(ctx, "applicant.recovery_failed", "unknown")  # the same write as a miss
        return _not_matched()
    if applicant.locked_until is not None and applicant.locked_until > ctx.now:
        return locked_refusal(applicant.locked_until)
    if (
        applicant.birth_date != birth
        or v.name_words(applicant.given_names) != v.name_words(v.printable(form.given_names))
        or v.name_words(applicant.first_surname) != v.name_words(v.printable(form.first_surname))
        or v.name_words(applicant.second_surname) != v.name_words(v.printable(second))
    ):
        refusal = count_failure(ctx, applicant, _not_matched())
        audit.record(ctx, "applicant.recovery_failed", applicant.uuid, reason=refusal.code)
        return refusal
    temporary = ctx.config.passwords.temporary()
    applicant.password_hash = ctx.config.passwords.hash(temporary)
    applicant.must_change_password = True
    applicant.temporary_expires_at = temporary_until(ctx)
    applicant.failed_logins = 0
    applicant.locked_until = None
    _temporary_password_notice(ctx, applicant.id or 0, registration=False)
    audit.record(ctx, "applicant.password_recovered", applicant.uuid)
    return temporary


def set_region(ctx: Ctx, applicant_id: int, region_code: str) -> ApplicantView:
    """B1: change the region the applicant's procedures are associated with."""
    applicant = applicant_by_id(ctx, applicant_id, lock=True)
    applicant.region_id = region_by_code(ctx, region_code).id or 0
    return applicant_view(ctx, applicant)


def set_language(ctx: Ctx, applicant_id: int, language: str) -> None:
    """K4: remember the language the applicant reads, for notices and e-mails."""
    if language not in ("es", "en", "ht"):
        raise InvalidInput("language", N_("Idioma no disponible: use es o en."))
    applicant_by_id(ctx, applicant_id).language = language


def has_active_commitment(ctx: Ctx, applicant_id: int) -> bool:
    """B10: an active booking (not yet past) or an active waitlist entry."""
    booking = ctx.session.scalar(
        sa.select(col(Booking.id))
        .join(Slot, col(Slot.id) == Booking.slot_id)
        .where(
            col(Booking.applicant_id) == applicant_id,
            col(Booking.status).in_(("held", "confirmed", "checked_in")),
            col(Slot.starts_at) > ctx.now,
        )
        .limit(1)
    )
    entry = ctx.session.scalar(
        sa.select(col(WaitlistEntry.id))
        .where(
            col(WaitlistEntry.applicant_id) == applicant_id, col(WaitlistEntry.status) == "waiting"
        )
        .limit(1)
    )
    return booking is not None or entry is not None


def update_identity(ctx: Ctx, applicant_id: int, form: ApplicantForm) -> ApplicantView:
    """B10: names and document may change only while nothing is booked or waiting."""
    applicant = applicant_by_id(ctx, applicant_id, lock=True)
    if has_active_commitment(ctx, applicant_id):
        raise Refused(
            "B10",
            "identity_locked",
            N_(
                "Sus nombres y documento no pueden cambiarse mientras tenga una hora reservada "
                "o esté en la lista de asignación automatizada."
            ),
        )
    today = in_zone(ctx.now, LOCK_ZONE).date()
    clean = clean_applicant_form(form, today)
    _refuse_duplicates(
        ctx,
        clean.email,
        clean.document_type,
        clean.document_number,
        clean.nationality,
        exclude=applicant_id,
    )
    for name, value in _identity_fields(ctx, clean).items():
        setattr(applicant, name, value)
    # Identity verified in person no longer matches the new data (C4).
    applicant.verified_at = None
    applicant.verified_by = None
    audit.record(ctx, "applicant.identity_changed", applicant.uuid)
    return applicant_view(ctx, applicant)


def verify_at_counter(ctx: Ctx, applicant_id: int) -> ApplicantView:
    """C4: an agent checked the document in person; the account gets the higher assurance."""
    staff_id = ctx.actor.staff_id
    if staff_id is None:
        raise Refused(
            "C4", "staff_only", N_("Solo el personal de la oficina puede verificar identidad.")
        )
    require_role(ctx, ("agent", "supervisor"))
    applicant = applicant_by_id(ctx, applicant_id, lock=True)
    applicant.verified_at = ctx.now
    applicant.verified_by = staff_id
    audit.record(ctx, "applicant.verified_at_counter", applicant.uuid)
    return applicant_view(ctx, applicant)


def find_applicants(ctx: Ctx, query: str, *, limit: int = 20) -> list[ApplicantView]:
    """C3: by e-mail, document (any spelling), verification code, or name without accents or
    case. Exact matches (document, code) come first, then names in registration order."""
    text = v.printable(query)
    if not text:
        return []
    if "@" in text:
        exact = list(
            ctx.session.scalars(
                sa.select(col(Applicant.id)).where(col(Applicant.email) == text.lower())
            )
        )
        return _applicant_views(ctx, exact)
    found: list[int | None] = []
    key = v.compact_document(text)
    if key:
        found += ctx.session.scalars(
            sa.select(col(Applicant.id))
            .where(col(Applicant.document_key) == key)
            .order_by(col(Applicant.id))
        )
    code = normalize_code(text)
    if code:
        found += ctx.session.scalars(
            sa.select(col(Booking.applicant_id)).where(col(Booking.code) == code)
        )
    words = v.name_words(text)
    if words:
        found += ctx.session.scalars(_name_search(ctx, words).limit(limit))
    return _applicant_views(ctx, list(dict.fromkeys(found))[:limit])


def _name_search(ctx: Ctx, words: list[str]) -> sa.Select[Any]:
    """Applicant ids whose names hold every word, in id order; the last word may be unfinished.

    SQLite: the FTS5 index of migration 0002 (unicode61, diacritics removed). PostgreSQL: the
    words table of migration 0014, whose B-tree on (word, applicant_id) lists one word's
    applicants in id order: the whole words' lists are joined on the applicant (a merge, or
    probes of the (applicant_id, word) index) with the unfinished word as a prefix probe, so the
    scan stops at the `limit`-th applicant. `words` are folded runs of letters and digits, so
    neither FTS5's query language nor LIKE sees anything else (no quote, `%` or `_`)."""
    *whole, last = words
    if ctx.is_postgres:
        if not whole:  # a person may hold several words that begin so: each comes once
            only = _NAME_WORDS.alias("w0")
            return (
                sa.select(only.c.applicant_id)
                .where(only.c.word.like(f"{last}%"))
                .distinct()
                .order_by(only.c.applicant_id)
            )
        first, *others = whole
        drive = _NAME_WORDS.alias("w0")
        found = sa.select(drive.c.applicant_id).select_from(drive)
        for n, word in enumerate(others, 1):
            also = _NAME_WORDS.alias(f"w{n}")
            found = found.join(
                also, (also.c.applicant_id == drive.c.applicant_id) & (also.c.word == word)
            )
        begun = _NAME_WORDS.alias("p")
        return found.where(
            drive.c.word == first,
            sa.exists().where(
                begun.c.applicant_id == drive.c.applicant_id, begun.c.word.like(f"{last}%")
            ),
        ).order_by(drive.c.applicant_id)
    match = " ".join([*(f'"{w}"' for w in whole), f'"{last}"*'])
    return (
        sa.select(sa.literal_column("rowid", sa.Integer))
        .select_from(sa.text("applicants_fts"))
        .where(sa.text("applicants_fts MATCH :match").bindparams(match=match))
        .order_by(sa.literal_column("rowid"))
    )


# PostgreSQL's words of each applicant's folded name (migration 0014; not a model: SQLite has
# no such table, and its triggers alone write it).
_NAME_WORDS = sa.table(
    "applicants_fts_words", sa.column("word", sa.Text), sa.column("applicant_id", sa.Integer)
)


def _applicant_views(ctx: Ctx, ids: list[int | None]) -> list[ApplicantView]:
    rows = {
        a.id: a for a in ctx.session.scalars(sa.select(Applicant).where(col(Applicant.id).in_(ids)))
    }
    # applicant_view looks the region up in the session, which keeps a loaded row only while
    # something refers to it: all of them loaded at once and held here, one query instead of
    # one per person.
    regions = list(
        ctx.session.scalars(
            sa.select(Region).where(col(Region.id).in_({a.region_id for a in rows.values()}))
        )
    )
    views = [applicant_view(ctx, rows[i]) for i in ids if i in rows]
    del regions
    return views
