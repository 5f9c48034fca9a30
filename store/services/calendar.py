"""Capacity: opening and blocking times (C6), and the times an applicant sees (B5).

Opening skips the office's closed weekdays, its one-off closures and Chile's national and
regional public holidays (the `holidays` package, by the region's ISO subdivision), and runs
the waitlist assignment (W2) in the same transaction."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta
from functools import cache

import sqlalchemy as sa
from sqlmodel import col

from store.errors import InvalidInput, Refused
from store.models import Booking, Office, OfficeClosure, Region, Slot, WaitlistEntry
from store.services import audit
from store.services.assignment import assign_waitlist
from store.services.context import Ctx
from store.services.freed_seats import expire_holds
from store.services.lookups import (
    lock_offering,
    office_by_code,
    procedure_by_code,
    procedure_names,
)
from store.services.roles import require_office
from store.text import N_
from store.timefmt import fmt_time, in_zone, office_moment
from store.views import CapacityOpened, CapacityPlan, SkippedDay, SlotView

MAX_DAYS = 366
_DAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


@cache
def _holidays(region_code: str, year: int) -> dict[date, str]:
    import holidays

    subdivision = region_code.removeprefix("CL-")
    table = holidays.country_holidays("CL", subdiv=subdivision, years=year, language="es")
    return dict(table.items())


def holiday_name(region_code: str, day: date) -> str | None:
    """The public holiday (national or of the region) on a day, if any."""
    return _holidays(region_code, day.year).get(day)


def parse_hours(text: str) -> list[tuple[time, time]]:
    """ "09:00-13:00" or "09:00-13:00,15:00-17:00" as (start, end) windows."""
    windows = []
    for part in str(text or "").split(","):
        try:
            start_text, end_text = part.strip().split("-")
            start = time.fromisoformat(start_text.strip())
            end = time.fromisoformat(end_text.strip())
        except ValueError:
            raise InvalidInput(
                "hours", N_("Escriba el horario como 09:00-13:00 (o varios separados por comas).")
            ) from None
        if start >= end:
            raise InvalidInput("hours", N_("Cada horario debe terminar después de empezar."))
        windows.append((start, end))
    return windows


def _times(windows: list[tuple[time, time]], every: int) -> list[time]:
    result: set[time] = set()
    for start, end in windows:
        moment = datetime.combine(date(2000, 1, 1), start)
        stop = datetime.combine(date(2000, 1, 1), end)
        while moment + timedelta(minutes=every) <= stop:
            result.add(moment.time())
            moment += timedelta(minutes=every)
    return sorted(result)


def _closures(ctx: Ctx, office: Office, date_from: date, date_to: date) -> dict[date, str]:
    """C6: the office's own closures in a range, with their reasons."""
    return dict(
        ctx.session.execute(
            sa.select(col(OfficeClosure.day), col(OfficeClosure.reason)).where(
                col(OfficeClosure.office_id) == office.id,
                col(OfficeClosure.day) >= date_from,
                col(OfficeClosure.day) <= date_to,
            )
        ).all()
    )


def _why_closed(
    office: Office, region_code: str, day: date, closures: dict[date, str]
) -> SkippedDay | None:
    """Why an office gives no times on a day (C6, B5): a weekday it does not open, a public
    holiday (national or of its region), or its own closure; None on a working day."""
    if str(day.weekday()) not in office.open_weekdays:
        return SkippedDay(day, _DAY_NAMES[day.weekday()], "weekday")
    holiday = holiday_name(region_code, day)
    if holiday:
        return SkippedDay(day, holiday, "holiday")
    if day in closures:
        return SkippedDay(day, closures[day], "closure")
    return None


def closed_days(ctx: Ctx, office_code: str, date_from: date, date_to: date) -> list[SkippedDay]:
    """B5: the days of a range on which the grid can offer nothing, and why: gone by ("past"),
    or closed (a weekday the office does not open, a public holiday, a closure)."""
    office = office_by_code(ctx, office_code)
    region = ctx.session.get(Region, office.region_id)
    assert region
    if date_from > date_to:
        raise InvalidInput(
            "from", N_("La fecha de inicio debe ser anterior o igual a la de término.")
        )
    today = in_zone(ctx.now, office.time_zone).date()
    closures = _closures(ctx, office, date_from, date_to)
    found: list[SkippedDay] = []
    day = date_from
    while day <= date_to:
        closed = SkippedDay(day, "", "past") if day < today else None
        closed = closed or _why_closed(office, region.code, day, closures)
        if closed is not None:
            found.append(closed)
        day += timedelta(days=1)
    return found


