"""What happens when seats are freed (B6, B9, W2).

`vacate_seats` takes bookings off their seats and counts the seats as free again;
`expire_holds` does so for lapsed holds and then hands the seats to the people waiting, before
anyone may take or wait for a seat of that office and procedure."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlmodel import col

from store.models import SEAT_STATES, Booking, Slot
from store.services.assignment import assign_waitlist
from store.services.context import Ctx


def vacate_seats(ctx: Ctx, bookings: list[tuple[int, int]], new_status: str) -> int:
    """Set bookings (id, slot_id) to a state that frees their seat, and give the seats back.

    Only bookings that still hold a seat are changed (a booking another transaction freed
    meanwhile is not freed twice); returns how many were."""
    if not bookings:
        return 0
    freed = (
        ctx.session.execute(
            sa.update(Booking)
            .where(
                col(Booking.id).in_([b for b, _ in bookings]), col(Booking.status).in_(SEAT_STATES)
            )
            .values(status=new_status, cancelled_at=ctx.now)
            .returning(col(Booking.slot_id))
        )
        .scalars()
        .all()
    )
    if freed:
        ctx.session.connection().execute(
            sa.update(Slot)
            .where(col(Slot.id) == sa.bindparam("b_id"))
            .values(taken=Slot.taken - sa.bindparam("b_n")),
            [{"b_id": slot, "b_n": n} for slot, n in Counter(freed).items()],
        )
    return len(freed)


def expire_holds(ctx: Ctx, office_id: int, procedure_id: int) -> int:
    """B6, W2: free the seats of expired holds; where people wait, they get them at once.

    The caller holds the office/procedure lock."""
    expired = [
        (row.id, row.slot_id)
        for row in ctx.session.execute(
            sa.select(col(Booking.id), col(Booking.slot_id)).where(
                col(Booking.office_id) == office_id,
                col(Booking.procedure_id) == procedure_id,
                col(Booking.status) == "held",
                col(Booking.hold_expires_at) <= ctx.now,
            )
        )
    ]
    vacate_seats(ctx, expired, "expired")
    if expired:
        assign_waitlist(ctx, office_id, procedure_id)
    return len(expired)
