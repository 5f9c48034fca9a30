"""SQLite's writers take turns (store/turns.py): a write waits for the turn another writer
holds, in any process, no longer than its budget, and goes the moment the turn is given back
or its holder dies; it gives the turn back at its commit and syncs the WAL after, before it
returns; writes that take no turn (migrations) keep SQLite's own sync under the lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from store import Store, db, turns
from store.errors import Unavailable
from tests.factories import applicants, first_free, open_day

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _path(store: Store) -> Path:
    path = db.sqlite_file(store.url)
    assert path is not None
    return path


@contextlib.contextmanager
def _turn_held(store: Store) -> Iterator[int]:
    """Another writer's turn (a file of its own: `flock` excludes it from ours)."""
    fd = os.open(f"{_path(store)}-turn", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _turn_is_free(store: Store) -> bool:
    fd = os.open(f"{_path(store)}-turn", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _bookings(store: Store) -> int:
    with store.database.reading() as session:
        return session.scalar(sa.text("SELECT count(*) FROM bookings")) or 0


def _in_thread(work: Any) -> tuple[threading.Thread, list[Any]]:
    """`work()` on a thread of its own; what it returned or raised, once it has."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as error:  # handed to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_write_waits_for_the_turn_and_goes_the_moment_it_is_given_back(seeded: Store) -> None:
    open_day(seeded, seats=2)
    slot = first_free(seeded)
    first, second = applicants(seeded, 2, start=60)
    seeded.book(first, slot)  # the turn file is there, the statements compiled
    with _turn_held(seeded):
        thread, outcome = _in_thread(lambda: seeded.book(second, slot))
        thread.join(0.3)
        assert thread.is_alive() and _bookings(seeded) == 1  # waiting for the turn
    thread.join(5)
    assert not thread.is_alive() and outcome[0].seat == 2
    assert _turn_is_free(seeded)


def test_a_write_past_its_budget_waiting_for_the_turn_writes_nothing_and_frees_it_later(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C12: a turn held past the write's budget is Unavailable, nothing written; the wait the
    write gave up lets the turn go the moment it comes, so the next write goes at once."""
    monkeypatch.setattr(db, "WRITE_WAIT_MS", 300)
    open_day(seeded, seats=2)
    slot = first_free(seeded)
    first, second = applicants(seeded, 2, start=70)
    with _turn_held(seeded):
        thread, outcome = _in_thread(lambda: seeded.book(first, slot))
        thread.join(5)
        assert not thread.is_alive()
        assert isinstance(outcome[0], Unavailable) and _bookings(seeded) == 0
    thread, outcome = _in_thread(lambda: seeded.book(second, slot))
    thread.join(5)
    assert not thread.is_alive() and outcome[0].seat == 1
    assert _turn_is_free(seeded)


def test_a_writer_that_dies_in_its_turn_leaves_it_to_the_others(seeded: Store) -> None:
    open_day(seeded, seats=2)
    slot = first_free(seeded)
    first, second = applicants(seeded, 2, start=80)
    seeded.book(first, slot)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
            f"{_path(seeded)}-turn",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    thread, outcome = _in_thread(lambda: seeded.book(second, slot))
    thread.join(0.3)
    assert thread.is_alive()  # waiting for the turn the other process holds
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    thread.join(5)
    assert not thread.is_alive() and outcome[0].seat == 2


def test_a_write_gives_its_turn_back_at_the_commit_and_syncs_the_wal_before_it_returns(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the sync finds: the booking committed (another connection reads it), the turn
    free (the next writer is not kept waiting for the disk), the WAL the file synced; and the
    write returns only after it."""
    open_day(seeded)
    slot = first_free(seeded)
    (person,) = applicants(seeded, 1, start=90)
    synced: list[tuple[str, int, bool]] = []
    real = turns._sync_data

    def fdatasync(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        synced.append((path, _bookings(seeded), _turn_is_free(seeded)))
        real(fd)

    monkeypatch.setattr(turns, "_sync_data", fdatasync)
    before = _bookings(seeded)
    seeded.book(person, slot)
    assert synced == [(f"{_path(seeded)}-wal", before + 1, True)]


def test_only_a_write_that_syncs_after_its_turn_commits_unsynced(seeded: Store) -> None:
    """A write of the store runs with synchronous=NORMAL (its sync follows, above); the same
    connection used by anything else (a migration) is back to FULL."""
    open_day(seeded)

    def seen(connection: sa.Connection) -> tuple[int, int]:
        driver = connection.connection.driver_connection
        return id(driver), int(connection.exec_driver_sql("PRAGMA synchronous").scalar() or 0)

    store_write = seeded.database.write(lambda session: seen(session.connection()))
    with seeded.database.engine.begin() as connection:
        other_write = seen(connection)
    assert store_write[0] == other_write[0]  # the same pooled connection
    assert (store_write[1], other_write[1]) == (1, 2)  # NORMAL, then FULL


def test_a_store_opened_through_a_link_syncs_the_wal_sqlite_writes(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite names the WAL after the file the link leads to: that one is synced, and the
    writers of both paths take turns on one file."""
    open_day(seeded)
    slot = first_free(seeded)
    (person,) = applicants(seeded, 1, start=95)
    link = _path(seeded).with_name("linked.db")
    link.symlink_to(_path(seeded))
    linked = Store(f"sqlite:///{link}", clock=seeded.clock)
    synced: list[str] = []
    real = turns._sync_data

    def fdatasync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(turns, "_sync_data", fdatasync)
    try:
        with _turn_held(seeded):
            thread, outcome = _in_thread(lambda: linked.book(person, slot))
            thread.join(0.3)
            assert thread.is_alive()  # the same turn
        thread.join(5)
        assert not thread.is_alive() and outcome[0].seat == 1
        assert synced == [f"{_path(seeded)}-wal"]
    finally:
        linked.close()


def test_a_writer_interrupted_while_waiting_leaves_the_turn_to_the_next(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while a write waits for its turn: once the holder lets go, the turn is free for
    the next writer (not granted to the write that was interrupted)."""
    own = turns.Turns(_path(seeded))

    class CtrlC(BaseException):
        """What Ctrl-C raises is a BaseException (KeyboardInterrupt); one of the test's own, so
        that pytest and the libraries it runs never take it for the user's Ctrl-C."""

    class Interrupted(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            raise CtrlC

    class InterruptedWait(turns._Wait):
        def __init__(self) -> None:
            super().__init__()
            self.came = Interrupted()

    with _turn_held(seeded):
        monkeypatch.setattr(turns, "_Wait", InterruptedWait)
        with pytest.raises(CtrlC):
            own.take(5)
        monkeypatch.undo()
    assert own.take(5)  # the waiter let the turn go
    own.give_back()
    assert _turn_is_free(seeded)
    own.close(5)


def test_a_store_closed_twice_closes_at_once(seeded: Store) -> None:
    open_day(seeded)
    seeded.book(applicants(seeded, 1, start=99)[0], first_free(seeded))

    def twice() -> str:
        seeded.close()
        seeded.close()
        return "closed"

    thread, outcome = _in_thread(twice)
    thread.join(5)
    assert not thread.is_alive() and outcome == ["closed"]
