"""The waiting room in the store (Q1-Q5), on SQLite and PostgreSQL: numbers for appointments
checked in by code and for walk-ins, the call order, recall and absent, a transfer that keeps the
place, the wait estimate from recorded service times, and several processes calling at once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col

from store import Store
from store.clock import FixedClock
from store.errors import InvalidInput, Refused
from store.models import Booking, Office, OfficeProcedure, Procedure, QueueTicket
from store.views import Actor
from tests.factories import applicants, at, form, open_day
from tests.workers import results as worker_results
from tests.workers import spawn

TODAY = date(2026, 11, 23)  # the fixed clock's Monday, 09:00 in Santiago
PASSWORD = "clave-segura-1"


@pytest.fixture
def office(seeded: Store, clock: FixedClock) -> dict[str, Any]:
    """08:00 at STG, which serves RD without appointment too; two agents of STG; times today
    from 09:00."""
    clock.set(at(TODAY, 8))

    def work(session: Any) -> None:
        stg = session.scalar(sa.select(Office).where(col(Office.code) == "STG"))
        rd = session.scalar(sa.select(Procedure).where(col(Procedure.code) == "RD"))
        session.get(OfficeProcedure, (stg.id, rd.id)).walk_in = True

    seeded.database.write(work)
    open_day(seeded, "STG", "RT", day=TODAY, hours="09:00-12:00", every=30, seats=2)
    agents = [
        seeded.create_staff(f"agente{n}", f"Agente {'ABCD'[n - 1]}", "agent", PASSWORD, "STG")
        for n in (1, 2)
    ]
    return {"agents": [a.actor for a in agents]}


def _booked(store: Store, hour: int, minute: int = 0, *, start: int = 0) -> str:
    """Someone's booking today at hh:mm (at STG, RT); its code."""
    (person,) = applicants(store, 1, start=start)
    slot = next(
        s.id
        for s in store.slots("STG", "RT", TODAY, TODAY)
        if s.free and (s.start.hour, s.start.minute) == (hour, minute)
    )
    code = store.book(person, slot).code
    assert code is not None
    return code


def test_q1_a_code_checks_the_person_in_and_the_same_code_gives_the_same_number(
    seeded: Store, office: dict[str, Any]
) -> None:
    code = _booked(seeded, 9, 30)
    first = seeded.queue_check_in("STG", code.lower())
    assert (first.number, first.kind, first.ahead, first.code) == (1, "appointment", 0, code)
    again = seeded.queue_check_in("STG", code)
    assert again.number == 1
    with seeded.database.reading() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(QueueTicket)) == 1
        booking = session.scalar(sa.select(Booking).where(col(Booking.code) == code))
        assert booking is not None and booking.status == "checked_in"


def test_q1_each_wrong_code_gets_its_own_sentence(
    seeded: Store, office: dict[str, Any], clock: FixedClock
) -> None:
    with pytest.raises(InvalidInput):
        seeded.queue_check_in("STG", "no es un código")
    cancelled = _booked(seeded, 10, start=1)
    seeded.cancel(cancelled, reason="Se enfermó", actor=office["agents"][0])
    elsewhere = _booked(seeded, 10, 30, start=2)
    open_day(seeded, "VAP", "RT", day=TODAY, hours="10:00-11:00")
    (person,) = applicants(seeded, 1, start=3)
    vap = seeded.book(person, next(s.id for s in seeded.slots("VAP", "RT", TODAY, TODAY)))
    open_day(seeded, "STG", "RT", day=TODAY + timedelta(days=1), hours="10:00-11:00")
    (person,) = applicants(seeded, 1, start=4)
    tomorrow = seeded.book(
        person, next(s.id for s in seeded.slots("STG", "RT", TODAY + timedelta(days=1), None))
    )
    sentences = {}
    for name, code in (
        ("cancelled", cancelled),
        ("other office", vap.code),
        ("another day", tomorrow.code),
    ):
        with pytest.raises(Refused) as refusal:
            seeded.queue_check_in("STG", code or "")
        sentences[name] = refusal.value.code
    assert sentences == {
        "cancelled": "booking_cancelled",
        "other office": "other_office",
        "another day": "not_today",
    }
    assert seeded.queue_check_in("STG", elsewhere).number == 1  # the refusals gave no numbers


def test_q2_walk_in_numbers_only_where_the_office_serves_without_appointment(
    seeded: Store, office: dict[str, Any]
) -> None:
    assert seeded.queue_take("STG", "RD").number == 1
    assert seeded.queue_take("STG", "RD").ahead == 1
    with pytest.raises(Refused) as refusal:
        seeded.queue_take("STG", "RT")
    assert refusal.value.rule == "Q2"


