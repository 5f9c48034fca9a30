"""What happens when seats are freed (B6, B9, B12, B13, W2).

`give_back_seats` is the one way a booking gives its seat back: a hold released, replaced
(at this office or another) or lapsed, a booking cancelled, moved or displaced. In the same
transaction, before anyone else may take or wait for a seat, every office and procedure
concerned hands its free seats to the people waiting, strictly in order (W2). Nothing else in
the store lowers a time's count of taken seats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import col

from store.models import SEAT_STATES, Booking, Slot
from store.services.assignment import assign_waitlist
from store.services.context import Ctx


def give_back_seats(ctx: Ctx, bookings: Sequence[Booking], new_status: str) -> list[str]:
    """Set bookings to a state that frees their seat, give the seats back, and serve the
    waitlist of each office and procedure concerned. Returns the codes of the bookings the
    waitlist received.

    Only bookings that still hold a seat are changed (one another transaction freed meanwhile
    is not freed twice). The caller holds the lock of every office and procedure concerned
    (`lookups.lock_offerings`)."""
    _vacate(ctx, [(b.id or 0, b.slot_id) for b in bookings], new_status)
    return serve(ctx, {(b.office_id, b.procedure_id) for b in bookings})


def serve(ctx: Ctx, offerings: Iterable[tuple[int, int]]) -> list[str]:
    """W2 for each office and procedure, in one order: lapsed holds freed, then the waiting
    served. The caller holds their locks."""
    assigned: list[str] = []
    for office_id, procedure_id in sorted(set(offerings)):
        _vacate(ctx, _lapsed(ctx, office_id, procedure_id), "expired")
        assigned += assign_waitlist(ctx, office_id, procedure_id)
    return assigned


def expire_holds(ctx: Ctx, office_id: int, procedure_id: int) -> int:
    """B6, W2: free the seats of expired holds; where people wait, they get them at once.

    The caller holds the office/procedure lock. Returns how many holds lapsed."""
    lapsed = _lapsed(ctx, office_id, procedure_id)
    _vacate(ctx, lapsed, "expired")
    if lapsed:
        assign_waitlist(ctx, office_id, procedure_id)
    return len(lapsed)


def _lapsed(ctx: Ctx, office_id: int, procedure_id: int) -> list[tuple[int, int]]:
    return [
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


def _vacate(ctx: Ctx, bookings: list[tuple[int, int]], new_status: str) -> int:
    """Bookings (id, slot_id) off their seats, the seats counted free again; only through
    the functions above, which serve the waitlist right after."""
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
