"""Fetch-or-refuse lookups, row locks, and the turning of rows into views.

Shared by every service so that "office not found" is said one way and a booking looks the
same wherever it is read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
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
    return sa.or_(col(Booking.status) != "held", col(Booking.hold_expires_at) > ctx.now)


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


def office_view(office: Office, region_code: str) -> OfficeView:
    return OfficeView(
        code=office.code,
        name=office.name,
        region=region_code,
        address=office.address,
        time_zone=office.time_zone,
        open_weekdays=office.open_weekdays,
        opens_at=office.opens_at,
        closes_at=office.closes_at,
        cancel_policy=office.cancel_policy,
        cancel_hours=office.cancel_hours,
        grace_minutes=office.grace_minutes,
        call_window_minutes=office.call_window_minutes,
        max_calls=office.max_calls,
    )


def office_views(ctx: Ctx, offices: Sequence[Office]) -> list[OfficeView]:
    codes: dict[int | None, str] = dict(
        ctx.session.execute(sa.select(col(Region.id), col(Region.code))).all()
    )
    return [office_view(o, codes[o.region_id]) for o in offices]


def procedure_view(ctx: Ctx, procedure: Procedure) -> ProcedureView:
    docs = ctx.session.scalars(
        sa.select(ProcedureDocument)
        .where(col(ProcedureDocument.procedure_id) == procedure.id)
        .order_by(col(ProcedureDocument.position))
    ).all()
    texts: dict[str, dict[int, str]] = {}
    for document_id, language, text in ctx.session.execute(
        sa.select(
            col(DocumentText.document_id), col(DocumentText.language), col(DocumentText.text)
        ).where(col(DocumentText.document_id).in_([d.id for d in docs]))
    ):
        texts.setdefault(language, {})[document_id] = text
    return ProcedureView(
        code=procedure.code,
        name=procedure.name,
        minutes=procedure.minutes,
        documents=tuple(d.text for d in docs),
        names=procedure_names(ctx, procedure.id),
        translated_documents={
            language: tuple(by_id.get(d.id or 0, d.text) for d in docs)
            for language, by_id in texts.items()
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
    start = in_zone(office_moment(slot.day, slot.start_time, office.time_zone), office.time_zone)
    position: int | None = None
    if booking.status == "displaced" and booking.id is not None:
        waiting = displacement_entry(ctx, booking.id)
        position = queue_position(ctx, waiting) if waiting else None
    moved_to = ctx.session.get(Booking, booking.moved_to_id) if booking.moved_to_id else None
    return BookingView(
        id=booking.id or 0,
        code=booking.code,
        status=booking.status,
        applicant_id=applicant.id or 0,
        applicant_name=full_name(
            applicant.given_names, applicant.first_surname, applicant.second_surname
        ),
        document_type=applicant.document_type,
        document_number=applicant.document_number,
        office=office_view(office, region.code if region else ""),
        procedure=procedure_view(ctx, procedure),
        slot_id=slot.id or 0,
        seat=booking.seat,
        start=start,
        hold_expires_at=booking.hold_expires_at,
        confirmed_at=booking.confirmed_at,
        enrolled_at=enrolled_at,
        cancelled_at=booking.cancelled_at,
        cancel_until=cancel_deadline(office, start),
        displaced_reason=booking.displaced_reason,
        waitlist_position=position,
        moved_to=moved_to.code if moved_to else None,
    )


def cancel_deadline(office: Office, start: datetime) -> datetime | None:
    """B9: until when a booking at `start` may be cancelled or moved; None where never."""
    if office.cancel_policy == "never":
        return None
    return start - timedelta(hours=office.cancel_hours)
