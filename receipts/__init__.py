"""Receipts: PDF documents an applicant carries (B7, W1, W5, A8, M2), on A4 and on an 80 mm roll.

Made from plain dataclasses (`documents.py`), never from the database or the interface, and
printed through a `Printer` (`printer.py`). fpdf2 is imported only when a PDF is drawn, so the
kiosk's first screen does not pay for it."""

from receipts.documents import (
    BookingReceipt,
    CredentialsSlip,
    Document,
    NoticePrintout,
    TicketAnswer,
    WaitlistReceipt,
)
from receipts.render import FORMATS, render_pdf

__all__ = [
    "FORMATS",
    "BookingReceipt",
    "CredentialsSlip",
    "Document",
    "NoticePrintout",
    "TicketAnswer",
    "WaitlistReceipt",
    "render_pdf",
]
