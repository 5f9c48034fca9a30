"""The applicant's mailbox (M1, M2) and the e-mail outbox (M3).

Every notice we give a person is deposited here first: the mailbox is the record. When mail
is configured, the same transaction queues an e-mail in the outbox; `claim_due`, `mark_sent`
and `mark_failed` are the short transactions around a send (store.mail sends outside them)."""

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
from store.models import Applicant, Booking, Notice, Outbox, UTCDateTime
from store.services import audit
from store.services.context import Ctx
from store.services.lookups import booking_view
from store.services.roles import require_role
from store.text import N_, Message
from store.views import EmailStatus, NoticeView, OutgoingMail, full_name

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
    rows = notice_rows(ctx, notices)
    ctx.insert_many(Notice, rows)
    if ctx.config.mail_enabled:  # else the query below is not even built (a booking's 50 µs)
        queue_mail(
            ctx, sa.select(col(Notice.id)).where(col(Notice.uuid).in_([r["uuid"] for r in rows]))
        )


def notice_rows(ctx: Ctx, notices: Sequence[NewNotice]) -> list[dict[str, Any]]:
    """The mailbox's rows of `notices`, each with a uuid of its own, written now."""
    return [
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


def queue_mail(ctx: Ctx, notice_ids: sa.Select[Any]) -> None:
    """M3: when mail is on, each notice of `notice_ids` (a query of new notices' ids) waits
    in the outbox for its e-mail, to the applicant's address."""
    if not ctx.config.mail_enabled:
        return
    ctx.session.connection().execute(mail_of(notice_ids, lambda: sa.literal(ctx.now, UTCDateTime)))


def mail_of(notice_ids: sa.Select[Any], now: Callable[[], sa.ColumnElement[Any]]) -> sa.Insert:
    """M3: the outbox's rows of the notices of `notice_ids`, due `now()` (the moment, as a
    literal or a parameter)."""
    return sa.insert(Outbox).from_select(
        ["notice_id", "to_address", "next_attempt_at", "created_at"],
        sa.select(col(Notice.id), col(Applicant.email), now(), now())
        .join(Applicant, col(Applicant.id) == Notice.applicant_id)
        .where(col(Notice.id).in_(notice_ids))
        .order_by(col(Notice.id)),
        include_defaults=True,
    )


def _view(notice: Notice, code: str | None, mail: Outbox | None = None) -> NoticeView:
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
        email=email_status(mail),
    )


def list_notices(ctx: Ctx, applicant_id: int) -> list[NoticeView]:
    """M2: every notice of an applicant, newest first (M3: with what became of its e-mail)."""
    rows = ctx.session.execute(
        sa.select(Notice, col(Booking.code), Outbox)
        .outerjoin(Booking, col(Booking.id) == Notice.booking_id)
        .outerjoin(Outbox, col(Outbox.notice_id) == Notice.id)
        .where(col(Notice.applicant_id) == applicant_id)
        .order_by(col(Notice.id).desc())
    ).all()
    return [_view(notice, code, mail) for notice, code, mail in rows]


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
    """M1: open a notice; the person's first opening is recorded as the acknowledgement of
    receipt. K8: a staff member opening it on the person's behalf (assisted mode) is not that
    acknowledgement: it leaves `read_at` alone and is audited as a staff read."""
    notice = ctx.session.get(Notice, notice_id)
    if notice is None or notice.applicant_id != applicant_id:
        raise NotFound("notice_not_found", N_("Ese aviso no existe en su buzón."))
    if ctx.actor.staff_id is not None:
        require_role(ctx, audit.COUNTER_ROLES)  # an auditor reads the log, not people's notices
        audit.record(ctx, "notice.read_by_staff", notice.uuid, kind=notice.kind)
    elif notice.read_at is None:
        notice.read_at = ctx.now
    code = (
        ctx.session.scalar(sa.select(col(Booking.code)).where(col(Booking.id) == notice.booking_id))
        if notice.booking_id
        else None
    )
    return _view(notice, code)


# M3: how long a claim keeps other senders off an e-mail (longer than a run's sends can take
# at the SMTP timeout); how many permanent refusals before it is given up; the backoff's cap.
CLAIM_FOR = timedelta(minutes=15)
MAX_REFUSALS = 3


