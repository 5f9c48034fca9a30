"""A waiting room on a fixed clock, for the tests of Q5's figures (store and screens): each
step at a wall-clock time of the office's day; and the counter's few days of it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col

from store import Store
from store.clock import FixedClock
from store.models import Office, OfficeProcedure, Procedure
from store.views import Actor
from tests.conftest import NOW
from tests.factories import at
from tests.screens.conftest import STAFF_PASSWORD

TODAY = date(2026, 11, 23)  # the fixed clock's Monday


def serve_without_appointment(store: Store, office: str = "STG", procedure: str = "RD") -> None:
    """Q2: the office gives numbers for the procedure without appointment too."""

    def work(session: Any) -> None:
        found = session.scalar(sa.select(Office).where(col(Office.code) == office))
        chosen = session.scalar(sa.select(Procedure).where(col(Procedure.code) == procedure))
        session.get(OfficeProcedure, (found.id, chosen.id)).walk_in = True

    store.database.write(work)


class Room:
    """The office's waiting room on a fixed clock: every step at a wall-clock time."""

    def __init__(self, store: Store, clock: FixedClock, office: str = "STG") -> None:
        self.store, self.clock, self.office = store, clock, office

    def at(self, day: date, hh: int, mm: int) -> Room:
        self.clock.set(at(day, hh, mm))
        return self

    def served(
        self, agent: Actor, counter: int, day: date, taken: str, called: str, finished: str
    ) -> None:
        """A walk-in taking a number at `taken`, called at `called` and finished at `finished`
        (HH:MM), with nobody else waiting."""
        number = self.at(day, *_hm(taken)).store.queue_take(self.office, "RD").number
        call = self.at(day, *_hm(called)).store.queue_call(self.office, counter, actor=agent)
        assert call.number == number
        self.at(day, *_hm(finished)).store.queue_finish(self.office, number, actor=agent)

    def appointment(
        self, agent: Actor, counter: int, day: date, code: str, came: str, called: str, done: str
    ) -> None:
        number = self.at(day, *_hm(came)).store.queue_check_in(self.office, code).number
        call = self.at(day, *_hm(called)).store.queue_call(self.office, counter, actor=agent)
        assert call.number == number
        self.at(day, *_hm(done)).store.queue_finish(self.office, number, actor=agent)


def _hm(text: str) -> tuple[int, int]:
    hours, minutes = text.split(":")
    return int(hours), int(minutes)


@pytest.fixture
def waiting_room(kiosk_store: Store, staff_accounts: dict[str, Any], clock: FixedClock) -> None:
    """Q5: STG's waiting room (RD without appointment) on Friday 20 November, agente served
    two walk-ins (waited 7 and 15 minutes, served 12 and 6) and agente2 one (2, 8); this
    morning agente one (4, 26). The clock back at 09:00."""
    serve_without_appointment(kiosk_store)
    agent = staff_accounts["agent"].actor
    second = kiosk_store.create_staff(
        "agente2", "Tomás Pérez Lagos", "agent", STAFF_PASSWORD, "STG"
    ).actor
    room, friday = Room(kiosk_store, clock), TODAY - timedelta(days=3)
    room.served(agent, 1, friday, "09:00", "09:07", "09:19")
    room.served(second, 2, friday, "09:30", "09:32", "09:40")
    room.served(agent, 1, friday, "10:00", "10:15", "10:21")
    room.served(agent, 1, TODAY, "08:00", "08:04", "08:30")
    clock.set(NOW)
