"""Fetch-or-refuse lookups, row locks, and the turning of rows into views.

Shared by every service so that "office not found" is said one way and a booking looks the
same wherever it is read."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import col

from store.errors import NotFound, Refused
from store.models import (
    Applicant,
    Booking,
    DocumentText,
    Office,
    OfficeProcedure,
    Procedure,
    ProcedureDocument,
    ProcedureName,
    Region,
    Slot,
    WaitlistEntry,
)
from store.services.context import Ctx
from store.services.prepared import Prepared
from store.text import N_
from store.timefmt import in_zone, office_moment
from store.validation import compact_document, printable
from store.views import ApplicantView, BookingView, OfficeView, ProcedureView, full_name

# Booking states of a live hold or booking (B8, B11).
ACTIVE_STATES = ("held", "confirmed", "checked_in")


def office_by_code(ctx: Ctx, code: str) -> Office:
    office = ctx.session.scalar(
        sa.select(Office).where(col(Office.code) == printable(code).upper())
    )
    if office is None:
        raise NotFound(
            "office_not_found", N_("No existe una oficina con el código {code}."), {"code": code}
        )
    return office


def procedure_by_code(ctx: Ctx, code: str) -> Procedure:
    procedure = ctx.session.scalar(
        sa.select(Procedure).where(col(Procedure.code) == printable(code).upper())
    )
    if procedure is None:
        raise NotFound(
            "procedure_not_found", N_("No existe un trámite con el código {code}."), {"code": code}
        )
    return procedure


def region_by_code(ctx: Ctx, code: str) -> Region:
    region = ctx.session.scalar(
        sa.select(Region).where(col(Region.code) == printable(code).upper())
    )
    if region is None:
        raise NotFound(
            "region_not_found",
            N_("No existe la región {code}: use un código como CL-RM."),
            {"code": code},
        )
    return region


def applicant_by_id(ctx: Ctx, applicant_id: int, *, lock: bool = False) -> Applicant:
    """An applicant; with `lock`, their row is locked for this transaction (PostgreSQL)."""
    query = sa.select(Applicant).where(col(Applicant.id) == applicant_id)
    if lock:
        query = query.with_for_update(key_share=True)
    applicant = ctx.session.scalar(query)
    if applicant is None:
        raise NotFound("applicant_not_found", N_("No existe esa cuenta."))
    return applicant


def applicant_by_document(ctx: Ctx, document: str) -> Applicant:
    """An applicant by document number in any usual spelling; refused when ambiguous."""
    key = compact_document(document)
    found = list(
        ctx.session.scalars(sa.select(Applicant).where(col(Applicant.document_key) == key)).all()
    )
    if not found:
        raise NotFound(
            "applicant_not_found",
            N_("No hay ninguna cuenta con el documento {document}."),
            {"document": document},
        )
    if len(found) > 1:
        raise NotFound(
            "applicant_ambiguous",
            N_("Hay varias cuentas con ese número: indique también el tipo y la nacionalidad."),
        )
    return found[0]


def lock_offering(ctx: Ctx, office_id: int, procedure_id: int) -> OfficeProcedure | None:
    """W2: serialise all capacity and waitlist work of one office and procedure.

    SQLite already serialises writers (BEGIN IMMEDIATE); on PostgreSQL this row lock makes
    concurrent openings, cancellations, holds and enrolments of one queue take turns.

    O3: an office's store changes no other office's capacity (what it holds of theirs came in
    a bundle, and its bookings there would never travel back)."""
    own = ctx.config.own_office
    if own is not None:
        office = ctx.session.get(Office, office_id)
        if office is not None and office.code != own:
            raise Refused(
                "O3",
                "other_office_capacity",
                N_(
                    "Las horas de {office} se reservan en esa oficina o en línea; aquí solo "
                    "las de esta oficina."
                ),
                {"office": office.name},
            )
    query = sa.select(OfficeProcedure).where(
        col(OfficeProcedure.office_id) == office_id,
        col(OfficeProcedure.procedure_id) == procedure_id,
    )
    if ctx.is_postgres:
        query = query.with_for_update(key_share=True)
    return ctx.session.scalar(query)


def lock_offerings(ctx: Ctx, offerings: Iterable[tuple[int, int]]) -> None:
    """W2: the locks of several offices and procedures, always taken in one order (office,
    then procedure), so that two transactions that each need two of them never deadlock."""
    for office_id, procedure_id in sorted(set(offerings)):
        lock_offering(ctx, office_id, procedure_id)


def not_lapsed(ctx: Ctx) -> sa.ColumnElement[bool]:
    """A booking in any state but a hold that has run out (B6: its seat is free even before
    the sweep gives it back)."""
    return not_lapsed_at(ctx.now)


def not_lapsed_at(now: Any) -> sa.ColumnElement[bool]:
    """`not_lapsed` at a moment (a value, or a parameter of a prepared statement)."""
    return sa.or_(col(Booking.status) != "held", col(Booking.hold_expires_at) > now)


def active_bookings_query(ctx: Ctx, applicant_id: int, procedure_id: int) -> sa.Select[Any]:
    """The applicant's live holds and bookings for a procedure whose time is still ahead."""
    return (
        sa.select(Booking)
        .join(Slot, col(Slot.id) == Booking.slot_id)
        .where(
            col(Booking.applicant_id) == applicant_id,
            col(Booking.procedure_id) == procedure_id,
            col(Booking.status).in_(ACTIVE_STATES),
            col(Slot.starts_at) > ctx.now,
            not_lapsed(ctx),
        )
    )


