"""Times the office takes away and gives back (C6), and the people this displaces (B12).

Blocking times or closing a day never leaves a booking standing as if nothing happened: each
held or confirmed booking on those times becomes *displaced*, the person is told at once, and
they are put on the waitlist of that office and procedure ranked by the date of their
original booking (or, for a booking that came from the waitlist, its original enrolment, W5),
so nobody who came after them is served first. Then the waitlist is served from any free
time (W2). Giving times back (unblocking, removing a closure) serves the waitlist at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import col

from store.codes import display_code
from store.errors import InvalidInput, NotFound, Refused
from store.models import Booking, Office, OfficeClosure, OfficeProcedure, Slot, WaitlistEntry
from store.services import audit, mailbox
from store.services.assignment import assign_waitlist, free_seats
from store.services.booking import COUNTER_ROLES, book, by_code
from store.services.calendar import parse_hours
from store.services.context import Ctx
from store.services.freed_seats import expire_holds, give_back_seats, serve
from store.services.lookups import (
    active_booking,
    applicant_by_id,
    booking_view,
    displacement_entry,
    lock_offering,
    office_by_code,
    procedure_by_code,
    queue_position,
)
from store.services.roles import require_office, require_role
from store.services.waitlist import entry_view
from store.text import N_
from store.timefmt import fmt_date, fmt_time, in_zone
from store.validation import printable
from store.views import BookingView, CapacityChange, ClosureView, RebookRow, WaitlistEntryView

# Booking states a block or closure displaces (B12).
DISPLACEABLE = ("held", "confirmed")


def _reason(text: str | None) -> str:
    reason = " ".join(printable(text or "").split())
    if not reason or len(reason) > 200:
        raise InvalidInput("reason", N_("Escriba el motivo del cierre (hasta 200 caracteres)."))
    return reason


def _today(ctx: Ctx, office: Office) -> date:
    return in_zone(ctx.now, office.time_zone).date()


def _check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise InvalidInput(
            "from", N_("La fecha de inicio debe ser anterior o igual a la de término.")
        )


def reference_date(ctx: Ctx, booking: Booking) -> datetime:
    """B12, W5: a booking's place in a queue: its creation, or for a booking that came from
    the waitlist, the place of the entry it came from."""
    if booking.waitlist_entry_id is not None:
        entry = ctx.session.get(WaitlistEntry, booking.waitlist_entry_id)
        if entry is not None:
            return entry.ranked_at
    return booking.created_at


def _enrol_displaced(ctx: Ctx, booking: Booking) -> WaitlistEntry | None:
    """B12: a waitlist place for a displaced booking's holder, ranked by its reference date
    (none when they wait for the procedure already, or booked it again meanwhile)."""
    already = ctx.session.scalar(
        sa.select(col(WaitlistEntry.id)).where(
            col(WaitlistEntry.applicant_id) == booking.applicant_id,
            col(WaitlistEntry.procedure_id) == booking.procedure_id,
            col(WaitlistEntry.status) == "waiting",
        )
    )
    if already is not None or active_booking(ctx, booking.applicant_id, booking.procedure_id):
        return None
    entry = WaitlistEntry(
        uuid=str(uuid.uuid4()),
        applicant_id=booking.applicant_id,
        office_id=booking.office_id,
        procedure_id=booking.procedure_id,
        enrolled_at=ctx.now,
        ranked_at=reference_date(ctx, booking),
        displaced_booking_id=booking.id,
        created_by=ctx.actor.staff_id,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    return entry


def displace(ctx: Ctx, bookings: Sequence[Booking], reason: str) -> list[BookingView]:
    """B12: the bookings lose their time; each person is told and put on the waitlist.

    The caller holds the locks of the offices and procedures concerned and serves their
    waitlists afterwards (W2)."""
    if not bookings:
        return []
    # Their times are blocked, so serving the queue here hands out none of these seats; the
    # caller serves again once the displaced are back on the list with their original dates.
    give_back_seats(ctx, bookings, "displaced")
    ctx.session.execute(
        sa.update(Booking)
        .where(col(Booking.id).in_([b.id for b in bookings]))
        .values(displaced_reason=reason)
    )
    entries = []
    for booking in bookings:
        ctx.session.refresh(booking)
        entries.append(_enrol_displaced(ctx, booking))
    views = []
    for booking, entry in zip(bookings, entries, strict=True):
        view = booking_view(ctx, booking)
        views.append(view)
        position = queue_position(ctx, entry) if entry else None
        mailbox.deposit(
            ctx,
            mailbox.NewNotice(
                booking.applicant_id,
                "displaced",
                N_("Hora cancelada por la oficina: {procedure}, {date} a las {time}"),
                N_(
                    "{office} no atenderá el {date} a las {time} ({reason}), así que "
                    "su hora para {procedure} (código {code}) quedó sin efecto. No pierde su "
                    "lugar: quedó en la lista de asignación automatizada en el lugar {position}, "
                    "con la fecha de su reserva original, y se le asignará la próxima hora libre "
                    "antes que a quien llegó después. También puede pedir ayuda en el mesón."
                )
                if entry
                else N_(
                    "{office} no atenderá el {date} a las {time} ({reason}), así que "
                    "su hora para {procedure} (código {code}) quedó sin efecto. Reserve otra hora "
                    "o pida ayuda en el mesón."
                ),
                {
                    "procedure": view.procedure.name,
                    "procedure_names": dict(view.procedure.names),
                    "office": view.office.name,
                    "date": fmt_date(view.start.date()),
                    "time": fmt_time(view.start),
                    "code": view.display_code or "-",
                    "reason": reason,
                    "position": position or "-",
                },
                booking_id=booking.id,
            ),
        )
        audit.record(
            ctx,
            "booking.displaced",
            booking.uuid,
            code=booking.code,
            reason=reason,
            **({"entry": entry.id, "ranked_at": entry.ranked_at.isoformat()} if entry else {}),
        )
    return views


def _serve(ctx: Ctx, office_id: int, procedure_ids: Iterable[int]) -> int:
    """W2 for each procedure of an office: expired holds freed, then the waitlist served."""
    return len(serve(ctx, ((office_id, procedure_id) for procedure_id in procedure_ids)))


def _displaceable(ctx: Ctx, *where: sa.ColumnElement[bool]) -> list[Booking]:
    return list(
        ctx.session.scalars(
            sa.select(Booking)
            .join(Slot, col(Slot.id) == Booking.slot_id)
            .where(*where, col(Booking.status).in_(DISPLACEABLE))
            .order_by(col(Slot.starts_at), col(Booking.id))
        ).all()
    )


def _slot_range(
    ctx: Ctx, office_code: str, procedure_code: str, date_from: date, date_to: date, hours: str
) -> tuple[Office, int, tuple[sa.ColumnElement[bool], ...]]:
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    procedure = procedure_by_code(ctx, procedure_code)
    _check_range(date_from, date_to)
    windows = parse_hours(hours)
    lock_offering(ctx, office.id or 0, procedure.id or 0)
    where = (
        col(Slot.office_id) == office.id,
        col(Slot.procedure_id) == procedure.id,
        col(Slot.day) >= date_from,
        col(Slot.day) <= date_to,
        sa.or_(*(sa.and_(col(Slot.start_time) >= a, col(Slot.start_time) < b) for a, b in windows)),
    )
    return office, procedure.id or 0, where


def block_slots(
    ctx: Ctx,
    office_code: str,
    procedure_code: str,
    date_from: date,
    date_to: date,
    hours: str,
    reason: str,
) -> CapacityChange:
    """C6, B12: close times (an absence); their bookings are displaced, never dropped."""
    text = _reason(reason)
    office, procedure_id, where = _slot_range(
        ctx, office_code, procedure_code, date_from, date_to, hours
    )
    changed = ctx.session.execute(
        sa.update(Slot)
        .where(*where, sa.not_(col(Slot.blocked)))
        .values(blocked=True, block_reason=text, closure_id=None)
    )
    times = int(getattr(changed, "rowcount", 0) or 0)
    displaced = displace(ctx, _displaceable(ctx, *where), text)
    assigned = _serve(ctx, office.id or 0, [procedure_id])
    audit.record(
        ctx,
        "capacity.blocked",
        f"{office.code}/{procedure_code.upper()}",
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        hours=hours,
        reason=text,
        times=times,
        displaced=len(displaced),
        assigned=assigned,
    )
    return CapacityChange(times, tuple(displaced), assigned)


def unblock_slots(
    ctx: Ctx, office_code: str, procedure_code: str, date_from: date, date_to: date, hours: str
) -> CapacityChange:
    """C6, W2: reopen blocked times (not those of a closure: remove the closure instead);
    the waiting people get them at once."""
    office, procedure_id, where = _slot_range(
        ctx, office_code, procedure_code, date_from, date_to, hours
    )
    changed = ctx.session.execute(
        sa.update(Slot)
        .where(*where, col(Slot.blocked), col(Slot.closure_id).is_(None))
        .values(blocked=False, block_reason=None)
    )
    times = int(getattr(changed, "rowcount", 0) or 0)
    assigned = _serve(ctx, office.id or 0, [procedure_id])
    audit.record(
        ctx,
        "capacity.unblocked",
        f"{office.code}/{procedure_code.upper()}",
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        hours=hours,
        times=times,
        assigned=assigned,
    )
    return CapacityChange(times, (), assigned)


def _lock_office(ctx: Ctx, office: Office) -> list[int]:
    """Every offering of an office, locked in procedure order (so two closures of one office
    never wait on each other in a circle); returns the procedure ids."""
    ids = list(
        ctx.session.scalars(
            sa.select(col(OfficeProcedure.procedure_id))
            .where(col(OfficeProcedure.office_id) == office.id)
            .order_by(col(OfficeProcedure.procedure_id))
        ).all()
    )
    for procedure_id in ids:
        lock_offering(ctx, office.id or 0, procedure_id)
    return ids


def add_closure(ctx: Ctx, office_code: str, day: date, reason: str) -> CapacityChange:
    """C6, B12: the office is closed on `day`: its times that day are blocked, and their
    bookings displaced exactly as a block does."""
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    text = _reason(reason)
    if day < _today(ctx, office):
        raise InvalidInput("day", N_("Ese día ya pasó: elija hoy o un día futuro."))
    _lock_office(ctx, office)
    exists = ctx.session.scalar(
        sa.select(col(OfficeClosure.id)).where(
            col(OfficeClosure.office_id) == office.id, col(OfficeClosure.day) == day
        )
    )
    if exists is not None:
        raise Refused(
            "C6",
            "already_closed",
            N_("La oficina ya está cerrada el {date}."),
            {"date": fmt_date(day)},
        )
    closure = OfficeClosure(office_id=office.id or 0, day=day, reason=text)
    ctx.session.add(closure)
    ctx.session.flush()
    where = (col(Slot.office_id) == office.id, col(Slot.day) == day)
    changed = ctx.session.execute(
        sa.update(Slot)
        .where(*where, sa.not_(col(Slot.blocked)))
        .values(blocked=True, block_reason=text, closure_id=closure.id)
    )
    times = int(getattr(changed, "rowcount", 0) or 0)
    affected = _displaceable(ctx, *where)
    displaced = displace(ctx, affected, text)
    assigned = _serve(ctx, office.id or 0, [b.procedure_id for b in affected])
    audit.record(
        ctx,
        "closure.added",
        f"{office.code}/{day.isoformat()}",
        reason=text,
        times=times,
        displaced=len(displaced),
        assigned=assigned,
    )
    return CapacityChange(times, tuple(displaced), assigned)


def remove_closure(ctx: Ctx, office_code: str, day: date) -> CapacityChange:
    """C6, W2: the office opens on `day` after all: the times the closure blocked reopen and
    the waiting people get them at once."""
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    procedures = _lock_office(ctx, office)
    closure = ctx.session.scalar(
        sa.select(OfficeClosure).where(
            col(OfficeClosure.office_id) == office.id, col(OfficeClosure.day) == day
        )
    )
    if closure is None:
        raise NotFound(
            "closure_not_found",
            N_("La oficina no tiene un cierre el {date}."),
            {"date": fmt_date(day)},
        )
    changed = ctx.session.execute(
        sa.update(Slot)
        .where(col(Slot.closure_id) == closure.id)
        .values(blocked=False, block_reason=None, closure_id=None)
    )
    times = int(getattr(changed, "rowcount", 0) or 0)
    reason = closure.reason
    ctx.session.delete(closure)
    ctx.session.flush()
    assigned = _serve(ctx, office.id or 0, procedures)
    audit.record(
        ctx,
        "closure.removed",
        f"{office.code}/{day.isoformat()}",
        reason=reason,
        times=times,
        assigned=assigned,
    )
    return CapacityChange(times, (), assigned)


def list_closures(ctx: Ctx, office_code: str, date_from: date | None = None) -> list[ClosureView]:
    """C6: an office's closures from a day on (its today by default)."""
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    rows = ctx.session.execute(
        sa.select(col(OfficeClosure.day), col(OfficeClosure.reason))
        .where(
            col(OfficeClosure.office_id) == office.id,
            col(OfficeClosure.day) >= (date_from or _today(ctx, office)),
        )
        .order_by(col(OfficeClosure.day))
    ).all()
    return [ClosureView(office.code, day, reason) for day, reason in rows]


