"""Receipts (B7, W1, W5, A8, M2, K6): read every document back and check what it says."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from stdnum.cl import rut

from kiosk.i18n import translator
from receipts import (
    FORMATS,
    BookingReceipt,
    CredentialsSlip,
    Document,
    NoticePrintout,
    TicketAnswer,
    WaitlistReceipt,
    render_pdf,
)
from receipts.sources import booking_receipt, notice_printout, ticket_answer, waitlist_receipt
from store.errors import Refused
from store.text import Message
from store.views import (
    ApplicantView,
    BookingView,
    NoticeView,
    OfficeView,
    ProcedureView,
    TicketView,
    WaitlistEntryView,
)

SANTIAGO = ZoneInfo("America/Santiago")
PRINTED_AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
NAME = "Wyddeline Ñusta Désir Saint-Fleur"
RUN = "22345678-" + rut.calc_check_digit("22345678")
OFFICE = OfficeView(
    code="OHG",
    name="Oficina O’Higgins — Rancagua",
    region="CL-LI",
    address="Av. Libertador Bernardo O’Higgins 123, Rancagua",
    time_zone="America/Santiago",
    open_weekdays="12345",
    opens_at=time(8, 30),
    closes_at=time(14, 0),
    cancel_policy="never",
    cancel_hours=0,
)
PROCEDURE = ProcedureView(
    code="RT",
    name="Residencia temporal",
    minutes=20,
    documents=("Pasaporte vigente", "Fotografía “tamaño carné”", "Comprobante de pago €"),
    names={"en": "Temporary residence", "ht": "Rezidans tanporè"},
    translated_documents={
        "en": ("Valid passport", "ID-size “carné” photo", "Proof of payment €"),
        "ht": ("Paspò ki valab", "Foto gwosè “carné”", "Prèv peman €"),
    },
)


def _booking(**changes: Any) -> BookingView:
    view = BookingView(
        id=1,
        code="ABCD2345",
        status="confirmed",
        applicant_id=7,
        applicant_name=NAME,
        document_type="cedula",
        document_number=RUN,
        office=OFFICE,
        procedure=PROCEDURE,
        slot_id=3,
        seat=1,
        start=datetime(2026, 11, 30, 9, 30, tzinfo=SANTIAGO),
        hold_expires_at=None,
        confirmed_at=PRINTED_AT,
        enrolled_at=None,
    )
    return dataclasses.replace(view, **changes)


def _text(pdf: bytes) -> str:
    """All the text of a PDF with whitespace removed, so line wrapping does not matter."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "".join("".join(page.extract_text().split()) for page in pages)


def _squash(text: str) -> str:
    return "".join(text.split())


def _render(document: Document, fmt: str) -> bytes:
    return render_pdf(document, fmt, translator(document.language), PRINTED_AT)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_b7_booking_receipt_says_who_what_where_when(fmt: str) -> None:
    text = _text(_render(booking_receipt(_booking(), "es"), fmt))
    for expected in (
        NAME,
        "22.3**.***-" + RUN[-1],
        "ABCD-2345",
        "Residencia temporal",
        OFFICE.name,
        OFFICE.address,
        "lunes, 30 de noviembre de 2026",
        "09:30",
        *PROCEDURE.documents,
        "Traiga este comprobante impreso el día de su cita.",
    ):
        assert _squash(expected) in text, expected


def test_k4_receipt_in_kreyol_with_kreyol_dates() -> None:
    """Issue 16: a Kreyòl receipt reads in Kreyòl, its day too (Babel alone would print the
    French "lundi 30 novembre"), with the procedure's Kreyòl name and documents."""
    text = _text(_render(booking_receipt(_booking(), "ht"), "a4"))
    for expected in ("Rezidans tanporè", "lendi 30 novanm 2026", *PROCEDURE.documents_in("ht")):
        assert _squash(expected) in text, expected
    for french in ("lundi", "novembre"):
        assert french not in text
    assert _squash(translator("ht")("Traiga este comprobante impreso el día de su cita.")) in text


