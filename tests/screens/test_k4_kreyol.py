"""K4 (issue 16): a person who reads Kreyòl goes from the welcome to the printed receipt in
Kreyòl: F2 on the welcome, log in, book; the screens, the receipt on screen and the PDF that
comes out of the printer speak Kreyòl, dates and procedure names included, and the account
remembers the language for the notices and e-mails that follow."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from textual.widgets import Button

from kiosk.i18n import translator
from store.views import ApplicantView
from tests.screens.conftest import screen_text, settle

HT = translator("ht")


def _pdf_text(folder: Path) -> str:
    (path,) = sorted(folder.glob("*.pdf"))
    pages = PdfReader(io.BytesIO(path.read_bytes())).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def _squash(text: str) -> str:
    return " ".join(text.split())


async def test_k4_a_kreyol_journey_from_the_welcome_to_the_printed_receipt(
    make_kiosk: Any, kiosk_store: Any, registered: ApplicantView, tmp_path: Path
) -> None:
    from screens.receipt import ReceiptScreen
    from tests.screens.test_reliability import _to_the_hold

    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2", "f2")  # Español → English → Kreyòl
        await settle(pilot)
        assert app.language == "ht"
        assert str(app.screen.query_one("#book", Button).label) == HT("Reservar hora")
        assert "Sèvis la gratis" in screen_text(app)
        await _to_the_hold(pilot, registered.email)
        hold = screen_text(app)
        assert HT("Confirme su hora") in hold
        assert "Rezidans tanporè" in hold  # the procedure's Kreyòl name, not the Spanish
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        on_screen = screen_text(app)
        assert "lendi" in on_screen and "lunes" not in on_screen and "lundi" not in on_screen
    printed = _pdf_text(tmp_path / "receipts")
    for kreyol in (
        "Rezidans tanporè",
        "Paspò ki valab",
        "lendi",
        HT("Traiga este comprobante impreso el día de su cita."),
        HT("El trámite es gratuito. No pague a intermediarios («tramitadores»)."),
    ):
        assert _squash(kreyol) in printed, kreyol
    for other in ("Residencia temporal", "Pasaporte vigente", "lunes", "lundi", "Monday"):
        assert other not in printed, other
    # The notices and e-mails that follow are in Kreyòl too.
    assert kiosk_store.applicant(registered.id).language == "ht"
