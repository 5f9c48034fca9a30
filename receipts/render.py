"""Lay a document's blocks out as a PDF: A4, or an 80 mm roll whose height fits the content.

fpdf2 ships no Unicode font and its core fonts are latin-1 only (they fail on `’ — “ ” €`), so
DejaVu Sans travels inside this package. With `created_at` given, the same input gives the same
bytes (tests and reprints rely on it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from receipts.blocks import (
    BigCode,
    Block,
    Bullets,
    Field,
    FinePrint,
    Heading,
    Paragraph,
    QRCode,
    Subheading,
)
from receipts.content import Words, blocks_for, title_of
from receipts.documents import Document

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
PDF_LANGUAGES = {"es": "es-CL", "en": "en", "ht": "ht"}
MUTED = (85, 85, 85)
BLACK = (0, 0, 0)


@dataclass(frozen=True)
class PageFormat:
    """Paper and type sizes for one kind of printer (sizes in mm and points)."""

    name: str
    width: float
    height: float | None  # None: a roll, cut to the content
    margin: float
    heading: float
    subheading: float
    body: float
    small: float
    code: float
    qr: float
    label_column: float  # 0: labels above values (narrow paper)


FORMATS = {
    "a4": PageFormat("a4", 210, 297, 18, 18, 12.5, 11, 8.5, 30, 40, 52),
    "80mm": PageFormat("80mm", 80, None, 4, 13, 10, 9, 7.5, 22, 34, 0),
}
QR_BORDER = 2  # quiet-zone modules around the QR
ROLL_DRY_RUN_HEIGHT = 3000.0  # mm; a dry run on this page measures the content


def _identity(text: str) -> str:
    return text


def render_pdf(
    document: Document,
    fmt: str = "a4",
    translate: Callable[[str], str] = _identity,
    created_at: datetime | None = None,
) -> bytes:
    """The document as PDF bytes, in `translate`'s language (Spanish when none is given)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown receipt format {fmt!r}; use one of {', '.join(FORMATS)}")
    page = FORMATS[fmt]
    words = Words(translate, document.language)
    blocks = blocks_for(document, words)
    height = page.height
    if height is None:
        height = _draw(_new_pdf(page, ROLL_DRY_RUN_HEIGHT), page, blocks) + page.margin
    pdf = _new_pdf(page, height)
    _draw(pdf, page, blocks)
    pdf.set_title(title_of(document, words))
    pdf.set_lang(PDF_LANGUAGES.get(document.language, "es-CL"))
    pdf.set_author("Citas Kiosk")
    pdf.set_creator("Citas Kiosk")
    if created_at is not None:
        pdf.set_creation_date(created_at)
    return bytes(pdf.output())


def _new_pdf(page: PageFormat, height: float) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=(page.width, height))
    pdf.set_margins(page.margin, page.margin, page.margin)
    # A4 flows onto a second sheet; a roll is one page cut to length.
    pdf.set_auto_page_break(page.height is not None, margin=page.margin)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_page()
    return pdf


def _font(pdf: FPDF, size: float, *, bold: bool = False) -> None:
    """One font file only. Parsing and subsetting a TTF is most of a receipt's cost (a bold
    file doubled it: 2.3× the floor of `make bench`), so emphasis is size, colour and the box
    around the code; `bold` makes text one point larger instead."""
    pdf.set_font(FONT, "", size + (1 if bold else 0))


def _line(size: float) -> float:
    """Line height in mm for a font size in points."""
    return size * 0.3528 * 1.35


def _flow(align: str) -> dict[str, Any]:
    """multi_cell arguments: back to the left margin on the next line (fpdf2 justifies by default)."""
    from fpdf.enums import XPos, YPos

    return {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT, "align": align}


