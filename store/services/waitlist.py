"""The waitlist of automated assignment (W1, W3, W4): enrolling, leaving, and the queue.

The assignment itself (W2) is in `assignment`, run wherever seats are opened or freed."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col

from store.errors import NotFound, Refused
from store.models import Applicant, Booking, Office, Procedure, WaitlistEntry
from store.services import audit, mailbox
from store.services.assignment import fmt_moment, free_seats
from store.services.context import Ctx
from store.services.freed_seats import expire_holds
from store.services.lookups import (
    active_booking,
    applicant_by_id,
    lock_offering,
    office_by_code,
    procedure_by_code,
    procedure_names,
    queue_position,
)
from store.text import N_
from store.views import WaitlistEntryView


def _view(ctx: Ctx, entry: WaitlistEntry, document: str, position: int | None) -> WaitlistEntryView:
    office = ctx.session.get(Office, entry.office_id)
    procedure = ctx.session.get(Procedure, entry.procedure_id)
    assert office and procedure
    displaced = (
        ctx.session.get(Booking, entry.displaced_booking_id)
        if entry.displaced_booking_id is not None
        else None
    )
    return WaitlistEntryView(
        id=entry.id or 0,
        applicant_id=entry.applicant_id,
        document_number=document,
        office=office.code,
        procedure=procedure.code,
        enrolled_at=entry.enrolled_at,
        status=entry.status,
        position=position,
        ranked_at=entry.ranked_at,
        displaced_code=displaced.code if displaced else None,
    )


def entry_view(ctx: Ctx, entry: WaitlistEntry) -> WaitlistEntryView:
    """W3: an entry with its holder's document and its place."""
    applicant = applicant_by_id(ctx, entry.applicant_id)
    return _view(ctx, entry, applicant.document_number, queue_position(ctx, entry))


