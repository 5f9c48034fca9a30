"""What every service function receives: the transaction, the moment and who acts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from store.credentials import Passwords
from store.services.bulk import insert_rows
from store.views import Actor


@dataclass(frozen=True)
class StoreConfig:
    """Settings the rules depend on."""

    passwords: Passwords
    hold_minutes: int = 5
    mail_enabled: bool = False
    temporary_hours: int = 72  # issue 15 §6: how long a temporary password works
    # O3: the office whose store this is (None: the central store, or one that exchanges no
    # bundles); its capacity is the only one it may change.
    own_office: str | None = None


@dataclass(frozen=True)
class Ctx:
    """One unit of work: an open transaction at one moment, on behalf of one actor."""

    session: Session
    now: datetime
    actor: Actor
    config: StoreConfig
    # Audit events of this transaction, chained and written just before it commits (C1, W7).
    audit_rows: list[dict[str, Any]] = field(default_factory=list)
    # Rows this unit of work reads again later (the session holds what it loaded weakly only,
    # so a row no variable refers to any more is fetched anew by `session.get`).
    kept: list[Any] = field(default_factory=list)

    def keep(self, *rows: Any) -> None:
        """Keep loaded rows in the session's identity map until this unit of work ends."""
        self.kept.extend(rows)

    @property
    def is_postgres(self) -> bool:
        """Row locks matter only on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE."""
        return self.session.get_bind().dialect.name == "postgresql"

    def insert_many(self, model: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows in one statement, in this transaction, without the ORM's per-row
        bookkeeping (`bulk.insert_rows`: the thousands of rows a capacity opening writes).
        Pending ORM changes are flushed first, so foreign keys see them."""
        if rows:
            self.session.flush()
            insert_rows(self.session.connection(), model.__table__, rows)
