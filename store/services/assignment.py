"""Automated assignment (W2, W5, W7): free seats go to the people waiting, in order.

`assign_waitlist` runs inside the very transaction that opened the capacity (or cancelled a
booking, or expired a hold) and works on sets, in the database (issue 19): the free seats in
time order and the waiting entries in order of their place (`ranked_at`: the enrolment, or a
displaced person's original date, B12) are numbered into temporary tables and the n-th seat
goes to the n-th entry; bookings, notices and e-mails are written by INSERT … SELECT, the
seats' counts by one UPDATE … FROM, the audit events from one read of the pairs. The SQL that
differs between SQLite and PostgreSQL (formatting dates, building JSON, making uuids) is in
`_deposit_notices` and `bulk.new_uuid`, and the tests run it on both. Either all of it
commits or none of it does.

Three guards keep an entry from being assigned twice: the office/procedure lock (one assigner
per queue at a time), the conditional `status = 'waiting'` update, and the unique
`bookings.waitlist_entry_id`."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

import store.codes as codes
from store.models import (
    SEAT_STATES,
    Booking,
    Notice,
    Office,
    Procedure,
    Slot,
    UTCDateTime,
    WaitlistEntry,
)
from store.services import audit, mailbox
from store.services.booking_codes import unique_codes
from store.services.bulk import insert_rows, new_uuid
from store.services.context import Ctx
from store.services.lookups import procedure_names
from store.text import N_
from store.timefmt import fmt_date, fmt_time, in_zone, utc_offsets


@dataclass(frozen=True)
class FreeSeat:
    """One free seat of an open, future time."""

    slot_id: int
    seat: int
    day: date
    start_time: time


# -- the queue's working tables -------------------------------------------------------------
# Temporary (per connection, invisible to every other one), emptied at the start of each
# assignment and, on PostgreSQL, at commit: the n-th free seat, the n-th pair, its code.
_WORK = sa.MetaData()


def _work_table(name: str, *columns: sa.Column[Any]) -> sa.Table:
    return sa.Table(
        name,
        _WORK,
        sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
        *columns,
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DELETE ROWS",
    )


def _seat_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("slot_id", sa.Integer, nullable=False),
        sa.Column("seat", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("start_time", sa.Time, nullable=False),
    ]


_seat = _work_table("w2_seat", *_seat_columns())
_pair = _work_table(
    "w2_pair",
    sa.Column("entry_id", sa.Integer, nullable=False),
    sa.Column("entry_uuid", sa.String(36), nullable=False),
    sa.Column("applicant_id", sa.Integer, nullable=False),
    sa.Column("ranked_at", UTCDateTime, nullable=False),
    *_seat_columns(),
)
_code = _work_table(
    "w2_code",
    sa.Column("code", sa.String(8), nullable=False),
    sa.Column("shown", sa.String(9), nullable=False),
)


def _fresh_work_tables(connection: sa.Connection) -> None:
    for table in (_seat, _pair, _code):
        connection.execute(sa.schema.CreateTable(table, if_not_exists=True))
        connection.execute(sa.delete(table))


def free_seats_query(ctx: Ctx, office_id: int, procedure_id: int, limit: int) -> sa.Select[Any]:
    """B5, W2: the free seats of future, open times, earliest first (time, then seat), at
    most `limit`, each numbered from 1 (`n`) in that order: a time's seats 1…seats that no
    held, confirmed or attended booking occupies."""
    open_slot = (
        col(Slot.office_id) == office_id,
        col(Slot.procedure_id) == procedure_id,
        col(Slot.starts_at) > ctx.now,
        col(Slot.taken) < Slot.seats,
        sa.not_(col(Slot.blocked)),
    )
    widest = sa.select(sa.func.max(Slot.seats)).where(*open_slot).scalar_subquery()
    number = sa.select(sa.literal(1).label("i")).cte("seat_number", recursive=True)
    number = number.union_all(sa.select(number.c.i + 1).where(number.c.i < widest))
    order = (col(Slot.starts_at), col(Slot.id), number.c.i)
    occupied = sa.exists().where(
        col(Booking.slot_id) == Slot.id,
        col(Booking.seat) == number.c.i,
        col(Booking.status).in_(SEAT_STATES),
    )
    return (
        sa.select(
            sa.func.row_number().over(order_by=order).label("n"),
            col(Slot.id).label("slot_id"),
            number.c.i.label("seat"),
            col(Slot.day),
            col(Slot.start_time),
        )
        .join_from(Slot, number, number.c.i <= Slot.seats)
        .where(*open_slot, ~occupied)
        .order_by(*order)
        .limit(limit)
    )


def free_seats(ctx: Ctx, office_id: int, procedure_id: int, limit: int) -> list[FreeSeat]:
    """Free seats of future, open times, earliest first, at most `limit`."""
    if limit <= 0:
        return []
    rows = ctx.session.execute(free_seats_query(ctx, office_id, procedure_id, limit))
    return [FreeSeat(r.slot_id, r.seat, r.day, r.start_time) for r in rows]


def assign_waitlist(ctx: Ctx, office_id: int, procedure_id: int) -> list[str]:
    """W2, W5, W7: give the free seats to the waiting entries strictly in enrolment order.

    Set-based: the free seats and the waiting entries are numbered in the database and the
    n-th seat goes to the n-th entry; bookings, notices (with their e-mails, M3) and the
    count of taken seats are written by INSERT … SELECT and UPDATE, the audit events by one
    read of the pairs. The caller holds the office/procedure lock. Returns the codes of the
    bookings created, in the order of the entries served."""
    queue = (
        col(WaitlistEntry.office_id) == office_id,
        col(WaitlistEntry.procedure_id) == procedure_id,
        col(WaitlistEntry.status) == "waiting",
    )
    waiting = (
        ctx.session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry).where(*queue)) or 0
    )
    if not waiting:
        return []
    ctx.session.flush()
    connection = ctx.session.connection()
    _fresh_work_tables(connection)
    connection.execute(
        sa.insert(_seat).from_select(
            ["n", "slot_id", "seat", "day", "start_time"],
            free_seats_query(ctx, office_id, procedure_id, waiting),
        )
    )
    # Counted, not taken from rowcount: sqlite3 reports none for an INSERT led by WITH.
    seats = connection.scalar(sa.select(sa.func.count()).select_from(_seat)) or 0
    if not seats:
        return []
    entry_order = (col(WaitlistEntry.ranked_at), col(WaitlistEntry.id))
    entries = (
        sa.select(
            sa.func.row_number().over(order_by=entry_order).label("n"),
            col(WaitlistEntry.id),
            col(WaitlistEntry.uuid),
            col(WaitlistEntry.applicant_id),
            col(WaitlistEntry.ranked_at),
        )
        .where(*queue)
        .order_by(*entry_order)
        .limit(seats)
        .subquery()
    )
    connection.execute(
        sa.insert(_pair).from_select(
            [c.name for c in _pair.columns],
            sa.select(
                entries.c.n,
                entries.c.id,
                entries.c.uuid,
                entries.c.applicant_id,
                entries.c.ranked_at,
                _seat.c.slot_id,
                _seat.c.seat,
                _seat.c.day,
                _seat.c.start_time,
            ).join_from(entries, _seat, _seat.c.n == entries.c.n),
        )
    )
    pairs = seats  # as many seats were taken as people wait at most, so each has its person
    _give_codes(ctx, connection, pairs)
    closed = connection.execute(
        sa.update(WaitlistEntry)
        .where(*queue, col(WaitlistEntry.id).in_(sa.select(_pair.c.entry_id)))
        .values(status="assigned", closed_at=ctx.now)
    ).rowcount
    for loaded in list(ctx.session.identity_map.values()):
        if isinstance(loaded, WaitlistEntry):
            ctx.session.expire(loaded)  # entries the session has loaded read as assigned too
    if closed != pairs:
        raise RuntimeError("waitlist changed under the queue lock")  # never: the lock forbids it
    connection.execute(
        sa.insert(Booking.__table__).from_select(  # type: ignore[attr-defined]
            [
                "uuid",
                "code",
                "slot_id",
                "seat",
                "applicant_id",
                "office_id",
                "procedure_id",
                "status",
                "created_at",
                "confirmed_at",
                "waitlist_entry_id",
                "created_by",
            ],
            sa.select(
                new_uuid(connection.dialect),
                _code.c.code,
                _pair.c.slot_id,
                _pair.c.seat,
                _pair.c.applicant_id,
                sa.literal(office_id),
                sa.literal(procedure_id),
                sa.literal("confirmed"),
                sa.literal(ctx.now, UTCDateTime),
                sa.literal(ctx.now, UTCDateTime),
                _pair.c.entry_id,
                sa.literal(ctx.actor.staff_id, sa.Integer),
            )
            .join_from(_pair, _code, _code.c.n == _pair.c.n)
            .order_by(_pair.c.n),
            include_defaults=False,
        )
    )
    per_slot = (
        sa.select(_pair.c.slot_id, sa.func.count().label("served"))
        .group_by(_pair.c.slot_id)
        .subquery()
    )
    connection.execute(  # UPDATE … FROM: SQLite 3.33 and PostgreSQL
        sa.update(Slot)
        .where(col(Slot.id) == per_slot.c.slot_id)
        .values(taken=Slot.taken + per_slot.c.served)
    )
    _deposit_notices(ctx, connection, office_id, procedure_id)
    made = connection.execute(
        sa.select(
            _pair.c.entry_uuid,
            _pair.c.entry_id,
            _pair.c.ranked_at,
            _pair.c.slot_id,
            _pair.c.seat,
            _code.c.code,
        )
        .join_from(_pair, _code, _code.c.n == _pair.c.n)
        .order_by(_pair.c.n)
    ).all()
    audit.record_many(
        ctx,
        "waitlist.assigned",
        [
            (
                row.entry_uuid,
                {
                    "entry": row.entry_id,
                    "enrolled_at": row.ranked_at.isoformat(),
                    "slot": row.slot_id,
                    "seat": row.seat,
                    "code": row.code,
                },
            )
            for row in made
        ],
    )
    return [row.code for row in made]


def _give_codes(ctx: Ctx, connection: sa.Connection, count: int) -> None:
    """B7: a fresh verification code for each of the `count` pairs, as stored and as shown."""
    insert_rows(
        connection,
        _code,
        [
            {"n": n, "code": code, "shown": codes.display_code(code)}
            for n, code in enumerate(unique_codes(ctx, count), start=1)
        ],
    )


def _deposit_notices(
    ctx: Ctx, connection: sa.Connection, office_id: int, procedure_id: int
) -> None:
    """M1: the assignment notice of each pair, its parameters built in the database (the
    time as the office reads it, the enrolment on the office's wall clock)."""
    office = ctx.session.get(Office, office_id)
    procedure = ctx.session.get(Procedure, procedure_id)
    assert office and procedure
    names = json.dumps(procedure_names(ctx, procedure.id), ensure_ascii=False, sort_keys=True)
    first, last = connection.execute(
        sa.select(sa.func.min(_pair.c.ranked_at), sa.func.max(_pair.c.ranked_at))
    ).one()
    offsets = utc_offsets(office.time_zone, first, last)
    shift: sa.ColumnElement[int] = sa.literal(offsets[-1][1])
    if len(offsets) > 1:
        shift = sa.case(
            *[
                (_pair.c.ranked_at < sa.literal(until, UTCDateTime), seconds)
                for (_since, seconds), (until, _next) in itertools.pairwise(offsets)
            ],
            else_=offsets[-1][1],
        )
    postgres = connection.dialect.name == "postgresql"

    def text(value: str) -> sa.ColumnElement[str]:
        return sa.cast(sa.literal(value, sa.Text), sa.Text)

    if postgres:
        day = sa.func.to_char(_pair.c.day, "DD-MM-YYYY")
        clock = sa.func.to_char(_pair.c.start_time, "HH24:MI")
        enrolled = sa.func.to_char(
            _pair.c.ranked_at + sa.func.make_interval(0, 0, 0, 0, 0, 0, shift, type_=sa.Interval),
            "DD-MM-YYYY HH24:MI",
        )
        build = sa.func.json_build_object
        nested: sa.ColumnElement[Any] = sa.cast(text(names), sa.JSON)
    else:
        day = sa.func.strftime("%d-%m-%Y", _pair.c.day)
        clock = sa.func.substr(_pair.c.start_time, 1, 5)
        enrolled = sa.func.strftime(
            "%d-%m-%Y %H:%M", _pair.c.ranked_at, sa.func.printf("%+d seconds", shift)
        )
        build, nested = sa.func.json_object, sa.func.json(text(names))
    params = build(
        "address", text(office.address),
        "code", _code.c.shown,
        "date", day,
        "enrolled", enrolled,
        "office", text(office.name),
        "procedure", text(procedure.name),
        "procedure_names", nested,
        "time", clock,
    )  # fmt: skip
    connection.execute(
        sa.insert(Notice.__table__).from_select(  # type: ignore[attr-defined]
            [
                "uuid",
                "applicant_id",
                "kind",
                "subject",
                "body",
                "params",
                "booking_id",
                "created_at",
            ],
            sa.select(
                new_uuid(connection.dialect),
                _pair.c.applicant_id,
                sa.literal("assignment"),
                sa.literal(ASSIGNED_SUBJECT),
                sa.literal(ASSIGNED_BODY),
                sa.cast(params, sa.Text),
                col(Booking.id),
                sa.literal(ctx.now, UTCDateTime),
            )
            .join_from(_pair, _code, _code.c.n == _pair.c.n)
            .join(Booking, col(Booking.waitlist_entry_id) == _pair.c.entry_id)
            .order_by(_pair.c.n),
            include_defaults=False,
        )
    )
    mailbox.queue_mail(
        ctx,
        sa.select(col(Notice.id))
        .join(Booking, col(Booking.id) == Notice.booking_id)
        .join(_pair, _pair.c.entry_id == Booking.waitlist_entry_id),
    )


ASSIGNED_SUBJECT = N_("Hora asignada: {procedure}, {date} a las {time}")
ASSIGNED_BODY = N_(
    "Por asignación automatizada se le asignó una hora para {procedure} en "
    "{office} ({address}) el {date} a las {time}. Código de verificación: {code}. "
    "Fecha de inscripción en la lista: {enrolled}. Traiga el comprobante impreso "
    "y los documentos indicados."
)


def fmt_moment(moment: datetime, time_zone: str) -> str:
    """A UTC moment (an enrolment) as a date and time on an office's wall clock."""
    local = in_zone(moment, time_zone)
    return f"{fmt_date(local.date())} {fmt_time(local)}"
