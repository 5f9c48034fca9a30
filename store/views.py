"""Plain frozen dataclasses: everything the Store facade returns.

Never ORM objects, which would drag database sessions into the interface."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from store.codes import display_code
from store.text import N_, Message


def full_name(given_names: str, first_surname: str, second_surname: str | None) -> str:
    """A person's name as printed on documents: given names, then the surnames they have."""
    return " ".join(part for part in (given_names, first_surname, second_surname) if part)


@dataclass(frozen=True)
class Actor:
    """Who does something, for rules and for the audit log (C1, C2)."""

    kind: str  # "applicant", "staff", "system"
    id: int | None = None
    label: str = "system"

    @property
    def staff_id(self) -> int | None:
        """The staff member acting (also in assisted mode, C2), if any."""
        return self.id if self.kind == "staff" else None


SYSTEM = Actor("system")
# Q1, Q2: the kiosk's screen hands out numbers to people who need no account.
KIOSK = Actor("kiosk", None, "kiosk")


@dataclass(frozen=True)
class RegionView:
    code: str
    name: str
    capital: str
    time_zone: str


@dataclass(frozen=True)
class ProcedureView:
    code: str
    name: str
    minutes: int
    documents: tuple[str, ...]
    names: Mapping[str, str] = field(default_factory=dict)
    """The name in each language it was given in besides Spanish."""
    translated_documents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per language, the documents in order, Spanish where that one has no translation."""

    def name_in(self, language: str) -> str:
        """The name in a language (Spanish where none was entered for it)."""
        return self.names.get(language) or self.name

    def documents_in(self, language: str) -> tuple[str, ...]:
        """B2: the documents to bring, in a language (Spanish where none was entered)."""
        return self.translated_documents.get(language) or self.documents


@dataclass(frozen=True)
class OfficeView:
    code: str
    name: str
    region: str
    address: str
    time_zone: str
    open_weekdays: str
    opens_at: time
    closes_at: time
    cancel_policy: str
    cancel_hours: int
    grace_minutes: int = 15  # C11: how long after the time "did not come" may be marked
    call_window_minutes: int = 10  # Q3: an appointment is "due now" this long before its time
    max_calls: int = 3  # Q3: calls before a number may be marked absent


@dataclass(frozen=True)
class OfferingView:
    """One procedure at one office: can it be booked, when is the next free time, who waits."""

    office: OfficeView
    procedure_code: str
    bookable: bool
    next_free: datetime | None  # aware, in the office's time zone
    waiting: int
    walk_in: bool = False  # Q2: numbers without appointment too


@dataclass(frozen=True)
class Catalog:
    regions: tuple[RegionView, ...]
    offices: tuple[OfficeView, ...]
    procedures: tuple[ProcedureView, ...]
    offerings: tuple[OfferingView, ...]


@dataclass(frozen=True)
class OfficeChoice:
    """B3/B4: the offices of a region for a procedure, or where to go when none books it."""

    region: RegionView
    procedure: ProcedureView
    offerings: tuple[OfferingView, ...]
    walk_in: tuple[OfficeView, ...] = ()

    @property
    def none_bookable(self) -> bool:
        """B4: no office of the region offers this procedure for booking."""
        return not self.offerings


@dataclass(frozen=True)
class SlotView:
    """A time on the grid (B5): its seats, how many are free, closed, and whether it is yours."""

    id: int
    office: str
    procedure: str
    day: date
    start_time: time
    start: datetime  # aware, office time zone
    seats: int
    free: int
    blocked: bool
    mine: bool = False
    past: bool = False  # B5: its time has passed (no longer free, whatever its seats)


@dataclass(frozen=True)
class ApplicantView:
    id: int
    document_type: str
    document_number: str
    nationality: str
    given_names: str
    first_surname: str
    second_surname: str
    email: str
    phone: str | None
    birth_date: date
    document_expiry: date
    region: str
    language: str
    must_change_password: bool
    verified_at: datetime | None

    @property
    def full_name(self) -> str:
        """Given names and surnames as printed on documents."""
        return full_name(self.given_names, self.first_surname, self.second_surname)


@dataclass(frozen=True)
class Registration:
    """A8: the new account and its temporary password, shown once and never stored."""

    applicant: ApplicantView
    temporary_password: str


@dataclass(frozen=True)
class StaffView:
    """A staff account (C1) and, for its administration (C10), its state."""

    id: int
    username: str
    full_name: str
    role: str
    office: str | None
    must_change_password: bool = False  # C10: a temporary password, to replace at first use
    active: bool = True
    locked_until: datetime | None = None  # A11

    @property
    def actor(self) -> Actor:
        return Actor("staff", self.id, f"staff:{self.username}")

    def locked_at(self, now: datetime) -> bool:
        """A11: whether five failed logins keep this account locked at `now`."""
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True)
class StaffPassword:
    """C10: a staff account and its new temporary password, shown once and never stored."""

    staff: StaffView
    temporary_password: str


@dataclass(frozen=True)
class BookingView:
    """A hold or a booking (B6, B7), with what a receipt needs."""

    id: int
    code: str | None
    status: str
    applicant_id: int
    applicant_name: str
    document_type: str
    document_number: str
    office: OfficeView
    procedure: ProcedureView
    slot_id: int
    seat: int
    start: datetime  # aware, office time zone
    hold_expires_at: datetime | None
    confirmed_at: datetime | None
    enrolled_at: datetime | None  # W5: set when the booking came from the waitlist
    # When it stopped holding its seat (cancelled, moved, displaced, a hold that lapsed).
    cancelled_at: datetime | None = None
    # B9: until when the applicant may cancel or move it (office time zone); None where the
    # office's policy is "never".
    cancel_until: datetime | None = None
    # B12: why the office took the time away (the block's or closure's reason).
    displaced_reason: str | None = None
    # B12, W3: the displaced person's place on the waitlist, while they wait.
    waitlist_position: int | None = None
    # B13: the code of the booking this one was moved to.
    moved_to: str | None = None

    @property
    def display_code(self) -> str | None:
        """The verification code as printed: two groups of four."""
        return None if self.code is None else display_code(self.code)

    @property
    def is_active(self) -> bool:
        """Confirmed and still to come or under way (B8)."""
        return self.status in ("confirmed", "checked_in")

    def can_cancel_at(self, moment: datetime) -> bool:
        """B9: whether the office's policy lets the applicant cancel or move it at `moment`."""
        return (
            self.status == "confirmed"
            and self.cancel_until is not None
            and moment <= self.cancel_until
        )


