"""Any interleaving of book, cancel, move, block, unblock, closure, enrol and withdraw (B9, B12,
B13, C6, W2): no seat over-assigned, the waitlist served strictly by reference date, and no
displaced person left with neither a booking nor a waitlist place.

Hypothesis runs on SQLite (a fresh database file per example); the same services run on
PostgreSQL in tests/store/test_lifecycle.py."""

from __future__ import annotations

import contextlib
import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import col

from store import Store
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.errors import InvalidInput, NotFound, Refused
from store.models import SEAT_STATES, Booking, Slot, WaitlistEntry
from tests.factories import applicants, seed_catalog

PEOPLE = 5
DAY = date(2026, 11, 30)
TIMES = 4  # 09:00, 09:30, 10:00, 10:30
START = datetime(2026, 11, 23, 12, tzinfo=UTC)

person = st.integers(0, PEOPLE - 1)
moment = st.integers(0, TIMES - 1)
operation = st.one_of(
    st.tuples(st.just("book"), person, moment),
    st.tuples(st.just("cancel"), person, st.just(0)),
    st.tuples(st.just("move"), person, moment),
    st.tuples(st.just("block"), moment, st.integers(1, 2)),
    st.tuples(st.just("unblock"), moment, st.integers(1, TIMES)),
    st.tuples(st.just("close"), st.just(0), st.just(0)),
    st.tuples(st.just("reopen"), st.just(0), st.just(0)),
    st.tuples(st.just("open"), moment, st.integers(1, 2)),
    st.tuples(st.just("enrol"), person, st.just(0)),
    st.tuples(st.just("withdraw"), person, st.just(0)),
)


def _window(first: int, count: int) -> str:
    start = datetime.combine(DAY, time(9)) + timedelta(minutes=30 * first)
    return f"{start:%H:%M}-{start + timedelta(minutes=30 * count):%H:%M}"


@pytest.fixture(scope="module")
def lifecycle_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    path = tmp_path_factory.mktemp("lifecycle") / "seeded.db"
    shutil.copy(sqlite_template, path)
    store = Store(str(path), clock=FixedClock(START))
    seed_catalog(store)
    applicants(store, PEOPLE)
    store.open_capacity("STG", "RT", DAY, DAY, _window(0, 2), 30, 1)
    store.close()
    return path


