"""W7, C1 (issue 15 §3): the audit log proves itself. Every event carries a SHA-256 over its
content and the previous event's hash; an event deleted, changed, reordered or slipped in
breaks the chain at the first event after it, on both databases.

Each tamper goes around the append-only triggers the way an intruder would: on SQLite by
dropping them, on PostgreSQL as the tables' owner with `session_replication_role = replica`
(for that one connection, so no other test's database is left without its triggers)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from store import Store
from store.models import AuditEvent
from store.services.audit_chain import GENESIS, digest
from tests.conftest import BACKENDS
from tests.factories import applicants, first_free, open_day

Tamper = Callable[[sa.Connection], None]
EVENTS: sa.Table = AuditEvent.__table__  # type: ignore[attr-defined]


def _events(store: Store, count: int = 6) -> list[dict[str, Any]]:
    """At least `count` audit events from ordinary work, in id order."""
    open_day(store, seats=count)
    for person in applicants(store, count):
        store.book(person, first_free(store))
    with store.database.engine.connect() as connection:
        rows = connection.execute(sa.select(EVENTS).order_by(EVENTS.c.id)).mappings()
        return [dict(r) for r in rows]


def _tamper(store: Store, change: Tamper) -> None:
    """Run `change` on the log with its append-only triggers out of the way."""
    engine = store.database.engine
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_delete")
        else:
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        change(connection)


def _sql(statement: str, **params: Any) -> Tamper:
    def change(connection: sa.Connection) -> None:
        connection.execute(sa.text(statement), params)

    return change


def test_w7_every_event_is_chained_to_the_one_before(seeded: Store) -> None:
    events = _events(seeded)
    assert len(events) >= 6
    previous = GENESIS
    for event in events:
        assert event["prev_hash"] == previous
        assert event["hash"] == digest(previous, event)
        previous = event["hash"]
    verdict = seeded.verify_audit()
    assert (verdict.ok, verdict.events, verdict.head) == (True, len(events), previous)
    assert verdict.as_json() == {
        "events": len(events),
        "ok": True,
        "head": previous,
        "head_id": events[-1]["id"],
    }
    assert f"(n.º {events[-1]['id']}) tiene la huella {previous[:16]}." in verdict.message.render()


def test_w7_an_empty_log_is_whole(store: Store) -> None:
    verdict = store.verify_audit()
    assert (verdict.ok, verdict.events, verdict.head) == (True, 0, GENESIS)


def test_w7_a_deleted_event_breaks_the_link_of_the_next(seeded: Store) -> None:
    events = _events(seeded)
    middle = events[3]["id"]
    _tamper(seeded, _sql("DELETE FROM audit_events WHERE id = :id", id=middle))
    verdict = seeded.verify_audit()
    assert not verdict.ok
    assert (verdict.broken_at, verdict.problem) == (events[4]["id"], "link")
    assert verdict.events == len(events) - 1
    assert "borrado" in verdict.message.render(lambda s: s)


def test_w7_the_first_event_deleted_is_seen_too(seeded: Store) -> None:
    events = _events(seeded)
    _tamper(seeded, _sql("DELETE FROM audit_events WHERE id = :id", id=events[0]["id"]))
    verdict = seeded.verify_audit()
    assert (verdict.ok, verdict.broken_at, verdict.problem) == (False, events[1]["id"], "link")


def test_w7_a_changed_event_is_named(seeded: Store) -> None:
    events = _events(seeded)
    target = events[2]["id"]
    _tamper(seeded, _sql("UPDATE audit_events SET actor = 'staff:999' WHERE id = :id", id=target))
    verdict = seeded.verify_audit()
    assert (verdict.ok, verdict.broken_at, verdict.problem) == (False, target, "changed")
    assert verdict.as_json() == {
        "events": len(events),
        "ok": False,
        "broken_at": target,
        "problem": "changed",
    }


def test_w7_a_change_with_its_hash_recomputed_breaks_the_next_link(seeded: Store) -> None:
    """Whoever rewrites an event and its own hash still leaves the next event pointing at the
    old one."""
    events = _events(seeded)
    target = dict(events[2], details='{"reason": "nada"}')
    new_hash = digest(target["prev_hash"], target)
    _tamper(
        seeded,
        _sql(
            "UPDATE audit_events SET details = :details, hash = :hash WHERE id = :id",
            details=target["details"],
            hash=new_hash,
            id=target["id"],
        ),
    )
    verdict = seeded.verify_audit()
    assert (verdict.broken_at, verdict.problem) == (events[3]["id"], "link")


def test_w7_two_events_swapped_are_seen(seeded: Store) -> None:
    events = _events(seeded)
    first, second = events[2], events[3]
    columns = ("at", "actor", "action", "subject", "details", "prev_hash", "hash")

    def swap(connection: sa.Connection) -> None:
        for row, other in ((first, second), (second, first)):
            connection.execute(
                sa.update(EVENTS)
                .where(EVENTS.c.id == row["id"])
                .values({c: other[c] for c in columns})
            )

    _tamper(seeded, swap)
    verdict = seeded.verify_audit()
    assert (verdict.ok, verdict.broken_at, verdict.problem) == (False, first["id"], "link")


@pytest.mark.parametrize("where", ["end", "between"])
def test_w7_a_forged_insert_is_seen(seeded: Store, where: str) -> None:
    """A row written by hand, with no trigger to get around (INSERT is allowed): at the end, or
    in a gap of the ids."""
    events = _events(seeded)
    forged = {
        "at": events[-1]["at"],
        "actor": "staff:1",
        "action": "booking.cancelled",
        "subject": events[-1]["subject"],
        "details": "{}",
        "prev_hash": events[-1]["hash"],
        "hash": hashlib.sha256(b"looks like a hash").hexdigest(),
    }
    if where == "between":
        # Make a gap (an intruder may have deleted the row first), then fill it.
        gap = events[2]["id"]
        _tamper(seeded, _sql("DELETE FROM audit_events WHERE id = :id", id=gap))
        forged |= {"id": gap, "prev_hash": events[1]["hash"]}
        forged["hash"] = digest(forged["prev_hash"], forged)  # a well-made forgery
        expected = (events[3]["id"], "link")
    else:
        forged["id"] = events[-1]["id"] + 1
        expected = (forged["id"], "changed")
    with seeded.database.engine.begin() as connection:
        connection.execute(sa.insert(EVENTS).values(forged))
    verdict = seeded.verify_audit()
    assert not verdict.ok and (verdict.broken_at, verdict.problem) == expected


def test_w7_new_events_after_a_check_keep_the_chain(seeded: Store) -> None:
    """The chain goes on from the newest event across transactions and refusals (a failed
    staff login is recorded and refused in one commit)."""
    _events(seeded, 3)
    seeded.create_staff("agente", "Camila Rojas", "agent", "clave-agente", "STG")
    from store.errors import Refused

    with pytest.raises(Refused):
        seeded.login_staff("agente", "mala")
    assert seeded.verify_audit().ok


@pytest.mark.parametrize("empty_url", BACKENDS, indirect=True)
def test_w7_events_written_before_the_chain_are_chained_by_the_upgrade(empty_url: str) -> None:
    """A store at revision 0008 with a log: `db upgrade` chains its events in id order, and the
    log is append-only again afterwards."""
    from datetime import UTC, datetime

    from alembic import command

    from store import db

    store = Store(empty_url)
    with store.database.engine.connect() as connection:
        command.upgrade(db.alembic_config(connection), "0008")
        connection.commit()
    old = sa.table(
        "audit_events",
        sa.column("at", AuditEvent.__table__.c.at.type),  # type: ignore[attr-defined]
        sa.column("actor"),
        sa.column("action"),
        sa.column("subject"),
        sa.column("details"),
    )
    moment = datetime(2026, 11, 2, 13, 4, 5, 123456, tzinfo=UTC)
    with store.database.engine.begin() as connection:
        connection.execute(
            sa.insert(old),
            [
                {
                    "at": moment,
                    "actor": "system",
                    "action": f"old.{i}",
                    "subject": "s",
                    "details": "{}",
                }
                for i in range(5)
            ],
        )
    store.upgrade()
    verdict = store.verify_audit()
    assert (verdict.ok, verdict.events) == (True, 5)
    with pytest.raises(sa.exc.DBAPIError), store.database.engine.begin() as connection:
        connection.execute(sa.update(EVENTS).values(action="x"))
    store.close()


def test_w7_processes_writing_at_once_keep_one_chain(seeded: Store) -> None:
    """Four staff members search at once from four processes (a search is a write of one
    audit event and no row lock): every event still follows exactly one other."""
    from tests.workers import results as worker_results
    from tests.workers import spawn

    for n in range(4):
        seeded.create_staff(
            f"agente{n}", f"Agente {'ABCD'[n]}", "agent", f"clave-agente-{n}", "STG"
        )
    processes = [
        spawn("audit_writes", seeded.url, f"agente{n}", f"clave-agente-{n}", 40) for n in range(4)
    ]
    assert sum(r["searched"] for r in worker_results(processes)) == 160
    verdict = seeded.verify_audit()
    assert verdict.ok, verdict
    assert verdict.events >= 4 + 160
    with seeded.database.reading() as session:
        forks = session.execute(
            sa.text("SELECT prev_hash FROM audit_events GROUP BY prev_hash HAVING count(*) > 1")
        ).all()
    assert forks == []
