"""Documents made from what the Store returns (its plain views), in the applicant's language.

The full document number stops here: only its masked form (K6) goes into a document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from receipts.documents import (
    BookingReceipt,
    CredentialsSlip,
    NoticePrintout,
    QueueSlip,
    TicketAnswer,
    WaitlistReceipt,
)
from store.errors import Refused
from store.text import N_, localised
from store.validation import mask_document
from store.views import (
    ApplicantView,
    BookingView,
    NoticeView,
    OfficeView,
    ProcedureView,
    QueueTicketView,
    TicketView,
    WaitlistEntryView,
)

# A booking in these states stands; a cancelled, expired or released one has no valid receipt.
PRINTABLE_STATES = ("confirmed", "checked_in", "attended", "missed")
# Mailbox and ticket times have no office; they are printed on mainland Chile's clock.
HOME_ZONE = "America/Santiago"


def _local(moment: datetime, zone: str = HOME_ZONE) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def booking_receipt(booking: BookingView, language: str) -> BookingReceipt:
    """B7 (+ W5 when the booking came from the waitlist)."""
    if booking.code is None or booking.status not in PRINTABLE_STATES:
        raise Refused(
            "B7",
            "no_receipt",
            N_("La reserva {code} no está vigente, así que no tiene comprobante."),
            {"code": booking.display_code or "-"},
        )
    zone = booking.office.time_zone
    return BookingReceipt(
        code=booking.code,
        applicant_name=booking.applicant_name,
        document_masked=mask_document(booking.document_type, booking.document_number),
        procedure=booking.procedure.name_in(language),
        office_name=booking.office.name,
        office_address=booking.office.address,
        start=_local(booking.start, zone),
        documents=booking.procedure.documents_in(language),
        enrolled_at=None if booking.enrolled_at is None else _local(booking.enrolled_at, zone),
        language=language,
    )


def waitlist_receipt(
    entry: WaitlistEntryView,
    applicant: ApplicantView,
    office: OfficeView,
    procedure: ProcedureView,
    language: str,
) -> WaitlistReceipt:
    """W1, W5: the enrolment with its date-time and the position it started at."""
    return WaitlistReceipt(
        entry_id=entry.id,
        applicant_name=applicant.full_name,
        document_masked=mask_document(applicant.document_type, applicant.document_number),
        procedure=procedure.name_in(language),
        office_name=office.name,
        office_address=office.address,
        enrolled_at=_local(entry.enrolled_at, office.time_zone),
        position=entry.position or 0,
        language=language,
    )


def credentials_slip(
    temporary_password: str, issued_at: datetime, language: str
) -> CredentialsSlip:
    """A8: the password and how to use it; nothing else personal."""
    return CredentialsSlip(temporary_password, _local(issued_at), language)


def notice_printout(
    notice: NoticeView, applicant_name: str, translate: Callable[[str], str], language: str
) -> NoticePrintout:
    """M2: a mailbox notice as the applicant reads it on screen."""
    return NoticePrintout(
        notice_id=notice.id,
        applicant_name=applicant_name,
        subject=localised(notice.subject, language).render(translate),
        body=localised(notice.body, language).render(translate),
        created_at=_local(notice.created_at),
        read_at=None if notice.read_at is None else _local(notice.read_at),
        booking_code=notice.booking_code,
        deadline=notice.deadline,
        language=language,
    )


def ticket_answer(ticket: TicketView, applicant_name: str, language: str) -> TicketAnswer:
    """H3: an answered ticket; an unanswered one has nothing to print yet."""
    if ticket.answer is None or ticket.answered_at is None:
        raise ValueError("this ticket has no answer yet")
    return TicketAnswer(
        ticket_id=ticket.id,
        applicant_name=applicant_name,
        subject=ticket.subject,
        message=ticket.message,
        answer=ticket.answer,
        opened_at=_local(ticket.opened_at),
        answered_at=_local(ticket.answered_at),
        language=language,
    )


def queue_slip(
    ticket: QueueTicketView,
    office: OfficeView,
    procedure: ProcedureView,
    language: str,
) -> QueueSlip:
    """Q1, Q2, Q5: the number, the people ahead and the estimate; nothing personal (K1)."""
    return QueueSlip(
        number=ticket.number,
        office_code=office.code,
        office_name=office.name,
        procedure=procedure.name_in(language),
        day=ticket.day,
        taken_at=_local(ticket.taken_at, office.time_zone),
        ahead=ticket.ahead or 0,
        estimate_minutes=ticket.estimate_minutes,
        appointment_at=None if ticket.due_at is None else _local(ticket.due_at, office.time_zone),
        language=language,
    )
