"""`kiosk queue …` (Q1-Q5): the contract of the command line. A number for a walk-in or for
today's booking by its code, calls as the staff member (C12), exit 1 when nobody is waiting or
a rule refuses, exit 2 for bad input; `catalog --json` marks the walk-in procedures."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from store import Store
from store.models import Office, OfficeProcedure, Procedure
from tests.factories import open_day
from tests.kiosk.test_cli_lifecycle import TODAY, Kiosk, kiosk, office, refused

__all__ = ["kiosk", "office"]  # the fixtures, shared with the lifecycle's tests


def _walk_in(store: Store, office_code: str = "STG", procedure: str = "RD") -> None:
    def work(session: Any) -> None:
        office_id = session.scalar(sa.select(col(Office.id)).where(col(Office.code) == office_code))
        procedure_id = session.scalar(
            sa.select(col(Procedure.id)).where(col(Procedure.code) == procedure)
        )
        session.get(OfficeProcedure, (office_id, procedure_id)).walk_in = True

    store.database.write(work)


def test_q2_q3_take_call_recall_transfer_finish_and_list(kiosk: Kiosk, office: Store) -> None:
    _walk_in(office)
    assert kiosk.json("queue", "take", "--office", "STG", "--procedure", "RD", staff=None) == {
        "number": 1,
        "ahead": 0,
        "estimate_minutes": None,
    }
    assert (
        kiosk.json("queue", "take", "--office", "STG", "--procedure", "RD", staff=None)["ahead"]
        == 1
    )
    called = kiosk.json("queue", "call", "--office", "STG", "--counter", "2", staff="agente")
    assert called == {"number": 1, "counter": 2, "kind": "walk_in", "code": None}
    again = kiosk.json("queue", "recall", "1", "--office", "STG", staff="agente")
    assert again["calls"] == 2
    moved = kiosk.json(
        "queue", "transfer", "1", "--office", "STG", "--procedure", "RT", staff="agente"
    )
    assert (moved["status"], moved["procedure"], moved["ahead"]) == ("waiting", "RT", 0)
    listed = kiosk.json("queue", "list", "--office", "STG", staff=None)["tickets"]
    assert [(t["number"], t["status"], t["kind"], t["procedure"], t["ahead"]) for t in listed] == [
        (1, "waiting", "walk_in", "RT", 0),
        (2, "waiting", "walk_in", "RD", 1),
    ]
    assert (
        kiosk.json("queue", "call", "--office", "STG", "--counter", "2", staff="agente")["number"]
        == 1
    )
    done = kiosk.json("queue", "finish", "1", "--office", "STG", staff="agente")
    assert done["status"] == "done"
    actors = [e.actor for e in office.audit_log("queue.called")]
    assert actors and all("agente" in a for a in actors)


def test_q1_self_check_in_by_code(kiosk: Kiosk, office: Store) -> None:
    open_day(office, "STG", "RT", day=TODAY, hours="10:00-11:00")
    person = office.applicant_by_document("P1234567").id
    slot = next(s.id for s in office.slots("STG", "RT", TODAY, TODAY) if s.free)
    code = office.book(person, slot).display_code
    assert code is not None
    taken = kiosk.json("queue", "take", "--office", "STG", "--code", code, staff=None)
    assert (taken["number"], taken["ahead"]) == (1, 0)
    called = kiosk.json("queue", "call", "--office", "STG", "--counter", "1", staff="agente")
    assert (called["kind"], called["code"]) == ("appointment", code.replace("-", ""))


def test_q_refusals_exit_1_and_bad_input_exit_2(kiosk: Kiosk, office: Store) -> None:
    line = refused(kiosk("queue", "call", "--office", "STG", "--counter", "1", staff="agente"))
    assert line == "No hay nadie esperando en esta oficina."
    line = refused(kiosk("queue", "take", "--office", "STG", "--procedure", "RT", staff=None))
    assert "solo con hora" in line
    assert "--code" in refused(kiosk("queue", "take", "--office", "STG", staff=None), 2)
    assert refused(
        kiosk("queue", "take", "--office", "STG", "--code", "nada", staff=None), 2
    ).startswith("code: Ese no es un código de cita: revise las 8 letras y números")
    _walk_in(office)
    kiosk.json("queue", "take", "--office", "STG", "--procedure", "RD", staff=None)
    assert refused(kiosk("queue", "call", "--office", "STG", "--counter", "1", staff="ari"))
    assert refused(kiosk("queue", "finish", "7", "--office", "STG", staff="agente"), 2)


def test_q2_catalog_marks_the_walk_in_procedures(kiosk: Kiosk, office: Store) -> None:
    _walk_in(office)
    offices = kiosk.json("catalog", staff=None)["offices"]
    stg = next(o for o in offices if o["code"] == "STG")
    assert {p["code"]: p["walk_in"] for p in stg["procedures"]} == {"RT": False, "RD": True}