def plan_capacity(
    ctx: Ctx,
    office_code: str,
    procedure_code: str,
    date_from: date,
    date_to: date,
    hours: str,
    every: int,
    seats: int = 1,
) -> CapacityPlan:
    """C6: what opening would do: the times it would really create (not those that exist
    already or have passed), the days it would skip and why, and how many waiting people
    the new seats would serve (W2)."""
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    procedure = procedure_by_code(ctx, procedure_code)
    region = ctx.session.get(Region, office.region_id)
    assert region
    if not isinstance(every, int) or not 5 <= every <= 240:
        raise InvalidInput("every", N_("El intervalo debe ser de 5 a 240 minutos."))
    today = in_zone(ctx.now, office.time_zone).date()
    if date_from > date_to:
        raise InvalidInput(
            "from", N_("La fecha de inicio debe ser anterior o igual a la de término.")
        )
    if date_from < today:
        raise InvalidInput("from", N_("No se pueden abrir horas en días que ya pasaron."))
    if (date_to - date_from).days >= MAX_DAYS:
        raise InvalidInput("to", N_("Abra como máximo un año de horas de una vez."))
    windows = parse_hours(hours)
    for start, end in windows:
        if start < office.opens_at or end > office.closes_at:
            raise InvalidInput(
                "hours",
                N_(
                    "Las horas deben caer dentro del horario de atención de la oficina ({opens}–{closes})."
                ),
                {"opens": fmt_time(office.opens_at), "closes": fmt_time(office.closes_at)},
            )
    times = _times(windows, every)
    if not times:
        raise InvalidInput("every", N_("Con ese intervalo no cabe ninguna hora en el horario."))
    closures = _closures(ctx, office, date_from, date_to)
    days: list[date] = []
    skipped: list[SkippedDay] = []
    day = date_from
    while day <= date_to:
        closed = _why_closed(office, region.code, day, closures)
        if closed is not None:
            skipped.append(closed)
        else:
            days.append(day)
        day += timedelta(days=1)
    existing: dict[tuple[date, time], bool] = {
        (row.day, row.start_time): row.blocked
        for row in ctx.session.execute(
            sa.select(col(Slot.day), col(Slot.start_time), col(Slot.blocked)).where(
                col(Slot.office_id) == office.id,
                col(Slot.procedure_id) == procedure.id,
                col(Slot.day) >= date_from,
                col(Slot.day) <= date_to,
            )
        )
    }
    wanted = [(d, t) for d in days for t in times]
    there = [key for key in wanted if key in existing]
    new = [
        (d, t)
        for d, t in wanted
        if (d, t) not in existing and office_moment(d, t, office.time_zone) > ctx.now
    ]
    waiting = (
        ctx.session.scalar(
            sa.select(sa.func.count())
            .select_from(WaitlistEntry)
            .where(
                col(WaitlistEntry.office_id) == office.id,
                col(WaitlistEntry.procedure_id) == procedure.id,
                col(WaitlistEntry.status) == "waiting",
            )
        )
        or 0
    )
    free_now = (
        ctx.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Slot.seats - Slot.taken), 0)).where(
                col(Slot.office_id) == office.id,
                col(Slot.procedure_id) == procedure.id,
                col(Slot.starts_at) > ctx.now,
                sa.not_(col(Slot.blocked)),
            )
        )
        or 0
    )
    return CapacityPlan(
        office.code,
        procedure.code,
        tuple(days),
        tuple(times),
        tuple(skipped),
        office_name=office.name,
        procedure_name=procedure.name,
        procedure_names=procedure_names(ctx, procedure.id),
        new_times=len(new),
        existing_times=len(there),
        blocked_times=sum(1 for key in there if existing[key]),
        waiting=waiting,
        would_assign=min(waiting, int(free_now) + len(new) * max(seats, 1)),
    )


