"""Holds and bookings (B5–B11, K3).

A seat is taken in three guarded steps, inside a write transaction (BEGIN IMMEDIATE on
SQLite, the office/procedure row lock on PostgreSQL): a conditional
`UPDATE slots SET taken = taken + 1 WHERE taken < seats` whose row count must be 1, then the
booking row, whose (slot, seat) is unique among the states that occupy a seat."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import col

from store.codes import normalize_code
from store.errors import NotFound, Refused
from store.models import SEAT_STATES, Booking, Office, Procedure, Slot, WaitlistEntry
from store.services import audit, mailbox
from store.services.assignment import assign_waitlist
from store.services.booking_codes import unique_codes
from store.services.context import Ctx
from store.services.freed_seats import expire_holds, vacate_seats
from store.services.lookups import active_booking, applicant_by_id, booking_view, lock_offering
from store.text import N_
from store.timefmt import fmt_date, fmt_time
from store.validation import mask_document
from store.views import BookingView


def _taken_refusal() -> Refused:
    return Refused(
        "B6",
        "slot_taken",
        N_("Esa hora acaba de ser tomada por otra persona: elija otra, por favor."),
    )


def hold(ctx: Ctx, applicant_id: int, slot_id: int) -> BookingView:
    """B6: place a short hold on a free seat while the applicant checks the details."""
    return booking_view(ctx, _hold(ctx, applicant_id, slot_id))


def _hold(ctx: Ctx, applicant_id: int, slot_id: int) -> Booking:
    applicant_by_id(ctx, applicant_id, lock=True)
    slot = ctx.session.get(Slot, slot_id)
    if slot is None:
        raise NotFound("slot_not_found", N_("Esa hora no existe: vuelva al calendario."))
    lock_offering(ctx, slot.office_id, slot.procedure_id)
    expire_holds(ctx, slot.office_id, slot.procedure_id)
    if slot.starts_at <= ctx.now:
        raise Refused("B6", "slot_past", N_("Esa hora ya pasó: elija una hora futura."))
    current = active_booking(ctx, applicant_id, slot.procedure_id)
    if current is not None:
        if current.status == "held":
            if current.slot_id == slot_id:
                return current  # K3: a double press holds once
            # The applicant changed their mind: the earlier hold gives way to the new one.
            vacate_seats(ctx, [(current.id or 0, current.slot_id)], "released")
        else:
            view = booking_view(ctx, current)
            raise Refused(
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
    ctx.session.add(booking)
    ctx.session.flush()
    return booking


def confirm(ctx: Ctx, applicant_id: int, booking_id: int) -> BookingView:
    """B6, B7: turn a live hold into a booking with a verification code; K3: twice is once."""
    applicant = applicant_by_id(ctx, applicant_id, lock=True)
    booking = ctx.session.get(Booking, booking_id)
    if booking is None or booking.applicant_id != applicant_id:
        raise NotFound("hold_not_found", N_("No encontramos esa reserva: vuelva al calendario."))
    if booking.status in ("confirmed", "checked_in"):
        return booking_view(ctx, booking)
    if booking.status != "held" or (booking.hold_expires_at and booking.hold_expires_at <= ctx.now):
        raise Refused(
            "B6",
            "hold_expired",
            N_("Pasó el tiempo para confirmar y la hora quedó libre: elija una hora de nuevo."),
        )
    slot = ctx.session.get(Slot, booking.slot_id)
    if slot is None or slot.blocked:
        raise Refused("B5", "slot_closed", N_("Esa hora fue cerrada por la oficina: elija otra."))
    booking.code = unique_codes(ctx, 1)[0]
    booking.status = "confirmed"
    booking.confirmed_at = ctx.now
    booking.hold_expires_at = None
    ctx.session.flush()
    view = booking_view(ctx, booking)
    mailbox.deposit(
        ctx,
        mailbox.NewNotice(
            applicant_id,
            "booking",
            N_("Hora reservada: {procedure}, {date} a las {time}"),
            N_(
                "Su hora para {procedure} es el {date} a las {time} en {office} ({address}). "
                "Código de verificación: {code}. Traiga este comprobante impreso y los documentos "
                "indicados."
            ),
            {
                "procedure": view.procedure.name,
                "procedure_en": view.procedure.name_en,
                "office": view.office.name,
                "address": view.office.address,
                "date": fmt_date(view.start.date()),
                "time": fmt_time(view.start),
                "code": view.display_code,
            },
            booking_id=booking.id,
        ),
    )
    audit.record(
        ctx,
        "booking.confirmed",
        booking.uuid,
        code=booking.code,
        slot=booking.slot_id,
        document=mask_document(applicant.document_type, applicant.document_number),
    )
    return view


def release(ctx: Ctx, applicant_id: int, booking_id: int) -> None:
    """B6: the applicant stepped back from a hold; the seat is free again at once."""
    booking = ctx.session.get(Booking, booking_id)
    if booking is None or booking.applicant_id != applicant_id or booking.status != "held":
        return
    lock_offering(ctx, booking.office_id, booking.procedure_id)
    vacate_seats(ctx, [(booking.id or 0, booking.slot_id)], "released")
    assign_waitlist(ctx, booking.office_id, booking.procedure_id)


def book(ctx: Ctx, applicant_id: int, slot_id: int) -> BookingView:
    """Hold and confirm in one unit of work (the command line, assisted mode)."""
    held = _hold(ctx, applicant_id, slot_id)
    return confirm(ctx, applicant_id, held.id or 0)


def by_code(ctx: Ctx, code: str) -> Booking:
    """B7: a booking by its verification code in any usual spelling."""
    normal = normalize_code(code)
    booking = (
        ctx.session.scalar(sa.select(Booking).where(col(Booking.code) == normal))
        if normal
        else None
    )
    if booking is None:
        raise NotFound(
            "code_not_found",
            N_("No hay ninguna reserva con el código {code}: revise las ocho letras y números."),
            {"code": code},
        )
    return booking


def cancel(ctx: Ctx, code: str, *, applicant_id: int | None = None) -> BookingView:
    """B9: cancel as the office's policy allows; the time goes straight to the waitlist (W2)."""
    booking = by_code(ctx, code)
    if applicant_id is not None and booking.applicant_id != applicant_id:
        raise NotFound("code_not_found", N_("Esa reserva no es suya."))
    if ctx.actor.staff_id is None and applicant_id is None:
        raise Refused(
            "B9", "not_allowed", N_("Solo la persona titular o el personal puede anular.")
        )
    applicant_by_id(ctx, booking.applicant_id, lock=True)
    lock_offering(ctx, booking.office_id, booking.procedure_id)
    office = ctx.session.get(Office, booking.office_id)
    slot = ctx.session.get(Slot, booking.slot_id)
    procedure = ctx.session.get(Procedure, booking.procedure_id)
    assert office and slot and procedure
    if booking.status != "confirmed":
        raise Refused("B9", "not_active", N_("Esa reserva ya no está activa."))
    if slot.starts_at <= ctx.now:
        raise Refused("B11", "past", N_("Esa hora ya pasó; puede reservar una nueva."))
    if office.cancel_policy == "never":
        raise Refused(
            "B9",
            "cancel_not_allowed",
            N_(
                "En {office} una hora confirmada no se puede anular ni cambiar: espere a que pase "
                "la fecha y luego reserve de nuevo o inscríbase en la lista."
            ),
            {"office": office.name},
        )
    deadline = slot.starts_at - timedelta(hours=office.cancel_hours)
    if ctx.now > deadline:
        raise Refused(
            "B9",
            "cancel_too_late",
            N_("En {office} solo se puede anular hasta {hours} horas antes de la hora."),
            {"office": office.name, "hours": office.cancel_hours},
        )
    vacate_seats(ctx, [(booking.id or 0, booking.slot_id)], "cancelled")
    view = booking_view(ctx, booking)
    mailbox.deposit(
        ctx,
        mailbox.NewNotice(
            booking.applicant_id,
            "cancellation",
            N_("Hora anulada: {procedure}, {date} a las {time}"),
            N_("Se anuló su hora del {date} a las {time} en {office} (código {code})."),
            {
                "procedure": procedure.name,
                "procedure_en": procedure.name_en,
                "office": office.name,
                "date": fmt_date(slot.day),
                "time": fmt_time(slot.start_time),
                "code": view.display_code,
            },
            booking_id=booking.id,
        ),
    )
    audit.record(ctx, "booking.cancelled", booking.uuid, code=booking.code)
    assign_waitlist(ctx, booking.office_id, booking.procedure_id)
    return view


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
