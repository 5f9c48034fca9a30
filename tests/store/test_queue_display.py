"""Q4 in the store, on SQLite and PostgreSQL: what the waiting-room display reads. The office's
calls of today, newest first, each number once (a recall brings it to the top again), numbers
and counters only, never a code or a name."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col

from store import Store
from store.clock import FixedClock
from store.errors import NotFound
from store.models import Office, OfficeProcedure, Procedure
from store.views import Actor
from tests.factories import applicants, at, open_day

TODAY = date(2026, 11, 23)  # the fixed clock's Monday
PASSWORD = "clave-segura-1"


def walk_in(store: Store, office_code: str, procedure_code: str) -> None:
    """Let `office_code` serve `procedure_code` without appointment (Q2)."""

    def work(session: Any) -> None:
        office = session.scalar(sa.select(Office).where(col(Office.code) == office_code))
        procedure = session.scalar(
            sa.select(Procedure).where(col(Procedure.code) == procedure_code)
        )
        offered = session.get(OfficeProcedure, (office.id, procedure.id))
        if offered is None:
            session.add(
                OfficeProcedure(
                    office_id=office.id, procedure_id=procedure.id, bookable=False, walk_in=True
                )
            )
        else:
            offered.walk_in = True

    store.database.write(work)


@pytest.fixture
def agents(seeded: Store, clock: FixedClock) -> dict[str, Actor]:
    """08:30 at STG and VAP, which both take walk-ins; an agent at each."""
    clock.set(at(TODAY, 8, 30))
    walk_in(seeded, "STG", "RD")
    walk_in(seeded, "VAP", "RT")
    return {
        code: seeded.create_staff(f"agente.{code.lower()}", "Agente", "agent", PASSWORD, code).actor
        for code in ("STG", "VAP")
    }


def _calls(store: Store, office: str = "STG", limit: int = 6) -> list[tuple[int, int]]:
    return [(c.number, c.counter) for c in store.queue_recent_calls(office, limit)]


def test_q4_calls_newest_first_waiting_numbers_not_shown(
    seeded: Store, agents: dict[str, Actor], clock: FixedClock
) -> None:
    agent = agents["STG"]
    for _ in range(4):
        seeded.queue_take("STG", "RD")
    assert seeded.queue_recent_calls("STG") == []
    seeded.queue_call("STG", 2, actor=agent)
    clock.advance(minutes=1)
    seeded.queue_call("STG", 1, actor=agent)
    clock.advance(minutes=1)
    seeded.queue_finish("STG", 1, actor=agent)  # a finished call stays on the list
    seeded.queue_call("STG", 2, actor=agent)
    assert _calls(seeded) == [(3, 2), (2, 1), (1, 2)]
    assert _calls(seeded, limit=2) == [(3, 2), (2, 1)]
    assert _calls(seeded, limit=0) == []


def test_q4_a_recall_brings_the_number_to_the_top_once(
    seeded: Store, agents: dict[str, Actor], clock: FixedClock
) -> None:
    agent = agents["STG"]
    for _ in range(2):
        seeded.queue_take("STG", "RD")
    seeded.queue_call("STG", 1, actor=agent)
    clock.advance(minutes=1)
    seeded.queue_call("STG", 2, actor=agent)
    assert _calls(seeded) == [(2, 2), (1, 1)]
    clock.advance(minutes=1)
    seeded.queue_recall("STG", 1, actor=agent)
    calls = seeded.queue_recent_calls("STG")
    assert [(c.number, c.counter, c.calls) for c in calls] == [(1, 1, 2), (2, 2, 1)]
    clock.advance(minutes=1)
    seeded.queue_recall("STG", 1, actor=agent)
    seeded.queue_recall("STG", 1, actor=agent)
    seeded.queue_absent("STG", 1, actor=agent)  # absent after its calls: still on the list
    assert _calls(seeded) == [(1, 1), (2, 2)]


def test_q4_a_transferred_number_leaves_the_list_until_it_is_called_again(
    seeded: Store, agents: dict[str, Actor], clock: FixedClock
) -> None:
    agent = agents["STG"]
    seeded.queue_take("STG", "RD")
    seeded.queue_call("STG", 3, actor=agent)
    seeded.queue_transfer("STG", 1, "RT", actor=agent)
    assert _calls(seeded) == []
    clock.advance(minutes=1)
    seeded.queue_call("STG", 4, actor=agent)
    assert _calls(seeded) == [(1, 4)]


def test_q4_numbers_and_counters_only_never_a_code_or_a_name(
    seeded: Store, agents: dict[str, Actor], clock: FixedClock
) -> None:
    """An appointment's number shows no booking code and nothing of the person."""
    open_day(seeded, "STG", "RT", day=TODAY, hours="09:00-10:00", every=30, seats=1)
    (person,) = applicants(seeded, 1)
    slot = next(s.id for s in seeded.slots("STG", "RT", TODAY, TODAY) if s.free)
    code = seeded.book(person, slot).code
    assert code is not None
    seeded.queue_check_in("STG", code)
    called = seeded.queue_call("STG", 5, actor=agents["STG"])
    assert called.code == code  # the counter gets the code; the display does not
    (shown,) = seeded.queue_recent_calls("STG")
    assert (shown.number, shown.counter, shown.kind, shown.code) == (1, 5, "appointment", None)
    values = " ".join(str(v) for v in asdict(shown).values())
    for private in (code, "Persona", "Prueba", "T00000000"):  # applicants()' names, document
        assert private not in values


def test_q4_only_this_office_and_only_today(
    seeded: Store, agents: dict[str, Actor], clock: FixedClock
) -> None:
    seeded.queue_take("STG", "RD")
    seeded.queue_take("VAP", "RT")
    seeded.queue_take("VAP", "RT")
    seeded.queue_call("STG", 1, actor=agents["STG"])
    seeded.queue_call("VAP", 7, actor=agents["VAP"])
    assert _calls(seeded, "STG") == [(1, 1)]
    assert _calls(seeded, "VAP") == [(1, 7)]
    assert [c.office for c in seeded.queue_recent_calls("VAP")] == ["VAP"]
    clock.set(at(TODAY + timedelta(days=1), 8, 30))  # the next morning: a new day's list
    assert _calls(seeded, "STG") == []
    with pytest.raises(NotFound):
        seeded.queue_recent_calls("XXX")