def _displaced(ctx: Ctx, code: str, *, lock: bool = False) -> Booking:
    require_role(ctx, COUNTER_ROLES)
    booking = by_code(ctx, code, lock=lock)
    if booking.status != "displaced":
        raise Refused(
            "B12",
            "not_displaced",
            N_("La cita {code} no fue desplazada por la oficina."),
            {"code": display_code(booking.code or "")},
        )
    return booking


def rebook(ctx: Ctx, code: str, slot_id: int | None = None) -> BookingView:
    """B12: staff book a displaced person a time: `slot_id`, or the next free time of the
    same office and procedure. Their displacement place on the waitlist closes."""
    booking = _displaced(ctx, code)
    require_office(ctx, booking.office_id)  # C9: "Por reubicar" belongs to the office
    # Locks in the one order every writer takes them: the person, then the queue.
    applicant_by_id(ctx, booking.applicant_id, lock=True)
    lock_offering(ctx, booking.office_id, booking.procedure_id)
    booking = _displaced(ctx, code, lock=True)
    entry = displacement_entry(ctx, booking.id or 0)
    waiting = entry is not None and entry.status == "waiting"
    if entry is not None and waiting:
        entry.status = "rebooked"
        entry.closed_at = ctx.now
        ctx.session.flush()
    if slot_id is None:
        expire_holds(ctx, booking.office_id, booking.procedure_id)
        seats = free_seats(ctx, booking.office_id, booking.procedure_id, 1)
        if not seats:
            raise Refused(
                "B12",
                "no_free_time",
                N_(
                    "No hay horas libres para este trámite en esta oficina: la persona sigue en "
                    "la lista con la fecha de su reserva original."
                )
                if waiting
                else N_(
                    "No hay horas libres para este trámite en esta oficina: inscríbala de nuevo "
                    "en la lista, con la fecha de su reserva original."
                ),
            )
        slot_id = seats[0].slot_id
    view = book(ctx, booking.applicant_id, slot_id)
    if isinstance(view, Refused):
        raise view
    audit.record(ctx, "booking.rebooked", booking.uuid, code=booking.code, to=view.code)
    return view


