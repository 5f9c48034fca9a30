"""The append-only audit log (C1, W7): who did what, to what, when."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from store.models import AuditEvent
from store.services.context import Ctx
from store.views import AuditEventView


def record(ctx: Ctx, action: str, subject: str, **details: Any) -> None:
    """C1: write one audit event. Document numbers must arrive already masked (K6)."""
    record_many(ctx, action, [(subject, details)])


def record_many(ctx: Ctx, action: str, events: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
    """Write several audit events of one action in one statement (W7 for a batch)."""
    rows = [
        {
            "at": ctx.now,
            "actor": ctx.actor.label,
            "action": action,
            "subject": subject,
            "details": json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        }
        for subject, details in events
    ]
    if rows:
        ctx.insert_many(AuditEvent, rows)


def list_events(
    ctx: Ctx,
    *,
    action: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    limit: int = 200,
) -> list[AuditEventView]:
    """The newest audit events first. `action` matches from its start ("booking." finds every
    booking action), `actor` and `subject` anywhere, all without regard to case."""
    query = sa.select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if action:
        query = query.where(col(AuditEvent.action).istartswith(action.strip(), autoescape=True))
    if actor:
        query = query.where(col(AuditEvent.actor).icontains(actor.strip(), autoescape=True))
    if subject:
        query = query.where(col(AuditEvent.subject).icontains(subject.strip(), autoescape=True))
    return [
        AuditEventView(e.id or 0, e.at, e.actor, e.action, e.subject, e.details)
        for e in ctx.session.scalars(query)
    ]