@dataclass(frozen=True)
class Cancelled:
    """B9: the cancelled booking, and how many waiting people got a time from it (W2)."""

    booking: BookingView
    assigned: int


@dataclass(frozen=True)
class Moved:
    """B13: the new booking, the one it replaced, and how many waiting people the freed
    time served (W2)."""

    booking: BookingView
    previous: BookingView
    assigned: int


@dataclass(frozen=True)
class WaitlistEntryView:
    id: int
    applicant_id: int
    document_number: str
    office: str
    procedure: str
    enrolled_at: datetime
    status: str
    position: int | None  # W3: 1 is next; None once no longer waiting
    # W2, B12: what the place ranks by (the enrolment, or a displaced booking's own date),
    # and the code of the displaced booking the place stands for.
    ranked_at: datetime | None = None
    displaced_code: str | None = None


@dataclass(frozen=True)
class EmailStatus:
    """M3: what became of a notice's e-mail, as staff see it on the applicant's file.

    `state` is "sent" (at `sent_at`), "pending" (next try at `next_attempt_at`; `last_error`
    says why the last one failed, if one did) or "failed" (given up at `failed_at` after the
    server refused it for good; `last_error` is its answer)."""

    state: str
    to_address: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    failed_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class NoticeView:
    id: int
    kind: str
    subject: Message
    body: Message
    created_at: datetime
    read_at: datetime | None
    booking_code: str | None
    deadline: date | None
    # M3: the e-mail of this notice; None where none was queued (mail was not configured).
    email: EmailStatus | None = None


@dataclass(frozen=True)
class OutgoingMail:
    """M3: one claimed e-mail, with all a sender needs to write it (outside any transaction).

    `booking` is the appointment a calendar invitation describes (booking, assignment, move,
    reminder) or cancels (cancellation, displacement); None for other notices."""

    outbox_id: int
    notice_uuid: str
    kind: str
    to_address: str
    recipient: str
    language: str
    subject: Message
    body: Message
    booking: BookingView | None = None


