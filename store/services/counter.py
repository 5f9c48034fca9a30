"""The counter's day (C5): the agenda of an office, checking arrivals in, attended or missed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

import store.validation as v
from store.codes import display_code, normalize_code
from store.errors import InvalidInput, Refused
from store.models import Applicant, Booking, Office, Procedure, Slot
from store.services import audit
from store.services.booking import by_code
from store.services.context import Ctx
from store.services.lookups import applicant_by_document, office_by_code, procedure_names
from store.services.roles import require_office, require_role
from store.text import N_
from store.timefmt import fmt_date, fmt_time, in_zone
from store.views import AgendaRow, DayClosed, full_name

AGENDA_STATES = ("confirmed", "checked_in", "attended", "missed")
COUNTER_ROLES = ("agent", "supervisor")


def office_today(ctx: Ctx, office: Office) -> date:
    """The date on the office's own wall clock."""
    return in_zone(ctx.now, office.time_zone).date()


def agenda(ctx: Ctx, office_code: str, day: date | None = None) -> list[AgendaRow]:
    """C5: the office's appointments of one day (its today by default) in time order."""
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    rows = ctx.session.execute(
        sa.select(Booking, col(Slot.start_time), col(Slot.starts_at), Applicant, Procedure)
        .join(Slot, col(Slot.id) == Booking.slot_id)
        .join(Applicant, col(Applicant.id) == Booking.applicant_id)
        .join(Procedure, col(Procedure.id) == Booking.procedure_id)
        .where(
            col(Booking.office_id) == office.id,
            col(Slot.day) == (day or office_today(ctx, office)),
            col(Booking.status).in_(AGENDA_STATES),
        )
        .order_by(col(Slot.start_time), col(Booking.seat), col(Booking.id))
    ).all()
    return [
        AgendaRow(
            code=booking.code or "",
            start=start,
            applicant_id=applicant.id or 0,
            applicant_name=full_name(
                applicant.given_names, applicant.first_surname, applicant.second_surname
            ),
            document=v.mask_document(applicant.document_type, applicant.document_number),
            procedure=procedure.code,
            procedure_name=procedure.name,
            procedure_names=procedure_names(ctx, procedure.id),
            status=booking.status,
            checked_in_at=booking.checked_in_at,
            missable_at=starts_at + timedelta(minutes=office.grace_minutes),
        )
        for booking, start, starts_at, applicant, procedure in rows
    ]


