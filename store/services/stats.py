"""Figures for supervisors (C7): per office and procedure, and their CSV export."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

from store.models import Booking, Office, OfficeProcedure, Procedure, Slot, WaitlistEntry
from store.services.context import Ctx
from store.services.lookups import office_by_code
from store.services.roles import require_office, staff_office
from store.timefmt import in_zone
from store.views import Figures

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
