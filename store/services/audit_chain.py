"""The audit log proves itself (W7, C1; issue 15 §3): every event carries a SHA-256 over its
own content and the previous event's hash, so an event deleted, changed, reordered or slipped
in between breaks the chain at the first event after it.

Events are chained when the transaction that wrote them is about to commit (`seal`), never
before: the chain's lock (PostgreSQL: one advisory lock; SQLite has one writer at a time) is
then the last lock a transaction takes and is held only for the few rows it appends, so it
adds no deadlock and no wait to the rest of the work. Ids are given under that lock, so the
chain's order is the ids' order.

What the chain cannot show by itself is a cut at the very end (the newest events removed):
`verify` reports the newest event's hash (`head`) for an office to keep somewhere else and
compare. On PostgreSQL the application's role may only INSERT and SELECT the log
(`kiosk db upgrade --app-role`), so it cannot cut anything."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from store.models import AuditEvent
from store.services.bulk import insert_rows
from store.views import ChainVerdict

GENESIS = "0" * 64  # the hash before the first event (also store.views.ChainVerdict)
# Any fixed number: the key of the advisory lock that orders appends on PostgreSQL.
_CHAIN_LOCK = 0x6B696F736B


def digest(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """SHA-256 over the previous hash and the event's content, in one canonical spelling (the
    moment in UTC to the microsecond, as both databases keep it). An event that came from
    another store (O4) has its origin and its hash there in the content too; one written here
    has neither, and hashes as it did before they existed."""
    at: datetime = row["at"]
    content = [
        prev_hash,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        row["actor"],
        row["action"],
        row["subject"],
        row["details"],
    ]
    if row.get("origin"):
        content += [row["origin"], row["origin_hash"]]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def link(prev_hash: str, rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """The rows with their `prev_hash` and `hash`, chained after `prev_hash`; and the last hash."""
    linked = []
    for row in rows:
        current = digest(prev_hash, row)
        linked.append({**row, "prev_hash": prev_hash, "hash": current})
        prev_hash = current
    return linked, prev_hash


def head(session: Session) -> str:
    """The newest event's hash (the genesis value for an empty log)."""
    last = session.scalar(
        sa.select(col(AuditEvent.hash)).order_by(col(AuditEvent.id).desc()).limit(1)
    )
    return last or GENESIS


def seal(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append `rows` to the log, chained after its newest event, in this transaction (called
    by the store just before it commits)."""
    if not rows:
        return
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    local = {"origin": None, "origin_hash": None}
    linked, _ = link(head(session), [{**local, **row} for row in rows])
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