@dataclass(frozen=True)
class OutboxRun:
    """M3: what one run of the sender did (`kiosk outbox send`): e-mails sent, sends that
    failed this time, and e-mails still waiting (to be retried) after the run."""

    sent: int
    failed: int
    pending: int


@dataclass(frozen=True)
class TicketView:
    id: int
    applicant_id: int
    kind: str
    subject: str
    category: str
    reference: str | None
    message: str
    status: str
    opened_at: datetime
    answer: str | None
    answered_at: datetime | None
    applicant_name: str = ""  # C8: who asked
    office_code: str | None = None  # C9: the office that answers (None: any)


@dataclass(frozen=True)
class SkippedDay:
    day: date
    reason: str  # the holiday's or closure's name (Spanish), or the weekday's
    kind: str = "closure"  # "weekday" (the office does not open), "holiday" or "closure";
    # B5's grid also says "past" (a day gone by)


@dataclass(frozen=True)
class CapacityPlan:
    """C6: what opening capacity would do, before it does it."""

    office: str
    procedure: str
    days: tuple[date, ...]
    times: tuple[time, ...]
    skipped: tuple[SkippedDay, ...]
    office_name: str = ""
    procedure_name: str = ""
    procedure_names: Mapping[str, str] = field(default_factory=dict)  # other languages
    # What opening would really do: the times that do not exist yet (and are still ahead),
    # those that exist already (of which blocked: unblock them instead), the people
    # waiting, and how many of them the new seats would serve (W2).
    new_times: int = 0
    existing_times: int = 0
    blocked_times: int = 0
    waiting: int = 0
    would_assign: int = 0

    @property
    def slot_count(self) -> int:
        return self.new_times


@dataclass(frozen=True)
class CapacityOpened:
    """C6 + W2: how many times were created and how many waiting people were assigned."""

    created: int
    assigned: int
    skipped: tuple[SkippedDay, ...] = ()
    assigned_codes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CapacityChange:
    """C6, B12, W2: what closing or reopening times did: how many times changed, the bookings
    displaced (each now on the waitlist), and how many waiting people got a time."""

    times: int
    displaced: tuple[BookingView, ...]
    assigned: int


@dataclass(frozen=True)
class ClosureView:
    """C6: a day an office is closed."""

    office: str
    day: date
    reason: str


@dataclass(frozen=True)
class RebookRow:
    """B12: a displaced booking and what became of it.

    `outcome` is "waiting" (on the waitlist, at `position`), "assigned" (the waitlist gave
    them `current`), "rebooked" (staff booked `current` for them), "booked" (they booked
    `current` themselves) or "none" (neither: they left the list; re-enrol or book them)."""

    displaced: BookingView
    outcome: str
    position: int | None
    current: BookingView | None


@dataclass(frozen=True)
class DayClosed:
    """C11: closing a day: how many remaining bookings were marked missed, and how many were
    left because their time plus the grace has not passed."""

    day: date
    marked: int
    left: int


@dataclass(frozen=True)
class AuditEventView:
    """One audit event (C1). `subject` and `actor` are as stored; `subject_label` says what
    the subject is (a person with the document masked, K6; a booking's code and whose it is;
    an office), `actor_name` who the actor is, where the store knows."""

    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: str
    subject_label: Message | None = None
    actor_name: str | None = None


@dataclass(frozen=True)
class AgendaRow:
    """C5: one appointment on an office's day, for the counter."""

    code: str
    start: time
    applicant_id: int
    applicant_name: str
    document: str  # masked (K6)
    procedure: str
    procedure_name: str
    procedure_names: Mapping[str, str]  # in the other languages
    status: str  # confirmed, checked_in, attended, missed
    checked_in_at: datetime | None
    # C11: the moment from which "did not come" may be marked (the time plus the grace).
    missable_at: datetime | None = None
    queue_number: int | None = None  # Q1: the waiting-room number given at the check-in