def active_bookings(ctx: Ctx, applicant_id: int, procedure_id: int) -> list[Booking]:
    """B8, B11, B13: the applicant's live holds and bookings for a procedure whose time is
    still ahead, newest first (a booking being moved has a hold beside it)."""
    query = active_bookings_query(ctx, applicant_id, procedure_id)
    return list(ctx.session.scalars(query.order_by(col(Booking.id).desc())).all())


def active_booking(ctx: Ctx, applicant_id: int, procedure_id: int) -> Booking | None:
    """B8: the applicant's booking for a procedure (not a hold) whose time is still ahead,
    else their live hold."""
    found = active_bookings(ctx, applicant_id, procedure_id)
    booked = [b for b in found if b.status != "held"]
    return (booked or found)[0] if found else None


def queue_position(ctx: Ctx, entry: WaitlistEntry) -> int | None:
    """W3: a waiting entry's place in its queue, 1 being next: by `ranked_at`, then id."""
    if entry.status != "waiting":
        return None
    return ctx.session.scalar(
        sa.select(sa.func.count())
        .select_from(WaitlistEntry)
        .where(
            col(WaitlistEntry.office_id) == entry.office_id,
            col(WaitlistEntry.procedure_id) == entry.procedure_id,
            col(WaitlistEntry.status) == "waiting",
            sa.or_(
                col(WaitlistEntry.ranked_at) < entry.ranked_at,
                sa.and_(
                    col(WaitlistEntry.ranked_at) == entry.ranked_at,
                    col(WaitlistEntry.id) <= entry.id,
                ),
            ),
        )
    )


def displacement_entry(ctx: Ctx, booking_id: int) -> WaitlistEntry | None:
    """B12: the newest waitlist entry standing for a displaced booking."""
    return ctx.session.scalar(
        sa.select(WaitlistEntry)
        .where(col(WaitlistEntry.displaced_booking_id) == booking_id)
        .order_by(col(WaitlistEntry.id).desc())
        .limit(1)
    )


# What an office view shows of the office's row, in order (the region comes from its own).
OFFICE_FIELDS = (
    "code",
    "name",
    "address",
    "time_zone",
    "open_weekdays",
    "opens_at",
    "closes_at",
    "cancel_policy",
    "cancel_hours",
    "grace_minutes",
    "call_window_minutes",
    "max_calls",
)


def office_view(office: Office, region_code: str) -> OfficeView:
    return office_view_of([getattr(office, name) for name in OFFICE_FIELDS], region_code)