def claim_due(ctx: Ctx, batch: int) -> list[OutgoingMail]:
    """M3: claim up to `batch` e-mails that are due, oldest first, for one sender: in this
    short transaction they are marked as taken until `now + CLAIM_FOR`, so two senders (two
    counters, a cron job) never send one twice, and one that died leaves them to be retried."""
    query = (
        sa.select(Outbox)
        .where(
            col(Outbox.sent_at).is_(None),
            col(Outbox.failed_at).is_(None),
            col(Outbox.next_attempt_at) <= ctx.now,
            sa.or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) <= ctx.now),
        )
        .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
        .limit(batch)
    )
    if ctx.is_postgres:
        query = query.with_for_update(skip_locked=True)
    rows = ctx.session.scalars(query).all()
    if not rows:
        return []
    ctx.session.execute(
        sa.update(Outbox)
        .where(col(Outbox.id).in_([r.id for r in rows]))
        .values(claimed_until=ctx.now + CLAIM_FOR)
    )
    notices = {
        n.id: n
        for n in ctx.session.scalars(
            sa.select(Notice).where(col(Notice.id).in_([r.notice_id for r in rows]))
        )
    }
    people = {
        a.id: a
        for a in ctx.session.scalars(
            sa.select(Applicant).where(
                col(Applicant.id).in_({n.applicant_id for n in notices.values()})
            )
        )
    }
    mails = []
    for row in rows:
        notice = notices[row.notice_id]
        person = people[notice.applicant_id]
        booking = ctx.session.get(Booking, notice.booking_id) if notice.booking_id else None
        params = json.loads(notice.params)
        mails.append(
            OutgoingMail(
                outbox_id=row.id or 0,
                notice_uuid=notice.uuid,
                kind=notice.kind,
                to_address=row.to_address,
                recipient=full_name(
                    person.given_names, person.first_surname, person.second_surname
                ),
                language=person.language,
                subject=Message(notice.subject, params),
                body=Message(notice.body, params),
                booking=booking_view(ctx, booking) if booking is not None else None,
            )
        )
    return mails


def mark_sent(ctx: Ctx, outbox_id: int) -> None:
    """M3: the server took the e-mail."""
    ctx.session.execute(
        sa.update(Outbox)
        .where(col(Outbox.id) == outbox_id)
        .values(
            sent_at=ctx.now,
            attempts=Outbox.attempts + 1,
            claimed_until=None,
            last_error=None,
        )
    )


def mark_failed(ctx: Ctx, outbox_id: int, error: str, *, permanent: bool) -> bool:
    """M3: a send that did not go through is tried again after a doubling wait (2, 4, 8 …
    minutes of the store's clock, up to the cap); after MAX_REFUSALS permanent refusals (5xx)
    it is given up, and staff see the server's answer. Returns True while it will be retried."""
    mail = ctx.session.get(Outbox, outbox_id)
    if mail is None or mail.sent_at is not None:
        return False
    mail.attempts += 1
    mail.last_error = error[:500]
    mail.claimed_until = None
    mail.next_attempt_at = ctx.now + min(timedelta(minutes=2**mail.attempts), _BACKOFF_CAP)
    if permanent:
        mail.refusals += 1
        if mail.refusals >= MAX_REFUSALS:
            mail.failed_at = ctx.now
            return False
    return True


def pending_count(ctx: Ctx) -> int:
    """M3: e-mails neither sent nor given up."""
    return (
        ctx.session.scalar(
            sa.select(sa.func.count())
            .select_from(Outbox)
            .where(col(Outbox.sent_at).is_(None), col(Outbox.failed_at).is_(None))
        )
        or 0
    )


def email_status(mail: Outbox | None) -> EmailStatus | None:
    """M3: a notice's e-mail as staff see it (None where none was queued)."""
    if mail is None:
        return None
    state = "sent" if mail.sent_at else "failed" if mail.failed_at else "pending"
    return EmailStatus(
        state=state,
        to_address=mail.to_address,
        attempts=mail.attempts,
        next_attempt_at=mail.next_attempt_at if state == "pending" else None,
        sent_at=mail.sent_at,
        failed_at=mail.failed_at,
        last_error=mail.last_error,
    )
