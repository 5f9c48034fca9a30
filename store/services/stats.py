"""Figures for supervisors: per office and procedure (C7), the waiting room per day and agent
(Q5), and their CSV exports."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

from store.models import (
    Booking,
    Office,
    OfficeProcedure,
    Procedure,
    QueueTicket,
    Slot,
    Staff,
    WaitlistEntry,
)
from store.services.context import Ctx
from store.services.lookups import office_by_code
from store.services.roles import require_office, staff_office
from store.timefmt import in_zone
from store.views import Figures, QueueFigures

WINDOW_DAYS = 30
_BOOKED = ("confirmed", "checked_in", "attended", "missed")

Key = tuple[int, int]


def figures(ctx: Ctx, office_code: str | None = None) -> list[Figures]:
    """C7: waitlist length and oldest enrolment, free seats and bookings per day over the next
    30 days, attended and missed over the last 30, for every office and procedure offered."""
    offering = sa.select(
        col(Office.id),
        col(Office.code),
        col(Procedure.id),
        col(Procedure.code),
        col(Office.time_zone),
    )
    offering = offering.join(OfficeProcedure, col(OfficeProcedure.office_id) == Office.id).join(
        Procedure, col(Procedure.id) == OfficeProcedure.procedure_id
    )
    if office_code:
        chosen = office_by_code(ctx, office_code).id or 0
        require_office(ctx, chosen)  # C9: figures belong to an office
        offering = offering.where(col(Office.id) == chosen)
    elif (own := staff_office(ctx)) is not None:
        offering = offering.where(col(Office.id) == own)  # C9: theirs only
    pairs = ctx.session.execute(offering.order_by(col(Office.code), col(Procedure.code))).all()
    if not pairs:
        return []
    office_ids = {row[0] for row in pairs}
    today = in_zone(ctx.now, pairs[0][4]).date()
    ahead = today + timedelta(days=WINDOW_DAYS)
    behind = today - timedelta(days=WINDOW_DAYS)

    waiting: dict[Key, tuple[int, datetime | None]] = {
        (o, p): (n, oldest)
        for o, p, n, oldest in ctx.session.execute(
            sa.select(
                col(WaitlistEntry.office_id),
                col(WaitlistEntry.procedure_id),
                sa.func.count(),
                sa.func.min(col(WaitlistEntry.enrolled_at)),
            )
            .where(
                col(WaitlistEntry.status) == "waiting", col(WaitlistEntry.office_id).in_(office_ids)
            )
            .group_by(col(WaitlistEntry.office_id), col(WaitlistEntry.procedure_id))
        )
    }
    free: dict[Key, int] = {
        (o, p): int(n or 0)
        for o, p, n in ctx.session.execute(
            sa.select(
                col(Slot.office_id), col(Slot.procedure_id), sa.func.sum(Slot.seats - Slot.taken)
            )
            .where(
                col(Slot.office_id).in_(office_ids),
                ~col(Slot.blocked),
                col(Slot.starts_at) > ctx.now,
                col(Slot.day) < ahead,
            )
            .group_by(col(Slot.office_id), col(Slot.procedure_id))
        )
    }
    per_day: dict[Key, dict[date, int]] = defaultdict(dict)
    outcomes: dict[Key, dict[str, int]] = defaultdict(dict)
    for o, p, day, status, n in ctx.session.execute(
        sa.select(
            col(Booking.office_id),
            col(Booking.procedure_id),
            col(Slot.day),
            col(Booking.status),
            sa.func.count(),
        )
        .join(Slot, col(Slot.id) == Booking.slot_id)
        .where(
            col(Booking.office_id).in_(office_ids),
            col(Booking.status).in_(_BOOKED),
            col(Slot.day) >= behind,
            col(Slot.day) < ahead,
        )
        .group_by(
            col(Booking.office_id), col(Booking.procedure_id), col(Slot.day), col(Booking.status)
        )
    ):
        if day >= today:
            per_day[(o, p)][day] = per_day[(o, p)].get(day, 0) + n
        if day <= today and status in ("attended", "missed"):
            outcomes[(o, p)][status] = outcomes[(o, p)].get(status, 0) + n

    days = [today + timedelta(days=i) for i in range(WINDOW_DAYS)]
    result = []
    for office_id, office, procedure_id, procedure, _zone in pairs:
        key = (office_id or 0, procedure_id or 0)
        count, oldest = waiting.get(key, (0, None))
        result.append(
            Figures(
                office=office,
                procedure=procedure,
                waiting=count,
                oldest_enrolment=oldest,
                open_seats=free.get(key, 0),
                bookings_per_day=tuple(per_day[key].get(d, 0) for d in days),
                attended=outcomes[key].get("attended", 0),
                missed=outcomes[key].get("missed", 0),
            )
        )
    return result


CSV_COLUMNS = (
    "office",
    "procedure",
    "waiting",
    "oldest_enrolment_utc",
    "open_seats_30d",
    "bookings_30d",
    "attended_30d",
    "missed_30d",
    "no_show_rate",
    "bookings_per_day",
)


def figures_csv(rows: Sequence[Figures]) -> str:
    """C7: the figures as CSV (one line per office and procedure; the days joined by spaces)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in rows:
        rate = f.no_show_rate
        writer.writerow(
            (
                f.office,
                f.procedure,
                f.waiting,
                f.oldest_enrolment.isoformat() if f.oldest_enrolment else "",
                f.open_seats,
                sum(f.bookings_per_day),
                f.attended,
                f.missed,
                f"{rate:.3f}" if rate is not None else "",
                " ".join(str(n) for n in f.bookings_per_day),
            )
        )
    return out.getvalue()


