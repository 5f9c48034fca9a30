"""Holds and bookings (B5–B11, K3).

A seat is taken in three guarded steps, inside a write transaction (BEGIN IMMEDIATE on
SQLite, the office/procedure row lock on PostgreSQL): a conditional
`UPDATE slots SET taken = taken + 1 WHERE taken < seats` whose row count must be 1, then the
booking row, whose (slot, seat) is unique among the states that occupy a seat."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import col

from store.codes import new_code, normalize_code
from store.db import commit_in_one_trip, on_driver
from store.errors import InvalidInput, NotFound, Refused
from store.models import (
    SEAT_STATES,
    Applicant,
    AuditEvent,
    Booking,
    Notice,
    Office,
    OfficeProcedure,
    Procedure,
    Region,
    Slot,
    UTCDateTime,
    WaitlistEntry,
)
from store.services import audit, audit_chain, mailbox
from store.services.booking_codes import unique_codes
from store.services.context import Ctx
from store.services.freed_seats import expire_holds, give_back_seats
from store.services.lookups import (
    OFFICE_FIELDS,
    active_bookings,
    active_bookings_query,
    applicant_by_id,
    assemble_booking_view,
    booking_view,
    lock_offering,
    lock_offerings,
    not_lapsed,
    not_lapsed_at,
    office_view_of,
    procedure_texts,
    procedure_view_from,
)
from store.services.prepared import Prepared
from store.services.roles import require_role
from store.text import N_
from store.timefmt import fmt_date, fmt_time
from store.validation import mask_document, printable
from store.views import BookingView, Cancelled, Moved

# Who works a counter: they may cancel and move bookings for people (B9, B13).
COUNTER_ROLES = ("agent", "supervisor")


def _taken_refusal() -> Refused:
    return Refused(
        "B6",
        "slot_taken",
        N_("Esa hora acaba de ser tomada por otra persona: elija otra, por favor."),
    )


def hold(ctx: Ctx, applicant_id: int, slot_id: int, *, replacing: str | None = None) -> BookingView:
    """B6: place a short hold on a free seat while the applicant checks the details.

    B13: with `replacing` (the code of the applicant's booking for the procedure), the hold is
    the new time that booking would move to; the booking stays as it is until confirmed."""
    return booking_view(ctx, _hold(ctx, applicant_id, slot_id, replacing=replacing))


def _already_booked(ctx: Ctx, current: Booking) -> Refused:
    view = booking_view(ctx, current)
    return Refused(
        "B8",
        "already_booked",
        N_(
            "Ya tiene una hora para este trámite: {date} a las {time} en {office} "
            "(código {code}). Solo se permite una hora activa por trámite."
        ),
        {
            "date": fmt_date(view.start.date()),
            "time": fmt_time(view.start),
            "office": view.office.name,
            "code": view.display_code or "-",
        },
    )


def _hold(
    ctx: Ctx,
    applicant_id: int,
    slot_id: int,
    *,
    replacing: str | None = None,
    confirmed: bool = False,
) -> Booking:
    """B6: a hold on a free seat of `slot_id`; with `confirmed`, the booking itself at once
    (B7, `book`), in the same one INSERT. A hold of the person's on that very time already is
    returned as it is (K3)."""
    applicant = applicant_by_id(ctx, applicant_id, lock=True)
    slot = ctx.session.get(Slot, slot_id)
    if slot is None:
        raise NotFound("slot_not_found", N_("Esa hora no existe: vuelva al calendario."))
    ctx.keep(applicant, slot)  # the booking's view reads both again
    open_now = slot.starts_at > ctx.now and not slot.blocked  # else the answers below (B6, B5)
    if open_now and slot.taken >= slot.seats and _full(ctx, applicant_id, slot):
        # B6 before any lock: a time whose seats are all taken, by bookings or by holds still
        # running, is refused without queueing behind the office's lock when nothing else is
        # the person's answer first (see `_full`); in a release burst most tries are these.
        raise _taken_refusal()
    # An earlier hold of this person for the procedure gives way to the new one below, perhaps
    # at another office: that office's queue is served too (W2), so its lock is taken now,
    # with this one's, in the one order every writer takes them.
    held_at = ctx.session.execute(
        sa.select(col(Booking.office_id), col(Booking.procedure_id))
        .where(
            col(Booking.applicant_id) == applicant_id,
            col(Booking.procedure_id) == slot.procedure_id,
            col(Booking.status) == "held",
        )
        .distinct()
    ).all()
    lock_offerings(ctx, [(slot.office_id, slot.procedure_id), *((o, p) for o, p in held_at)])
    expire_holds(ctx, slot.office_id, slot.procedure_id)
    if slot.starts_at <= ctx.now:
        raise Refused("B6", "slot_past", N_("Esa hora ya pasó: elija una hora futura."))
    current = active_bookings(ctx, applicant_id, slot.procedure_id)
    holds = [b for b in current if b.status == "held"]
    for held in holds:
        if held.slot_id == slot_id:
            return held  # K3: a double press holds once
    booked = [b for b in current if b.status != "held"]
    moving = _moving(ctx, applicant_id, replacing) if replacing else None
    if moving is not None:
        if moving.procedure_id != slot.procedure_id or moving.office_id != slot.office_id:
            raise Refused(
                "B13",
                "other_office",
                N_("Una hora se cambia por otra de la misma oficina y el mismo trámite."),
            )
        if moving.slot_id == slot_id:
            raise Refused("B13", "same_time", N_("Esa ya es su hora: elija otra."))
    elif booked:
        raise _already_booked(ctx, booked[0])
    # The applicant changed their mind: an earlier hold gives way to the new one, and its
    # seat goes to whoever waits for it first (W2), at this office or the one it was at.
    give_back_seats(ctx, holds, "released")
    waiting = ctx.session.scalar(
        sa.select(col(WaitlistEntry.office_id)).where(
            col(WaitlistEntry.applicant_id) == applicant_id,
            col(WaitlistEntry.procedure_id) == slot.procedure_id,
            col(WaitlistEntry.status) == "waiting",
        )
    )
    if waiting is not None:
        raise Refused(
            "W1",
            "waiting_for_procedure",
            N_(
                "Está en la lista de asignación automatizada para este trámite: se le asignará "
                "una hora por orden de inscripción. Para reservar usted mismo, primero salga de la lista."
            ),
        )
    # Session.execute types its result as Result; for an UPDATE it is a CursorResult.
    taken = cast(
        "sa.CursorResult[Any]",
        ctx.session.execute(
            sa.update(Slot)
            .where(
                col(Slot.id) == slot_id, col(Slot.taken) < Slot.seats, sa.not_(col(Slot.blocked))
            )
            .values(taken=Slot.taken + 1)
            # The loaded time is not refreshed (nor read again): its count is not used below.
            .execution_options(synchronize_session=False)
        ),
    )
    if taken.rowcount != 1:
        if slot.blocked:
            raise Refused("B5", "slot_closed", N_("Esa hora está cerrada: elija otra."))
        raise _taken_refusal()
    used = set(
        ctx.session.scalars(
            sa.select(col(Booking.seat)).where(
                col(Booking.slot_id) == slot_id,
                col(Booking.status).in_(SEAT_STATES),
            )
        )
    )
    seat = next(n for n in range(1, slot.seats + 1) if n not in used)
    booking = Booking(
        slot_id=slot_id,
        seat=seat,
        applicant_id=applicant_id,
        office_id=slot.office_id,
        procedure_id=slot.procedure_id,
        status="held",
        hold_expires_at=ctx.now + timedelta(minutes=ctx.config.hold_minutes),
        created_at=ctx.now,
        created_by=ctx.actor.staff_id,
    )
    if confirmed:
        _give_code(ctx, booking)
    ctx.session.add(booking)
    ctx.session.flush()
    if confirmed:
        _record_confirmed(ctx, booking.uuid, booking.code, booking.slot_id, applicant)
    return booking


def _full(ctx: Ctx, applicant_id: int, slot: Slot) -> bool:
    """B6: every seat of `slot` is taken by a booking or a hold that has not run out (one run
    out gives its seat back under the lock, `expire_holds`), and the person has nothing that
    another answer comes first for: no live booking or hold for the procedure (K3, B8, B13)
    and no place on its waitlist (W1)."""
    waiting = sa.select(col(WaitlistEntry.id)).where(
        col(WaitlistEntry.applicant_id) == applicant_id,
        col(WaitlistEntry.procedure_id) == slot.procedure_id,
        col(WaitlistEntry.status) == "waiting",
    )
    taken = (
        sa.select(sa.func.count())
        .select_from(Booking)
        .where(
            col(Booking.slot_id) == slot.id,
            col(Booking.status).in_(SEAT_STATES),
            not_lapsed(ctx),
        )
    )
    theirs, waits, seats_taken = ctx.session.execute(
        sa.select(
            sa.exists(active_bookings_query(ctx, applicant_id, slot.procedure_id)),
            sa.exists(waiting),
            taken.scalar_subquery(),
        )
    ).one()
    return not theirs and not waits and seats_taken >= slot.seats


def _moving(ctx: Ctx, applicant_id: int, code: str) -> Booking:
    """B13: the booking an applicant is moving. An applicant is held to the office's policy
    (B9) at once; staff give their reason when they confirm. The caller holds the person's
    and the queue's locks."""
    booking = by_code(ctx, code, lock=True)
    if booking.applicant_id != applicant_id:
        raise NotFound("code_not_found", N_("Esa reserva no es suya."))
    if booking.status != "confirmed":
        raise Refused("B13", "not_active", N_("Esa reserva ya no está activa."))
    if ctx.actor.staff_id is None:
        check_policy(ctx, booking, None)
    return booking


def check_policy(ctx: Ctx, booking: Booking, reason: str | None) -> str | None:
    """B9 (and B13): may this booking be cancelled or moved now? The applicant only within
    the office's policy; staff also outside it, with a reason (returned, for the audit log).
    A time that has passed is never cancelled (B11)."""
    office = ctx.session.get(Office, booking.office_id)
    slot = ctx.session.get(Slot, booking.slot_id)
    assert office and slot
    if slot.starts_at <= ctx.now:
        raise Refused("B11", "past", N_("Esa hora ya pasó; puede reservar una nueva."))
    refusal: Refused | None = None
    if office.cancel_policy == "never":
        refusal = Refused(
            "B9",
            "cancel_not_allowed",
            N_(
                "En {office} una hora confirmada no se puede anular ni cambiar: espere a que pase "
                "la fecha y luego reserve de nuevo o inscríbase en la lista."
            ),
            {"office": office.name},
        )
    elif ctx.now > slot.starts_at - timedelta(hours=office.cancel_hours):
        refusal = Refused(
            "B9",
            "cancel_too_late",
            N_("En {office} solo se puede anular o cambiar hasta {hours} horas antes de la hora."),
            {"office": office.name, "hours": office.cancel_hours},
        )
    if refusal is None:
        return None
    if ctx.actor.staff_id is None:
        raise refusal
    text = " ".join(printable(reason or "").split())
    if not text:
        raise InvalidInput(
            "reason",
            N_("La política de la oficina no lo permite: escriba el motivo para hacerlo igual."),
        )
    if len(text) > 200:
        raise InvalidInput("reason", N_("Escriba el motivo en 200 caracteres como máximo."))
    return text


def confirm(
    ctx: Ctx,
    applicant_id: int,
    booking_id: int,
    *,
    replacing: str | None = None,
    reason: str | None = None,
) -> BookingView:
    """B6, B7: turn a live hold into a booking with a verification code; K3: twice is once.

    B13: with `replacing`, the booking of that code moves to this time (see `move`)."""
    if replacing:
        return move(ctx, applicant_id, booking_id, replacing, reason).booking
    booking, fresh = _confirm_hold(ctx, applicant_id, booking_id)
    view = booking_view(ctx, booking)
    if fresh:  # else K3: confirmed already, by an earlier press
        _notify_booked(ctx, applicant_id, booking.id, view)
    return view


def _notify_booked(ctx: Ctx, applicant_id: int, booking_id: int | None, view: BookingView) -> None:
    """M1: the notice of a new booking."""
    mailbox.deposit(ctx, _booked_notice(applicant_id, booking_id, view))


def _booked_notice(applicant_id: int, booking_id: int | None, view: BookingView) -> Any:
    """M1: the notice of a new booking, about to be deposited."""
    return mailbox.NewNotice(
        applicant_id,
        "booking",
        N_("Hora reservada: {procedure}, {date} a las {time}"),
        N_(
            "Su hora para {procedure} es el {date} a las {time} en {office} ({address}). "
            "Código de verificación: {code}. Traiga este comprobante impreso y los documentos "
            "indicados."
        ),
        notice_params(view),
        booking_id=booking_id,
    )


def notice_params(view: BookingView) -> dict[str, object]:
    """The parameters every notice about a booking fills its sentence with."""
    return {
        "procedure": view.procedure.name,
        "procedure_names": dict(view.procedure.names),
        "office": view.office.name,
        "address": view.office.address,
        "date": fmt_date(view.start.date()),
        "time": fmt_time(view.start),
        "code": view.display_code,
    }


def _confirm_hold(ctx: Ctx, applicant_id: int, booking_id: int) -> tuple[Booking, bool]:
    """A live hold becomes a confirmed booking with a code (True); one confirmed already is
    returned as it is (False, K3)."""
    applicant = applicant_by_id(ctx, applicant_id, lock=True)
    booking = ctx.session.get(Booking, booking_id)
    if booking is None or booking.applicant_id != applicant_id:
        raise NotFound("hold_not_found", N_("No encontramos esa reserva: vuelva al calendario."))
    if booking.status in ("confirmed", "checked_in"):
        return booking, False
    if booking.status != "held" or (booking.hold_expires_at and booking.hold_expires_at <= ctx.now):
        raise Refused(
            "B6",
            "hold_expired",
            N_("Pasó el tiempo para confirmar y la hora quedó libre: elija una hora de nuevo."),
        )
    slot = ctx.session.get(Slot, booking.slot_id)
    if slot is None or slot.blocked:
        raise Refused("B5", "slot_closed", N_("Esa hora fue cerrada por la oficina: elija otra."))
    _give_code(ctx, booking)
    ctx.session.flush()
    _record_confirmed(ctx, booking.uuid, booking.code, booking.slot_id, applicant)
    return booking, True


def _give_code(ctx: Ctx, booking: Booking) -> None:
    """B7: a hold becomes a booking, with a fresh verification code."""
    booking.code = unique_codes(ctx, 1)[0]
    booking.status = "confirmed"
    booking.confirmed_at = ctx.now
    booking.hold_expires_at = None


def _record_confirmed(
    ctx: Ctx, subject: str, code: str | None, slot_id: int, person: Applicant | Any
) -> None:
    """C1: a booking confirmed, for the person of that document (masked, K6)."""
    audit.record(ctx, "booking.confirmed", subject, **_confirmed_details(code, slot_id, person))


def _confirmed_details(code: str | None, slot_id: int, person: Any) -> dict[str, Any]:
    return {
        "code": code,
        "slot": slot_id,
        "document": mask_document(person.document_type, person.document_number),
    }


def move(ctx: Ctx, applicant_id: int, hold_id: int, code: str, reason: str | None = None) -> Moved:
    """B13: the booking `code` moves to the held time, in this one transaction: the hold is
    confirmed, then the old time is released and goes to the waitlist first (W2). Any
    refusal leaves the old booking as it was (the transaction rolls back)."""
    # Locks in the one order every writer takes them: the person, then the queue.
    applicant_by_id(ctx, applicant_id, lock=True)
    held = ctx.session.get(Booking, hold_id)
    if held is None or held.applicant_id != applicant_id:
        raise NotFound("hold_not_found", N_("No encontramos esa reserva: vuelva al calendario."))
    lock_offering(ctx, held.office_id, held.procedure_id)
    ctx.session.refresh(held)
    if held.status == "confirmed":
        previous = ctx.session.scalar(sa.select(Booking).where(col(Booking.moved_to_id) == hold_id))
        if previous is not None:  # K3: moved already, by an earlier press
            return Moved(booking_view(ctx, held), booking_view(ctx, previous), 0)
    old = _moving(ctx, applicant_id, code)
    override = check_policy(ctx, old, reason)
    if (held.office_id, held.procedure_id) != (old.office_id, old.procedure_id):
        raise NotFound("hold_not_found", N_("No encontramos esa reserva: vuelva al calendario."))
    new, _fresh = _confirm_hold(ctx, applicant_id, hold_id)
    # W5: the reference date of a booking that came from the waitlist stays with it.
    entry_id, old.waitlist_entry_id = old.waitlist_entry_id, None
    old.moved_to_id = new.id
    ctx.session.flush()
    new.waitlist_entry_id = entry_id
    assigned = give_back_seats(ctx, [old], "moved")
    ctx.session.flush()
    ctx.session.refresh(old)
    previous_view = booking_view(ctx, old)
    view = booking_view(ctx, new)
    params = notice_params(view)
    params.update(
        old_date=fmt_date(previous_view.start.date()),
        old_time=fmt_time(previous_view.start),
        old_code=previous_view.display_code,
    )
    mailbox.deposit(
        ctx,
        mailbox.NewNotice(
            applicant_id,
            "booking_moved",
            N_("Hora cambiada: {procedure}, {date} a las {time}"),
            N_(
                "Su hora del {old_date} a las {old_time} (código {old_code}) se cambió al {date} "
                "a las {time} en {office} ({address}). Nuevo código de verificación: {code}. "
                "Traiga el nuevo comprobante impreso y los documentos indicados."
            ),
            params,
            booking_id=new.id,
        ),
    )
    audit.record(
        ctx,
        "booking.moved",
        old.uuid,
        code=old.code,
        to=new.code,
        **({"override": True, "reason": override} if override else {}),
    )
    return Moved(view, previous_view, len(assigned))


def reschedule(
    ctx: Ctx,
    code: str,
    slot_id: int,
    *,
    applicant_id: int | None = None,
    reason: str | None = None,
) -> Moved:
    """B13 in one step: hold `slot_id` and move the booking `code` there."""
    booking = by_code(ctx, code)
    _check_canceller(ctx, booking, applicant_id)
    held = _hold(ctx, booking.applicant_id, slot_id, replacing=code)
    return move(ctx, booking.applicant_id, held.id or 0, code, reason)


def _check_canceller(ctx: Ctx, booking: Booking, applicant_id: int | None) -> None:
    """B9: only the booking's owner, or counter staff, may cancel or move it."""
    if ctx.actor.staff_id is not None:
        require_role(ctx, COUNTER_ROLES)
        return
    if applicant_id is None or booking.applicant_id != applicant_id:
        raise Refused(
            "B9", "not_allowed", N_("Solo la persona titular o el personal puede anular.")
        )


def release(ctx: Ctx, applicant_id: int, booking_id: int) -> None:
    """B6: the applicant stepped back from a hold; the seat is free again at once."""
    booking = ctx.session.get(Booking, booking_id)
    if booking is None or booking.applicant_id != applicant_id or booking.status != "held":
        return
    lock_offering(ctx, booking.office_id, booking.procedure_id)
    give_back_seats(ctx, [booking], "released")


def book(ctx: Ctx, applicant_id: int, slot_id: int) -> BookingView | Refused:
    """Hold and confirm in one unit of work (the command line, assisted mode): the booking
    is written confirmed at once; a hold of the person's on that time is confirmed (K3). A
    time full to its last seat is refused by returning the refusal (the store raises it once
    the unit of work has ended, which nothing was written in: cheaper than a rollback, and
    most tries of a release burst end so)."""
    direct = _book_directly(ctx, applicant_id, slot_id)
    if direct is not None:
        return direct
    booking = _hold(ctx, applicant_id, slot_id, confirmed=True)
    if booking.status == "held":
        return confirm(ctx, applicant_id, booking.id or 0)
    view = booking_view(ctx, booking)
    _notify_booked(ctx, applicant_id, booking.id, view)
    return view


# -- a booking in one step, on its common path (issue 19) -----------------------------------
# Most bookings meet none of the rules' other answers: the time is open and ahead with a seat
# free (no hold on it has run out), and the person has no hold, booking or waiting place for
# the procedure. Those are checked and written by a few statements compiled once (`prepared`),
# with the guarantees of `_hold`: the seat by the conditional UPDATE, which checks every
# condition again once the locks are held, and by the unique (time, seat) index; the person
# by their row lock (B8). The office/procedure row is locked in SHARE mode (PostgreSQL):
# bookings of one office run side by side, and wait only for the work that holds it
# exclusively (`lock_offering`: an opening, a cancellation, a block, the long way), so a seat
# is never taken from under the waitlist's assignment (W2) while it serves the queue. Anything
# else goes the long way (`_hold`), which says what applies.

_LIVE_STATES = ("held", "confirmed", "checked_in")
_APPLICANT = sa.bindparam("applicant", type_=sa.Integer)
_SLOT = sa.bindparam("slot", type_=sa.Integer)
_NOW = sa.bindparam("now", type_=UTCDateTime)


def _theirs(procedure: Any) -> sa.Exists:
    """B8, B13, K3, B6: a hold or booking of the person's for the procedure (one whose time
    has passed too: the long way sorts those out)."""
    return sa.exists().where(
        col(Booking.applicant_id) == _APPLICANT,
        col(Booking.procedure_id) == procedure,
        col(Booking.status).in_(_LIVE_STATES),
    )


def _their_place(procedure: Any) -> sa.Exists:
    """W1: the person waits for the procedure somewhere."""
    return sa.exists().where(
        col(WaitlistEntry.applicant_id) == _APPLICANT,
        col(WaitlistEntry.procedure_id) == procedure,
        col(WaitlistEntry.status) == "waiting",
    )


def _occupied() -> sa.ScalarSelect[int]:
    """B6: seats of the time held by bookings and by holds that have not run out."""
    return (
        sa.select(sa.func.count())
        .where(
            col(Booking.slot_id) == Slot.id,
            col(Booking.status).in_(SEAT_STATES),
            not_lapsed_at(_NOW),
        )
        .scalar_subquery()
    )


def _direct_read(dialect: sa.Dialect) -> sa.Executable:
    """The time, its office, region and procedure, the person, and whether any other rule
    answers first; `occupied`: seats held by bookings and by holds that have not run out."""
    return (
        sa.select(
            *(getattr(Office, name) for name in OFFICE_FIELDS),
            col(Region.code).label("region"),
            col(Slot.office_id),
            col(Slot.procedure_id),
            col(Slot.day),
            col(Slot.start_time),
            col(Slot.starts_at),
            col(Slot.blocked),
            col(Slot.taken),
            col(Slot.seats),
            col(Procedure.code).label("procedure_code"),
            col(Procedure.name).label("procedure_name"),
            col(Procedure.minutes),
            # Put together only where a seat is free: a full time's refusal needs none.
            *procedure_texts(Slot.procedure_id, dialect, only_if=col(Slot.taken) < Slot.seats),
            col(Applicant.given_names),
            col(Applicant.first_surname),
            col(Applicant.second_surname),
            col(Applicant.document_type),
            col(Applicant.document_number),
            _theirs(Slot.procedure_id).label("theirs"),
            _their_place(Slot.procedure_id).label("waits"),
            _occupied().label("occupied"),
        )
        .select_from(Slot)
        .join(Office, col(Office.id) == Slot.office_id)
        .join(Region, col(Region.id) == Office.region_id)
        .join(Procedure, col(Procedure.id) == Slot.procedure_id)
        .join(Applicant, col(Applicant.id) == _APPLICANT)
        .where(col(Slot.id) == _SLOT)
    )


def _take_seat(dialect: sa.Dialect) -> sa.Executable:
    """B6: one seat taken, only if every condition of the direct path still holds."""
    return (
        sa.update(Slot)
        .where(
            col(Slot.id) == _SLOT,
            col(Slot.taken) < Slot.seats,
            sa.not_(col(Slot.blocked)),
            col(Slot.starts_at) > _NOW,
            ~_theirs(Slot.procedure_id),
            ~_their_place(Slot.procedure_id),
        )
        .values(taken=Slot.taken + 1)
    )


def _write_booking(dialect: sa.Dialect) -> sa.Executable:
    """B6, B7: the booking, confirmed, on the lowest free seat of the time, under a code no
    booking has (else nothing is written: another code is drawn)."""
    return _booking_insert(~sa.exists().where(col(Booking.code) == _CODE))


_CODE = sa.bindparam("code", type_=sa.String)


def _booking_insert(only_if: sa.ColumnElement[bool]) -> sa.Insert:
    """The booking, confirmed, on the lowest free seat of the time, where `only_if` holds."""
    code = _CODE
    in_seat = (col(Booking.slot_id) == _SLOT, col(Booking.status).in_(SEAT_STATES))
    candidates = sa.union_all(
        sa.select(sa.literal(1).label("n")),
        sa.select((col(Booking.seat) + 1).label("n")).where(*in_seat),
    ).subquery("candidate")
    seat = (
        sa.select(sa.func.min(candidates.c.n))
        .where(candidates.c.n.not_in(sa.select(col(Booking.seat)).where(*in_seat)))
        .scalar_subquery()
    )
    row = sa.select(
        sa.bindparam("uuid", type_=sa.String),
        code,
        _SLOT,
        seat,
        _APPLICANT,
        sa.bindparam("office", type_=sa.Integer),
        sa.bindparam("procedure", type_=sa.Integer),
        sa.literal("confirmed"),
        _NOW,
        _NOW,
        sa.bindparam("by", type_=sa.Integer),
    ).where(only_if)
    names = "uuid code slot_id seat applicant_id office_id procedure_id status created_at "
    return (
        sa.insert(Booking)
        .from_select([*names.split(), "confirmed_at", "created_by"], row, include_defaults=False)
        .returning(col(Booking.id), col(Booking.seat))
    )


def _lock_person_share_queue(dialect: sa.Dialect) -> sa.Executable:
    """PostgreSQL: the person's row locked (B8: their other sessions wait), then the office
    and procedure's row in SHARE mode (W2: see above), the order every writer takes them in."""
    return (
        sa.text(
            "SELECT 1 AS one FROM applicants, office_procedures WHERE applicants.id = :applicant "
            "AND office_procedures.office_id = :office "
            "AND office_procedures.procedure_id = :procedure "
            "FOR NO KEY UPDATE OF applicants FOR SHARE OF office_procedures"
        )
        .bindparams(
            sa.bindparam("applicant", type_=sa.Integer),
            sa.bindparam("office", type_=sa.Integer),
            sa.bindparam("procedure", type_=sa.Integer),
        )
        .columns(one=sa.Integer)
    )


_DIRECT_READ = Prepared(_direct_read)
_TAKE_SEAT = Prepared(_take_seat)
_WRITE_BOOKING = Prepared(_write_booking)
_LOCK_PERSON_SHARE_QUEUE = Prepared(_lock_person_share_queue)


def _direct_answer(row: Any, now: Any) -> Refused | bool:
    """What the direct read (`_direct_read`) says: True, book; the refusal of a
    time full to its last seat (B6, before any lock: most tries of a release burst); False,
    the long way answers (no such person or time, another rule first: B8, W1, B5; or a hold
    that has run out, whose seat goes to whoever waits first, W2)."""
    if row is None or row.theirs or row.waits or row.starts_at <= now or row.blocked:
        return False
    if row.taken < row.seats:
        return True
    return _taken_refusal() if row.occupied >= row.seats else False


def look_to_book(connection: sa.Connection, now: datetime, applicant_id: int, slot_id: int) -> Any:
    """The direct read, from one look outside any transaction (`Database.peek`):
    the refusal of a time full to its last seat (B6: a release burst's tries are mostly such),
    or the row for `book` (`seen`). What it lets through is decided again under the locks
    (`_take_seat`); what the booking's view and notice show of the office, the procedure and
    the person is as it was a moment before the booking."""
    row = _DIRECT_READ.first(connection, {"applicant": applicant_id, "slot": slot_id, "now": now})
    answer = _direct_answer(row, now)
    return answer if isinstance(answer, Refused) else row


def _book_directly(ctx: Ctx, applicant_id: int, slot_id: int) -> BookingView | Refused | None:
    """The booking of `book` on the common path, or None where the long way must answer
    (`_hold`); a time full to the last seat is refused here (B6)."""
    connection = ctx.session.connection()
    params = {"applicant": applicant_id, "slot": slot_id, "now": ctx.now}
    row = _DIRECT_READ.first(connection, params)
    if not _ours_to_book(ctx, row):
        return None
    answer = _direct_answer(row, ctx.now)
    if answer is not True:
        return answer or None
    queue = {"office": row.office_id, "procedure": row.procedure_id}
    if ctx.is_postgres and _LOCK_PERSON_SHARE_QUEUE.first(connection, params | queue) is None:
        return None  # the time's office no longer offers the procedure: the long way says so
    if _TAKE_SEAT.count(connection, params) != 1:
        return None  # taken meanwhile, or something changed: the long way says what
    booking: Any = None
    while booking is None:  # B7: a code no booking has (a second draw is rare)
        drawn = {**params, **queue, "uuid": str(uuid.uuid4()), "code": new_code()}
        booking = _WRITE_BOOKING.first(connection, {**drawn, "by": ctx.actor.staff_id})
    if booking.seat > row.seats:
        raise RuntimeError(f"time {slot_id}: its count of taken seats disagrees with its bookings")
    view = _direct_view(ctx, row, applicant_id, slot_id, drawn["code"], booking.id, booking.seat)
    _notify_booked(ctx, applicant_id, booking.id, view)
    _record_confirmed(ctx, drawn["uuid"], drawn["code"], slot_id, row)
    return view


def _ours_to_book(ctx: Ctx, row: Any) -> bool:
    """Whether the direct path may book the time of the direct read `row`: there is such a
    time (and person), and it is this store's to book (O3); else the long way says why."""
    own = ctx.config.own_office
    return row is not None and (own is None or row.code == own)


def _direct_view(
    ctx: Ctx, row: Any, applicant_id: int, slot_id: int, code: str, booking_id: int, seat: int
) -> BookingView:
    """The booking just written on the direct path, from the direct read (`row`)."""
    office = office_view_of(row[: len(OFFICE_FIELDS)], row.region)
    procedure = procedure_view_from(
        row.procedure_code,
        row.procedure_name,
        row.minutes,
        row.documents,
        row.translations,
        row.names,
    )
    written = SimpleNamespace(
        id=booking_id,
        code=code,
        status="confirmed",
        applicant_id=applicant_id,
        slot_id=slot_id,
        seat=seat,
        hold_expires_at=None,
        confirmed_at=ctx.now,
        cancelled_at=None,
        displaced_reason=None,
    )
    return assemble_booking_view(written, row, office, procedure, row.day, row.start_time)


# -- PostgreSQL: the direct path in one round trip ---------------------------------------------
# After the look before the transaction (`look_to_book`), the direct path's statements and the
# COMMIT go to the server together (`commit_in_one_trip`): no client is waited for between
# them, so the person's lock, the office/procedure's shared one, the time's row and the audit
# chain's turn are each held for the server's time alone. In a release burst a client waits
# for the CPU between two round trips, and each of its round trips inside the transaction kept
# every lock it had for that wait. Each statement is written only where the one before was:
# the seat is taken under every condition of `_take_seat` checked again once the locks are
# held, and marks the transaction (a setting of its own, `_TOOK`); the booking is written only
# where the mark says its seat was taken here; its notice (and e-mail) and audit event only
# where the booking was. Where the seat was not taken, nothing is written (the locks are let
# go) and the long way answers, in a transaction of its own.

_TOOK = "kiosk.took"


def _take_seat_after_look(dialect: sa.Dialect) -> sa.Update:
    """`_take_seat`, only where the office still offers the procedure and no booking has the
    code drawn (what the look before the transaction saw, checked again under the lock)."""
    offered = sa.exists().where(
        col(OfficeProcedure.office_id) == sa.bindparam("office", type_=sa.Integer),
        col(OfficeProcedure.procedure_id) == sa.bindparam("procedure", type_=sa.Integer),
    )
    update = cast(sa.Update, _take_seat(dialect))
    return update.where(offered, ~sa.exists().where(col(Booking.code) == _CODE))


def _take_seat_marked(dialect: sa.Dialect) -> sa.Executable:
    """PostgreSQL: `_take_seat_after_look`, the transaction marked with the time taken."""
    return _take_seat_after_look(dialect).returning(
        sa.func.set_config(_TOOK, sa.cast(Slot.id, sa.Text), True)
    )


def _take_seat_counted(dialect: sa.Dialect) -> sa.Executable:
    """SQLite: `_take_seat_after_look`, with the time's seats (the booking's is among them)."""
    return _take_seat_after_look(dialect).returning(col(Slot.seats))


def _write_booking_marked(dialect: sa.Dialect) -> sa.Executable:
    """The booking, where this transaction took its time's seat (`_take_seat_marked`)."""
    return _booking_insert(sa.func.current_setting(_TOOK, True) == sa.cast(_SLOT, sa.Text))


def _notice_of_booking(dialect: sa.Dialect) -> sa.Executable:
    """M1: the notice of the booking `uuid`, where it was written."""
    names = ("uuid", "kind", "subject", "body", "params")
    row = sa.select(
        *(sa.bindparam(f"notice_{name}", type_=sa.Text) for name in names),
        col(Booking.applicant_id),
        col(Booking.id),
        _NOW,
    ).where(col(Booking.uuid) == sa.bindparam("uuid", type_=sa.String))
    columns = [*names, "applicant_id", "booking_id", "created_at"]
    return sa.insert(Notice).from_select(columns, row, include_defaults=False)


def _mail_of_notice(dialect: sa.Dialect) -> sa.Executable:
    """M3: its e-mail, when mail is on."""
    notice = sa.select(col(Notice.id)).where(
        col(Notice.uuid) == sa.bindparam("notice_uuid", type_=sa.String)
    )
    return mailbox.mail_of(notice, lambda: _NOW)


def _event_of_booking(dialect: sa.Dialect) -> sa.Executable:
    """C1: the booking's audit event (its subject is the booking's uuid), where it was written."""
    subject = sa.bindparam("subject", type_=sa.String)
    return audit_chain.append_one(dialect, sa.exists().where(col(Booking.uuid) == subject))


_TAKE_SEAT_MARKED = Prepared(_take_seat_marked)
_TAKE_SEAT_COUNTED = Prepared(_take_seat_counted)
_WRITE_BOOKING_MARKED = Prepared(_write_booking_marked)
_NOTICE_OF_BOOKING = Prepared(_notice_of_booking)
_MAIL_OF_NOTICE = Prepared(_mail_of_notice)
_EVENT_OF_BOOKING = Prepared(_event_of_booking)


@dataclass(frozen=True)
class _Ready:
    """A booking put together from the look before its transaction, before the transaction's
    first statement: what it writes, and its view (its id and seat once written)."""

    view: BookingView
    params: dict[str, Any]  # the seat's and the booking's statements'
    notice: dict[str, Any]  # its notice's (`_NOTICE_OF_BOOKING`, `_MAIL_OF_NOTICE`)
    event: dict[str, Any]  # its audit event, not yet chained (`audit.event_rows`)


def _ready_to_book(ctx: Ctx, applicant_id: int, slot_id: int, seen: Any) -> _Ready | None:
    """The booking of the look `seen`, put together; None where the look says the direct path
    may not book it (the long way answers)."""
    if not _ours_to_book(ctx, seen) or _direct_answer(seen, ctx.now) is not True:
        return None
    code, booking_uuid = new_code(), str(uuid.uuid4())
    view = _direct_view(ctx, seen, applicant_id, slot_id, code, 0, 0)  # its id and seat later
    notice = mailbox.notice_rows(ctx, [_booked_notice(applicant_id, None, view)])[0]
    details = _confirmed_details(code, slot_id, seen)
    params = {
        "applicant": applicant_id,
        "slot": slot_id,
        "now": ctx.now,
        "office": seen.office_id,
        "procedure": seen.procedure_id,
        "uuid": booking_uuid,
        "code": code,
        "by": ctx.actor.staff_id,
    }
    written = {"uuid": booking_uuid, "now": ctx.now}
    written |= {f"notice_{name}": notice[name] for name in ("uuid", "kind", "subject", "body")}
    written["notice_params"] = notice["params"]
    event = audit.event_rows(ctx, "booking.confirmed", [(booking_uuid, details)])[0]
    return _Ready(view, params, written, event)


def book_after_look(ctx: Ctx, applicant_id: int, slot_id: int, seen: Any) -> BookingView | None:
    """`book` on its common path, from the look before its transaction (`seen`,
    `look_to_book`): everything it writes is put together first (`_ready_to_book`), so that
    the locks are held for the statements alone. None where nothing was written and the long
    way must answer (the seat taken meanwhile, another rule first, O3)."""
    ready = _ready_to_book(ctx, applicant_id, slot_id, seen)
    if ready is None:
        return None
    if ctx.is_postgres:
        return _book_in_one_trip(ctx, ready)
    # SQLite: every statement is bound before the first takes the write lock (BEGIN
    # IMMEDIATE), which is then held for the statements alone: in a burst of writers, the
    # time each waits for.
    engine = ctx.session.get_bind()
    take, write = (way.bind(engine, ready.params) for way in (_TAKE_SEAT_COUNTED, _WRITE_BOOKING))
    rest = _rest_of_booking(ctx, engine, ready)
    connection = ctx.session.connection()
    taken = _TAKE_SEAT_COUNTED.first(connection, bound=take)
    if taken is None:
        return None  # nothing written: the long way says what changed since the look
    booking = _WRITE_BOOKING.first(connection, bound=write)
    if booking is None or booking.seat > taken.seats:
        raise RuntimeError(f"time {slot_id}: its count of taken seats disagrees with its bookings")
    for sql, arguments in rest:
        on_driver(connection, sql, arguments).close()
    return replace(ready.view, id=booking.id, seat=booking.seat)


def _rest_of_booking(
    ctx: Ctx, target: sa.Connection | sa.Engine, ready: _Ready
) -> list[tuple[str, Any]]:
    """The statements after the booking's own, bound: its notice (M1), its e-mail when mail is
    on (M3), its audit event chained (C1, W7), each written where the booking was."""
    return [
        _NOTICE_OF_BOOKING.bind(target, ready.notice),
        *([_MAIL_OF_NOTICE.bind(target, ready.notice)] if ctx.config.mail_enabled else []),
        _EVENT_OF_BOOKING.bind(target, audit_chain.one_event(ready.event)),
    ]


def _book_in_one_trip(ctx: Ctx, ready: _Ready) -> BookingView | None:
    """PostgreSQL: the whole unit of work in one round trip, committed by the time it returns;
    None where nothing was written."""
    connection = ctx.session.connection()
    statements = [
        _LOCK_PERSON_SHARE_QUEUE.bind(connection, ready.params),
        _TAKE_SEAT_MARKED.bind(connection, ready.params),
        _WRITE_BOOKING_MARKED.bind(connection, ready.params),
        *_rest_of_booking(ctx, connection, ready),
    ]
    booked = commit_in_one_trip(ctx.session, statements)[2]
    if not booked:
        return None
    return replace(ready.view, id=booked[0]["id"], seat=booked[0]["seat"])


# Issue 15 §6: a code is 8 symbols; guessing one is a search. Failed look-ups are audited, and
# whoever (a staff member, or the kiosks as "system") misses this many within the window waits.
LOOKUP_FAILURES = 20
LOOKUP_WINDOW = timedelta(minutes=10)


def look_up(ctx: Ctx, code: str) -> Booking | Refused:
    """B7 for a person reading a code (`verify`, a receipt): the booking, or a refusal to
    return (so that the failed look-up's audit event is committed). After LOOKUP_FAILURES
    misses by one actor within LOOKUP_WINDOW, every look-up of theirs is refused until the
    oldest of them is that old."""
    misses = ctx.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(
            col(AuditEvent.action) == "booking.lookup_failed",
            col(AuditEvent.actor) == ctx.actor.label,
            col(AuditEvent.at) > ctx.now - LOOKUP_WINDOW,
        )
    )
    if (misses or 0) >= LOOKUP_FAILURES:
        return Refused(
            "B7",
            "too_many_lookups",
            N_(
                "Demasiados códigos no encontrados seguidos: espere {minutes} minutos antes de "
                "buscar otro."
            ),
            {"minutes": int(LOOKUP_WINDOW.total_seconds() // 60)},
        )
    try:
        return by_code(ctx, code)
    except NotFound as missing:
        # Never what was typed: a near miss of a real code is half of it.
        audit.record(ctx, "booking.lookup_failed", "unknown")
        return missing


def by_code(ctx: Ctx, code: str, *, lock: bool = False) -> Booking:
    """B7: a booking by its verification code in any usual spelling.

    With `lock`, its row is locked and read afresh: what another transaction committed while
    this one waited for its locks is what the rules then see (PostgreSQL; SQLite has one
    writer at a time already). Writers lock the person, then the queue, then the booking."""
    normal = normalize_code(code)
    query = sa.select(Booking).where(col(Booking.code) == normal)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    booking = ctx.session.scalar(query) if normal else None
    if booking is None:
        raise NotFound(
            "code_not_found",
            N_("No hay ninguna reserva con el código {code}: revise las ocho letras y números."),
            {"code": code},
        )
    return booking


def cancel(
    ctx: Ctx, code: str, *, applicant_id: int | None = None, reason: str | None = None
) -> Cancelled:
    """B9: cancel as the office's policy allows (staff also outside it, with a reason); the
    time goes straight to the waitlist (W2), in this transaction."""
    booking = by_code(ctx, code)
    _check_canceller(ctx, booking, applicant_id)
    applicant_by_id(ctx, booking.applicant_id, lock=True)
    lock_offering(ctx, booking.office_id, booking.procedure_id)
    booking = by_code(ctx, code, lock=True)
    if booking.status != "confirmed":
        raise Refused("B9", "not_active", N_("Esa reserva ya no está activa."))
    override = check_policy(ctx, booking, reason)
    assigned = give_back_seats(ctx, [booking], "cancelled")
    ctx.session.refresh(booking)
    view = booking_view(ctx, booking)
    mailbox.deposit(
        ctx,
        mailbox.NewNotice(
            booking.applicant_id,
            "cancellation",
            N_("Hora anulada: {procedure}, {date} a las {time}"),
            N_("Se anuló su hora del {date} a las {time} en {office} (código {code})."),
            notice_params(view),
            booking_id=booking.id,
        ),
    )
    text = " ".join(printable(reason or "").split())[:200]
    audit.record(
        ctx,
        "booking.cancelled",
        booking.uuid,
        code=booking.code,
        **({"reason": text} if text else {}),
        **({"override": True} if override else {}),
    )
    return Cancelled(view, len(assigned))


def bookings_of(ctx: Ctx, applicant_id: int) -> list[BookingView]:
    """The applicant's bookings, newest first (holds that lapsed are left out)."""
    rows = ctx.session.scalars(
        sa.select(Booking)
        .where(
            col(Booking.applicant_id) == applicant_id,
            col(Booking.status).not_in(("expired", "released")),
        )
        .order_by(col(Booking.id).desc())
    ).all()
    return [booking_view(ctx, b) for b in rows]
