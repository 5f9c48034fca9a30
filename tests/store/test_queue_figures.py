"""Q5's figures of the waiting room, on SQLite and PostgreSQL: per office, day and agent, the
people served, the mean and nearest-rank 90th percentile wait (from arrival: a walk-in's number,
an appointment's time when the person came early) and the mean service, computed exactly on a
constructed day; C9 scope and the supervisor role as for C7's figures; the CSV."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from store import Store
from store.clock import FixedClock
from store.errors import Refused
from store.services.stats import arrival, nearest_rank
from store.views import QueueFigures
from tests.factories import applicants, at, open_day
from tests.store.test_queue import PASSWORD, TODAY
from tests.store.test_queue import office as office  # the fixture
from tests.waiting_room import Room

TUESDAY = TODAY + timedelta(days=1)
MIN = 60.0


def _book(store: Store, day: date, hour: int, minute: int, person: int) -> str:
    """A booking at STG (RT) on `day` at hh:mm for the `person`-th test applicant."""
    (applicant,) = applicants(store, 1, start=person)
    slot = next(
        s.id
        for s in store.slots("STG", "RT", day, day)
        if s.free and (s.start.hour, s.start.minute) == (hour, minute)
    )
    code = store.book(applicant, slot).code
    assert code is not None
    return code


# Agent 1's eight walk-ins after the appointment: (waited, served) minutes, one after another.
WALK_INS = ((1, 5), (2, 5), (3, 5), (5, 5), (6, 5), (7, 5), (20, 5), (30, 5))


@pytest.fixture
def day(seeded: Store, office: dict[str, Any], clock: FixedClock) -> dict[str, Any]:
    """Monday at STG. agente1 (counter 1): a walk-in (waited 10, served 6); an appointment at
    09:00 whose person came at 08:20 (waited 4 from 09:00, not 44; served 8); eight walk-ins
    (WALK_INS). agente2 (counter 2): an appointment at 11:30 whose person came late at 11:40
    (waited 5 from arrival, not 15; served 10); a walk-in (waited 9, served 12). agente3: one
    number marked absent after three calls and one still at the counter: nothing finished.
    Tuesday: agente2 serves an appointment at 10:00 called at 09:55 (early: waited 0). And one
    walk-in served 30 days before Monday (outside the window)."""
    agent1, agent2 = office["agents"]
    agent3 = seeded.create_staff("agente3", "Agente C", "agent", PASSWORD, "STG").actor
    open_day(seeded, "STG", "RT", day=TUESDAY, hours="10:00-11:00", every=30)
    early, late, tuesday = (
        _book(seeded, TODAY, 9, 0, 1),
        _book(seeded, TODAY, 11, 30, 2),
        _book(seeded, TUESDAY, 10, 0, 3),
    )
    room = Room(seeded, clock)
    old = TODAY - timedelta(days=30)
    room.served(agent1, 1, old, "10:00", "10:40", "10:50")

    room.served(agent1, 1, TODAY, "08:00", "08:10", "08:16")
    room.appointment(agent1, 1, TODAY, early, "08:20", "09:04", "09:12")
    moment = at(TODAY, 9, 12)
    for waited, service in WALK_INS:
        clock.set(moment)
        number = seeded.queue_take("STG", "RD").number
        clock.set(moment := moment + timedelta(minutes=waited))
        assert seeded.queue_call("STG", 1, actor=agent1).number == number
        clock.set(moment := moment + timedelta(minutes=service))
        seeded.queue_finish("STG", number, actor=agent1)
    assert moment < at(TODAY, 11, 40)

    room.appointment(agent2, 2, TODAY, late, "11:40", "11:45", "11:55")
    room.served(agent2, 2, TODAY, "12:00", "12:09", "12:21")

    absent = room.at(TODAY, 12, 30).store.queue_take("STG", "RD").number
    room.at(TODAY, 12, 31).store.queue_call("STG", 3, actor=agent3)
    seeded.queue_recall("STG", absent, actor=agent3)
    seeded.queue_recall("STG", absent, actor=agent3)
    room.at(TODAY, 12, 33).store.queue_absent("STG", absent, actor=agent3)
    room.at(TODAY, 12, 35).store.queue_take("STG", "RD")
    room.at(TODAY, 12, 40).store.queue_call("STG", 3, actor=agent3)  # being served

    room.appointment(agent2, 2, TUESDAY, tuesday, "09:30", "09:55", "10:03")
    return {"agents": (agent1, agent2, agent3)}


def _mean(values: list[int]) -> float:
    return sum(values) / len(values)


def test_q5_per_day_and_agent_served_waits_p90_and_service_exactly(
    seeded: Store, day: dict[str, Any]
) -> None:
    """agente1's ten waits in minutes: 10, 4, 1, 2, 3, 5, 6, 7, 20, 30. The mean is 8.8; the
    nearest-rank 90th percentile is the 9th smallest, 20 (not 30, the largest, nor 21, the
    interpolated one). agente3 finished nothing: no line. The old day is outside the 30."""
    waits1 = [10, 4, *(w for w, _ in WALK_INS)]
    services1 = [6, 8, *(s for _, s in WALK_INS)]
    assert sorted(waits1)[8] == 20 and max(waits1) == 30
    rows = seeded.queue_figures("STG")
    assert rows == [
        QueueFigures(
            "STG", TODAY, "agente1", 10, _mean(waits1) * MIN, 20 * MIN, _mean(services1) * MIN
        ),
        QueueFigures("STG", TODAY, "agente2", 2, 7 * MIN, 9 * MIN, 11 * MIN),
        QueueFigures("STG", TUESDAY, "agente2", 1, 0.0, 0.0, 8 * MIN),
    ]
    assert rows[0].mean_wait == 528.0 and rows[0].mean_service == 324.0


def test_q5_the_csv_has_one_line_per_day_and_agent_in_minutes_and_no_applicant(
    seeded: Store, day: dict[str, Any]
) -> None:
    text = seeded.queue_figures_csv(seeded.queue_figures("STG"))
    assert text.splitlines() == [
        "office,day,agent,served,mean_wait_min,p90_wait_min,mean_service_min",
        "STG,2026-11-23,agente1,10,8.8,20.0,5.4",
        "STG,2026-11-23,agente2,2,7.0,9.0,11.0",
        "STG,2026-11-24,agente2,1,0.0,0.0,8.0",
    ]


def test_q5_c9_supervisors_of_the_office_and_national_ones_only(
    seeded: Store, day: dict[str, Any]
) -> None:
    own = seeded.create_staff("sup.stg", "Sup STG", "supervisor", PASSWORD, "STG").actor
    other = seeded.create_staff("sup.vap", "Sup VAP", "supervisor", PASSWORD, "VAP").actor
    national = seeded.create_staff("sup.cl", "Sup Nacional", "supervisor", PASSWORD).actor
    everything = seeded.queue_figures()
    assert seeded.queue_figures(actor=own) == everything == seeded.queue_figures(actor=national)
    assert seeded.queue_figures("STG", actor=own) == everything
    assert {f.office for f in everything} == {"STG"}
    assert seeded.queue_figures(actor=other) == []  # VAP served nobody
    with pytest.raises(Refused) as scope:
        seeded.queue_figures("STG", actor=other)
    assert scope.value.rule == "C9"
    with pytest.raises(Refused) as role:
        seeded.queue_figures("STG", actor=day["agents"][0])
    assert role.value.rule == "C1"


def test_q5_nearest_rank_is_the_smallest_value_with_90_percent_at_or_below() -> None:
    assert nearest_rank([7.0], 90) == 7.0
    assert nearest_rank([1.0, 2.0], 90) == 2.0  # rank ⌈1.8⌉ = 2
    assert nearest_rank([float(n) for n in range(1, 11)], 90) == 9.0  # rank 9 of 10
    assert nearest_rank([float(n) for n in range(11, 0, -1)], 90) == 10.0  # ⌈9.9⌉, unsorted
    assert nearest_rank([float(n) for n in range(1, 21)], 90) == 18.0
    assert nearest_rank([5.0, 1.0, 3.0], 50) == 3.0
    with pytest.raises(ValueError):
        nearest_rank([], 90)


def test_q5_arrival_is_the_later_of_the_number_and_an_appointment_s_time() -> None:
    nine = datetime(2026, 11, 23, 12, 0)
    early, late = nine - timedelta(minutes=40), nine + timedelta(minutes=10)
    assert arrival("appointment", early, nine) == nine  # came early: waits from the time
    assert arrival("appointment", late, nine) == late  # came late: from arrival
    assert arrival("walk_in", early, None) == early
