"""Automated assignment (W2, W5, W7): free seats go to the people waiting, in order.

`assign_waitlist` runs inside the very transaction that opened the capacity (or cancelled a
booking, or expired a hold), pairs the free seats in time order with the waiting entries in
order of their place (`ranked_at`: the enrolment, or a displaced person's original date, B12), and writes bookings, notices and audit events in bulk. Either all of it
commits or none of it does.

Three guards keep an entry from being assigned twice: the office/procedure lock (one assigner
per queue at a time), the conditional `status = 'waiting'` update, and the unique
`bookings.waitlist_entry_id`."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import col

import store.codes as codes
from store.models import SEAT_STATES, Booking, Office, Procedure, Slot, WaitlistEntry
from store.services import audit, mailbox
from store.services.booking_codes import unique_codes
from store.services.context import Ctx
from store.services.lookups import procedure_names
from store.text import N_
from store.timefmt import fmt_date, fmt_time, in_zone


@dataclass(frozen=True)
class FreeSeat:
    """One free seat of an open, future time."""

    slot_id: int
    seat: int
    day: date
    start_time: time


def free_seats(ctx: Ctx, office_id: int, procedure_id: int, limit: int) -> list[FreeSeat]:
    """Free seats of future, open times, earliest first, at most `limit`."""
    if limit <= 0:
        return []
    result: list[FreeSeat] = []
    chunk = max(limit, 256)
    offset = 0
    while len(result) < limit:
        slots = ctx.session.execute(
            sa.select(
                col(Slot.id), col(Slot.seats), col(Slot.taken), col(Slot.day), col(Slot.start_time)
            )
            .where(
                col(Slot.office_id) == office_id,
                col(Slot.procedure_id) == procedure_id,
                col(Slot.starts_at) > ctx.now,
                col(Slot.taken) < Slot.seats,
                sa.not_(col(Slot.blocked)),
            )
            .order_by(col(Slot.starts_at), col(Slot.id))
            .limit(chunk)
            .offset(offset)
        ).all()
        if not slots:
            break
        partly = [s.id for s in slots if s.taken]
        used: dict[int, set[int]] = {}
        if partly:
            for slot_id, seat in ctx.session.execute(
                sa.select(col(Booking.slot_id), col(Booking.seat)).where(
                    col(Booking.slot_id).in_(partly),
                    col(Booking.status).in_(SEAT_STATES),
                )
            ).all():
                used.setdefault(slot_id, set()).add(seat)
        for s in slots:
            taken = used.get(s.id, set())
            for seat in range(1, s.seats + 1):
                if seat not in taken:
                    result.append(FreeSeat(s.id, seat, s.day, s.start_time))
                    if len(result) == limit:
                        return result
        offset += chunk
    return result


def assign_waitlist(ctx: Ctx, office_id: int, procedure_id: int) -> list[str]:
    """W2, W5, W7: give the free seats to the waiting entries strictly in enrolment order.

    The caller holds the office/procedure lock. Returns the codes of the bookings created."""
    queue = (
        col(WaitlistEntry.office_id) == office_id,
        col(WaitlistEntry.procedure_id) == procedure_id,
        col(WaitlistEntry.status) == "waiting",
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
            col(WaitlistEntry.id),
            col(WaitlistEntry.uuid),
            col(WaitlistEntry.applicant_id),
            col(WaitlistEntry.ranked_at),
        )
        .where(*queue)
        .order_by(col(WaitlistEntry.ranked_at), col(WaitlistEntry.id))
        .limit(len(seats))
    ).all()
    pairs = list(zip(entries, seats, strict=False))
    new_codes = unique_codes(ctx, len(pairs))
    # Session.execute types its result as Result; for an UPDATE it is a CursorResult.
    closed = cast(
        "sa.CursorResult[Any]",
        ctx.session.execute(
            sa.update(WaitlistEntry)
            .where(*queue, col(WaitlistEntry.id).in_([e.id for e, _ in pairs]))
            .values(status="assigned", closed_at=ctx.now)
        ),
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
    by_entry: dict[int | None, int | None] = dict(
        ctx.session.execute(
            sa.select(col(Booking.waitlist_entry_id), col(Booking.id)).where(
                col(Booking.waitlist_entry_id).in_(entry_ids),
                col(Booking.office_id) == office_id,
                col(Booking.procedure_id) == procedure_id,
            )
        ).all()
    )
    booking_ids = [by_entry[entry_id] for entry_id in entry_ids]
    per_slot = Counter(seat.slot_id for _, seat in pairs)
    ctx.session.connection().execute(
        sa.update(Slot)
        .where(col(Slot.id) == sa.bindparam("b_id"))
        .values(taken=Slot.taken + sa.bindparam("b_n")),
        [{"b_id": slot_id, "b_n": n} for slot_id, n in per_slot.items()],
    )
    office = ctx.session.get(Office, office_id)
    procedure = ctx.session.get(Procedure, procedure_id)
    assert office and procedure
    names = procedure_names(ctx, procedure.id)  # once: the same for every notice
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
                    "procedure_names": names,
                    "office": office.name,
                    "address": office.address,
                    "date": fmt_date(seat.day),
                    "time": fmt_time(seat.start_time),
                    "code": codes.display_code(code),
                    "enrolled": fmt_moment(entry.ranked_at, office.time_zone),
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
                    "enrolled_at": entry.ranked_at.isoformat(),
                    "slot": seat.slot_id,
                    "seat": seat.seat,
                    "code": code,
                },
            )
            for (entry, seat), code in zip(pairs, new_codes, strict=True)
        ],
    )
    return new_codes


def fmt_moment(moment: datetime, time_zone: str) -> str:
    """A UTC moment (an enrolment) as a date and time on an office's wall clock."""
    local = in_zone(moment, time_zone)
    return f"{fmt_date(local.date())} {fmt_time(local)}"