def office_view_of(values: Sequence[Any], region_code: str) -> OfficeView:
    """An office view from the office's OFFICE_FIELDS, in that order (a row read with them)."""
    return OfficeView(region=region_code, **dict(zip(OFFICE_FIELDS, values, strict=True)))


def office_views(ctx: Ctx, offices: Sequence[Office]) -> list[OfficeView]:
    codes: dict[int | None, str] = dict(
        ctx.session.execute(sa.select(col(Region.id), col(Region.code))).all()
    )
    return [office_view(o, codes[o.region_id]) for o in offices]


def procedure_texts(
    procedure: Any, dialect: sa.Dialect, *, only_if: sa.ColumnElement[bool] | None = None
) -> list[sa.ColumnElement[Any]]:
    """B2, K4: what a procedure view shows besides the procedure's row, as three JSON texts
    (`procedure` its id, a value or a column): its documents `[id, position, text]`, their
    texts in other languages `[document, language, text]`, its names in other languages
    `[language, name]`. Read beside other columns (a booking's first read), they cost no
    statement of their own; the same texts make the same view (`procedure_view_from`). With
    `only_if`, they are put together only where it holds (else null)."""

    def packed(*values: Any) -> sa.ColumnElement[Any]:
        if dialect.name == "postgresql":
            order = aggregate_order_by(sa.func.json_build_array(*values), *values[:2])
            return sa.cast(sa.func.json_agg(order), sa.Text)
        return sa.func.json_group_array(sa.func.json_array(*values))

    document = ProcedureDocument.__table__.alias("document")  # type: ignore[attr-defined]
    documents = (
        sa.select(packed(document.c.id, document.c.position, document.c.text))
        .where(document.c.procedure_id == procedure)
        .scalar_subquery()
    )
    translations = (
        sa.select(
            packed(
                col(DocumentText.document_id), col(DocumentText.language), col(DocumentText.text)
            )
        )
        .join(document, document.c.id == DocumentText.document_id)
        .where(document.c.procedure_id == procedure)
        .scalar_subquery()
    )
    names = (
        sa.select(packed(col(ProcedureName.language), col(ProcedureName.name)))
        .where(col(ProcedureName.procedure_id) == procedure)
        .scalar_subquery()
    )
    texts = {"documents": documents, "translations": translations, "names": names}
    return [
        (text if only_if is None else sa.case((only_if, text), else_=sa.null())).label(name)
        for name, text in texts.items()
    ]


_PROCEDURE_TEXTS = Prepared(
    lambda dialect: sa.select(
        *procedure_texts(sa.bindparam("procedure", type_=sa.Integer), dialect)
    )
)


def procedure_view(ctx: Ctx, procedure: Procedure) -> ProcedureView:
    return procedure_view_of(
        ctx, procedure.id or 0, procedure.code, procedure.name, procedure.minutes
    )


def procedure_view_of(
    ctx: Ctx, procedure_id: int, code: str, name: str, minutes: int
) -> ProcedureView:
    """B2, K4: a procedure with its documents and names in every language it has."""
    texts = _PROCEDURE_TEXTS.first(ctx.session.connection(), {"procedure": procedure_id})
    return procedure_view_from(code, name, minutes, *texts)


@functools.lru_cache(maxsize=512)
def procedure_view_from(
    code: str,
    name: str,
    minutes: int,
    documents: str | None,
    translations: str | None,
    names: str | None,
) -> ProcedureView:
    """A procedure view from its row and the texts of `procedure_texts`; made once per
    process for the same row and texts (a booking's view is a dictionary look-up)."""
    ordered = sorted(json.loads(documents or "[]"), key=lambda d: (d[1], d[0]))
    translated: dict[str, dict[int, str]] = {}
    for document, language, text in json.loads(translations or "[]"):
        translated.setdefault(language, {})[document] = text
    return ProcedureView(
        code=code,
        name=name,
        minutes=minutes,
        documents=tuple(text for _, _, text in ordered),
        names={language: text for language, text in json.loads(names or "[]")},
        translated_documents={
            language: tuple(by_id.get(document, text) for document, _, text in ordered)
            for language, by_id in translated.items()
        },
    )


