"""The cost of one booking, statement by statement (issue 19): what each statement the store
sends pays for, its time in the database driver, and the Python time spent before it
(building and compiling the statement, loading the rows of the one before)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

# The first words of each statement a booking sends, and the rule it pays for.
RULES = [
    ("PRAGMA busy_timeout", "C12: wait for a writer at most so long, then exit 3"),
    ("BEGIN IMMEDIATE", "one writer at a time on SQLite: no seat given twice"),
    ("BEGIN", "SQLite: the look before the write transaction (a read: no lock)"),
    ("SET LOCAL lock_timeout", "C12: wait for a lock at most so long, then exit 3"),
    (
        "SELECT offices.code",
        "B5, B6, B8, W1, O3: the time, its office, the person; does another rule answer first",
    ),
    (
        "SELECT 1 AS one FROM applicants",
        "B8: the person's row locked; W2: the office and procedure's shared",
    ),
    (
        "UPDATE slots",
        "B6: a seat taken only if one is free and every condition holds (no seat twice)",
    ),
    (
        "INSERT INTO bookings",
        "B6, B7: the booking, on the lowest free seat, under a code no one has",
    ),
    (
        "SELECT kiosk_statement",
        "PostgreSQL: B8, W2 (the locks), B6, B7 (the seat, the booking), M1, M3 (its notice, "
        "its e-mail), C1, W7 (its audit event, chained): one call, a transaction by itself",
    ),
    ("INSERT INTO notices", "M1: the notice in the person's mailbox"),
    ("INSERT INTO outbox", "M3: its e-mail, when mail is on"),
    ("SELECT audit_head.hash", "C1, W7: the audit chain's newest hash"),
    ("INSERT INTO audit_events", "C1: the audit event, chained"),
    (
        "WITH head AS",
        "C1, W7: the audit event, chained in the chain's turn, sent with the COMMIT "
        "(PostgreSQL: where the booking was written)",
    ),
]


def _rule(statement: str) -> str:
    for start, rule in RULES:
        if statement.startswith(start):
            return rule
    return "?"


def booking_statements(
    database: Any, book: Callable[[int, int], Any], pairs: list[tuple[int, int]]
) -> str:
    """A Markdown table of the median cost of each statement over the bookings of `pairs`,
    on the database's engines (SQLite reads on an engine of its own: the look before the
    write transaction)."""
    engines = {database.engine, database.read_engine}
    seen: dict[tuple[int, str], dict[str, list[float]]] = {}
    marks: dict[str, Any] = {}

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        marks["start"] = time.perf_counter()
        marks["gap"] = marks["start"] - marks["end"]

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        marks["end"] = time.perf_counter()
        key = (marks["n"], " ".join(statement.split()))
        marks["n"] += 1
        row = seen.setdefault(key, {"sql": [], "python": []})
        row["sql"].append(marks["end"] - marks["start"])
        row["python"].append(marks["gap"])

    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
    totals, tails = [], []
    try:
        for applicant, slot in pairs:
            marks.update(n=0, end=time.perf_counter())
            begun = marks["end"]
            book(applicant, slot)
            done = time.perf_counter()
            totals.append(done - begun)
            tails.append(done - marks["end"])
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
    lines = [
        "| # | statement | pays for | driver ms | Python ms before it |",
        "|---|---|---|---|---|",
    ]
    sql_sum = python_sum = 0.0
    for (n, statement), row in sorted(seen.items()):
        if len(row["sql"]) < len(pairs) // 2:
            continue  # a statement of some bookings only (a retry, a first-time cache fill)
        sql, python = statistics.median(row["sql"]) * 1000, statistics.median(row["python"]) * 1000
        sql_sum, python_sum = sql_sum + sql, python_sum + python
        words = statement if len(statement) <= 60 else statement[:57] + "…"
        lines.append(f"| {n + 1} | `{words}` | {_rule(statement)} | {sql:.3f} | {python:.3f} |")
    tail = statistics.median(tails) * 1000
    lines.append(f"| | the commit (and Python after the last statement) | — | — | {tail:.3f} |")
    lines.append(
        f"| | **one booking** (median {statistics.median(totals) * 1000:.2f} ms) | | "
        f"**{sql_sum:.3f}** | **{python_sum + tail:.3f}** |"
    )
    return "\n".join(lines)