# -- the waiting room per day and agent (Q5) ------------------------------------------------


def nearest_rank(values: Sequence[float], percent: int) -> float:
    """The nearest-rank percentile: the smallest value with at least `percent` % of the values
    at or below it (the ⌈percent·n/100⌉-th smallest; no interpolation). The same on every
    database, since it is computed here over the rows, not by the database."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = -(-percent * len(ordered) // 100)  # ceil without floats
    return ordered[max(rank, 1) - 1]


def arrival(ticket_kind: str, taken_at: datetime, due_at: datetime | None) -> datetime:
    """Q5: when the wait starts. A walk-in waits from taking the number; an appointment from
    checking in or from its time, whichever is later: someone who comes early is not waiting
    on us."""
    if ticket_kind == "appointment" and due_at is not None:
        return max(taken_at, due_at)
    return taken_at


def queue_figures(
    ctx: Ctx, office_code: str | None = None, days: int = WINDOW_DAYS
) -> list[QueueFigures]:
    """Q5: per office, day (its own, the last `days` up to today) and agent: the numbers
    finished, the mean and the nearest-rank 90th percentile of the wait (from `arrival` to
    the start of the service that finished: the call that was answered; an appointment called
    before its time waited 0), and the mean service (start to finish). An agent is the staff
    member who called the number last, i.e. who served it; numbers marked absent, still
    waiting or still being served count for nobody. Ordered by office, day, agent."""
    offices = sa.select(Office)
    if office_code:
        chosen = office_by_code(ctx, office_code)
        require_office(ctx, chosen.id or 0)  # C9: figures belong to an office
        offices = offices.where(col(Office.id) == chosen.id)
    elif (own := staff_office(ctx)) is not None:
        offices = offices.where(col(Office.id) == own)  # C9: theirs only
    found = ctx.session.scalars(offices).all()
    if not found:
        return []
    window: dict[int, tuple[str, date, date]] = {}
    for office in found:
        today = in_zone(ctx.now, office.time_zone).date()
        window[office.id or 0] = (office.code, today - timedelta(days=days - 1), today)
    earliest = min(first for _code, first, _last in window.values())
    served = ctx.session.execute(
        sa.select(
            col(QueueTicket.office_id),
            col(QueueTicket.day),
            col(Staff.username),
            col(QueueTicket.kind),
            col(QueueTicket.taken_at),
            col(QueueTicket.due_at),
            col(QueueTicket.started_at),
            col(QueueTicket.finished_at),
        )
        .join(Staff, col(Staff.id) == QueueTicket.called_by)
        .where(
            col(QueueTicket.office_id).in_(window),
            col(QueueTicket.status) == "done",
            col(QueueTicket.day) >= earliest,
            col(QueueTicket.started_at).is_not(None),
            col(QueueTicket.finished_at).is_not(None),
        )
    ).all()
    waits: dict[tuple[str, date, str], list[float]] = defaultdict(list)
    services: dict[tuple[str, date, str], list[float]] = defaultdict(list)
    for office_id, day, agent, kind, taken_at, due_at, started_at, finished_at in served:
        code, first, last = window[office_id]
        if not first <= day <= last or started_at is None or finished_at is None:
            continue
        key = (code, day, agent)
        waits[key].append(max(0.0, (started_at - arrival(kind, taken_at, due_at)).total_seconds()))
        services[key].append(max(0.0, (finished_at - started_at).total_seconds()))
    result = []
    for key in sorted(waits):
        wait, service = waits[key], services[key]
        result.append(
            QueueFigures(
                *key,
                served=len(wait),
                mean_wait=statistics.fmean(wait),
                p90_wait=nearest_rank(wait, 90),
                mean_service=statistics.fmean(service),
            )
        )
    return result


QUEUE_CSV_COLUMNS = (
    "office",
    "day",
    "agent",
    "served",
    "mean_wait_min",
    "p90_wait_min",
    "mean_service_min",
)


def queue_figures_csv(rows: Sequence[QueueFigures]) -> str:
    """Q5: the waiting room's figures as CSV, one line per office, day and agent (the staff
    member's user name; nothing about the people served). Minutes with one decimal."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(QUEUE_CSV_COLUMNS)
    for f in rows:
        writer.writerow(
            (
                f.office,
                f.day.isoformat(),
                f.agent,
                f.served,
                f"{f.mean_wait / 60:.1f}",
                f"{f.p90_wait / 60:.1f}",
                f"{f.mean_service / 60:.1f}",
            )
        )
    return out.getvalue()
