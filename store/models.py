"""The tables (SQLModel). Alembic owns the schema built from these (store/migrations).

Conventions:
- integer autoincrement keys: waitlist order (W2) is the order of `WaitlistEntry.id`;
- a public `uuid` on the rows that travel between offices (O3);
- appointment times are the office's wall clock (`day` + `start_time`, in `Office.time_zone`)
  with `starts_at` in UTC beside them for comparisons with "now";
- every other timestamp is an aware UTC datetime (`UTCDateTime`).
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Booking states that occupy a seat. A hold is a booking in state "held" with an expiry.
SEAT_STATES = ("held", "confirmed", "checked_in", "attended", "missed")
_SEAT_STATES_SQL = "status IN ('held', 'confirmed', 'checked_in', 'attended', 'missed')"


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime, stored naive-in-UTC so SQLite and PostgreSQL behave alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _uuid() -> str:
    return str(uuid_module.uuid4())


def utc_field(*, nullable: bool = False, index: bool = False) -> Any:
    """A column holding an aware UTC datetime."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def uuid_field() -> Any:
    """The public identity of a row that travels between offices (O3)."""
    return Field(default_factory=_uuid, max_length=36, unique=True, nullable=False)


def sync_field() -> Any:
    """O3: when the row last changed, as the database's triggers number changes (migration
    0011): a bundle carries the rows changed since the receiver's last acknowledgement. Never
    set by the application."""
    return Field(
        default=0, sa_type=sa.BigInteger, index=True, sa_column_kwargs={"server_default": "0"}
    )


class StoreFact(SQLModel, table=True):
    """What a store is, set once: `purpose` is `training` for a store `kiosk demo` made (its
    clock may be stood still and its passwords hashed fast; a real store refuses both)."""

    __tablename__ = "store_facts"
    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class Region(SQLModel, table=True):
    """One of Chile's 16 regions (B1), keyed by its ISO 3166-2:CL code."""

    __tablename__ = "regions"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True)
    number: str = Field(max_length=4)
    name: str = Field(max_length=80)
    capital: str = Field(max_length=80)
    time_zone: str = Field(max_length=40)


class Office(SQLModel, table=True):
    """An immigration office: where it is, when it opens, and its cancellation policy (B9)."""

    __tablename__ = "offices"
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = uuid_field()
    code: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=120)
    region_id: int = Field(foreign_key="regions.id", index=True)
    address: str = Field(max_length=200)
    time_zone: str = Field(max_length=40)
    # Weekdays open, Monday = 0: "01234" is Monday to Friday.
    open_weekdays: str = Field(default="01234", max_length=7)
    opens_at: time
    closes_at: time
    # B9: "never" (the original rule) or "hours_before" (until cancel_hours before the time).
    cancel_policy: str = Field(default="hours_before", max_length=16)
    cancel_hours: int = Field(default=24)
    # C11: minutes after an appointment's time before "did not come" may be marked.
    grace_minutes: int = Field(default=15, sa_column_kwargs={"server_default": "15"})
    # Q3: an appointment is "due now" from this many minutes before its time; a called number
    # may be marked absent after this many calls without an answer.
    call_window_minutes: int = Field(default=10, sa_column_kwargs={"server_default": "10"})
    max_calls: int = Field(default=3, sa_column_kwargs={"server_default": "3"})


class OfficeClosure(SQLModel, table=True):
    """A one-off day an office is closed (C6), besides weekends and public holidays."""

    __tablename__ = "office_closures"
    __table_args__ = (sa.UniqueConstraint("office_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id")
    day: date
    reason: str = Field(max_length=200)
    sync_seq: int = sync_field()


class Procedure(SQLModel, table=True):
    """An immigration procedure (B2), named in Spanish; its other languages' names are
    ProcedureName rows."""

    __tablename__ = "procedures"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True)
    name: str = Field(max_length=160)
    minutes: int = Field(default=20)