def test_b7_receipt_follows_the_applicants_language() -> None:
    text = _text(_render(booking_receipt(_booking(), "en"), "a4"))
    for expected in (
        "Temporary residence",
        "Monday, 30 November 2026",
        *PROCEDURE.documents_in("en"),
    ):
        assert _squash(expected) in text, expected
    assert _squash("Bring this receipt printed") in text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_k6_full_document_number_never_printed(fmt: str) -> None:
    pdf = _render(booking_receipt(_booking(), "es"), fmt)
    text = _text(pdf)
    assert "22345678" not in text.replace(".", "").replace("-", "")
    assert b"22345678" not in pdf


def test_w5_assigned_booking_shows_its_enrolment_date() -> None:
    enrolled = datetime(2026, 10, 1, 11, 0, tzinfo=UTC)  # 08:00 in Santiago
    text = _text(_render(booking_receipt(_booking(enrolled_at=enrolled), "es"), "80mm"))
    assert _squash("Inscrito en asignación automatizada") in text
    assert _squash("jueves, 1 de octubre de 2026, 08:00") in text


def test_b7_a_cancelled_booking_has_no_receipt() -> None:
    with pytest.raises(Refused) as refused:
        booking_receipt(_booking(status="cancelled"), "es")
    assert refused.value.rule == "B7"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_b7_qr_code_holds_the_verification_code(fmt: str) -> None:
    """Render the page as a picture and decode the QR from it, as a phone at the door would."""
    pdf = pypdfium2.PdfDocument(_render(booking_receipt(_booking(), "es"), fmt))
    try:
        image = pdf[0].render(scale=4).to_pil()
    finally:
        pdf.close()
    assert [barcode.text for barcode in zxingcpp.read_barcodes(image)] == ["ABCD2345"]


def test_page_sizes_a4_and_80mm_roll() -> None:
    receipt = booking_receipt(_booking(), "es")
    a4 = PdfReader(io.BytesIO(_render(receipt, "a4"))).pages[0].mediabox
    assert (round(float(a4.width) / 72 * 25.4), round(float(a4.height) / 72 * 25.4)) == (210, 297)
    roll = PdfReader(io.BytesIO(_render(receipt, "80mm")))
    assert len(roll.pages) == 1
    box = roll.pages[0].mediabox
    height_mm = float(box.height) / 72 * 25.4
    assert round(float(box.width) / 72 * 25.4) == 80
    # Cut to the content: taller than the code and the QR, far shorter than the dry-run page.
    assert 120 < height_mm < 300


def test_roll_height_grows_with_the_content() -> None:
    short = booking_receipt(_booking(), "es")
    long = dataclasses.replace(short, documents=short.documents * 6)
    heights = [
        float(PdfReader(io.BytesIO(_render(r, "80mm"))).pages[0].mediabox.height)
        for r in (short, long)
    ]
    assert heights[1] > heights[0] + 30


def test_same_input_same_bytes_and_metadata() -> None:
    receipt = booking_receipt(_booking(), "en")
    first, second = _render(receipt, "a4"), _render(receipt, "a4")
    assert first == second
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata is not None and reader.metadata.title == "Appointment booking receipt"
    assert reader.root_object["/Lang"] == "en"
    spanish = PdfReader(io.BytesIO(_render(booking_receipt(_booking(), "es"), "a4")))
    assert spanish.root_object["/Lang"] == "es-CL"