def reenrol(ctx: Ctx, code: str) -> WaitlistEntryView:
    """B12: a displaced person who left the list is put back, ranked by their original date."""
    booking = _displaced(ctx, code)
    require_office(ctx, booking.office_id)  # C9
    applicant_by_id(ctx, booking.applicant_id, lock=True)
    lock_offering(ctx, booking.office_id, booking.procedure_id)
    booking = _displaced(ctx, code, lock=True)
    entry = _enrol_displaced(ctx, booking)
    if entry is None:
        raise Refused(
            "B12",
            "has_place",
            N_("Esa persona ya tiene una hora o un lugar en la lista para este trámite."),
        )
    audit.record(
        ctx,
        "waitlist.reenrolled",
        entry.uuid,
        code=booking.code,
        ranked_at=entry.ranked_at.isoformat(),
    )
    assign_waitlist(ctx, booking.office_id, booking.procedure_id)
    ctx.session.refresh(entry)
    return entry_view(ctx, entry)


def to_rebook(ctx: Ctx, office_code: str) -> list[RebookRow]:
    """B12: every displaced booking of the office whose time was from today on, and what
    became of it, in time order."""
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    displaced = ctx.session.scalars(
        sa.select(Booking)
        .join(Slot, col(Slot.id) == Booking.slot_id)
        .where(
            col(Booking.office_id) == office.id,
            col(Booking.status) == "displaced",
            col(Slot.day) >= _today(ctx, office),
        )
        .order_by(col(Slot.starts_at), col(Booking.id))
    ).all()
    rows = []
    for booking in displaced:
        entry = displacement_entry(ctx, booking.id or 0)
        later = ctx.session.scalar(
            sa.select(Booking)
            .where(
                col(Booking.applicant_id) == booking.applicant_id,
                col(Booking.procedure_id) == booking.procedure_id,
                col(Booking.id) > booking.id,
                col(Booking.status).not_in(("held", "expired", "released")),
            )
            .order_by(col(Booking.id).desc())
            .limit(1)
        )
        position = queue_position(ctx, entry) if entry else None
        if position is not None:
            outcome = "waiting"
        elif later is None:
            outcome = "none"
        elif entry is not None and later.waitlist_entry_id == entry.id:
            outcome = "assigned"
        elif later.created_by is not None:
            outcome = "rebooked"  # staff booked it for them
        else:
            outcome = "booked"
        rows.append(
            RebookRow(
                booking_view(ctx, booking),
                outcome,
                position,
                booking_view(ctx, later) if later is not None and outcome != "waiting" else None,
            )
        )
    return rows