def open_capacity(
    ctx: Ctx,
    office_code: str,
    procedure_code: str,
    date_from: date,
    date_to: date,
    hours: str,
    every: int,
    seats: int,
) -> CapacityOpened:
    """C6, W2: create the times, then hand them to waiting people before anyone can book."""
    if not isinstance(seats, int) or not 1 <= seats <= 50:
        raise InvalidInput("seats", N_("Los cupos por hora deben ser de 1 a 50."))
    plan = plan_capacity(ctx, office_code, procedure_code, date_from, date_to, hours, every, seats)
    office = office_by_code(ctx, office_code)
    require_office(ctx, office.id or 0)  # C9: staff act for their own office
    procedure = procedure_by_code(ctx, procedure_code)
    offering = lock_offering(ctx, office.id or 0, procedure.id or 0)
    if offering is None or not offering.bookable:
        raise Refused(
            "C6",
            "not_offered",
            N_("La oficina {office} no ofrece {procedure} con reserva de hora."),
            {"office": office.name, "procedure": procedure.name},
        )
    existing = set(
        ctx.session.execute(
            sa.select(col(Slot.day), col(Slot.start_time)).where(
                col(Slot.office_id) == office.id,
                col(Slot.procedure_id) == procedure.id,
                col(Slot.day) >= date_from,
                col(Slot.day) <= date_to,
            )
        ).all()
    )
    rows = []
    for day in plan.days:
        for start in plan.times:
            starts_at = office_moment(day, start, office.time_zone)
            if (day, start) in existing or starts_at <= ctx.now:
                continue
            rows.append(
                {
                    "uuid": str(uuid.uuid4()),
                    "office_id": office.id,
                    "procedure_id": procedure.id,
                    "day": day,
                    "start_time": start,
                    "starts_at": starts_at,
                    "seats": seats,
                    "taken": 0,
                    "blocked": False,
                    "created_at": ctx.now,
                }
            )
    if rows:
        ctx.insert_many(Slot, rows)
    expire_holds(ctx, office.id or 0, procedure.id or 0)
    assigned = assign_waitlist(ctx, office.id or 0, procedure.id or 0)
    audit.record(
        ctx,
        "capacity.opened",
        f"{office.code}/{procedure.code}",
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        hours=hours,
        every=every,
        seats=seats,
        created=len(rows),
        assigned=len(assigned),
    )
    return CapacityOpened(len(rows), len(assigned), plan.skipped, tuple(assigned))


def list_slots(
    ctx: Ctx,
    office_code: str,
    procedure_code: str,
    date_from: date | None = None,
    date_to: date | None = None,
    applicant_id: int | None = None,
) -> list[SlotView]:
    """B5: the times of an office and procedure, with free seats and the applicant's own."""
    office = office_by_code(ctx, office_code)
    procedure = procedure_by_code(ctx, procedure_code)
    today = in_zone(ctx.now, office.time_zone).date()
    start = date_from or today
    end = date_to or start + timedelta(days=27)
    slots = ctx.session.scalars(
        sa.select(Slot)
        .where(
            col(Slot.office_id) == office.id,
            col(Slot.procedure_id) == procedure.id,
            col(Slot.day) >= start,
            col(Slot.day) <= end,
        )
        .order_by(col(Slot.starts_at), col(Slot.id))
    ).all()
    ids = [s.id for s in slots]
    # Holds that lapsed but were not swept yet still count as free seats.
    lapsed: Counter[int] = Counter()
    mine: set[int] = set()
    if ids:
        lapsed.update(
            ctx.session.scalars(
                sa.select(col(Booking.slot_id)).where(
                    col(Booking.office_id) == office.id,
                    col(Booking.procedure_id) == procedure.id,
                    col(Booking.status) == "held",
                    col(Booking.hold_expires_at) <= ctx.now,
                )
            )
        )
        if applicant_id is not None:
            mine = set(
                ctx.session.scalars(
                    sa.select(col(Booking.slot_id)).where(
                        col(Booking.applicant_id) == applicant_id,
                        col(Booking.office_id) == office.id,
                        col(Booking.procedure_id) == procedure.id,
                        col(Booking.status).in_(("held", "confirmed", "checked_in")),
                    )
                )
            )
    return [
        SlotView(
            id=s.id or 0,
            office=office.code,
            procedure=procedure.code,
            day=s.day,
            start_time=s.start_time,
            start=office_moment(s.day, s.start_time, office.time_zone),
            seats=s.seats,
            free=0
            if s.blocked or s.starts_at <= ctx.now
            else s.seats - s.taken + lapsed[s.id or 0],
            blocked=s.blocked,
            mine=(s.id in mine),
            past=s.starts_at <= ctx.now,
        )
        for s in slots
    ]
