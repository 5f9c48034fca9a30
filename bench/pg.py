"""The PostgreSQL rows of `make bench` (issue 19): book, waitlist and find against a server.

They run when `KIOSK_BENCH_PG_URL` names a server (any database on it: the bench connects there
only to create and drop its own), or when one answers on 127.0.0.1:5432 as `.ci/run` finds
it. The bench builds one database of its own (the demo, 1 000 000 applicants loaded with
COPY, 100 000 of them waiting at STG for RD), and each figure works in a copy of it
(`CREATE DATABASE … TEMPLATE`), so our run and its floor start from the same rows. Every
database it made is dropped at the end, also after a failure.

Each figure has its floor beside it, measured in the same run on the same server:
- book: the bare conditional UPDATE of the time and INSERT of the booking, in psycopg;
- waitlist: the same assignment as one set-based pass of SQL (as the SQLite floor);
- find: the bare query behind the search, the same walk of the words table (migration 0014)
  in id order, with the found applicants' columns."""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import statistics
import time
from datetime import date
from typing import Any

import psycopg
import sqlalchemy as sa

from bench import data
from bench.burst import side_by_side
from bench.statements import booking_statements

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PEOPLE = 1_000_000
WAITING = 100_000
BASE = f"kiosk_bench_{os.getpid()}"


def server_url() -> str | None:
    """The server to measure on: KIOSK_BENCH_PG_URL, else one answering on loopback."""
    url = os.environ.get("KIOSK_BENCH_PG_URL")
    if url:
        return url
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), timeout=1):
        return DEFAULT_URL
    return None


