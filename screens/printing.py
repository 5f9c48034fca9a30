"""Print a document from a screen: drawn and sent in a worker, said on screen (B7, K3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from screens.base import KioskScreen
from screens.text import _, translate

if TYPE_CHECKING:
    from receipts.documents import Document
    from receipts.printer import Printed


def print_document(screen: KioskScreen, document: Document, fmt: str = "80mm") -> None:
    """Render `document` and hand it to the kiosk's printer; the printer prints a double press once."""
    from receipts.printer import PrintError, job_of

    host = screen.host

    def job() -> Printed:
        from receipts import render_pdf  # fpdf2 is imported here, off the UI thread

        pdf = render_pdf(document, fmt, translate, host.clock.now())
        # K3: a second press prints nothing; the same receipt in another language prints.
        return host.printer.print_pdf(document.key, pdf, job=job_of(document, fmt))

    def done(_printed: Printed) -> None:
        text = _("Comprobante impreso. Retírelo de la impresora.")
        for status in screen.query("#print-status").results(Static):
            status.update(text)
            return
        screen.app.notify(text)

    def failed(_error: Exception) -> None:
        screen.app.notify(
            _("No se pudo imprimir; pida ayuda en el mesón de atención."), severity="error"
        )

    screen.call_store(job, done, failed, errors=(PrintError, OSError))