def _apply(store: Store, people: list[int], op: tuple[str, int, int], left: set[int]) -> None:
    name, a, b = op
    slots = {s.start.time(): s.id for s in store.slots("STG", "RT", DAY, DAY)}
    at_moment = slots.get((datetime.combine(DAY, time(9)) + timedelta(minutes=30 * b)).time())
    if name == "book" and at_moment is not None:
        store.book(people[a], at_moment)
        left.discard(people[a])
    elif name == "cancel":
        for booking in store.bookings_of(people[a]):
            if booking.status == "confirmed":
                store.cancel(booking.code or "", applicant_id=people[a])
                left.add(people[a])
    elif name == "move" and at_moment is not None:
        for booking in store.bookings_of(people[a]):
            if booking.status == "confirmed":
                held = store.hold(people[a], at_moment, replacing=booking.code)
                store.confirm(people[a], held.id, replacing=booking.code)
    elif name == "block":
        store.block_slots("STG", "RT", DAY, DAY, _window(a, b), "Ausencia")
    elif name == "unblock":
        store.unblock_slots("STG", "RT", DAY, DAY, _window(a, b))
    elif name == "close":
        store.add_closure("STG", DAY, "Cierre")
    elif name == "reopen":
        store.remove_closure("STG", DAY)
    elif name == "open":
        store.open_capacity("STG", "RT", DAY, DAY, _window(a, 1), 30, b)
    elif name == "enrol":
        store.enrol(people[a], "STG", "RT")
        left.discard(people[a])
    elif name == "withdraw":
        store.withdraw(people[a], "STG", "RT")
        left.add(people[a])


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(operation, min_size=1, max_size=16))
# The paths each rule lives on, always tried besides the generated ones:
@example([("book", 0, 0), ("block", 0, 1)])  # B12: displaced onto the waitlist
@example([("book", 0, 0), ("book", 1, 1), ("enrol", 2, 0), ("cancel", 0, 0)])  # B9 + W2
@example([("book", 0, 0), ("book", 1, 1), ("enrol", 2, 0), ("block", 1, 1), ("reopen", 0, 0)])
@example([("book", 0, 0), ("enrol", 1, 0), ("open", 3, 1), ("book", 2, 1), ("block", 3, 1)])
@example([("book", 0, 0), ("book", 1, 1), ("open", 2, 1), ("move", 0, 2), ("enrol", 2, 0)])
def test_b12_b13_w2_any_interleaving_keeps_seats_order_and_people(
    lifecycle_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    ops: list[tuple[str, int, int]],
) -> None:
    path = tmp_path_factory.mktemp("example") / "k.db"
    shutil.copy(lifecycle_template, path)
    clock = FixedClock(START)
    store = Store(str(path), clock=clock, passwords=Passwords(fast_hasher()))
    people = list(range(1, PEOPLE + 1))
    left: set[int] = set()  # who chose to leave (cancelled, withdrew): not stranded by us
    for op in ops:
        clock.advance(minutes=1)
        # A refusal (full, already booked, nothing to withdraw …) is a legitimate outcome.
        with contextlib.suppress(Refused, NotFound, InvalidInput):
            _apply(store, people, op, left)
        with store.database.reading() as session:
            served = session.execute(
                sa.select(col(WaitlistEntry.ranked_at), col(WaitlistEntry.id)).where(
                    col(WaitlistEntry.status) == "assigned",
                    col(WaitlistEntry.closed_at) == clock.now(),
                )
            ).all()
            first_waiting = session.execute(
                sa.select(col(WaitlistEntry.ranked_at), col(WaitlistEntry.id))
                .where(col(WaitlistEntry.status) == "waiting")
                .order_by(col(WaitlistEntry.ranked_at), col(WaitlistEntry.id))
                .limit(1)
            ).first()
        # Strictly by reference date: nobody still waiting ranks ahead of anyone just served.
        if served and first_waiting is not None:
            assert max(tuple(s) for s in served) < tuple(first_waiting), op
    with store.database.reading() as session:
        slots = session.execute(
            sa.select(col(Slot.id), col(Slot.seats), col(Slot.taken), col(Slot.blocked))
        ).all()
        seated = session.execute(
            sa.select(col(Booking.slot_id), col(Booking.seat)).where(
                col(Booking.status).in_(SEAT_STATES)
            )
        ).all()
        displaced = session.execute(
            sa.select(col(Booking.applicant_id), col(Booking.created_at)).where(
                col(Booking.status) == "displaced"
            )
        ).all()
        live = set(
            session.scalars(
                sa.select(col(Booking.applicant_id)).where(
                    col(Booking.status).in_(("held", "confirmed"))
                )
            )
        )
        waiting = set(
            session.scalars(
                sa.select(col(WaitlistEntry.applicant_id)).where(
                    col(WaitlistEntry.status) == "waiting"
                )
            )
        )
        # B12, W5: each displacement place ranks at its booking's date, or earlier (the
        # enrolment the booking itself came from), never at the moment of the displacement.
        late_ranks = session.scalar(
            sa.select(sa.func.count())
            .select_from(WaitlistEntry)
            .join(Booking, col(Booking.id) == WaitlistEntry.displaced_booking_id)
            .where(col(WaitlistEntry.ranked_at) > col(Booking.created_at))
        )
        duplicates = session.scalar(
            sa.select(sa.func.count()).select_from(
                sa.select(col(Booking.applicant_id))
                .where(col(Booking.status) == "confirmed")
                .group_by(col(Booking.applicant_id))
                .having(sa.func.count() > 1)
                .subquery()
            )
        )
    # No seat over-assigned; every seat once; the counters agree with the bookings.
    assert all(taken <= seats for _, seats, taken, _ in slots)
    assert len(seated) == len(set(seated)) == sum(taken for _, _, taken, _ in slots)
    assert late_ranks == 0
    # B8: never two confirmed bookings for one person (one procedure here).
    assert duplicates == 0
    # B12: every displaced person has a booking or a waitlist place, unless they left.
    for applicant_id, _created in displaced:
        assert applicant_id in live | waiting | left, applicant_id
    # W2: nobody waits while an open seat is free.
    free = sum(seats - taken for _, seats, taken, blocked in slots if not blocked)
    assert not waiting or free == 0
    store.close()