def test_q3_due_appointments_by_time_then_walk_ins_by_arrival_then_early_ones(
    seeded: Store, office: dict[str, Any], clock: FixedClock
) -> None:
    """At 09:00 (window 10 minutes): the 09:00 and 09:30 appointments, checked in after two
    walk-ins, and one at 11:00. First 09:00 (due), then the walk-ins as they came, then 09:30
    once it is due; 11:00 last."""
    agent = office["agents"][0]
    late = seeded.queue_check_in("STG", _booked(seeded, 11, start=1))  # number 1
    walk_a = seeded.queue_take("STG", "RD")  # 2
    walk_b = seeded.queue_take("STG", "RD")  # 3
    half_past = seeded.queue_check_in("STG", _booked(seeded, 9, 30, start=2))  # 4
    nine = seeded.queue_check_in("STG", _booked(seeded, 9, start=3))  # 5
    clock.set(at(TODAY, 8, 55))
    listed = [t.number for t in seeded.queue_tickets("STG")]
    assert listed == [nine.number, walk_a.number, walk_b.number, half_past.number, late.number]
    assert [t.ahead for t in seeded.queue_tickets("STG")] == [0, 1, 2, 3, 4]
    called = []
    for minute in (0, 5, 25):  # at 09:25, 09:30 is due: it goes before the second walk-in
        clock.set(at(TODAY, 9, minute))
        call = seeded.queue_call("STG", 1, actor=agent)
        called.append((call.number, call.kind))
        seeded.queue_finish("STG", call.number, actor=agent)
    assert called == [
        (nine.number, "appointment"),
        (walk_a.number, "walk_in"),
        (half_past.number, "appointment"),
    ]
    assert [t.number for t in seeded.queue_tickets("STG") if t.status == "waiting"] == [
        walk_b.number,
        late.number,
    ]


def test_q3_one_person_per_counter_and_nobody_waiting_is_a_refusal(
    seeded: Store, office: dict[str, Any]
) -> None:
    agent = office["agents"][0]
    with pytest.raises(Refused) as nobody:
        seeded.queue_call("STG", 1, actor=agent)
    assert nobody.value.code == "nobody_waiting"
    seeded.queue_take("STG", "RD")
    seeded.queue_take("STG", "RD")
    assert seeded.queue_call("STG", 1, actor=agent).number == 1
    with pytest.raises(Refused) as busy:
        seeded.queue_call("STG", 1, actor=agent)
    assert busy.value.code == "counter_busy"
    assert seeded.queue_call("STG", 2, actor=office["agents"][1]).number == 2


def test_q3_recall_then_absent_only_after_the_office_s_calls_and_c11_for_appointments(
    seeded: Store, office: dict[str, Any], clock: FixedClock
) -> None:
    agent = office["agents"][0]
    seeded.queue_take("STG", "RD")
    assert seeded.queue_call("STG", 4, actor=agent).calls == 1
    with pytest.raises(Refused) as early:
        seeded.queue_absent("STG", 1, actor=agent)
    assert early.value.code == "too_few_calls"
    again = seeded.queue_recall("STG", 1, actor=agent)
    assert (again.counter, again.calls) == (4, 2)
    seeded.queue_recall("STG", 1, actor=agent)
    assert seeded.queue_absent("STG", 1, actor=agent).status == "absent"
    # An appointment: absent after three calls, and "no se presentó" once the grace is past.
    code = _booked(seeded, 9, start=1)
    seeded.queue_check_in("STG", code)
    assert seeded.queue_call("STG", 4, actor=agent).number == 2
    seeded.queue_recall("STG", 2, actor=agent)
    seeded.queue_recall("STG", 2, actor=agent)
    with pytest.raises(Refused) as grace:
        seeded.queue_absent("STG", 2, actor=agent)
    assert grace.value.rule == "C11"
    clock.set(at(TODAY, 9, 16))
    seeded.queue_absent("STG", 2, actor=agent)
    with seeded.database.reading() as session:
        booking = session.scalar(sa.select(Booking).where(col(Booking.code) == code))
        assert booking is not None and booking.status == "missed"


def test_q3_a_transfer_keeps_the_person_s_place(
    seeded: Store, office: dict[str, Any], clock: FixedClock
) -> None:
    agent = office["agents"][0]
    for _ in range(3):
        seeded.queue_take("STG", "RD")
    assert seeded.queue_call("STG", 1, actor=agent).number == 1
    clock.set(at(TODAY, 9, 10))
    seeded.queue_take("STG", "RD")  # 4, arrives later
    moved = seeded.queue_transfer("STG", 1, "RT", actor=agent)
    assert (moved.status, moved.procedure, moved.ahead, moved.calls) == ("waiting", "RT", 0, 0)
    assert [t.number for t in seeded.queue_tickets("STG") if t.status == "waiting"] == [1, 2, 3, 4]
    seeded.queue_take("STG", "RD")
    assert seeded.queue_call("STG", 2, actor=office["agents"][1]).number == 1


