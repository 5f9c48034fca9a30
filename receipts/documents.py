"""What each printed document says, as plain data (no database, no interface).

Every field is already in the applicant's language where it is catalogue text (procedure names,
documents to bring); the fixed sentences are translated when the PDF is drawn. Document numbers
arrive masked (K6): the full number is never given to this package."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class BookingReceipt:
    """B7: a confirmed booking, with W5's enrolment date when it came from the waitlist."""

    code: str  # eight characters, as stored; printed as two groups of four
    applicant_name: str
    document_masked: str
    procedure: str
    office_name: str
    office_address: str
    start: datetime  # aware, in the office's time zone
    documents: tuple[str, ...]
    enrolled_at: datetime | None = None  # aware; W5
    language: str = "es"

    @property
    def key(self) -> str:
        return f"booking-{self.code}"


@dataclass(frozen=True)
class CancellationReceipt:
    """B9: proof that a booking was cancelled (its time went to the waitlist, W2)."""

    code: str  # the cancelled booking's code, as stored
    applicant_name: str
    document_masked: str
    procedure: str
    office_name: str
    office_address: str
    start: datetime  # aware, in the office's time zone
    cancelled_at: datetime  # aware
    language: str = "es"

    @property
    def key(self) -> str:
        return f"cancellation-{self.code}"


@dataclass(frozen=True)
class WaitlistReceipt:
    """W1, W5: an enrolment in automated assignment; the enrolment time is the legal reference."""

    entry_id: int
    applicant_name: str
    document_masked: str
    procedure: str
    office_name: str
    office_address: str
    enrolled_at: datetime  # aware, in the office's time zone
    position: int
    language: str = "es"

    @property
    def key(self) -> str:
        return f"waitlist-{self.entry_id}"


@dataclass(frozen=True)
class CredentialsSlip:
    """A8: the temporary password and how to use it; nothing else personal."""

    temporary_password: str
    issued_at: datetime  # aware
    language: str = "es"
    # Tells two slips of one second apart (two people, or a training store's stood-still
    # clock), so that neither is taken for a double press of the other (K3). Random, never
    # derived from the password, which never names a file or a log line.
    slip_id: str = field(default_factory=lambda: secrets.token_hex(4))

    @property
    def key(self) -> str:
        return f"credentials-{self.issued_at:%Y%m%dT%H%M%S}-{self.slip_id}"


@dataclass(frozen=True)
class NoticePrintout:
    """M2: any mailbox notice, reprinted at any kiosk."""

    notice_id: int
    applicant_name: str
    subject: str
    body: str
    created_at: datetime  # aware
    read_at: datetime | None = None
    booking_code: str | None = None
    deadline: date | None = None
    language: str = "es"

    @property
    def key(self) -> str:
        return f"notice-{self.notice_id}"


@dataclass(frozen=True)
class TicketAnswer:
    """H3, M2: a help ticket and the answer it received."""

    ticket_id: int
    applicant_name: str
    subject: str
    message: str
    answer: str
    opened_at: datetime  # aware
    answered_at: datetime  # aware
    language: str = "es"

    @property
    def key(self) -> str:
        return f"ticket-{self.ticket_id}"


@dataclass(frozen=True)
class QueueSlip:
    """Q1, Q2, Q5: a number in the office's waiting room; nothing personal on it."""

    number: int
    office_code: str
    office_name: str
    procedure: str
    day: date
    taken_at: datetime  # aware, in the office's time zone
    ahead: int
    estimate_minutes: int | None  # None: "sin estimación"
    appointment_at: datetime | None = None  # Q1: the appointment's time (aware)
    language: str = "es"

    @property
    def key(self) -> str:
        return f"queue-{self.office_code}-{self.day:%Y%m%d}-{self.number}"


Document = (
    BookingReceipt
    | CancellationReceipt
    | WaitlistReceipt
    | CredentialsSlip
    | NoticePrintout
    | TicketAnswer
    | QueueSlip
)