def _draw(pdf: FPDF, page: PageFormat, blocks: list[Block]) -> float:
    """Draw the blocks from the top; returns where the content ends (mm)."""
    down, centred = _flow("L"), _flow("C")
    for block in blocks:
        pdf.set_text_color(*BLACK)
        match block:
            case Heading(text):
                _font(pdf, page.heading, bold=True)
                pdf.multi_cell(0, _line(page.heading), text, **centred)
                pdf.ln(_line(page.body) * 0.5)
                pdf.set_draw_color(*BLACK)
                pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
                pdf.ln(_line(page.body) * 0.6)
            case Subheading(text):
                pdf.ln(_line(page.body) * 0.4)
                _font(pdf, page.subheading, bold=True)
                pdf.multi_cell(0, _line(page.subheading), text, **down)
            case Field(label, value):
                _field(pdf, page, label, value)
            case BigCode(label, text):
                _font(pdf, page.small)
                pdf.set_text_color(*MUTED)
                pdf.multi_cell(0, _line(page.small), label, **centred)
                pdf.set_text_color(*BLACK)
                _font(pdf, page.code, bold=True)
                pdf.multi_cell(0, _line(page.code) * 1.1, text, border=1, **centred)
                pdf.ln(_line(page.body) * 0.5)
            case QRCode(data):
                _qr(pdf, page, data)
            case Paragraph(text, strong):
                pdf.ln(_line(page.body) * 0.3)
                _font(pdf, page.body, bold=strong)
                pdf.multi_cell(0, _line(page.body), text, **down)
            case Bullets(items):
                _font(pdf, page.body)
                for item in items:
                    pdf.multi_cell(0, _line(page.body), f"•  {item}", **down)
            case FinePrint(text):
                pdf.ln(_line(page.body) * 0.6)
                _font(pdf, page.small)
                pdf.set_text_color(*MUTED)
                pdf.multi_cell(0, _line(page.small), text, **down)
    return pdf.get_y()


def _field(pdf: FPDF, page: PageFormat, label: str, value: str) -> None:
    down = _flow("L")
    pdf.set_text_color(*MUTED)
    if page.label_column:
        _font(pdf, page.body)
        # Wide paper: the label in a column beside its value, on the value's first line.
        top = pdf.get_y()
        pdf.multi_cell(page.label_column - 2, _line(page.body), label, **down)
        below_label = pdf.get_y()
        pdf.set_xy(pdf.l_margin + page.label_column, top)
        pdf.set_text_color(*BLACK)
        _font(pdf, page.body, bold=True)
        pdf.multi_cell(0, _line(page.body), value, **down)
        pdf.set_y(max(below_label, pdf.get_y()) + _line(page.body) * 0.25)
    else:
        _font(pdf, page.small)
        pdf.multi_cell(0, _line(page.small), label, **down)
        pdf.set_text_color(*BLACK)
        _font(pdf, page.body, bold=True)
        pdf.multi_cell(0, _line(page.body), value, **down)
        pdf.ln(_line(page.body) * 0.2)


def _qr(pdf: FPDF, page: PageFormat, data: str) -> None:
    """The verification code as a vector QR, centred (segno; error correction M survives smudges).

    Drawn as filled rectangles, one per run of dark modules in a row: no SVG to parse."""
    import segno

    code = segno.make(data, error="m", micro=False)
    matrix = [list(row) for row in code.matrix_iter(scale=1, border=QR_BORDER)]
    module = page.qr / len(matrix)
    left, top = (pdf.w - page.qr) / 2, pdf.get_y()
    pdf.set_fill_color(*BLACK)
    for row, modules in enumerate(matrix):
        column = 0
        while column < len(modules):
            if not modules[column]:
                column += 1
                continue
            run = column
            while run < len(modules) and modules[run]:
                run += 1
            pdf.rect(
                left + column * module,
                top + row * module,
                (run - column) * module,
                module,
                style="F",
            )
            column = run
    pdf.set_y(pdf.get_y() + page.qr + _line(page.body) * 0.3)