def _todays_booking(ctx: Ctx, office: Office, text: str) -> Booking:
    """The booking an arrival shows: by its code, or by the document of its holder."""
    today = office_today(ctx, office)
    if normalize_code(text):
        booking = by_code(ctx, text, lock=True)
        slot = ctx.session.get(Slot, booking.slot_id)
        assert slot is not None
        code = booking.code
        if booking.office_id != office.id:
            elsewhere = ctx.session.get(Office, booking.office_id)
            raise Refused(
                "C5",
                "other_office",
                N_("La cita {code} es en {office}, no en esta oficina."),
                {"code": display_code(code or ""), "office": elsewhere.name if elsewhere else "?"},
            )
        if slot.day != today:
            raise Refused(
                "C5",
                "not_today",
                N_("La cita {code} es el {date}, no hoy."),
                {"code": display_code(code or ""), "date": fmt_date(slot.day)},
            )
        return booking
    applicant = applicant_by_document(ctx, text)
    found = ctx.session.scalar(
        sa.select(Booking)
        .join(Slot, col(Slot.id) == Booking.slot_id)
        .where(
            col(Booking.applicant_id) == applicant.id,
            col(Booking.office_id) == office.id,
            col(Slot.day) == today,
            col(Booking.status).in_(AGENDA_STATES),
        )
        .order_by(col(Slot.start_time))
        .limit(1)
        .with_for_update(of=Booking)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise Refused(
            "C5", "no_booking_today", N_("Esa persona no tiene cita hoy en esta oficina.")
        )
    return found


def check_in(ctx: Ctx, office_code: str, text: str) -> AgendaRow:
    """C5: an arrival shows a code or a document; their booking of today is checked in."""
    require_role(ctx, COUNTER_ROLES)
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    booking = _todays_booking(ctx, office, v.printable(text))
    if booking.status != "confirmed":
        raise _state_refusal(booking)
    booking.status = "checked_in"
    booking.checked_in_at = ctx.now
    audit.record(ctx, "booking.checked_in", booking.code or "", office=office.code)
    return _row(ctx, office, booking)


def mark(ctx: Ctx, office_code: str, code: str, outcome: str) -> AgendaRow:
    """C5: after the appointment, an arrival is attended; a confirmed no-show is missed."""
    require_role(ctx, COUNTER_ROLES)
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    booking = _todays_booking(ctx, office, code)
    if outcome == "attended" and booking.status != "checked_in":
        if booking.status == "confirmed":
            raise Refused(
                "C5",
                "not_checked_in",
                N_("Registre primero la llegada de la cita {code}."),
                {"code": display_code(booking.code or "")},
            )
        raise _state_refusal(booking)
    if outcome == "missed":
        if booking.status != "confirmed":
            raise _state_refusal(booking)
        require_missable(ctx, office, booking)
        booking.missed_at = ctx.now
    booking.status = outcome
    audit.record(ctx, f"booking.{outcome}", booking.code or "", office=office.code)
    return _row(ctx, office, booking)


def _missable_at(office: Office, booking: Booking, ctx: Ctx) -> datetime:
    """C11: the time plus the office's grace."""
    slot = ctx.session.get(Slot, booking.slot_id)
    assert slot is not None
    return slot.starts_at + timedelta(minutes=office.grace_minutes)


def require_missable(ctx: Ctx, office: Office, booking: Booking) -> None:
    """C11: "did not come" only once the time and the office's grace have passed (at the
    agenda, and for a called number nobody answered, Q3)."""
    allowed = _missable_at(office, booking, ctx)
    if ctx.now < allowed:
        raise Refused(
            "C11",
            "too_early",
            N_(
                "Todavía no: la persona puede llegar hasta {grace} minutos tarde. Podrá "
                "marcar que no se presentó desde las {time}."
            ),
            {
                "grace": office.grace_minutes,
                "time": fmt_time(in_zone(allowed, office.time_zone)),
            },
        )


def undo_missed(ctx: Ctx, office_code: str, code: str) -> AgendaRow:
    """C11: "did not come" marked by mistake is undone, the same day; the person can then be
    checked in."""
    require_role(ctx, COUNTER_ROLES)
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    booking = _todays_booking(ctx, office, code)
    if booking.status != "missed":
        raise Refused(
            "C11",
            "not_missed",
            N_("La cita {code} no está marcada como no presentada."),
            {"code": display_code(booking.code or "")},
        )
    booking.status = "confirmed"
    booking.missed_at = None
    audit.record(ctx, "booking.missed_undone", booking.code or "", office=office.code)
    return _row(ctx, office, booking)


def close_day(ctx: Ctx, office_code: str, day: date) -> DayClosed:
    """C11: the day's remaining confirmed bookings whose time plus the grace has passed are
    marked missed (supervisors); later ones are left and counted."""
    require_role(ctx, ("supervisor",))
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    if day > office_today(ctx, office):
        raise InvalidInput("day", N_("Solo se puede cerrar hoy o un día que ya pasó."))
    remaining = ctx.session.execute(
        sa.select(col(Booking.id), col(Slot.starts_at))
        .join(Slot, col(Slot.id) == Booking.slot_id)
        .where(
            col(Booking.office_id) == office.id,
            col(Slot.day) == day,
            col(Booking.status) == "confirmed",
        )
    ).all()
    grace = timedelta(minutes=office.grace_minutes)
    due = [row.id for row in remaining if row.starts_at + grace <= ctx.now]
    if due:
        ctx.session.execute(
            sa.update(Booking)
            .where(col(Booking.id).in_(due))
            .values(status="missed", missed_at=ctx.now)
        )
    audit.record(
        ctx,
        "agenda.day_closed",
        f"{office.code}/{day.isoformat()}",
        marked=len(due),
        left=len(remaining) - len(due),
    )
    return DayClosed(day, len(due), len(remaining) - len(due))


def _state_refusal(booking: Booking) -> Refused:
    messages = {
        "checked_in": N_("La cita {code} ya tiene la llegada registrada."),
        "attended": N_("La cita {code} ya fue atendida."),
        "missed": N_("La cita {code} ya está marcada como no presentada."),
    }
    return Refused(
        "C5",
        f"already_{booking.status}",
        messages.get(booking.status, N_("La cita {code} no está confirmada.")),
        {"code": display_code(booking.code or "")},
    )


def _row(ctx: Ctx, office: Office, booking: Booking) -> AgendaRow:
    slot = ctx.session.get(Slot, booking.slot_id)
    assert slot is not None
    return next(r for r in agenda(ctx, office.code, slot.day) if r.code == booking.code)
