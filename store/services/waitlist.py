"""Automated assignment of appointments (W1–W7).

W2 is the heart of it: `assign_waitlist` runs inside the very transaction that opened the
capacity (or cancelled a booking, or expired a hold), pairs the free seats in time order with
the waiting entries in enrolment order, and writes bookings, notices and audit events in bulk.
Either all of it commits or none of it does.

Three guards keep an entry from being assigned twice: the office/procedure lock (one assigner
per queue at a time), the conditional `status = 'waiting'` update, and the unique
`bookings.waitlist_entry_id`."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from store import codes
from store.errors import NotFound, Refused
from store.models import SEAT_STATES, Applicant, Booking, Office, Procedure, Slot, WaitlistEntry
from store.services import audit, mailbox
from store.services.context import Ctx
from store.services.lookups import (
    applicant_by_id,
    lock_offering,
    office_by_code,
    procedure_by_code,
)
from store.text import N_
from store.timefmt import fmt_date, fmt_time, in_zone
from store.views import WaitlistEntryView


@dataclass(frozen=True)
class _FreeSeat:
    slot_id: int
    seat: int
    day: object
    start_time: object


def free_seats(ctx: Ctx, office_id: int, procedure_id: int, limit: int) -> list[_FreeSeat]:
    """Free seats of future, open times, earliest first, at most `limit`."""
    if limit <= 0:
        return []
    result: list[_FreeSeat] = []
    chunk = max(limit, 256)
    offset = 0
    while len(result) < limit:
        slots = ctx.session.execute(
            sa.select(Slot.id, Slot.seats, Slot.taken, Slot.day, Slot.start_time)
            .where(
                Slot.office_id == office_id,
                Slot.procedure_id == procedure_id,
                Slot.starts_at > ctx.now,
                Slot.taken < Slot.seats,
                sa.not_(Slot.blocked),
            )
            .order_by(Slot.starts_at, Slot.id)
            .limit(chunk)
            .offset(offset)
        ).all()
        if not slots:
            break
        partly = [s.id for s in slots if s.taken]
        used: dict[int, set[int]] = {}
        if partly:
            for slot_id, seat in ctx.session.execute(
                sa.select(Booking.slot_id, Booking.seat).where(
                    Booking.slot_id.in_(partly),
                    Booking.status.in_(SEAT_STATES),
                )
            ).all():
                used.setdefault(slot_id, set()).add(seat)
        for s in slots:
            taken = used.get(s.id, set())
            for seat in range(1, s.seats + 1):
                if seat not in taken:
                    result.append(_FreeSeat(s.id, seat, s.day, s.start_time))
                    if len(result) == limit:
                        return result
        offset += chunk
    return result


def unique_codes(ctx: Ctx, count: int) -> list[str]:
    """`count` fresh verification codes that no booking uses yet (B7)."""
    fresh: set[str] = set()
    while len(fresh) < count:
        candidates = {codes.new_code() for _ in range(count - len(fresh))} - fresh
        taken = set()
        listed = list(candidates)
        for start in range(0, len(listed), 500):
            taken |= set(
                ctx.session.scalars(
                    sa.select(Booking.code).where(Booking.code.in_(listed[start : start + 500]))
                )
            )
        fresh |= candidates - taken
    return list(fresh)


def assign_waitlist(ctx: Ctx, office_id: int, procedure_id: int) -> list[str]:
    """W2, W5, W7: give the free seats to the waiting entries strictly in enrolment order.

    The caller holds the office/procedure lock. Returns the codes of the bookings created."""
    queue = (
        WaitlistEntry.office_id == office_id,
        WaitlistEntry.procedure_id == procedure_id,
        WaitlistEntry.status == "waiting",
    )
    waiting = (
        ctx.session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry).where(*queue)) or 0
    )
    if not waiting:
        return []
    seats = free_seats(ctx, office_id, procedure_id, waiting)
    if not seats:
        return []
    entries = ctx.session.execute(
        sa.select(
            WaitlistEntry.id,
            WaitlistEntry.uuid,
            WaitlistEntry.applicant_id,
            WaitlistEntry.enrolled_at,
        )
        .where(*queue)
        .order_by(WaitlistEntry.id)
        .limit(len(seats))
    ).all()
    pairs = list(zip(entries, seats, strict=False))
    new_codes = unique_codes(ctx, len(pairs))
    # The pairs hold the first waiting entries in id order, so "waiting, id up to the last
    # one" is exactly them (the queue lock is held); one statement instead of a list of ids.
    closed = ctx.session.execute(
        sa.update(WaitlistEntry)
        .where(*queue, WaitlistEntry.id <= pairs[-1][0].id)
        .values(status="assigned", closed_at=ctx.now)
    )
    if closed.rowcount != len(pairs):
        raise RuntimeError("waitlist changed under the queue lock")  # never: the lock forbids it
    ctx.insert_many(
        Booking,
        [
            {
                "uuid": str(uuid.uuid4()),
                "code": code,
                "slot_id": seat.slot_id,
                "seat": seat.seat,
                "applicant_id": entry.applicant_id,
                "office_id": office_id,
                "procedure_id": procedure_id,
                "status": "confirmed",
                "created_at": ctx.now,
                "confirmed_at": ctx.now,
                "waitlist_entry_id": entry.id,
                "created_by": ctx.actor.staff_id,
            }
            for (entry, seat), code in zip(pairs, new_codes, strict=True)
        ],
    )
    # Each entry gives one booking (the column is unique): read the new ids back by entry.
    entry_ids = [e.id for e, _ in pairs]
    by_entry: dict[int, int] = dict(
        ctx.session.execute(
            sa.select(Booking.waitlist_entry_id, Booking.id).where(
                Booking.waitlist_entry_id.between(min(entry_ids), max(entry_ids)),
                Booking.office_id == office_id,
                Booking.procedure_id == procedure_id,
            )
        ).all()
    )
    booking_ids = [by_entry[entry_id] for entry_id in entry_ids]
    per_slot = Counter(seat.slot_id for _, seat in pairs)
    ctx.session.connection().execute(
        sa.update(Slot)
        .where(Slot.id == sa.bindparam("b_id"))
        .values(taken=Slot.taken + sa.bindparam("b_n")),
        [{"b_id": slot_id, "b_n": n} for slot_id, n in per_slot.items()],
    )
    office = ctx.session.get(Office, office_id)
    procedure = ctx.session.get(Procedure, procedure_id)
    assert office and procedure
    mailbox.deposit_many(
        ctx,
        [
            mailbox.NewNotice(
                entry.applicant_id,
                "assignment",
                N_("Hora asignada: {procedure}, {date} a las {time}"),
                N_(
                    "Por asignación automatizada se le asignó una hora para {procedure} en "
                    "{office} ({address}) el {date} a las {time}. Código de verificación: {code}. "
                    "Fecha de inscripción en la lista: {enrolled}. Traiga el comprobante impreso "
                    "y los documentos indicados."
                ),
                {
                    "procedure": procedure.name,
                    "procedure_en": procedure.name_en,
                    "office": office.name,
                    "address": office.address,
                    "date": fmt_date(seat.day),
                    "time": fmt_time(seat.start_time),
                    "code": codes.display_code(code),
                    "enrolled": _fmt_moment(entry.enrolled_at, office.time_zone),
                },
                booking_id=booking_id,
            )
            for (entry, seat), code, booking_id in zip(pairs, new_codes, booking_ids, strict=True)
        ],
    )
    audit.record_many(
        ctx,
        "waitlist.assigned",
        [
            (
                entry.uuid,
                {
                    "entry": entry.id,
                    "enrolled_at": entry.enrolled_at.isoformat(),
                    "slot": seat.slot_id,
                    "seat": seat.seat,
                    "code": code,
                },
            )
            for (entry, seat), code in zip(pairs, new_codes, strict=True)
        ],
    )
    return new_codes


def _fmt_moment(moment: datetime, time_zone: str) -> str:
    local = in_zone(moment, time_zone)
    return f"{fmt_date(local.date())} {fmt_time(local)}"


def _position(ctx: Ctx, entry: WaitlistEntry) -> int | None:
    if entry.status != "waiting":
        return None
    return ctx.session.scalar(
        sa.select(sa.func.count())
        .select_from(WaitlistEntry)
        .where(
            WaitlistEntry.office_id == entry.office_id,
            WaitlistEntry.procedure_id == entry.procedure_id,
            WaitlistEntry.status == "waiting",
            WaitlistEntry.id <= entry.id,
        )
    )


def _view(ctx: Ctx, entry: WaitlistEntry, document: str, position: int | None) -> WaitlistEntryView:
    office = ctx.session.get(Office, entry.office_id)
    procedure = ctx.session.get(Procedure, entry.procedure_id)
    assert office and procedure
    return WaitlistEntryView(
        id=entry.id or 0,
        applicant_id=entry.applicant_id,
        document_number=document,
        office=office.code,
        procedure=procedure.code,
        enrolled_at=entry.enrolled_at,
        status=entry.status,
        position=position,
    )


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
    # booking imports this module (assignment after a cancellation): import it late.
    from store.services.booking import active_booking, expire_holds

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
            WaitlistEntry.applicant_id == applicant_id,
            WaitlistEntry.procedure_id == procedure.id,
            WaitlistEntry.status == "waiting",
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
        created_by=ctx.actor.staff_id,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    position = _position(ctx, entry)
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
                "procedure_en": procedure.name_en,
                "office": office.name,
                "enrolled": _fmt_moment(ctx.now, office.time_zone),
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
            WaitlistEntry.applicant_id == applicant_id,
            WaitlistEntry.office_id == office.id,
            WaitlistEntry.procedure_id == procedure.id,
            WaitlistEntry.status == "waiting",
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
                "procedure_en": procedure.name_en,
                "office": office.name,
                "enrolled": _fmt_moment(entry.enrolled_at, office.time_zone),
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
        sa.select(WaitlistEntry, Applicant.document_number)
        .join(Applicant, Applicant.id == WaitlistEntry.applicant_id)
        .where(
            WaitlistEntry.office_id == office.id,
            WaitlistEntry.procedure_id == procedure.id,
            WaitlistEntry.status == "waiting",
        )
        .order_by(WaitlistEntry.id)
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
        )
        for index, (entry, document) in enumerate(rows, start=1)
    ]


def entries_of(ctx: Ctx, applicant_id: int) -> list[WaitlistEntryView]:
    """W3: an applicant's entries, waiting ones with their position, newest first."""
    applicant = applicant_by_id(ctx, applicant_id)
    rows: Sequence[WaitlistEntry] = ctx.session.scalars(
        sa.select(WaitlistEntry)
        .where(WaitlistEntry.applicant_id == applicant_id)
        .order_by(WaitlistEntry.id.desc())
    ).all()
    return [_view(ctx, e, applicant.document_number, _position(ctx, e)) for e in rows]
