"""Automated assignment: rules W1–W7."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from store import Store
from store.clock import FixedClock
from store.errors import Refused
from tests.factories import MONDAY, applicants, first_free, open_day


def _full_office(store: Store, waiting: int) -> list[int]:
    """STG/RT with no free time and `waiting` people enrolled, one minute apart."""
    clock = store.clock
    assert isinstance(clock, FixedClock)  # the test store's clock, which stands still
    people = applicants(store, waiting)
    for person in people:
        store.enrol(person, "STG", "RT")
        clock.advance(minutes=1)
    return people


def test_w1_enrol_only_when_full_and_once(seeded: Store) -> None:
    open_day(seeded)
    person = applicants(seeded, 1)[0]
    with pytest.raises(Refused) as free_times:
        seeded.enrol(person, "STG", "RT")
    assert free_times.value.code == "times_available"
    seeded.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-10:00", "cierre")
    entry = seeded.enrol(person, "STG", "RT")
    assert entry.position == 1
    with pytest.raises(Refused) as twice:
        seeded.enrol(person, "STG", "RT")
    assert twice.value.code == "already_waiting"
    assert seeded.notices(person)[0].kind == "waitlist_enrolled"


def test_w1_enrolled_people_cannot_also_book_the_procedure(seeded: Store) -> None:
    person = _full_office(seeded, 1)[0]
    open_day(seeded, office="ARI")
    with pytest.raises(Refused) as refused:
        seeded.book(person, first_free(seeded, office="ARI"))
    assert refused.value.code == "waiting_for_procedure"


def test_w2_fifo_assignment_in_the_opening_transaction(seeded: Store) -> None:
    people = _full_office(seeded, 5)
    result = open_day(seeded, hours="09:00-10:30")  # three times, one seat each
    assert (result.created, result.assigned) == (3, 3)
    starts = [
        seeded.bookings_of(p)[0].start.strftime("%H:%M") if seeded.bookings_of(p) else None
        for p in people
    ]
    assert starts == ["09:00", "09:30", "10:00", None, None]
    assert [e.applicant_id for e in seeded.waitlist("STG", "RT")] == people[3:]
    assert [e.position for e in seeded.waitlist("STG", "RT")] == [1, 2]


def test_w2_assignment_comes_before_kiosk_booking(seeded: Store) -> None:
    _full_office(seeded, 2)
    open_day(seeded, hours="09:00-10:30")
    walk_in = applicants(seeded, 1, start=100)[0]
    slot = next(s.id for s in seeded.slots("STG", "RT", MONDAY, MONDAY) if s.free)
    assert seeded.book(walk_in, slot).status == "confirmed"
    assert seeded.waitlist("STG", "RT") == []


def test_w2_an_expired_hold_goes_to_the_waitlist(seeded: Store, clock: FixedClock) -> None:
    open_day(seeded, hours="09:00-09:30")
    holder = applicants(seeded, 1, start=50)[0]
    seeded.hold(holder, first_free(seeded))
    waiting = _full_office(seeded, 1)[0]
    clock.advance(minutes=6)
    assert seeded.expire_holds() == 1
    assert seeded.bookings_of(waiting)[0].status == "confirmed"


def test_w2_a_released_hold_goes_to_the_waitlist(seeded: Store) -> None:
    """The holder steps back ("Elegir otra hora"): the time goes to the first person waiting,
    in the same transaction, before any kiosk can hold it again."""
    open_day(seeded, hours="09:00-09:30")
    holder = applicants(seeded, 1, start=50)[0]
    slot = first_free(seeded)
    held = seeded.hold(holder, slot)
    first, second = _full_office(seeded, 2)
    seeded.release_hold(holder, held.id)
    (given,) = seeded.bookings_of(first)
    assert (given.status, given.slot_id) == ("confirmed", slot)
    assert seeded.bookings_of(second) == []
    assert [e.applicant_id for e in seeded.waitlist("STG", "RT")] == [second]
    assert seeded.notices(first)[0].kind == "assignment"
    with pytest.raises(Refused) as taken:
        seeded.hold(holder, slot)
    assert taken.value.code == "slot_taken"


def test_w3_position_and_enrolment_date(seeded: Store, clock: FixedClock) -> None:
    people = _full_office(seeded, 3)
    entries = seeded.waitlist_entries_of(people[2])
    assert entries[0].position == 3
    assert entries[0].enrolled_at == clock.now() - timedelta(minutes=1)


def test_w4_withdrawing_loses_the_place(seeded: Store) -> None:
    people = _full_office(seeded, 3)
    seeded.withdraw(people[0], "STG", "RT")
    assert [e.applicant_id for e in seeded.waitlist("STG", "RT")] == people[1:]
    again = seeded.enrol(people[0], "STG", "RT")
    assert again.position == 3
    with pytest.raises(Refused):
        seeded.withdraw(applicants(seeded, 1, start=70)[0], "STG", "RT")


def test_w4_enrolling_again_starts_a_new_place_with_a_new_date(
    seeded: Store, clock: FixedClock
) -> None:
    people = _full_office(seeded, 3)
    (first,) = seeded.waitlist_entries_of(people[0])
    clock.advance(hours=2)
    seeded.withdraw(people[0], "STG", "RT")
    clock.advance(minutes=10)
    again = seeded.enrol(people[0], "STG", "RT")
    assert again.id != first.id
    assert again.enrolled_at == clock.now() and again.enrolled_at > first.enrolled_at
    assert again.position == 3  # behind everyone who stayed
    assert [e.applicant_id for e in seeded.waitlist("STG", "RT")] == [*people[1:], people[0]]
    # W5: the old entry keeps its own date, closed; it is not the one waiting.
    assert [(e.id, e.status, e.enrolled_at) for e in seeded.waitlist_entries_of(people[0])] == [
        (again.id, "waiting", again.enrolled_at),
        (first.id, "withdrawn", first.enrolled_at),
    ]


def test_w4_enrolling_twice_while_waiting_is_refused_and_keeps_the_first_date(
    seeded: Store, clock: FixedClock
) -> None:
    first, second = _full_office(seeded, 2)
    (entry,) = seeded.waitlist_entries_of(first)
    clock.advance(hours=1)
    with pytest.raises(Refused) as twice:
        seeded.enrol(first, "STG", "RT")
    assert (twice.value.rule, twice.value.code) == ("W1", "already_waiting")
    assert seeded.waitlist_entries_of(first) == [entry]  # same entry, date and place
    assert [e.applicant_id for e in seeded.waitlist("STG", "RT")] == [first, second]


def test_w5_enrolment_date_is_kept_on_the_assigned_booking(
    seeded: Store, clock: FixedClock
) -> None:
    person = _full_office(seeded, 1)[0]
    enrolled = seeded.waitlist_entries_of(person)[0].enrolled_at
    clock.advance(days=2)
    open_day(seeded)
    booking = seeded.bookings_of(person)[0]
    assert booking.enrolled_at == enrolled
    notice = seeded.notices(person)[0]
    assert notice.kind == "assignment" and "23-11-2026 09:00" in notice.body.render()


def test_w6_assignment_runs_whenever_capacity_opens(seeded: Store, clock: FixedClock) -> None:
    people = _full_office(seeded, 2)
    clock.advance(hours=13, minutes=17)  # no release hour: any moment will do
    open_day(seeded, hours="09:00-09:30")
    clock.advance(hours=5)
    open_day(seeded, day=MONDAY + timedelta(days=1), hours="09:00-09:30")
    assert all(seeded.bookings_of(p) for p in people)


def test_w7_every_assignment_is_audited(seeded: Store) -> None:
    people = _full_office(seeded, 2)
    supervisor = seeded.create_staff("jefa", "Paula Soto", "supervisor", "clave-jefa-1", "STG")
    seeded.open_capacity("STG", "RT", MONDAY, MONDAY, "09:00-10:00", 30, 1, actor=supervisor.actor)
    events = list(reversed(seeded.audit_log("waitlist.assigned")))
    assert [e.actor for e in events] == ["staff:jefa", "staff:jefa"]
    codes = [json.loads(e.details)["code"] for e in events]
    assert codes == [seeded.bookings_of(p)[0].code for p in people]
    opened = seeded.audit_log("capacity.opened")[0]
    assert opened.actor == "staff:jefa" and json.loads(opened.details)["assigned"] == 2


def test_c6_only_supervisors_open_capacity(seeded: Store) -> None:
    agent = seeded.create_staff("agente", "Camila Rojas", "agent", "clave-agente", "STG")
    with pytest.raises(Refused) as refused:
        seeded.open_capacity("STG", "RT", MONDAY, MONDAY, "09:00-10:00", 30, 1, actor=agent.actor)
    assert refused.value.code == "not_allowed"