@dataclass(frozen=True)
class Figures:
    """C7: one office and procedure at a glance."""

    office: str
    procedure: str
    waiting: int
    oldest_enrolment: datetime | None
    open_seats: int  # free seats on unblocked times in the next 30 days
    bookings_per_day: tuple[int, ...]  # the next 30 days, today first
    attended: int  # the last 30 days
    missed: int

    @property
    def no_show_rate(self) -> float | None:
        """Missed over attended plus missed (the last 30 days), None without any."""
        seen = self.attended + self.missed
        return self.missed / seen if seen else None


@dataclass(frozen=True)
class QueueFigures:
    """Q5: one agent's day in one office's waiting room: the people they served (numbers
    finished), how long those people waited before the call that served them, and how long the
    service took. Times in seconds; the wait is counted from arrival (a walk-in's number, an
    appointment's time if the person came early: see store.services.stats.queue_figures)."""

    office: str
    day: date  # the office's own day
    agent: str  # the staff member's user name (who called and served)
    served: int
    mean_wait: float
    p90_wait: float  # nearest rank: the smallest wait at least 90 % of the people had
    mean_service: float


@dataclass(frozen=True)
class ChainVerdict:
    """What `verify` found: how many events it walked, whether every link holds, the first
    event whose link is broken and how, and the newest event's hash."""

    events: int
    ok: bool
    head: str | None = None
    broken_at: int | None = None
    problem: str | None = None
    head_id: int | None = (
        None  # the newest event's number, whose hash `head` is  # "changed": its content or hash; "link": not after the one before
    )

    @property
    def message(self) -> Message:
        """The verdict in one sentence, for the command line and the desk's audit screen."""
        if self.ok:
            return Message(
                N_(
                    "Registro de auditoría íntegro: eventos verificados: {events}; el último "
                    "(n.º {event}) tiene la huella {head}."
                ),
                {"events": self.events, "event": self.head_id or 0, "head": (self.head or "")[:16]},
            )
        if self.problem == "link":
            return Message(
                N_(
                    "Registro de auditoría alterado: el evento {event} no sigue al anterior (un "
                    "evento borrado, movido o insertado)."
                ),
                {"event": self.broken_at},
            )
        return Message(
            N_("Registro de auditoría alterado: el evento {event} fue modificado."),
            {"event": self.broken_at},
        )

    def as_json(self) -> dict[str, Any]:
        if self.ok:
            return {"events": self.events, "ok": True, "head": self.head, "head_id": self.head_id}
        return {
            "events": self.events,
            "ok": False,
            "broken_at": self.broken_at,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class BundleWritten:
    """An export (O4): the file, its size, who sent it to whom, rows per table, and the
    change numbers it covers (from `since`, up to before `upto`)."""

    path: str
    size: int
    store: str
    to: str
    rows: Mapping[str, int]
    since: int
    upto: int


@dataclass(frozen=True)
class SyncConflictView:
    """O4: contact data another store holds differently for the same person, for staff to
    choose; `current_value` is the person's now, `kept` the choice once made."""

    id: int
    applicant_id: int
    applicant_name: str
    field: str  # "email" or "phone"
    local_value: str | None
    incoming_value: str
    current_value: str | None
    source: str
    found_at: datetime
    resolved_at: datetime | None = None
    kept: str | None = None


@dataclass(frozen=True)
class QueueTicketView:
    """Q1-Q5: a number in an office's waiting room today; `ahead` and `estimate_minutes` only
    while it waits (`estimate_minutes` None: "sin estimación")."""

    number: int
    office: str
    procedure: str
    procedure_name: str
    kind: str  # "appointment" or "walk_in"
    status: str  # "waiting", "called", "done", "absent"
    ahead: int | None
    estimate_minutes: int | None
    counter: int | None
    calls: int
    code: str | None
    day: date
    taken_at: datetime
    called_at: datetime | None
    language: str = "es"
    for_counter: int | None = None  # Q3 "Derivar": only this counter calls the number
    due_at: datetime | None = None  # an appointment's time
    max_calls: int = 3  # the office's calls before "absent" may be marked


@dataclass(frozen=True)
class QueueCall:
    """Q3, Q4: a number called to a counter (no names: the display shows only this)."""

    number: int
    counter: int
    kind: str
    code: str | None
    calls: int
    office: str
