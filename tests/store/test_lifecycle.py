"""After the booking: B9 cancel, B12 displacement, B13 move, C6 closures and unblocking, C11
no-shows. On SQLite and PostgreSQL (the `seeded` fixture runs on both)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from store import Store
from store.clock import FixedClock
from store.errors import InvalidInput, NotFound, Refused
from store.views import StaffView
from tests.factories import MONDAY, applicants, at, open_day

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def staff(seeded: Store) -> dict[str, StaffView]:
    return {
        role: seeded.create_staff(role[:4] + "1", f"Persona {role}", role, "clave-segura-1", "STG")
        for role in ("agent", "supervisor", "auditor")
    }


def _slots(store: Store, office: str = "STG", day=MONDAY) -> dict[str, int]:
    """The times of a day by "HH:MM"."""
    return {f"{s.start:%H:%M}": s.id for s in store.slots(office, "RT", day, day)}


def _book(store: Store, person: int, time: str, office: str = "STG") -> str:
    code = store.book(person, _slots(store, office)[time]).code
    assert code is not None
    return code


def _full_office(store: Store, clock: FixedClock) -> tuple[int, int, int, str, str]:
    """STG/RT Monday 09:00 and 09:30, one seat each: A books 09:00, B books 09:30 a minute
    later, C enrols on the waitlist a minute after that (the office is full)."""
    open_day(store)
    a, b, c = applicants(store, 3)
    first = _book(store, a, "09:00")
    clock.advance(minutes=1)
    second = _book(store, b, "09:30")
    clock.advance(minutes=1)
    store.enrol(c, "STG", "RT")
    clock.advance(minutes=1)
    return a, b, c, first, second


def _audit(store: Store, action: str) -> dict:
    event = store.audit_log(action, 1)[0]
    return {"actor": event.actor, **json.loads(event.details)}


# -- B9 cancellation ------------------------------------------------------------------------


def test_b9_a_cancelled_time_goes_to_the_first_waiting_person_in_the_same_transaction(
    seeded: Store, clock: FixedClock
) -> None:
    a, _b, c, first, _second = _full_office(seeded, clock)
    cancelled = seeded.cancel(first, applicant_id=a)
    assert (cancelled.booking.status, cancelled.assigned) == ("cancelled", 1)
    (given,) = [b for b in seeded.bookings_of(c) if b.status == "confirmed"]
    assert given.slot_id == _slots(seeded)["09:00"]
    assert seeded.waitlist("STG", "RT") == []
    assert seeded.slots("STG", "RT", MONDAY, MONDAY)[0].free == 0  # nobody at a kiosk gets it
    assert seeded.notices(a)[0].kind == "cancellation"
    assert _audit(seeded, "booking.cancelled")["actor"] == f"applicant:{a}"


def test_b9_only_the_owner_or_counter_staff_can_cancel(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    a, b, _c, first, _second = _full_office(seeded, clock)
    with pytest.raises(Refused) as other:
        seeded.cancel(first, applicant_id=b)
    assert other.value.code == "not_allowed"
    with pytest.raises(Refused):
        seeded.cancel(first)  # nobody
    with pytest.raises(Refused) as auditor:
        seeded.cancel(first, actor=staff["auditor"].actor)
    assert auditor.value.code == "not_allowed"
    assert seeded.booking(first).status == "confirmed"
    seeded.cancel(first, reason="Lo pidió por teléfono", actor=staff["agent"].actor)
    assert seeded.booking(first).status == "cancelled"
    event = _audit(seeded, "booking.cancelled")
    assert event["actor"] == "staff:agen1" and event["reason"] == "Lo pidió por teléfono"
    assert "override" not in event
    del a


def test_b9_policy_binds_the_applicant_and_staff_override_it_with_a_reason(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    open_day(seeded, office="VAP")
    me = applicants(seeded, 1)[0]
    code = _book(seeded, me, "09:00", office="VAP")
    view = seeded.booking(code)
    assert view.cancel_until is None and not view.can_cancel_at(clock.now())
    with pytest.raises(Refused) as never:
        seeded.cancel(code, applicant_id=me)
    assert never.value.code == "cancel_not_allowed"
    with pytest.raises(InvalidInput) as no_reason:
        seeded.cancel(code, actor=staff["agent"].actor)
    assert no_reason.value.field == "reason"
    assert seeded.booking(code).status == "confirmed"
    seeded.cancel(code, reason="Enfermedad", actor=staff["agent"].actor)
    event = _audit(seeded, "booking.cancelled")
    assert event["override"] is True and event["reason"] == "Enfermedad"


def test_b9_the_deadline_is_on_the_booking(seeded: Store, clock: FixedClock) -> None:
    open_day(seeded)
    me = applicants(seeded, 1)[0]
    view = seeded.booking(_book(seeded, me, "09:00"))
    assert view.cancel_until == view.start - timedelta(hours=24)
    assert view.can_cancel_at(view.cancel_until)
    assert not view.can_cancel_at(view.cancel_until + timedelta(seconds=1))
    clock.set(at(MONDAY, 8))
    with pytest.raises(Refused) as late:
        seeded.cancel(view.code or "", applicant_id=me)
    assert late.value.code == "cancel_too_late"


# -- B12 displacement -----------------------------------------------------------------------


def test_b12_a_block_displaces_tells_and_ranks_by_the_original_booking_date(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    a, b, c, first, second = _full_office(seeded, clock)
    change = seeded.block_slots(
        "STG", "RT", MONDAY, MONDAY, "09:00-09:30", "Corte de luz", actor=staff["supervisor"].actor
    )
    assert (change.times, [d.code for d in change.displaced], change.assigned) == (1, [first], 0)
    shown = seeded.booking(first)
    assert shown.status == "displaced" and shown.displaced_reason == "Corte de luz"
    # Booked before C enrolled: A is first in the queue, ahead of C.
    assert shown.waitlist_position == 1
    assert [e.applicant_id for e in seeded.waitlist("STG", "RT")] == [a, c]
    notice = seeded.notices(a)[0]
    assert notice.kind == "displaced" and notice.booking_code == first
    # A displaced booking does not count for B8: nothing active is left for A.
    assert [x.status for x in seeded.bookings_of(a)] == ["displaced"]
    assert _audit(seeded, "booking.displaced")["actor"] == "staff:supe1"
    # The next time that frees goes to A, never to C who came after A's booking.
    seeded.cancel(second, applicant_id=b)
    (given,) = [x for x in seeded.bookings_of(a) if x.status == "confirmed"]
    assert given.slot_id == _slots(seeded)["09:30"]
    assert (
        given.enrolled_at is not None
        and given.enrolled_at < seeded.waitlist("STG", "RT")[0].enrolled_at
    )
    assert seeded.to_rebook("STG")[0].outcome == "assigned"


def test_b12_a_booking_from_the_waitlist_keeps_its_original_enrolment(
    seeded: Store, clock: FixedClock
) -> None:
    open_day(seeded, hours="09:00-09:30")
    a, c = applicants(seeded, 2)
    _book(seeded, a, "09:00")
    clock.advance(minutes=1)
    enrolled = seeded.enrol(c, "STG", "RT").enrolled_at
    clock.advance(days=1)
    open_day(seeded, day=TUESDAY, hours="09:00-09:30")  # C is assigned Tuesday 09:00
    (assigned,) = seeded.bookings_of(c)
    assert assigned.enrolled_at == enrolled
    clock.advance(minutes=1)
    seeded.block_slots("STG", "RT", TUESDAY, TUESDAY, "09:00-10:00", "Capacitación")
    assert seeded.booking(assigned.code or "").status == "displaced"
    (entry,) = seeded.waitlist("STG", "RT")
    assert entry.applicant_id == c
    # The place is the original enrolment's, not the moment of the displacement.
    late = applicants(seeded, 1, start=5)[0]
    clock.advance(minutes=1)
    seeded.enrol(late, "STG", "RT")
    assert [e.applicant_id for e in seeded.waitlist("STG", "RT")] == [c, late]


def test_b12_free_times_serve_the_displaced_at_once_and_unblocking_gives_back(
    seeded: Store, clock: FixedClock
) -> None:
    open_day(seeded)
    a = applicants(seeded, 1)[0]
    code = _book(seeded, a, "09:00")
    change = seeded.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-09:30", "Ausencia")
    # 09:30 is free: the displaced person gets it in the same transaction.
    assert change.assigned == 1
    (now_booked,) = [b for b in seeded.bookings_of(a) if b.status == "confirmed"]
    assert f"{now_booked.start:%H:%M}" == "09:30"
    assert seeded.to_rebook("STG")[0].outcome == "assigned"
    del code
    # Unblocking returns 09:00 to capacity at once (no one waits: it is free).
    reopened = seeded.unblock_slots("STG", "RT", MONDAY, MONDAY, "09:00-09:30")
    assert (reopened.times, reopened.assigned) == (1, 0)
    assert [s.free for s in seeded.slots("STG", "RT", MONDAY, MONDAY)] == [1, 0]


def test_b12_unblocking_serves_the_waitlist(seeded: Store, clock: FixedClock) -> None:
    a, _b, c, first, _second = _full_office(seeded, clock)
    seeded.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-09:30", "Ausencia")
    reopened = seeded.unblock_slots("STG", "RT", MONDAY, MONDAY, "09:00-10:00")
    assert (reopened.times, reopened.assigned) == (1, 1)
    (back,) = [b for b in seeded.bookings_of(a) if b.status == "confirmed"]
    assert back.slot_id == _slots(seeded)["09:00"]
    assert [e.applicant_id for e in seeded.waitlist("STG", "RT")] == [c]
    del first


def test_b12_staff_rebook_or_reenrol_a_displaced_person(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    agent = staff["agent"].actor
    a, _b, c, first, _second = _full_office(seeded, clock)
    seeded.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-09:30", "Ausencia")
    # No free time: refused, and A keeps the place (nothing was written).
    with pytest.raises(Refused) as none_free:
        seeded.rebook(first, actor=agent)
    assert none_free.value.code == "no_free_time"
    assert seeded.booking(first).waitlist_position == 1
    # A leaves the list; the agent puts them back with their original date, ahead of C.
    seeded.withdraw(a, "STG", "RT")
    assert seeded.to_rebook("STG")[0].outcome == "none"
    with pytest.raises(Refused):
        seeded.reenrol_displaced(first, actor=staff["auditor"].actor)
    seeded.reenrol_displaced(first, actor=agent)
    assert [e.applicant_id for e in seeded.waitlist("STG", "RT")] == [a, c]
    # A time at another hour of the day: the agent books it for A; A's place closes.
    seeded.open_capacity("STG", "RT", TUESDAY, TUESDAY, "09:00-09:30", 30)  # served: A
    assert seeded.to_rebook("STG")[0].outcome == "assigned"
    with pytest.raises(Refused) as not_displaced:
        seeded.rebook(_second, actor=agent)
    assert not_displaced.value.code == "not_displaced"


def test_b12_the_agent_books_the_next_free_time(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    open_day(seeded, hours="09:00-09:30")
    a = applicants(seeded, 1)[0]
    code = _book(seeded, a, "09:00")
    seeded.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-09:30", "Ausencia")
    seeded.withdraw(a, "STG", "RT")
    open_day(seeded, day=TUESDAY, hours="10:00-10:30")  # nobody waits: it stays free
    rebooked = seeded.rebook(code, actor=staff["agent"].actor)
    assert (rebooked.status, f"{rebooked.start:%d %H:%M}") == ("confirmed", "01 10:00")
    row = seeded.to_rebook("STG")[0]
    assert (row.outcome, row.current and row.current.code) == ("rebooked", rebooked.code)


def test_c6_closure_displaces_skips_opening_and_removal_reopens_only_its_times(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    supervisor = staff["supervisor"].actor
    open_day(seeded, hours="09:00-10:30")
    a = applicants(seeded, 1)[0]
    code = _book(seeded, a, "09:00")
    seeded.block_slots("STG", "RT", MONDAY, MONDAY, "10:00-10:30", "Ausencia", actor=supervisor)
    with pytest.raises(Refused):
        seeded.add_closure("STG", MONDAY, "Feriado local", actor=staff["agent"].actor)
    change = seeded.add_closure("STG", MONDAY, "Feriado local", actor=supervisor)
    assert (change.times, [d.code for d in change.displaced]) == (2, [code])
    assert seeded.booking(code).status == "displaced"
    assert [(c.day, c.reason) for c in seeded.closures("STG")] == [(MONDAY, "Feriado local")]
    with pytest.raises(Refused) as twice:
        seeded.add_closure("STG", MONDAY, "Otra vez", actor=supervisor)
    assert twice.value.code == "already_closed"
    # Opening skips the closed day (C6).
    plan = seeded.plan_capacity("STG", "RT", MONDAY, TUESDAY, "11:00-12:00", 30)
    assert plan.days == (TUESDAY,)
    assert [(s.day, s.kind, s.reason) for s in plan.skipped] == [
        (MONDAY, "closure", "Feriado local")
    ]
    opened = seeded.open_capacity("STG", "RT", MONDAY, TUESDAY, "11:00-12:00", 30)
    # Two times on Tuesday only; the displaced person, waiting, gets the first at once.
    assert (opened.created, opened.assigned) == (2, 1)
    assert {s.day for s in seeded.slots("STG", "RT", MONDAY, TUESDAY) if not s.blocked} == {TUESDAY}
    # Removing the closure reopens the times it closed; the one blocked by hand stays blocked.
    reopened = seeded.remove_closure("STG", MONDAY, actor=supervisor)
    assert (reopened.times, reopened.assigned) == (2, 0)
    blocked = {f"{s.start:%H:%M}": s.blocked for s in seeded.slots("STG", "RT", MONDAY, MONDAY)}
    assert blocked == {"09:00": False, "09:30": False, "10:00": True}
    assert seeded.closures("STG") == []
    with pytest.raises(NotFound):
        seeded.remove_closure("STG", MONDAY, actor=supervisor)


def test_c6_the_preview_counts_only_the_times_opening_creates(
    seeded: Store, clock: FixedClock
) -> None:
    open_day(seeded)  # 09:00, 09:30
    people = applicants(seeded, 3)
    for person in people[:2]:
        seeded.book(person, next(s.id for s in seeded.slots("STG", "RT", MONDAY, MONDAY) if s.free))
    seeded.enrol(people[2], "STG", "RT")
    plan = seeded.plan_capacity("STG", "RT", MONDAY, MONDAY, "09:00-11:00", 30, 2)
    assert (plan.office_name, plan.procedure_name) == ("Oficina STG", "Residencia temporal")
    assert (plan.new_times, plan.existing_times, plan.blocked_times) == (2, 2, 0)
    assert (plan.waiting, plan.would_assign) == (1, 1)
    opened = seeded.open_capacity("STG", "RT", MONDAY, MONDAY, "09:00-11:00", 30, 2)
    assert (opened.created, opened.assigned) == (plan.new_times, plan.would_assign)
    seeded.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-11:00", "Ausencia")
    again = seeded.plan_capacity("STG", "RT", MONDAY, MONDAY, "09:00-11:00", 30)
    assert (again.new_times, again.existing_times, again.blocked_times) == (0, 4, 4)


# -- B13 moving -----------------------------------------------------------------------------


def test_b13_a_move_releases_the_old_time_only_when_the_new_one_is_confirmed(
    seeded: Store, clock: FixedClock
) -> None:
    open_day(seeded, hours="09:00-10:30")  # 09:00, 09:30, 10:00
    a, b, c = applicants(seeded, 3)
    old = _book(seeded, a, "09:00")
    _book(seeded, b, "10:00")
    held = seeded.hold(a, _slots(seeded)["09:30"], replacing=old)
    # The old booking stands while the new time is held; B8 still refuses a third time.
    assert seeded.booking(old).status == "confirmed"
    seeded.enrol(c, "STG", "RT")  # full now: 09:00 and 10:00 booked, 09:30 held
    with pytest.raises(Refused) as b8:
        seeded.hold(a, _slots(seeded)["10:00"])
    assert b8.value.code == "already_booked"
    moved = seeded.confirm(a, held.id, replacing=old)
    assert moved.status == "confirmed" and moved.code != old
    previous = seeded.booking(old)
    assert (previous.status, previous.moved_to) == ("moved", moved.code)
    # The old time went to the waitlist first (W2).
    (given,) = seeded.bookings_of(c)
    assert given.slot_id == _slots(seeded)["09:00"]
    assert seeded.notices(a)[0].kind == "booking_moved"
    # K3: confirming again changes nothing and tells nobody twice.
    assert seeded.confirm(a, held.id, replacing=old).code == moved.code
    assert [n.kind for n in seeded.notices(a)].count("booking_moved") == 1
    assert [b.status for b in seeded.bookings_of(a)] == ["confirmed", "moved"]


def test_b13_a_failed_move_leaves_the_booking_as_it_was(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    open_day(seeded)
    a = applicants(seeded, 1)[0]
    old = _book(seeded, a, "09:00")
    held = seeded.hold(a, _slots(seeded)["09:30"], replacing=old)
    clock.advance(minutes=6)  # the hold lapses
    with pytest.raises(Refused) as expired:
        seeded.confirm(a, held.id, replacing=old)
    assert expired.value.code == "hold_expired"
    view = seeded.booking(old)
    assert (view.status, view.slot_id) == ("confirmed", _slots(seeded)["09:00"])
    assert [s.free for s in seeded.slots("STG", "RT", MONDAY, MONDAY)] == [0, 1]
    with pytest.raises(Refused) as same:
        seeded.hold(a, _slots(seeded)["09:00"], replacing=old)
    assert same.value.code == "same_time"
    # Where the policy is "never", an applicant cannot move; staff can, with a reason.
    open_day(seeded, office="VAP")
    fixed = _book(seeded, a := applicants(seeded, 1, start=3)[0], "09:00", office="VAP")
    with pytest.raises(Refused) as never:
        seeded.hold(a, _slots(seeded, "VAP")["09:30"], replacing=fixed)
    assert never.value.code == "cancel_not_allowed"
    with pytest.raises(InvalidInput):
        seeded.reschedule(fixed, _slots(seeded, "VAP")["09:30"], actor=staff["agent"].actor)
    assert seeded.booking(fixed).status == "confirmed"
    moved = seeded.reschedule(
        fixed,
        _slots(seeded, "VAP")["09:30"],
        reason="Error de la oficina",
        actor=staff["agent"].actor,
    )
    assert moved.previous.status == "moved" and moved.booking.status == "confirmed"
    event = _audit(seeded, "booking.moved")
    assert event["override"] is True and event["actor"] == "staff:agen1"


def test_b13_a_hold_for_a_move_does_not_open_a_second_booking(
    seeded: Store, clock: FixedClock
) -> None:
    """Starting a move and then booking normally must not leave two bookings (B8)."""
    open_day(seeded, hours="09:00-10:30")
    a = applicants(seeded, 1)[0]
    old = _book(seeded, a, "09:00")
    seeded.hold(a, _slots(seeded)["09:30"], replacing=old)
    with pytest.raises(Refused) as b8:
        seeded.book(a, _slots(seeded)["10:00"])
    assert b8.value.code == "already_booked"


# -- C11 no-shows ---------------------------------------------------------------------------


def test_c11_no_show_after_the_grace_with_undo_the_same_day(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    agent = staff["agent"].actor
    open_day(seeded)
    a = applicants(seeded, 1)[0]
    code = _book(seeded, a, "09:00")
    clock.set(at(MONDAY, 9, 14))
    with pytest.raises(Refused) as early:
        seeded.mark_missed("STG", code, actor=agent)
    assert early.value.code == "too_early"
    assert seeded.agenda("STG")[0].missable_at == at(MONDAY, 9, 15)
    clock.set(at(MONDAY, 9, 15))
    assert seeded.mark_missed("STG", code, actor=agent).status == "missed"
    assert seeded.undo_missed("STG", code, actor=agent).status == "confirmed"
    with pytest.raises(Refused):
        seeded.undo_missed("STG", code, actor=agent)  # nothing to undo
    # The late arrival is checked in after the undo.
    assert seeded.check_in("STG", code, actor=agent).status == "checked_in"
    # Another day, the undo is refused.
    seeded.mark_attended("STG", code, actor=agent)
    assert [e.action for e in seeded.audit_log("booking.", 4)] == [
        "booking.attended",
        "booking.checked_in",
        "booking.missed_undone",
        "booking.missed",
    ]


def test_c11_undo_is_for_the_same_day_only(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    agent = staff["agent"].actor
    open_day(seeded)
    code = _book(seeded, applicants(seeded, 1)[0], "09:00")
    clock.set(at(MONDAY, 10))
    seeded.mark_missed("STG", code, actor=agent)
    clock.set(at(TUESDAY, 9))
    with pytest.raises(Refused) as next_day:
        seeded.undo_missed("STG", code, actor=agent)
    assert next_day.value.code == "not_today"


def test_c11_closing_the_day_marks_the_rest_missed(
    seeded: Store, clock: FixedClock, staff: dict[str, StaffView]
) -> None:
    open_day(seeded, hours="09:00-10:30")
    people = applicants(seeded, 3)
    codes = [_book(seeded, p, t) for p, t in zip(people, ("09:00", "09:30", "10:00"), strict=True)]
    clock.set(at(MONDAY, 9, 50))
    seeded.check_in("STG", codes[0], actor=staff["agent"].actor)
    with pytest.raises(Refused):
        seeded.close_day("STG", MONDAY, actor=staff["agent"].actor)  # supervisors only
    with pytest.raises(InvalidInput):
        seeded.close_day("STG", TUESDAY, actor=staff["supervisor"].actor)
    closed = seeded.close_day("STG", MONDAY, actor=staff["supervisor"].actor)
    # 09:30 is past its grace; 10:00 is not, and is left.
    assert (closed.marked, closed.left) == (1, 1)
    assert [r.status for r in seeded.agenda("STG")] == ["checked_in", "missed", "confirmed"]
