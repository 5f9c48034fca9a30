"""A release burst (issue 19): an office releases RELEASED times and many client processes try
to book them at once, through Store and, as the floor, as the bare UPDATE + INSERT.

Each client is a process of its own with its own connection, given its own applicants (none
waits for the procedure); for each it tries random times of the released ones until one is
booked or it has met TRIES refusals. All clients start together at a barrier, after their
imports and connections, so the figure is the booking and nothing else. Afterwards the
database is checked for double bookings: a time with more bookings than seats, a seat given
twice, a person with two live bookings for the procedure."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from bench import data
from store.models import SEAT_STATES as SEAT_STATE_NAMES

RELEASED = 2000
TRIES = 4  # refusals one person meets before giving up
PROCEDURE = "RT"
SEAT_STATES = "(" + ", ".join(f"'{state}'" for state in SEAT_STATE_NAMES) + ")"


@dataclass(frozen=True)
class Burst:
    clients: int
    booked: int
    refused: int
    unavailable: int
    seconds: float
    latencies: list[float]  # seconds, every attempt
    doubles: int
    client_cpu: float  # seconds of CPU the clients' processes spent after the barrier
    busy: float | None  # seconds of CPU the whole machine spent meanwhile (Linux)

    @property
    def rate(self) -> float:
        return self.booked / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def describe(self) -> str:
        return (
            f"{self.rate:.0f}/s; p50 {self.percentile(0.5):.1f} ms, "
            f"p99 {self.percentile(0.99):.1f} ms; {self.refused} refusals, "
            f"{self.unavailable} could-not-now, {self.doubles} double bookings; "
            f"clients' CPU {self.client_cpu:.1f} s"
            + (f" of the machine's {self.busy:.1f} s" if self.busy is not None else "")
        )


def release(url: str) -> list[int]:
    """The office opens RELEASED times (one seat each) for the procedure; their ids."""
    store = data.store_at(url)
    store.open_capacity(
        data.OFFICE, PROCEDURE, date(2027, 3, 1), date(2027, 5, 28), "08:30-14:00", 5
    )
    slots = [
        s.id
        for s in store.slots(data.OFFICE, PROCEDURE, date(2027, 3, 1), date(2027, 5, 28))
        if s.free
    ]
    store.close()
    assert len(slots) >= RELEASED, len(slots)
    with sa.create_engine(url).begin() as connection:  # one seat each
        connection.execute(
            sa.text("UPDATE slots SET seats = 1 WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": slots[:RELEASED]},
        )
    return slots[:RELEASED]


def people(url: str, count: int) -> list[int]:
    """`count` generated applicants (none of them waits for anything)."""
    with sa.create_engine(url).connect() as connection:
        return list(
            connection.scalars(
                sa.text(
                    "SELECT id FROM applicants WHERE document_number LIKE 'B%' "
                    "AND id NOT IN (SELECT applicant_id FROM waitlist_entries) "
                    "ORDER BY id DESC LIMIT :n"
                ),
                {"n": count},
            )
        )


def _client(
    kind: str,
    url: str,
    applicants: list[int],
    slots: list[int],
    seed: int,
    barrier: Any,
    results: Any,
) -> None:
    rng = random.Random(seed)
    attempt = _store_attempt(url) if kind == "store" else bare_attempt(url)
    barrier.wait()
    cpu = time.process_time()
    booked = refused = unavailable = 0
    latencies = []
    for applicant in applicants:
        misses = 0
        while misses < TRIES:
            slot = rng.choice(slots)
            begun = time.perf_counter()
            outcome = attempt(applicant, slot)
            latencies.append(time.perf_counter() - begun)
            if outcome == "booked":
                booked += 1
                break
            misses += 1
            if outcome == "refused":
                refused += 1
            else:
                unavailable += 1
    ended = time.perf_counter()
    results.put((booked, refused, unavailable, latencies, ended, time.process_time() - cpu))


def _store_attempt(url: str) -> Any:
    from store.errors import Refused, Unavailable

    store = data.store_at(url)
    store.catalog()  # connected and warm before the barrier

    def attempt(applicant: int, slot: int) -> str:
        try:
            store.book(applicant, slot)
        except Refused:
            return "refused"
        except Unavailable:
            return "unavailable"
        return "booked"

    return attempt


def bare_attempt(url: str) -> Any:
    """The floor: the conditional UPDATE of the time and the INSERT of the booking, nothing
    else, on the database's own driver; on disk before it returns. SQLite: WAL, as the store,
    its commit synced once the write lock is let go (synchronous=NORMAL, then the WAL synced:
    store/turns.py). With synchronous=FULL instead, syncing under the lock, the floor's burst
    ran at the same rate on 2026-12-07: 2 215-2 930 bookings a second over 15 runs, against
    2 237-2 596 over 6."""
    if url.startswith("sqlite"):
        import sqlite3

        path = url.removeprefix("sqlite:///")
        con: Any = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
            con.execute(f"PRAGMA {pragma}")
        mark, begin, now = "?", "BEGIN IMMEDIATE", "datetime('now')"
    else:
        import psycopg

        con = psycopg.connect(data.libpq(url))
        con.autocommit = True
        mark, begin, now = "%s", "BEGIN", "now()"
    office, procedure = con.execute(
        "SELECT o.id, p.id FROM offices AS o, procedures AS p "
        f"WHERE o.code = {mark} AND p.code = {mark}",
        (data.OFFICE, PROCEDURE),
    ).fetchone()

    def attempt(applicant: int, slot: int) -> str:
        con.execute(begin)
        taken = con.execute(
            f"UPDATE slots SET taken = taken + 1 WHERE id = {mark} AND taken < seats", (slot,)
        ).rowcount
        if taken != 1:
            con.execute("ROLLBACK")
            return "refused"
        con.execute(
            "INSERT INTO bookings (uuid, code, slot_id, seat, applicant_id, office_id, "
            "procedure_id, status, created_at, confirmed_at) VALUES "
            f"({mark}, {mark}, {mark}, 1, {mark}, {mark}, {mark}, 'confirmed', {now}, {now})",
            (str(uuid.uuid4()), uuid.uuid4().hex[:8].upper(), slot, applicant, office, procedure),
        )
        con.execute("COMMIT")
        if mark == "?":  # SQLite: the WAL on disk, after the lock
            wal = os.open(f"{path}-wal", os.O_RDONLY)
            os.fdatasync(wal)
            os.close(wal)
        return "booked"

    return attempt


# Bookings of each side timed in turn, so that both meet the machine as it is at that moment.
SIDE_BY_SIDE = 10


def side_by_side(
    book: Callable[[int, int], object],
    ours: list[tuple[int, int]],
    floor_url: str,
    floor: list[tuple[int, int]],
) -> tuple[list[float], list[float]]:
    """Seconds of each booking through `book` (the store's) and of each bare booking
    (`bare_attempt` on `floor_url`): the floor of the single booking figures. The two take turns
    by blocks of SIDE_BY_SIDE bookings rather than one run after the other: on a shared machine
    whose speed drifts from minute to minute (2026-12-07: a run's floor 0.6 ms, the next's
    1.0 ms), what a ratio compares is then the same minute's work."""
    attempt = bare_attempt(floor_url)
    ours_s: list[float] = []
    floor_s: list[float] = []
    for at in range(0, max(len(ours), len(floor)), SIDE_BY_SIDE):
        for applicant, slot in ours[at : at + SIDE_BY_SIDE]:
            begun = time.perf_counter()
            book(applicant, slot)
            ours_s.append(time.perf_counter() - begun)
        for applicant, slot in floor[at : at + SIDE_BY_SIDE]:
            begun = time.perf_counter()
            assert attempt(applicant, slot) == "booked"
            floor_s.append(time.perf_counter() - begun)
    return ours_s, floor_s


def doubles(url: str) -> int:
    """Times over their seats, seats given twice and people with two live bookings for the
    procedure: each one a double booking."""
    with sa.create_engine(url).connect() as connection:
        over = connection.scalar(
            sa.text(
                "SELECT count(*) FROM slots AS s WHERE (SELECT count(*) FROM bookings AS b "
                f"WHERE b.slot_id = s.id AND b.status IN {SEAT_STATES}) > s.seats"
            )
        )
        seat = connection.scalar(
            sa.text(
                "SELECT count(*) FROM (SELECT slot_id, seat FROM bookings WHERE status IN "
                f"{SEAT_STATES} GROUP BY slot_id, seat HAVING count(*) > 1) AS twice"
            )
        )
        person = connection.scalar(
            sa.text(
                "SELECT count(*) FROM (SELECT applicant_id FROM bookings WHERE status IN "
                f"{SEAT_STATES} GROUP BY applicant_id, procedure_id HAVING count(*) > 1) AS two"
            )
        )
    return int(over or 0) + int(seat or 0) + int(person or 0)


def run(kind: str, url: str, slots: list[int], applicants: list[int], clients: int) -> Burst:
    """`clients` processes of `kind` ("store" or "bare") booking `slots` at once."""
    context = mp.get_context("spawn")
    barrier = context.Barrier(clients + 1)
    results = context.Queue()
    share = len(applicants) // clients
    workers = [
        context.Process(
            target=_client,
            args=(
                kind,
                url,
                applicants[n * share : (n + 1) * share],
                slots,
                data.SEED + n,
                barrier,
                results,
            ),
        )
        for n in range(clients)
    ]
    for worker in workers:
        worker.start()
    barrier.wait()
    begun = time.perf_counter()
    busy = _busy_cpu()
    outcomes = [results.get(timeout=600) for _ in workers]
    busy = None if busy is None else (_busy_cpu() or 0) - busy
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0, worker.exitcode
    ended = max(outcome[4] for outcome in outcomes)
    return Burst(
        clients,
        sum(o[0] for o in outcomes),
        sum(o[1] for o in outcomes),
        sum(o[2] for o in outcomes),
        ended - begun,
        [latency for o in outcomes for latency in o[3]],
        doubles(url),
        sum(o[5] for o in outcomes),
        busy,
    )


def _busy_cpu() -> float | None:
    """Seconds of CPU the machine has spent, all cores, idle and I/O wait left out (Linux's
    /proc/stat; None elsewhere)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(t) for t in stat.readline().split()[1:]]
    except OSError:
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