def enrol(ctx: Ctx, applicant_id: int, office_code: str, procedure_code: str) -> WaitlistEntryView:
    """W1: enrol in automated assignment when the office has no free time for the procedure."""
    applicant = applicant_by_id(ctx, applicant_id, lock=True)
    office = office_by_code(ctx, office_code)
    procedure = procedure_by_code(ctx, procedure_code)
    offering = lock_offering(ctx, office.id or 0, procedure.id or 0)
    if offering is None or not offering.bookable:
        raise Refused(
            "W1",
            "not_offered",
            N_("La oficina {office} no ofrece {procedure} con reserva de hora."),
            {"office": office.name, "procedure": procedure.name},
        )
    expire_holds(ctx, office.id or 0, procedure.id or 0)
    current = active_booking(ctx, applicant_id, procedure.id or 0)
    if current is not None:
        raise Refused(
            "B8",
            "already_booked",
            N_(
                "Ya tiene una hora para este trámite (código {code}); no necesita la lista de espera."
            ),
            {"code": current.code or "-"},
        )
    existing = ctx.session.scalar(
        sa.select(WaitlistEntry).where(
            col(WaitlistEntry.applicant_id) == applicant_id,
            col(WaitlistEntry.procedure_id) == procedure.id,
            col(WaitlistEntry.status) == "waiting",
        )
    )
    if existing is not None:
        where = ctx.session.get(Office, existing.office_id)
        raise Refused(
            "W1",
            "already_waiting",
            N_("Ya está en la lista de asignación automatizada para este trámite en {office}."),
            {"office": where.name if where else ""},
        )
    if free_seats(ctx, office.id or 0, procedure.id or 0, 1):
        raise Refused(
            "W1",
            "times_available",
            N_("Hay horas libres para este trámite en esta oficina: elija una en el calendario."),
        )
    entry = WaitlistEntry(
        applicant_id=applicant_id,
        office_id=office.id or 0,
        procedure_id=procedure.id or 0,
        enrolled_at=ctx.now,
        ranked_at=ctx.now,
        created_by=ctx.actor.staff_id,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    position = queue_position(ctx, entry)
    mailbox.deposit(
        ctx,
        mailbox.NewNotice(
            applicant_id,
            "waitlist_enrolled",
            N_("Inscripción en asignación automatizada: {procedure}"),
            N_(
                "Quedó inscrito para {procedure} en {office} el {enrolled}, en el lugar {position}. "
                "Cuando se abran horas se asignarán estrictamente por orden de inscripción y se "
                "le avisará en este buzón. La fecha de inscripción es la referencia para "
                "cualquier multa."
            ),
            {
                "procedure": procedure.name,
                "procedure_names": procedure_names(ctx, procedure.id),
                "office": office.name,
                "enrolled": fmt_moment(ctx.now, office.time_zone),
                "position": position,
            },
        ),
    )
    audit.record(ctx, "waitlist.enrolled", entry.uuid, entry=entry.id, position=position)
    return _view(ctx, entry, applicant.document_number, position)


def withdraw(
    ctx: Ctx, applicant_id: int, office_code: str, procedure_code: str
) -> WaitlistEntryView:
    """W4: leave the list; the place is lost (enrolling again starts a new place and date)."""
    applicant = applicant_by_id(ctx, applicant_id, lock=True)
    office = office_by_code(ctx, office_code)
    procedure = procedure_by_code(ctx, procedure_code)
    lock_offering(ctx, office.id or 0, procedure.id or 0)
    entry = ctx.session.scalar(
        sa.select(WaitlistEntry).where(
            col(WaitlistEntry.applicant_id) == applicant_id,
            col(WaitlistEntry.office_id) == office.id,
            col(WaitlistEntry.procedure_id) == procedure.id,
            col(WaitlistEntry.status) == "waiting",
        )
    )
    if entry is None:
        raise NotFound(
            "not_waiting",
            N_("No está en la lista de asignación automatizada de {office} para ese trámite."),
            {"office": office.name},
        )
    entry.status = "withdrawn"
    entry.closed_at = ctx.now
    mailbox.deposit(
        ctx,
        mailbox.NewNotice(
            applicant_id,
            "waitlist_withdrawn",
            N_("Salida de la asignación automatizada: {procedure}"),
            N_(
                "Se eliminó su inscripción del {enrolled} para {procedure} en {office}. Si vuelve "
                "a inscribirse, tendrá un lugar nuevo con una fecha nueva."
            ),
            {
                "procedure": procedure.name,
                "procedure_names": procedure_names(ctx, procedure.id),
                "office": office.name,
                "enrolled": fmt_moment(entry.enrolled_at, office.time_zone),
            },
        ),
    )
    audit.record(ctx, "waitlist.withdrawn", entry.uuid, entry=entry.id)
    return _view(ctx, entry, applicant.document_number, None)


def queue(ctx: Ctx, office_code: str, procedure_code: str) -> list[WaitlistEntryView]:
    """W3: the waiting entries of one office and procedure, in order."""
    office = office_by_code(ctx, office_code)
    procedure = procedure_by_code(ctx, procedure_code)
    rows = ctx.session.execute(
        sa.select(WaitlistEntry, col(Applicant.document_number))
        .join(Applicant, col(Applicant.id) == WaitlistEntry.applicant_id)
        .where(
            col(WaitlistEntry.office_id) == office.id,
            col(WaitlistEntry.procedure_id) == procedure.id,
            col(WaitlistEntry.status) == "waiting",
        )
        .order_by(col(WaitlistEntry.ranked_at), col(WaitlistEntry.id))
    ).all()
    return [
        WaitlistEntryView(
            id=entry.id or 0,
            applicant_id=entry.applicant_id,
            document_number=document,
            office=office.code,
            procedure=procedure.code,
            enrolled_at=entry.enrolled_at,
            status=entry.status,
            position=index,
            ranked_at=entry.ranked_at,
        )
        for index, (entry, document) in enumerate(rows, start=1)
    ]


def entries_of(ctx: Ctx, applicant_id: int) -> list[WaitlistEntryView]:
    """W3: an applicant's entries, waiting ones with their position, newest first."""
    applicant = applicant_by_id(ctx, applicant_id)
    rows: Sequence[WaitlistEntry] = ctx.session.scalars(
        sa.select(WaitlistEntry)
        .where(col(WaitlistEntry.applicant_id) == applicant_id)
        .order_by(col(WaitlistEntry.id).desc())
    ).all()
    return [_view(ctx, e, applicant.document_number, queue_position(ctx, e)) for e in rows]