def procedure_names(ctx: Ctx, procedure_id: int | None) -> dict[str, str]:
    """K4: a procedure's name in each language it has one in besides Spanish."""
    return dict(
        ctx.session.execute(
            sa.select(col(ProcedureName.language), col(ProcedureName.name)).where(
                col(ProcedureName.procedure_id) == procedure_id
            )
        ).all()
    )


def applicant_view(ctx: Ctx, applicant: Applicant) -> ApplicantView:
    region = ctx.session.get(Region, applicant.region_id)
    return ApplicantView(
        id=applicant.id or 0,
        document_type=applicant.document_type,
        document_number=applicant.document_number,
        nationality=applicant.nationality,
        given_names=applicant.given_names,
        first_surname=applicant.first_surname,
        second_surname=applicant.second_surname,
        email=applicant.email,
        phone=applicant.phone,
        birth_date=applicant.birth_date,
        document_expiry=applicant.document_expiry,
        region=region.code if region else "",
        language=applicant.language,
        must_change_password=applicant.must_change_password,
        verified_at=applicant.verified_at,
    )


def booking_view(ctx: Ctx, booking: Booking) -> BookingView:
    slot = ctx.session.get(Slot, booking.slot_id)
    office = ctx.session.get(Office, booking.office_id)
    procedure = ctx.session.get(Procedure, booking.procedure_id)
    applicant = ctx.session.get(Applicant, booking.applicant_id)
    assert slot and office and procedure and applicant
    region = ctx.session.get(Region, office.region_id)
    enrolled_at: datetime | None = None
    if booking.waitlist_entry_id is not None:
        entry = ctx.session.get(WaitlistEntry, booking.waitlist_entry_id)
        # W5, B12: the reference date (a displaced person's keeps their original one).
        enrolled_at = entry.ranked_at if entry else None
    position: int | None = None
    if booking.status == "displaced" and booking.id is not None:
        waiting = displacement_entry(ctx, booking.id)
        position = queue_position(ctx, waiting) if waiting else None
    moved_to = ctx.session.get(Booking, booking.moved_to_id) if booking.moved_to_id else None
    return assemble_booking_view(
        booking,
        applicant,
        office_view(office, region.code if region else ""),
        procedure_view(ctx, procedure),
        slot.day,
        slot.start_time,
        enrolled_at=enrolled_at,
        waitlist_position=position,
        moved_to=moved_to.code if moved_to else None,
    )


def assemble_booking_view(
    booking: Any,
    person: Any,
    office: OfficeView,
    procedure: ProcedureView,
    day: date,
    start_time: time,
    *,
    enrolled_at: datetime | None = None,
    waitlist_position: int | None = None,
    moved_to: str | None = None,
) -> BookingView:
    """A booking as every reader sees it, from its row (or the same fields of one just
    written), its person's names and document, its office and procedure, and its time."""
    start = in_zone(office_moment(day, start_time, office.time_zone), office.time_zone)
    return BookingView(
        id=booking.id or 0,
        code=booking.code,
        status=booking.status,
        applicant_id=booking.applicant_id,
        applicant_name=full_name(person.given_names, person.first_surname, person.second_surname),
        document_type=person.document_type,
        document_number=person.document_number,
        office=office,
        procedure=procedure,
        slot_id=booking.slot_id,
        seat=booking.seat,
        start=start,
        hold_expires_at=booking.hold_expires_at,
        confirmed_at=booking.confirmed_at,
        enrolled_at=enrolled_at,
        cancelled_at=booking.cancelled_at,
        cancel_until=cancel_deadline(office, start),
        displaced_reason=booking.displaced_reason,
        waitlist_position=waitlist_position,
        moved_to=moved_to,
    )


def cancel_deadline(office: Office | OfficeView, start: datetime) -> datetime | None:
    """B9: until when a booking at `start` may be cancelled or moved; None where never."""
    if office.cancel_policy == "never":
        return None
    return start - timedelta(hours=office.cancel_hours)
