"""The audit log proves itself (W7, C1; issue 15 §3): every event carries a SHA-256 over its
own content and the previous event's hash, so an event deleted, changed, reordered or slipped
in between breaks the chain at the first event after it.

Events are chained when the transaction that wrote them is about to commit (`seal`), never
before: the chain's turn (PostgreSQL: the row lock of `audit_head`, which holds the newest
hash; SQLite has one writer at a time) is then the last lock a transaction takes and is held
only for the few rows it appends and the commit, so it adds no deadlock and no wait to the
rest of the work. Ids are given in turn, so the chain's order is the ids' order.

What the chain cannot show by itself is a cut at the very end (the newest events removed):
`verify` reports the newest event's hash (`head`) for an office to keep somewhere else and
compare. On PostgreSQL the application's role may only INSERT and SELECT the log
(`kiosk db upgrade --app-role`), so it cannot cut anything."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from store.db import SQLITE_SHA256, send_with_commit, sha256_hex
from store.models import AuditEvent, AuditHead
from store.services.bulk import insert_rows
from store.services.prepared import Prepared
from store.views import ChainVerdict

GENESIS = "0" * 64  # the hash before the first event (also store.views.ChainVerdict)


def digest(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """SHA-256 over the previous hash and the event's content, in one canonical spelling (the
    moment in UTC to the microsecond, as both databases keep it). An event that came from
    another store (O4) has its origin and its hash there in the content too; one written here
    has neither, and hashes as it did before they existed. The text hashed is the JSON array
    `[prev_hash, at, actor, action, subject, details(, origin, origin_hash)]`, compact, in
    UTF-8 (PostgreSQL spells the same text from `prev_hash` and `_tail`: `append_one`)."""
    return sha256_hex('["' + prev_hash + '",' + _tail(row))


def _tail(row: Mapping[Any, Any]) -> str:
    """The canonical spelling of an event's content after its previous hash: `"at",…]`."""
    at: datetime = row["at"]
    content = [
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        row["actor"],
        row["action"],
        row["subject"],
        row["details"],
    ]
    if row.get("origin"):
        content += [row["origin"], row["origin_hash"]]
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))[1:]


def link(prev_hash: str, rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """The rows with their `prev_hash` and `hash`, chained after `prev_hash`; and the last hash."""
    linked = []
    for row in rows:
        current = digest(prev_hash, row)
        linked.append({**row, "prev_hash": prev_hash, "hash": current})
        prev_hash = current
    return linked, prev_hash


# The chain's turn: the newest hash, read once the writer before has committed (PostgreSQL:
# its row lock, held to the end of this transaction; SQLite has one writer at a time).
_HEAD = Prepared(
    lambda _: sa.select(col(AuditHead.hash)).where(col(AuditHead.id) == 1).with_for_update()
)


def append_one(dialect: sa.Dialect, only_if: sa.ColumnElement[bool] | None = None) -> sa.Insert:
    """One event chained and written by one statement, which takes the chain's turn itself
    (PostgreSQL: the row lock of the head; sent with the COMMIT, so the turn is held for the
    time the server takes). Its hash is `digest`'s, spelt by the database from the head and
    `_tail` (SQLite: by `db.SQLITE_SHA256`, Python's own SHA-256 given to each connection);
    its parameters are `one_event`'s. With `only_if`, the event is written only where that
    condition holds when the statement runs (a booking sent in one round trip with its
    event: the event of a booking that was not written is not written either)."""
    head = (
        sa.select(col(AuditHead.hash)).where(col(AuditHead.id) == 1).with_for_update().cte("head")
    )
    text = sa.literal('["') + head.c.hash + sa.literal('",') + sa.bindparam("tail", type_=sa.Text)
    if dialect.name == "sqlite":
        hashed = getattr(sa.func, SQLITE_SHA256)(text)
    else:
        hashed = sa.func.encode(sa.func.sha256(sa.func.convert_to(text, "UTF8")), "hex")
    # Without the head's row, its hash is null and the log refuses the event (and with it
    # the whole unit of work) rather than leaving it unwritten.
    anchor = sa.select(sa.literal(1).label("one")).subquery("anchor")
    row = sa.select(
        *(sa.bindparam(name, type_=AuditEvent.__table__.c[name].type) for name in _COLUMNS),  # type: ignore[attr-defined]
        head.c.hash,
        hashed,
    ).select_from(anchor.outerjoin(head, sa.true()))
    if only_if is not None:
        row = row.where(only_if)
    return sa.insert(AuditEvent).from_select(
        [*_COLUMNS, "prev_hash", "hash"], row, include_defaults=False
    )


_COLUMNS = ("at", "actor", "action", "subject", "details", "origin", "origin_hash")


def one_event(row: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of `append_one` for one event written here (`audit.event_rows`)."""
    event = {"origin": None, "origin_hash": None, **row}
    return {**event, "tail": _tail(event)}


_APPEND_ONE = Prepared(append_one)


def _turn(connection: sa.Connection) -> str:
    """The chain's turn (see `_HEAD`); the newest event's hash."""
    head = _HEAD.first(connection)
    if head is None:
        raise RuntimeError("the audit log has no head (audit_head): run `kiosk db upgrade`")
    return str(head.hash)


def seal(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append `rows` to the log, chained after its newest event, in this transaction (called
    by the store just before it commits)."""
    if not rows:
        return
    session.flush()
    connection = session.connection()
    if len(rows) == 1:  # the common case: one statement, no Python between read and write
        if connection.dialect.name == "postgresql":
            send_with_commit(session, *_APPEND_ONE.bind(connection, one_event(rows[0])))
        else:
            _APPEND_ONE.run(connection, one_event(rows[0])).close()
        return
    local = {"origin": None, "origin_hash": None}
    events = [{**local, **row} for row in rows]
    linked, _ = link(_turn(connection), events)
    insert_rows(connection, AuditEvent.__table__, linked)  # type: ignore[attr-defined]


def verify(session: Session, *, batch: int = 5000) -> ChainVerdict:
    """Walk the whole log in id order and check every link."""
    columns = [
        col(AuditEvent.id),
        col(AuditEvent.at),
        col(AuditEvent.actor),
        col(AuditEvent.action),
        col(AuditEvent.subject),
        col(AuditEvent.details),
        col(AuditEvent.origin),
        col(AuditEvent.origin_hash),
        col(AuditEvent.prev_hash),
        col(AuditEvent.hash),
    ]
    rows = session.execute(
        sa.select(*columns).order_by(col(AuditEvent.id)).execution_options(yield_per=batch)
    )
    previous, count, last_id = GENESIS, 0, None
    for row in rows.mappings():
        count += 1
        problem = None
        if row["prev_hash"] != previous:
            problem = "link"
        elif digest(previous, row) != row["hash"]:
            problem = "changed"
        if problem is not None:
            rows.close()
            total = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0
            return ChainVerdict(total, False, broken_at=row["id"], problem=problem)
        previous, last_id = row["hash"], row["id"]
    return ChainVerdict(count, True, previous, head_id=last_id)
