"""The applicant's mailbox (M1, M2) and the e-mail outbox (M3).

Every notice we give a person is deposited here first: the mailbox is the record. When mail
is configured, the same transaction queues an e-mail in the outbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from store.errors import NotFound
from store.models import Applicant, Booking, Notice, Outbox
from store.services.context import Ctx
from store.text import N_, Message
from store.views import NoticeView

_BACKOFF_CAP = timedelta(hours=6)


@dataclass(frozen=True)
class NewNotice:
    """A notice about to be deposited."""

    applicant_id: int
    kind: str
    subject: str
    body: str
    params: Mapping[str, Any]
    booking_id: int | None = None
    ticket_id: int | None = None
    deadline: date | None = None


def deposit(ctx: Ctx, notice: NewNotice) -> None:
    """M1: put one notice in an applicant's mailbox (and the outbox, M3)."""
    deposit_many(ctx, [notice])


def deposit_many(ctx: Ctx, notices: Sequence[NewNotice]) -> None:
    """M1, M3: deposit notices in one statement; queue their e-mails when mail is on."""
    if not notices:
        return
    rows = [
        {
            "uuid": str(uuid.uuid4()),
            "applicant_id": n.applicant_id,
            "kind": n.kind,
            "subject": n.subject,
            "body": n.body,
            "params": json.dumps(n.params, ensure_ascii=False, sort_keys=True),
            "booking_id": n.booking_id,
            "ticket_id": n.ticket_id,
            "deadline": n.deadline,
            "created_at": ctx.now,
        }
        for n in notices
    ]
    if not ctx.config.mail_enabled:
        ctx.insert_many(Notice, rows)
        return
    inserted = ctx.session.execute(
        sa.insert(Notice).returning(
            col(Notice.id), col(Notice.applicant_id), sort_by_parameter_order=True
        ),
        rows,
    ).all()
    applicant_ids = {row.applicant_id for row in inserted}
    emails: dict[int | None, str] = dict(
        ctx.session.execute(
            sa.select(col(Applicant.id), col(Applicant.email)).where(
                col(Applicant.id).in_(applicant_ids)
            )
        ).all()
    )
    ctx.session.execute(
        sa.insert(Outbox),
        [
            {
                "notice_id": row.id,
                "to_address": emails[row.applicant_id],
                "next_attempt_at": ctx.now,
                "created_at": ctx.now,
            }
            for row in inserted
        ],
    )


def _view(notice: Notice, code: str | None) -> NoticeView:
    params = json.loads(notice.params)
    return NoticeView(
        id=notice.id or 0,
        kind=notice.kind,
        subject=Message(notice.subject, params),
        body=Message(notice.body, params),
        created_at=notice.created_at,
        read_at=notice.read_at,
        booking_code=code,
        deadline=notice.deadline,
    )


def list_notices(ctx: Ctx, applicant_id: int) -> list[NoticeView]:
    """M2: every notice of an applicant, newest first."""
    rows = ctx.session.execute(
        sa.select(Notice, col(Booking.code))
        .outerjoin(Booking, col(Booking.id) == Notice.booking_id)
        .where(col(Notice.applicant_id) == applicant_id)
        .order_by(col(Notice.id).desc())
    ).all()
    return [_view(notice, code) for notice, code in rows]


def unread_count(ctx: Ctx, applicant_id: int) -> int:
    """M1: how many notices the applicant has not opened yet."""
    return (
        ctx.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notice)
            .where(col(Notice.applicant_id) == applicant_id, col(Notice.read_at).is_(None))
        )
        or 0
    )


def open_notice(ctx: Ctx, applicant_id: int, notice_id: int) -> NoticeView:
    """M1: open a notice; the first opening is recorded as the acknowledgement of receipt."""
    notice = ctx.session.get(Notice, notice_id)
    if notice is None or notice.applicant_id != applicant_id:
        raise NotFound("notice_not_found", N_("Ese aviso no existe en su buzón."))
    if notice.read_at is None:
        notice.read_at = ctx.now
    code = (
        ctx.session.scalar(sa.select(col(Booking.code)).where(col(Booking.id) == notice.booking_id))
        if notice.booking_id
        else None
    )
    return _view(notice, code)


Sender = Callable[[str, str, str], None]
"""Sends one e-mail: (to address, subject, body); raises on failure."""


def deliver_outbox(
    ctx: Ctx, send: Sender, translate: Callable[[str], str], *, batch: int = 50
) -> tuple[int, int]:
    """M3: send the e-mails that are due; a failure is retried later with doubling backoff.

    Returns (sent, failed)."""
    due = ctx.session.execute(
        sa.select(Outbox, Notice)
        .join(Notice, col(Notice.id) == Outbox.notice_id)
        .where(col(Outbox.sent_at).is_(None), col(Outbox.next_attempt_at) <= ctx.now)
        .order_by(col(Outbox.id))
        .limit(batch)
    ).all()
    sent = failed = 0
    for mail, notice in due:
        view = _view(notice, None)
        try:
            send(mail.to_address, view.subject.render(translate), view.body.render(translate))
        except Exception as error:  # any transport failure is retried, never lost
            mail.attempts += 1
            mail.last_error = str(error)[:500]
            mail.next_attempt_at = ctx.now + min(timedelta(minutes=2**mail.attempts), _BACKOFF_CAP)
            failed += 1
        else:
            mail.sent_at = ctx.now
            mail.attempts += 1
            sent += 1
    return sent, failed
