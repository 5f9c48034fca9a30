"""Print a document from a screen: drawn and sent in a worker, said on screen (B7, K3)."""

from __future__ import annotations

from typing import Any

from screens.text import _


def print_document(screen: Any, document: Any, fmt: str = "80mm") -> None:
    """Render `document` and hand it to the kiosk's printer; the printer prints a double press once."""
    app = screen.app

    def job() -> Any:
        from receipts import render_pdf
        from screens.text import translate

        pdf = render_pdf(document, fmt, translate, app.clock.now())
        return app.printer.print_pdf(document.key, pdf)

    def done(printed: Any) -> None:
        status = screen.query("#print-status")
        text = _("Comprobante impreso. Retírelo de la impresora.")
        if status:
            status.first().update(text)
        else:
            app.notify(text)

    def failed(error: Exception) -> None:
        app.notify(_("No se pudo imprimir; pida ayuda en el mesón de atención."), severity="error")

    from receipts.printer import PrintError

    screen.call_store(job, done, failed, errors=(PrintError, OSError))