def _url(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + f"/{name}"


class Server:
    """The bench's databases on one server: made here, all dropped by `close`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def create(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.exec_driver_sql(
                f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")
            )
        self.made.append(name)
        return _url(self.url, name)

    def drop(self, name: str) -> None:
        """Drop a database made here before the run ends (a 1 000 000-people copy is large)."""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.made.remove(name)

    def close(self) -> None:
        with self.admin.connect() as connection:
            for name in reversed(self.made):
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.admin.dispose()


def _load(url: str) -> None:
    """The demo, PEOPLE applicants (COPY) and WAITING of them enrolled in order for RD at STG."""
    store = data.store_at(url)
    store.upgrade()
    store.load_demo(date(2026, 11, 23))
    store.close()
    with psycopg.connect(data.libpq(url)) as con:
        con.execute("SET TIME ZONE 'UTC'")
        region = con.execute("SELECT id FROM regions WHERE code = 'CL-RM'").fetchone()
        assert region is not None
        with con.cursor().copy(f"COPY applicants ({data.APPLICANT_COLUMNS}) FROM STDIN") as copy:
            for row in data.applicant_rows(region[0], PEOPLE):
                copy.write_row(row)
        office = con.execute("SELECT id FROM offices WHERE code = %s", (data.OFFICE,)).fetchone()
        procedure = con.execute(
            "SELECT id FROM procedures WHERE code = %s", (data.PROCEDURE,)
        ).fetchone()
        assert office is not None and procedure is not None
        con.execute(
            "INSERT INTO waitlist_entries (uuid, applicant_id, office_id, procedure_id, "
            "enrolled_at, ranked_at, status) SELECT md5(random()::text), id, %(o)s, %(p)s, "
            "timestamptz '2026-01-01 00:00+00' + id * interval '1 second', "
            "timestamptz '2026-01-01 00:00+00' + id * interval '1 second', 'waiting' "
            "FROM applicants WHERE document_number LIKE 'B%%' AND id NOT IN (SELECT "
            "applicant_id FROM waitlist_entries WHERE status = 'waiting' AND procedure_id = "
            "%(p)s) ORDER BY id LIMIT %(n)s",
            {"o": office[0], "p": procedure[0], "n": WAITING},
        )
        _history(con)
        con.commit()
    with psycopg.connect(data.libpq(url), autocommit=True) as con:
        con.execute("VACUUM ANALYZE")


HISTORY = 200_000  # bookings attended before the bench's day


def _history(con: psycopg.Connection[Any]) -> None:
    """A national store has served people before: HISTORY bookings attended at times past
    (four seats each, in every office's offerings), each of its own person, none of them the
    people the figures book or enrol. Without them the bookings table holds the demo's few
    rows, and the server plans every look at it as a scan of the whole table, plans a
    prepared statement keeps while the table grows a thousandfold under a release burst."""
    times = HISTORY // 4
    con.execute(
        "INSERT INTO slots (uuid, office_id, procedure_id, day, start_time, starts_at, seats, "
        "taken, blocked, created_at) "
        "SELECT 'history-' || o.k || '-' || d.j, o.office_id, o.procedure_id, d.day, "
        "time '09:00', d.day + time '12:00', 4, 4, false, %(now)s "
        "FROM (SELECT office_id, procedure_id, row_number() OVER (ORDER BY office_id, "
        "procedure_id) AS k FROM office_procedures) AS o CROSS JOIN (SELECT d::date AS day, "
        "row_number() OVER (ORDER BY d) AS j FROM generate_series(date '2024-01-01', "
        "date '2026-10-30', interval '1 day') AS d WHERE extract(isodow FROM d) < 6) AS d "
        "ORDER BY d.j DESC, o.k LIMIT %(times)s",
        {"now": data.NOW, "times": times},
    )
    # People from the middle of the ids: the figures book the newest, enrol the oldest.
    first = con.execute("SELECT min(id) + count(*) / 3 FROM applicants").fetchone()
    assert first is not None
    con.execute(
        "INSERT INTO bookings (uuid, code, slot_id, seat, applicant_id, office_id, "
        "procedure_id, status, created_at, confirmed_at) "
        "SELECT s.uuid || '-' || seat, 'H' || lpad(upper(to_hex(s.r * 4 + seat)), 7, '0'), "
        "s.id, seat, %(first)s + s.r * 4 + seat, s.office_id, s.procedure_id, 'attended', "
        "s.starts_at - interval '10 days', s.starts_at - interval '10 days' "
        "FROM (SELECT *, row_number() OVER (ORDER BY id) - 1 AS r FROM slots "
        "WHERE uuid LIKE 'history-%%') AS s CROSS JOIN generate_series(1, 4) AS seat",
        {"first": first[0]},
    )


# -- book --------------------------------------------------------------------------------------


def book(url: str) -> tuple[float, float, str]:
    """Median milliseconds of one booking through Store, and of the bare floor; and the
    booking statement by statement (bench/statements.py)."""
    runs = 150
    store = data.store_at(url)
    free = data.booking_times(store)
    with psycopg.connect(data.libpq(url)) as con:
        people = [
            r[0]
            for r in con.execute(
                "SELECT id FROM applicants WHERE document_number LIKE 'B%%' "
                "ORDER BY id DESC LIMIT %s",
                (2 * runs + 30,),
            )
        ]
    ours, floor = side_by_side(
        store.book,
        list(zip(people[:runs], free[:runs], strict=True)),
        url,
        list(zip(people[runs : 2 * runs], free[runs : 2 * runs], strict=True)),
    )
    profiled = list(zip(people[2 * runs :], free[2 * runs :], strict=False))[:30]
    statements = booking_statements(store.database, store.book, profiled)
    store.close()
    return statistics.median(ours) * 1000, statistics.median(floor) * 1000, statements


# -- waitlist ------------------------------------------------------------------------------------


def _set_based_floor(url: str, plan_days: list[date], plan_times: list[Any]) -> float:
    """The assignment of the SQLite floor, in PostgreSQL's SQL: the times, the n-th free seat
    paired with the n-th waiting entry, the entries closed, the notices and the audit rows."""
    now = data.NOW
    with psycopg.connect(data.libpq(url)) as con:
        office, procedure = (
            con.execute("SELECT id FROM offices WHERE code = %s", (data.OFFICE,)).fetchone(),
            con.execute("SELECT id FROM procedures WHERE code = %s", (data.PROCEDURE,)).fetchone(),
        )
        assert office is not None and procedure is not None
        keys = {"o": office[0], "p": procedure[0], "now": now}
        con.commit()
        begun = time.perf_counter()
        with con.cursor().copy(
            "COPY slots (uuid, office_id, procedure_id, day, start_time, starts_at, seats, "
            "taken, blocked, created_at) FROM STDIN"
        ) as copy:
            for d in plan_days:
                for t in plan_times:
                    copy.write_row(
                        (
                            f"s{d}{t}",
                            office[0],
                            procedure[0],
                            d,
                            t,
                            f"{d.isoformat()} {t.isoformat()}+00",
                            1,
                            0,
                            False,
                            now,
                        )
                    )
        con.execute(
            "CREATE TEMP TABLE free_seat ON COMMIT DROP AS SELECT row_number() OVER "
            "(ORDER BY starts_at, id) AS n, id AS slot_id FROM slots WHERE office_id = %(o)s "
            "AND procedure_id = %(p)s AND taken < seats AND NOT blocked AND starts_at > %(now)s",
            keys,
        )
        con.execute(
            "CREATE TEMP TABLE next_waiting ON COMMIT DROP AS SELECT row_number() OVER "
            "(ORDER BY ranked_at, id) AS n, id AS entry_id, applicant_id FROM waitlist_entries "
            "WHERE office_id = %(o)s AND procedure_id = %(p)s AND status = 'waiting' "
            "ORDER BY ranked_at, id LIMIT (SELECT count(*) FROM free_seat)",
            keys,
        )
        con.execute(
            "INSERT INTO bookings (uuid, code, slot_id, seat, applicant_id, office_id, "
            "procedure_id, status, created_at, confirmed_at, waitlist_entry_id) "
            "SELECT md5(random()::text), upper(substr(md5(random()::text), 1, 8)), f.slot_id, 1, "
            "w.applicant_id, %(o)s, %(p)s, 'confirmed', %(now)s, %(now)s, w.entry_id "
            "FROM free_seat AS f JOIN next_waiting AS w USING (n)",
            keys,
        )
        con.execute(
            "UPDATE slots SET taken = taken + 1 WHERE id IN (SELECT f.slot_id FROM free_seat "
            "AS f JOIN next_waiting AS w USING (n))"
        )
        con.execute(
            "UPDATE waitlist_entries SET status = 'assigned', closed_at = %(now)s "
            "WHERE id IN (SELECT entry_id FROM next_waiting)",
            keys,
        )
        con.execute(
            "INSERT INTO notices (uuid, applicant_id, kind, subject, body, params, booking_id, "
            "created_at) SELECT md5(random()::text), applicant_id, 'assigned', 's', 'b', '{}', "
            "id, %(now)s FROM bookings WHERE waitlist_entry_id IN "
            "(SELECT entry_id FROM next_waiting)",
            keys,
        )
        con.execute(
            "INSERT INTO audit_events (at, actor, action, subject, details, prev_hash, hash) "
            "SELECT %(now)s, 'system', 'waitlist.assigned', w.uuid, json_build_object('entry', "
            "w.id, 'slot', b.slot_id, 'seat', b.seat, 'code', b.code)::text, '', "
            "md5(random()::text) FROM bookings AS b JOIN waitlist_entries AS w "
            "ON w.id = b.waitlist_entry_id WHERE w.id IN (SELECT entry_id FROM next_waiting)",
            keys,
        )
        con.commit()
        return time.perf_counter() - begun


def waitlist(ours_url: str, floor_url: str) -> tuple[float, float, int]:
    """Milliseconds of opening the capacity (W2 assigning it) through Store, of the floor, and
    the number of times opened."""
    ours, plan, opened = data.timed_opening(data.store_at(ours_url))
    floor = _set_based_floor(floor_url, list(plan.days), list(plan.times))
    return ours * 1000, floor * 1000, opened.created


# -- find ------------------------------------------------------------------------------------------


def find(url: str, queries: list[str]) -> tuple[float, float]:
    """Median milliseconds of a name search through Store, and of the bare query on the same
    words table: the first whole word's applicants in id order, joined on the applicant with
    every other whole word, the last word a prefix, the first 20 with their columns (the
    bench's queries have two words at least)."""
    from store.validation import fold

    store = data.store_at(url)
    for q in queries:
        store.find_applicants(q)  # warm the cache
    ours = [data.timed(lambda q=q: store.find_applicants(q)) for _ in range(5) for q in queries]
    store.close()
    with psycopg.connect(data.libpq(url)) as con:

        def bare(q: str) -> None:
            first, *others, last = fold(q).split()
            joins = "".join(
                f" JOIN applicants_fts_words w{n} ON w{n}.applicant_id = w0.applicant_id "
                f"AND w{n}.word = %s"
                for n in range(1, len(others) + 1)
            )
            con.execute(
                "SELECT a.id, a.uuid, a.given_names, a.first_surname, a.second_surname, "
                "a.document_number FROM applicants a JOIN (SELECT w0.applicant_id "
                f"FROM applicants_fts_words w0{joins} WHERE w0.word = %s AND EXISTS (SELECT "
                "FROM applicants_fts_words p WHERE p.applicant_id = w0.applicant_id "
                "AND p.word LIKE %s) ORDER BY w0.applicant_id LIMIT 20) f "
                "ON a.id = f.applicant_id ORDER BY a.id",
                (*others, first, f"{last}%"),
            ).fetchall()

        for q in queries:
            bare(q)
        floor = [data.timed(lambda q=q: bare(q)) for _ in range(5) for q in queries]
    return statistics.median(ours) * 1000, statistics.median(floor) * 1000


_BASE: list[tuple[Server, str]] = []


def base(url: str) -> tuple[Server, str]:
    """The server and the loaded base database (a template for every figure's own copy),
    built once per run and dropped when the run ends, also after a failure."""
    if not _BASE:
        server = Server(url)
        atexit.register(server.close)
        _load(server.create(BASE))
        _BASE.append((server, BASE))
    return _BASE[0]
