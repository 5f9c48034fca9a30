"""Print a document from a screen: drawn and sent in a worker, said on screen (B7, K3, K7).

A printer that refuses (a jam, an `lp` destination that does not exist) is said on screen and
written to the log with the printer's own reason, for staff."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widgets import Static

from screens.base import KioskScreen
from screens.text import _, translate

if TYPE_CHECKING:
    from receipts.documents import Document
    from receipts.printer import Printed

log = logging.getLogger("kiosk.printing")


def print_document(
    screen: KioskScreen,
    document: Document,
    fmt: str = "80mm",
    *,
    printed: Callable[[Printed], object] | None = None,
) -> None:
    """Render `document` and hand it to the kiosk's printer; the printer prints a double press once.

    `printed`, when given, says on screen what happened instead of the usual "Comprobante
    impreso" (the credentials slip needs to say when the training printer kept none, K7)."""
    from receipts.printer import PrintError, job_of

    host = screen.host

    def job() -> Printed:
        from receipts import render_pdf  # fpdf2 is imported here, off the UI thread

        pdf = render_pdf(document, fmt, translate, host.clock.now())
        # K3: a second press prints nothing; the same receipt in another language prints.
        return host.printer.print_pdf(document.key, pdf, job=job_of(document, fmt))

    def done(result: Printed) -> None:
        if printed is not None:
            printed(result)
            return
        text = _("Comprobante impreso. Retírelo de la impresora.")
        for status in screen.query("#print-status").results(Static):
            status.update(text)
            return
        screen.app.notify(text)

    def failed(error: Exception) -> None:
        # The key names the kind and code of the document, never a password (CredentialsSlip).
        log.error("printing %s failed: %s", document.key, error)
        screen.app.notify(
            _("No se pudo imprimir; pida ayuda en el mesón de atención."), severity="error"
        )

    screen.call_store(job, done, failed, errors=(PrintError, OSError))
