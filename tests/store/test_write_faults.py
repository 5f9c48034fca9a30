"""Issue 15 §4 on PostgreSQL: a connection terminated in the middle of a write transaction.

Terminated before the commit was sent, the transaction is known to have rolled back: the store
runs the same work once more, on a new connection. Terminated while committing, nobody knows
whether it committed: the store says so (`Unavailable`, exit 3 on the command line) instead of
doing it twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from store import Store
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.db import commit_in_one_trip
from store.errors import Unavailable
from tests.conftest import NOW, PG_URL
from tests.factories import applicants, first_free, open_day, seed_catalog

pytestmark = pytest.mark.skipif(not PG_URL, reason="KIOSK_TEST_PG_URL is not set")


@pytest.fixture
def pg_store(pg_database: str) -> Iterator[Store]:
    from tests.conftest import _truncate

    _truncate(pg_database)
    store = Store(pg_database)
    yield store
    store.close()


def _terminate(session: Session) -> None:
    """End this session's server process from another connection (as an administrator or a
    failover would)."""
    _close_from_the_server(_pid(session))


def _facts(store: Store) -> list[str]:
    with store.database.reading() as session:
        return list(session.scalars(sa.text("SELECT key FROM store_facts ORDER BY key")))


def test_terminated_before_the_commit_the_work_runs_once_more(pg_store: Store) -> None:
    attempts: list[int] = []

    def work(session: Session) -> str:
        attempts.append(1)
        session.execute(sa.text("INSERT INTO store_facts (key, value) VALUES ('probe', 'x')"))
        if len(attempts) == 1:
            _terminate(session)
            session.execute(sa.text("SELECT 1"))  # the server is gone: this fails
        return "done"

    assert pg_store.database.write(work) == "done"
    assert len(attempts) == 2
    assert _facts(pg_store) == ["probe"]  # the first attempt's row rolled back with it


def test_terminated_twice_it_is_not_tried_a_third_time(pg_store: Store) -> None:
    attempts: list[int] = []

    def work(session: Session) -> None:
        attempts.append(1)
        _terminate(session)
        session.execute(sa.text("SELECT 1"))

    with pytest.raises(sa.exc.OperationalError):
        pg_store.database.write(work)
    assert len(attempts) == 2


def test_terminated_while_committing_is_unavailable_not_done_twice(pg_store: Store) -> None:
    attempts: list[int] = []

    def work(session: Session) -> None:
        attempts.append(1)
        session.execute(sa.text("INSERT INTO store_facts (key, value) VALUES ('probe', 'x')"))

        @event.listens_for(session, "before_commit")
        def _gone(session: Session) -> None:
            _terminate(session)

    with pytest.raises(Unavailable) as lost:
        pg_store.database.write(work)
    assert "revise si quedó hecho" in lost.value.render()
    assert len(attempts) == 1


@pytest.mark.parametrize("begun", [False, True], ids=["alone", "after-a-statement"])
def test_terminated_while_sent_in_one_trip_is_unavailable_not_done_twice(
    pg_store: Store, begun: bool
) -> None:
    """A unit of work sent with its COMMIT in one round trip (a booking's, issue 19): once it
    is on its way, nobody knows whether it committed. Alone, it is a transaction by itself,
    ended here while the server runs it; after another statement (a retry's lock_timeout),
    it goes with the COMMIT, on a connection ended before."""
    attempts: list[int] = []
    insert = "INSERT INTO store_facts (key, value) VALUES ('probe', 'x')"
    statements: list[tuple[str, Any]] = [("SELECT pg_sleep(30) AS slept", {}), (insert, {})]
    enders: list[threading.Thread] = []

    def work(session: Session) -> None:
        attempts.append(1)
        if begun:
            _terminate(session)
        else:  # once the server runs it (the driver knows its server process)
            driver: Any = session.connection().connection.driver_connection
            enders.append(
                threading.Thread(
                    target=_end_when_running, args=(driver.info.backend_pid,), daemon=True
                )
            )
            enders[-1].start()
        commit_in_one_trip(session, statements)

    with pytest.raises(Unavailable) as lost:
        pg_store.database.write(work)
    for ender in enders:
        ender.join()
    assert "revise si quedó hecho" in lost.value.render()
    assert len(attempts) == 1
    assert _facts(pg_store) == []


def _end_when_running(pid: int) -> None:
    """End server process `pid` once it is running a one-trip call."""
    running = "state = 'active' AND query LIKE '%kiosk_one_trip%'"
    _wait_until_server_process(pid, running, present=True)
    _close_from_the_server(pid)


def test_sent_in_one_trip_after_a_statement_commits_with_it(pg_store: Store) -> None:
    """After a statement of its own (a retry's lock_timeout), the one trip goes with the
    COMMIT: the transaction has ended when it returns. Each statement's rows come back; its
    SQL reaches the server as the driver would send it (`%%` is one `%`)."""
    insert = (
        "INSERT INTO store_facts (key, value) SELECT %(key)s::VARCHAR, '100%%' RETURNING key, value"
    )

    def work(session: Session) -> Any:
        session.execute(sa.text("SELECT 1"))
        rows = commit_in_one_trip(session, [("SELECT 1 AS one", {}), (insert, {"key": "probe"})])
        driver: Any = session.connection().connection.driver_connection
        assert driver.info.transaction_status.name == "IDLE"
        return rows

    assert pg_store.database.write(work) == [[{"one": 1}], [{"key": "probe", "value": "100%"}]]
    assert _facts(pg_store) == ["probe"]


def test_a_booking_on_a_pooled_connection_the_server_closed_is_made_once(pg_store: Store) -> None:
    """Issue 19: a booking's one trip finds a pooled connection the server ended meanwhile
    before it sends anything (the server said so), and runs once more on a new one; it is
    not `Unavailable`."""
    store = Store(pg_store.url, clock=FixedClock(NOW), passwords=Passwords(fast_hasher()))
    seed_catalog(store)
    open_day(store, seats=2)
    first, second = applicants(store, 2)
    slot = first_free(store)
    assert store.book(first, slot).seat == 1
    pid = store.database.write(_pid)  # the pooled connection the booking wrote on
    _close_from_the_server(pid)
    assert store.book(second, slot).seat == 2
    assert store.database.write(_pid) != pid
    store.close()


def _pid(session: Session | sa.Connection) -> int:
    return int(session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _close_from_the_server(pid: int) -> None:
    admin = sa.create_engine(PG_URL or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    # Until the server has let it go, so that the next use meets a closed connection.
    _wait_until_server_process(pid, "true", present=False)


def _wait_until_server_process(pid: int, condition: str, *, present: bool) -> None:
    """Read the server's list of its processes until process `pid`, in `condition` (SQL on
    pg_stat_activity), is there (`present`) or is gone."""
    admin = sa.create_engine(PG_URL or "", isolation_level="AUTOCOMMIT")
    query = sa.text(f"SELECT count(*) FROM pg_stat_activity WHERE pid = :pid AND {condition}")
    with admin.connect() as connection:
        while bool(connection.execute(query, {"pid": pid}).scalar_one()) is not present:
            continue  # the server's own state, read again: the process is doing its work
    admin.dispose()


@pytest.mark.parametrize("kind", ["read", "write", "peek"])
def test_a_pooled_connection_the_server_closed_meanwhile_is_replaced(
    pg_store: Store, kind: str
) -> None:
    """No ping before each use (issue 19): a connection the server closed while it waited in
    the pool (or, for a look, was kept for the next) fails at its first statement, and the
    unit of work runs once more on a new one."""
    run: Any = {
        "read": pg_store.database.read,
        "write": pg_store.database.write,
        "peek": pg_store.database.peek,
    }[kind]
    pid = run(_pid)
    assert run(_pid) == pid  # the same connection, kept or pooled
    _close_from_the_server(pid)
    assert run(_pid) != pid