class ProcedureName(SQLModel, table=True):
    """A procedure's name in one language other than Spanish (K4): any language, one row each."""

    __tablename__ = "procedure_names"
    procedure_id: int = Field(foreign_key="procedures.id", primary_key=True)
    language: str = Field(max_length=8, primary_key=True)
    name: str = Field(max_length=160)


class ProcedureDocument(SQLModel, table=True):
    """One document to bring for a procedure (B2, B7), in Spanish; its other languages' texts
    are DocumentText rows."""

    __tablename__ = "procedure_documents"
    id: int | None = Field(default=None, primary_key=True)
    procedure_id: int = Field(foreign_key="procedures.id", index=True)
    position: int
    text: str = Field(max_length=300)


class DocumentText(SQLModel, table=True):
    """A document's text in one language other than Spanish (K4)."""

    __tablename__ = "procedure_document_texts"
    document_id: int = Field(foreign_key="procedure_documents.id", primary_key=True)
    language: str = Field(max_length=8, primary_key=True)
    text: str = Field(max_length=300)


class OfficeProcedure(SQLModel, table=True):
    """Which office offers which procedure, and whether it can be booked there (B3, B4).

    Its row is also the lock that serialises capacity and waitlist work for one office and
    procedure on PostgreSQL (W2)."""

    __tablename__ = "office_procedures"
    office_id: int = Field(foreign_key="offices.id", primary_key=True)
    procedure_id: int = Field(foreign_key="procedures.id", primary_key=True)
    bookable: bool = Field(default=True)
    # Q2: the office also serves this procedure without appointment (walk-in numbers).
    walk_in: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class Applicant(SQLModel, table=True):
    """A person with an account (A1–A11, B1, B10, C4)."""

    __tablename__ = "applicants"
    __table_args__ = (
        sa.UniqueConstraint("document_type", "document_number", "nationality"),
        sa.Index("ix_applicants_document_key", "document_key"),
        sa.Index("ix_applicants_name_folded", "name_folded"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = uuid_field()
    sync_seq: int = sync_field()
    document_type: str = Field(max_length=10)
    document_number: str = Field(max_length=24)
    document_key: str = Field(max_length=24)
    document_expiry: date
    nationality: str = Field(max_length=2)
    given_names: str = Field(max_length=60)
    first_surname: str = Field(max_length=60)
    second_surname: str = Field(max_length=60)
    name_folded: str = Field(max_length=200)
    email: str = Field(max_length=254, unique=True)
    phone: str | None = Field(default=None, max_length=20)
    birth_date: date
    region_id: int = Field(foreign_key="regions.id")
    language: str = Field(default="es", max_length=5)
    password_hash: str = Field(max_length=200)
    must_change_password: bool = Field(default=True)
    # Issue 15 §6: a temporary password stops working after this (None: not a temporary one).
    temporary_expires_at: datetime | None = utc_field(nullable=True)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = utc_field(nullable=True)
    terms_version: str = Field(max_length=20)
    terms_accepted_at: datetime = utc_field()
    verified_at: datetime | None = utc_field(nullable=True)
    verified_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = utc_field()
    created_by: int | None = Field(default=None, foreign_key="staff.id")


class Staff(SQLModel, table=True):
    """A counter agent, supervisor or auditor (C1)."""

    __tablename__ = "staff"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True)
    full_name: str = Field(max_length=120)
    role: str = Field(max_length=12)
    office_id: int | None = Field(default=None, foreign_key="offices.id")
    password_hash: str = Field(max_length=200)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = utc_field(nullable=True)
    active: bool = Field(default=True)
    created_at: datetime = utc_field()
    # C10: an account a supervisor created or reset has a temporary password (as A9).
    must_change_password: bool = Field(default=False)
    temporary_expires_at: datetime | None = utc_field(nullable=True)
    deactivated_at: datetime | None = utc_field(nullable=True)


class Slot(SQLModel, table=True):
    """An appointment time with its seats (B5). `taken` counts the seats held or booked."""

    __tablename__ = "slots"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "procedure_id", "day", "start_time"),
        sa.CheckConstraint("taken >= 0 AND taken <= seats", name="seats_not_exceeded"),
        sa.Index("ix_slots_office_procedure_starts", "office_id", "procedure_id", "starts_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = uuid_field()
    sync_seq: int = sync_field()
    office_id: int = Field(foreign_key="offices.id")
    procedure_id: int = Field(foreign_key="procedures.id")
    day: date
    start_time: time
    starts_at: datetime = utc_field()
    seats: int = Field(default=1)
    taken: int = Field(default=0)
    blocked: bool = Field(default=False)
    block_reason: str | None = Field(default=None, max_length=200)
    # C6: set when the block comes from an office closure, so removing the closure reopens
    # exactly the times it closed (and not those a supervisor blocked by hand).
    closure_id: int | None = Field(default=None, foreign_key="office_closures.id", index=True)
    created_at: datetime = utc_field()


class Booking(SQLModel, table=True):
    """A seat on a time: a hold while the applicant checks it (B6), then a booking (B7).

    The partial unique index on (slot, seat) over the states that occupy a seat is the
    database's own guarantee that no seat is ever given twice."""

    __tablename__ = "bookings"
    __table_args__ = (
        sa.Index(
            "uq_bookings_slot_seat_active",
            "slot_id",
            "seat",
            unique=True,
            sqlite_where=sa.text(_SEAT_STATES_SQL),
            postgresql_where=sa.text(_SEAT_STATES_SQL),
        ),
        sa.Index("ix_bookings_applicant_status", "applicant_id", "status"),
        sa.Index("ix_bookings_status_hold_expires_at", "status", "hold_expires_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = uuid_field()
    sync_seq: int = sync_field()
    code: str | None = Field(default=None, max_length=8, unique=True)
    slot_id: int = Field(foreign_key="slots.id", index=True)
    seat: int
    applicant_id: int = Field(foreign_key="applicants.id")
    office_id: int = Field(foreign_key="offices.id")
    procedure_id: int = Field(foreign_key="procedures.id")
    status: str = Field(max_length=12)
    hold_expires_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field()
    confirmed_at: datetime | None = utc_field(nullable=True)
    cancelled_at: datetime | None = utc_field(nullable=True)
    checked_in_at: datetime | None = utc_field(nullable=True)
    # C11: when "did not come" was marked (it can be undone the same day).
    missed_at: datetime | None = utc_field(nullable=True)
    # W2, W5: a booking made by assignment points at the entry it came from, once only.
    waitlist_entry_id: int | None = Field(
        default=None, foreign_key="waitlist_entries.id", unique=True
    )
    # B12: why the office took the time away; B13: the booking this one was moved to.
    displaced_reason: str | None = Field(default=None, max_length=200)
    moved_to_id: int | None = Field(default=None, foreign_key="bookings.id")
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    # M4: when the day-before reminder was deposited (set once, by a conditional update).
    reminded_at: datetime | None = utc_field(nullable=True)


class WaitlistEntry(SQLModel, table=True):
    """A place in automated assignment (W1–W5); the id is the order of enrolment."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        sa.Index(
            "uq_waitlist_entries_one_waiting",
            "applicant_id",
            "office_id",
            "procedure_id",
            unique=True,
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        ),
        sa.Index(
            "ix_waitlist_entries_queue", "office_id", "procedure_id", "status", "ranked_at", "id"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = uuid_field()
    sync_seq: int = sync_field()
    applicant_id: int = Field(foreign_key="applicants.id")
    office_id: int = Field(foreign_key="offices.id")
    procedure_id: int = Field(foreign_key="procedures.id")
    enrolled_at: datetime = utc_field()
    # W2, B12: the place in the queue. For an enrolment it is `enrolled_at`; for a person
    # whose booking was displaced, the date of that booking (or of its own enrolment, W5),
    # so nobody who came after them is served first. Ties go by id.
    ranked_at: datetime = utc_field()
    # B12: the displaced booking this entry stands for (no foreign key: bookings already
    # point at waitlist entries, and a cycle of foreign keys cannot be created in one go).
    displaced_booking_id: int | None = Field(default=None, index=True)
    status: str = Field(default="waiting", max_length=10)
    closed_at: datetime | None = utc_field(nullable=True)
    created_by: int | None = Field(default=None, foreign_key="staff.id")


class Notice(SQLModel, table=True):
    """A notice in an applicant's mailbox (M1, M2): the record of everything we told them.

    Subject and body are Spanish msgids with their parameters (JSON), so a notice reads in
    whatever language the applicant uses today."""

    __tablename__ = "notices"
    __table_args__ = (sa.Index("ix_notices_applicant_read", "applicant_id", "read_at"),)
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = uuid_field()
    sync_seq: int = sync_field()
    applicant_id: int = Field(foreign_key="applicants.id")
    kind: str = Field(max_length=24)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=sa.Text)
    params: str = Field(sa_type=sa.Text, default="{}")
    booking_id: int | None = Field(default=None, foreign_key="bookings.id")
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    deadline: date | None = None
    created_at: datetime = utc_field()
    read_at: datetime | None = utc_field(nullable=True)


class Outbox(SQLModel, table=True):
    """An e-mail waiting to leave (M3); retried with backoff until sent, or given up after
    repeated permanent refusals (`failed_at`). A sender claims due rows (`claimed_until`) in
    a short transaction and sends outside it, so a slow server never holds the write lock."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "sent_at", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notices.id", unique=True)
    to_address: str = Field(max_length=254)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = utc_field()
    sent_at: datetime | None = utc_field(nullable=True)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc_field()
    claimed_until: datetime | None = utc_field(nullable=True)
    refusals: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    failed_at: datetime | None = utc_field(nullable=True)


class Ticket(SQLModel, table=True):
    """A help ticket (H1–H3); one open per applicant, enforced by a partial unique index."""

    __tablename__ = "tickets"
    __table_args__ = (
        sa.Index(
            "uq_tickets_one_open",
            "applicant_id",
            "office_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_tickets_office_status", "office_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = uuid_field()
    sync_seq: int = sync_field()
    applicant_id: int = Field(foreign_key="applicants.id")
    # C9: the office that answers; None for a person with no booking or place anywhere.
    office_id: int | None = Field(default=None, foreign_key="offices.id")
    kind: str = Field(max_length=16)
    subject: str = Field(max_length=200)
    category: str = Field(max_length=40)
    reference: str | None = Field(default=None, max_length=40)
    message: str = Field(sa_type=sa.Text)
    status: str = Field(default="open", max_length=10)
    opened_at: datetime = utc_field()
    answer: str | None = Field(default=None, sa_type=sa.Text)
    answered_at: datetime | None = utc_field(nullable=True)
    answered_by: int | None = Field(default=None, foreign_key="staff.id")


class AuditEvent(SQLModel, table=True):
    """One line of the append-only audit log (C1, W7). Triggers refuse UPDATE and DELETE; each
    event is chained to the one before by `hash` (store/services/audit_chain.py)."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("uq_audit_events_origin_hash", "origin_hash", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(index=True)
    actor: str = Field(max_length=60)
    action: str = Field(max_length=40, index=True)
    subject: str = Field(max_length=120)
    details: str = Field(sa_type=sa.Text, default="{}")
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # O4: an event another store wrote, appended here as it arrived in a bundle: the store it
    # was first written at and its hash there (its identity, so a bundle imported twice adds
    # it once). Both are part of the chained content (audit_chain.digest). None: written here.
    origin: str | None = Field(default=None, max_length=12)
    origin_hash: str | None = Field(default=None, max_length=64)


class AuditHead(SQLModel, table=True):
    """The audit log's newest hash (C1, W7): one row, kept by a trigger on every insert into
    audit_events (migration 0015). On PostgreSQL its row lock is the chain's turn."""

    __tablename__ = "audit_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    hash: str = Field(max_length=64)


class SyncCounter(SQLModel, table=True):
    """SQLite's change counter (O3): its triggers number every change to a travelling row from
    this one row (writers take turns on SQLite, so the numbers follow the commits).
    PostgreSQL numbers changes by transaction instead (store/migrations 0011)."""

    __tablename__ = "sync_counter"
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    value: int = Field(default=0, sa_type=sa.BigInteger)


class SyncPeer(SQLModel, table=True):
    """O3: what this store and another have exchanged. `received_*`: the other store's
    watermark up to which its bundles were imported here, without a gap; `acked_*`: this
    store's watermark up to which the other says it has imported ours (its bundles carry that)."""

    __tablename__ = "sync_peers"
    peer: str = Field(primary_key=True, max_length=12)
    received_seq: int = Field(default=0, sa_type=sa.BigInteger)
    received_audit: int = Field(default=0)
    acked_seq: int = Field(default=0, sa_type=sa.BigInteger)
    acked_audit: int = Field(default=0)
    imported_at: datetime | None = utc_field(nullable=True)


class ApplicantAlias(SQLModel, table=True):
    """O4: another store's uuid for a person this store knows under its own: the same
    identity (document type, number, nationality) registered at two offices is one account."""

    __tablename__ = "applicant_aliases"
    uuid: str = Field(primary_key=True, max_length=36)
    applicant_id: int = Field(foreign_key="applicants.id", index=True)


class SyncConflict(SQLModel, table=True):
    """O4: contact data another store holds differently for the same person (two e-mails, two
    phones). Never overwritten silently: the counter's staff choose (`kept`)."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (sa.UniqueConstraint("applicant_id", "field", "incoming_value"),)
    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicants.id", index=True)
    field: str = Field(max_length=16)
    local_value: str | None = Field(default=None, max_length=254)
    incoming_value: str = Field(max_length=254)
    source: str = Field(max_length=12)
    found_at: datetime = utc_field()
    resolved_at: datetime | None = utc_field(nullable=True)
    resolved_by: int | None = Field(default=None, foreign_key="staff.id")
    kept: str | None = Field(default=None, max_length=10)


class QueueTicket(SQLModel, table=True):
    """Q1-Q5: a number in an office's waiting room for the day: an appointment checked in, or a
    walk-in. Numbers run per office and day; the place in the queue is `due_at` (an
    appointment's time) or `taken_at` (a walk-in's arrival), and a transfer keeps both.
    The queue is the office's own day: it does not travel in bundles."""

    __tablename__ = "queue_tickets"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "day", "number"),
        sa.Index("ix_queue_tickets_office_day_status", "office_id", "day", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = uuid_field()
    office_id: int = Field(foreign_key="offices.id")
    procedure_id: int = Field(foreign_key="procedures.id")
    day: date
    number: int
    kind: str = Field(max_length=12)  # "appointment" or "walk_in"
    # Q1: one number per booking, however often the person checks in.
    booking_id: int | None = Field(default=None, foreign_key="bookings.id", unique=True)
    language: str = Field(default="es", max_length=5)
    status: str = Field(default="waiting", max_length=10)  # waiting, called, done, absent
    taken_at: datetime = utc_field()
    due_at: datetime | None = utc_field(nullable=True)
    calls: int = Field(default=0)
    counter: int | None = Field(default=None)
    # Q3 "Derivar": sent to this counter; only it calls the number (None: any counter).
    for_counter: int | None = Field(default=None)
    called_by: int | None = Field(default=None, foreign_key="staff.id")
    called_at: datetime | None = utc_field(nullable=True, index=True)
    # Q3, Q5: service runs from the call that was answered to "Terminar".
    started_at: datetime | None = utc_field(nullable=True)
    finished_at: datetime | None = utc_field(nullable=True)