def test_q3_a_number_sent_to_another_counter_is_called_only_there_at_its_place(
    seeded: Store, office: dict[str, Any], clock: FixedClock
) -> None:
    agent, other = office["agents"]
    for _ in range(3):
        seeded.queue_take("STG", "RD")
    assert seeded.queue_call("STG", 1, actor=agent).number == 1
    moved = seeded.queue_transfer("STG", 1, counter=3, actor=agent)
    assert (moved.status, moved.for_counter, moved.ahead, moved.calls) == ("waiting", 3, 0, 0)
    # Counter 2 passes over number 1 (sent to counter 3) and calls 2; counter 3 calls 1 first.
    assert seeded.queue_call("STG", 2, actor=other).number == 2
    assert seeded.queue_call("STG", 3, actor=agent).number == 1
    with pytest.raises(InvalidInput):
        seeded.queue_transfer("STG", 3, actor=agent)  # neither a procedure nor a counter


def test_q5_the_estimate_comes_from_recorded_service_times(
    seeded: Store, office: dict[str, Any], clock: FixedClock
) -> None:
    """No estimate before three services of RD; then people ahead × their mean (6, 8 and 10
    minutes: 8 minutes each)."""
    agent = office["agents"][0]
    assert seeded.queue_take("STG", "RD").estimate_minutes is None
    moment = at(TODAY, 8)
    for minutes in (6, 8, 10):
        call = seeded.queue_call("STG", 1, actor=agent)
        moment += timedelta(minutes=minutes)
        clock.set(moment)
        seeded.queue_finish("STG", call.number, actor=agent)
        taken = seeded.queue_take("STG", "RD")
        assert (taken.estimate_minutes is None) == (minutes < 10), "sin estimación until three"
    waiting = [t for t in seeded.queue_tickets("STG") if t.status == "waiting"]
    assert [(t.ahead, t.estimate_minutes) for t in waiting] == [(0, 0)]
    third = seeded.queue_take("STG", "RD")
    assert (third.ahead, third.estimate_minutes) == (1, 8)
    assert seeded.queue_take("STG", "RD").estimate_minutes == 16


def test_q3_c9_only_the_office_s_staff_call(seeded: Store, office: dict[str, Any]) -> None:
    stranger = seeded.create_staff("vap1", "Agente VAP", "agent", PASSWORD, "VAP").actor
    seeded.queue_take("STG", "RD")
    with pytest.raises(Refused) as refusal:
        seeded.queue_call("STG", 1, actor=stranger)
    assert refusal.value.rule == "C9"
    reg = seeded.register(form(), terms_accepted=True)
    with pytest.raises(Refused):
        seeded.queue_call("STG", 1, actor=Actor("applicant", reg.applicant.id))


@pytest.mark.slow
def test_q3_four_counters_calling_at_once_call_each_number_exactly_once(
    seeded: Store, office: dict[str, Any]
) -> None:
    """60 walk-ins; four processes, one counter each, call and finish until nobody waits."""
    for n in (3, 4):
        seeded.create_staff(f"agente{n}", f"Agente {'ABCD'[n - 1]}", "agent", PASSWORD, "STG")
    for _ in range(60):
        seeded.queue_take("STG", "RD")
    processes = [spawn("call_queue", seeded.url, f"agente{n}", PASSWORD, n) for n in range(1, 5)]
    called = [number for result in worker_results(processes) for number in result]
    assert sorted(int(n) for n in called) == list(range(1, 61))
    with seeded.database.reading() as session:
        statuses = session.scalars(sa.select(col(QueueTicket.status))).all()
    assert set(statuses) == {"done"} and len(statuses) == 60
    assert seeded.verify_audit().ok


def test_q1_c5_an_arrival_checked_in_at_the_counter_waits_with_a_number(
    seeded: Store, office: dict[str, Any], clock: FixedClock
) -> None:
    """The agenda's check-in gives the same kind of number as the kiosk's, once."""
    agent = office["agents"][0]
    seeded.queue_take("STG", "RD")  # 1, a walk-in
    code = _booked(seeded, 9, 30)
    row = seeded.check_in("STG", code, actor=agent)
    assert row.queue_number == 2
    assert seeded.queue_check_in("STG", code).number == 2  # the kiosk gives the same one
    clock.set(at(TODAY, 9, 25))  # due now: called before the walk-in who came first
    assert seeded.queue_call("STG", 1, actor=agent).number == 2