def test_w1_waitlist_receipt_has_enrolment_time_position_and_how_to_leave() -> None:
    applicant = ApplicantView(
        id=7,
        document_type="passport",
        document_number="P1234567",
        nationality="HT",
        given_names="Wyddeline Ñusta",
        first_surname="Désir",
        second_surname="Saint-Fleur",
        email="w@correo.cl",
        phone=None,
        birth_date=date(1993, 9, 30),
        document_expiry=date(2030, 1, 1),
        region="CL-LI",
        language="es",
        must_change_password=False,
        verified_at=None,
    )
    entry = WaitlistEntryView(
        id=12,
        applicant_id=7,
        document_number="P1234567",
        office="OHG",
        procedure="RT",
        enrolled_at=datetime(2026, 11, 21, 12, 5, 30, tzinfo=UTC),
        status="waiting",
        position=6,
    )
    receipt = waitlist_receipt(entry, applicant, OFFICE, PROCEDURE, "es")
    for fmt in FORMATS:
        text = _text(_render(receipt, fmt))
        for expected in (
            NAME,
            OFFICE.name,
            "Residencia temporal",
            "sábado, 21 de noviembre de 2026, 09:05",
            "Posición al inscribirse6",
            "Eliminarme de asignación automatizada de citas",
            "referencia legal",
        ):
            assert _squash(expected) in text, expected
        assert "P1234567" not in text


def test_a8_credentials_slip_holds_the_password_and_nothing_personal() -> None:
    slip = CredentialsSlip("K7QM2XRT9P", PRINTED_AT, "es")
    text = _text(_render(slip, "80mm"))
    assert "K7QM2XRT9P" in text
    assert _squash("Ya tengo cuenta") in text and _squash("8 caracteres") in text
    assert "K7QM2XRT9P" not in slip.key  # the password never names a file
    english = _text(_render(dataclasses.replace(slip, language="en"), "a4"))
    assert _squash("must change it") in english


def test_m2_notice_printout_reads_like_the_mailbox() -> None:
    notice = NoticeView(
        id=5,
        kind="documents",
        subject=Message("Solicitud de documentos"),
        body=Message("Traiga {what} antes del plazo.", {"what": "su certificado apostillado"}),
        created_at=PRINTED_AT,
        read_at=PRINTED_AT,
        booking_code="ABCD2345",
        deadline=date(2026, 12, 5),
    )
    printout = notice_printout(notice, NAME, translator("es"), "es")
    assert isinstance(printout, NoticePrintout)
    text = _text(_render(printout, "a4"))
    for expected in (
        NAME,
        "Solicitud de documentos",
        "Traiga su certificado apostillado antes del plazo.",
        "ABCD-2345",
        "sábado, 5 de diciembre de 2026",
        "sábado, 21 de noviembre de 2026, 09:00",
    ):
        assert _squash(expected) in text, expected


def test_h3_ticket_answer_printout() -> None:
    ticket = TicketView(
        id=4,
        applicant_id=7,
        kind="question",
        subject="¿Puedo cambiar mi hora?",
        category="booking",
        reference=None,
        message="Trabajo ese día — ¿qué hago?",
        status="answered",
        opened_at=PRINTED_AT,
        answer="Sí: cancele y reserve otra vez hasta 24 horas antes.",
        answered_at=PRINTED_AT,
    )
    printout = ticket_answer(ticket, NAME, "en")
    assert isinstance(printout, TicketAnswer)
    text = _text(_render(printout, "80mm"))
    assert ticket.answer is not None
    for expected in ("Answer to your help request", ticket.subject, ticket.message, ticket.answer):
        assert _squash(expected) in text, expected
    with pytest.raises(ValueError):
        ticket_answer(dataclasses.replace(ticket, answer=None, answered_at=None), NAME, "es")


def test_typographic_characters_come_out_as_real_text() -> None:
    receipt = dataclasses.replace(
        booking_receipt(_booking(), "es"),
        applicant_name="Ana O’Higgins “Anita” — 20 €",
    )
    assert isinstance(receipt, BookingReceipt)
    assert _squash("Ana O’Higgins “Anita” — 20 €") in _text(_render(receipt, "80mm"))


def test_unknown_format_is_refused_with_the_choices() -> None:
    receipt = WaitlistReceipt(1, NAME, "P***7", "RT", "O", "A", PRINTED_AT, 1)
    with pytest.raises(ValueError, match="a4"):
        render_pdf(receipt, "letter")
