"""Receipts: PDF documents an applicant carries (B7, W1, W5, A8, M2), on A4 and on an 80 mm roll.

Made from plain dataclasses (`documents.py`), never from the database or the interface, and
printed through a `Printer` (`printer.py`). Nothing is imported until it is asked for (and
fpdf2 only when a PDF is drawn), so the kiosk's first screen does not pay for it."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from receipts.documents import (
        BookingReceipt,
        CredentialsSlip,
        Document,
        NoticePrintout,
        TicketAnswer,
        WaitlistReceipt,
    )
    from receipts.render import FORMATS, render_pdf

_WHERE = {
    "BookingReceipt": "receipts.documents",
    "CredentialsSlip": "receipts.documents",
    "Document": "receipts.documents",
    "NoticePrintout": "receipts.documents",
    "TicketAnswer": "receipts.documents",
    "WaitlistReceipt": "receipts.documents",
    "FORMATS": "receipts.render",
    "render_pdf": "receipts.render",
}

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


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(name)
