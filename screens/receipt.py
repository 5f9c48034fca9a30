"""B7: the booking's verification code, what to bring, and the printed receipt.

The same screen shows the two other ends of a booking's life: B13, the new booking after a move
(the old code no longer counts), and B9, a cancellation, with its own printed proof."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Static

from screens.base import KioskScreen
from screens.labels import documents, procedure_name
from screens.printing import print_document
from screens.text import _, language, long_day, moment, plain
from screens.widgets.page import ScrollPage
from store.text import N_
from store.views import BookingView

if TYPE_CHECKING:  # fpdf2 and the receipts load when a receipt is printed, not before
    from receipts.documents import CancellationReceipt, Document


class ReceiptScreen(KioskScreen):
    """The code in large type, the details, the documents to bring; printed on arrival once.

    A cancelled booking shows what was cancelled instead, and offers its cancellation receipt."""

    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        # K5: a keypad reads the whole receipt and reaches both buttons: up and down scroll
        # the page above the buttons, left and right move between them.
        Binding("up", "scroll_receipt(-1)", show=False),
        Binding("down", "scroll_receipt(1)", show=False),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(
        self,
        booking: BookingView,
        *,
        fresh: bool = False,
        replaced: BookingView | None = None,
        cancelled_at: datetime | None = None,
    ) -> None:
        super().__init__()
        self.booking = booking
        self.fresh = fresh
        # B13: the booking this one replaced (its code is void now).
        self.replaced = replaced
        # B9: when it was cancelled (printed on the cancellation receipt).
        self.cancelled_at = cancelled_at

    @property
    def cancelled(self) -> bool:
        return self.booking.status == "cancelled"

    def heading(self) -> str:
        if self.cancelled:
            return _("Hora anulada")
        if self.replaced is not None:
            return _("Hora cambiada")
        return _("Hora confirmada") if self.fresh else _("Comprobante de su hora")

    def _details(self) -> list[str]:
        b = self.booking
        return [
            f"{_('Fecha')}: {long_day(b.start.date())}",
            f"{_('Hora')}: {b.start:%H:%M}",
            f"{_('Oficina')}: {b.office.name}",
            f"{_('Dirección')}: {b.office.address}",
            f"{_('Trámite')}: {procedure_name(b.procedure)}",
            f"{_('Nombre')}: {b.applicant_name}",
        ]

    def body(self) -> ComposeResult:
        if self.cancelled:
            yield from self._cancellation()
            return
        b = self.booking
        # The code, the date, the time and the office come first; the buttons stay under the
        # page, so the one focused is seen without scrolling the receipt away (K5).
        with ScrollPage(classes="page -with-actions", id="receipt"):
            if self.replaced is not None:
                old = self.replaced
                yield Static(
                    _(
                        "Su hora del {date}, {time} (código {code}) quedó anulada: use solo este "
                        "comprobante nuevo.",
                        date=long_day(old.start.date()),
                        time=f"{old.start:%H:%M}",
                        code=old.display_code or "-",
                    ),
                    classes="info-box",
                    id="replaced",
                )
            yield Static(_("Código de verificación"), classes="lead")
            yield Static(b.display_code or "", classes="big-code", id="booking-code")
            details = self._details()
            if b.enrolled_at is not None:
                details.append(
                    f"{_('Inscrito en asignación automatizada')}: {moment(b.enrolled_at, b.office.time_zone)}"
                )
            yield Static(plain("\n".join(details)), id="booking-details")
            yield Static(_("Documentos que debe traer"), classes="page-title")
            yield Static(
                plain("\n".join(f"• {item}" for item in documents(b.procedure))),
                id="booking-documents",
            )
            yield Static(
                _("Traiga este comprobante impreso el día de su cita."), classes="warning-box"
            )
        yield from self._actions(_("Imprimir comprobante"))

    def action_scroll_receipt(self, lines: int) -> None:
        page = self.query_one("#receipt", ScrollPage)
        page.scroll_relative(y=lines * 3, animate=False)

    def _actions(self, print_label: str) -> ComposeResult:
        """Print and "Volver", with what printing did beside them, under the page."""
        with Horizontal(classes="actions page-actions"):
            yield Button(print_label, id="print", variant="primary")
            yield Button(_("Volver"), id="back")
            yield Static("", id="print-status")

    def _cancellation(self) -> ComposeResult:
        """B9: that it is cancelled for good, what was cancelled, and its printed proof."""
        b = self.booking
        with ScrollPage(classes="page -with-actions", id="receipt"):
            yield Static(
                _(
                    "Su hora fue anulada y ya no es válida; el aviso quedó en su buzón. Si "
                    "necesita una hora, reserve otra o inscríbase en la lista."
                ),
                classes="warning-box",
                id="cancelled-title",
            )
            details = [f"{_('Código de la hora anulada')}: {b.display_code or '-'}"]
            details += self._details()
            yield Static(plain("\n".join(details)), id="booking-details")
        yield from self._actions(_("Imprimir comprobante de anulación"))

    def on_mount(self) -> None:
        self.query_one("#print").focus()
        if self.fresh:
            self._print()

    @on(Button.Pressed, "#print")
    def _print(self) -> None:
        document: Document
        if self.cancelled:
            document = cancellation_receipt(
                self.booking, self.cancelled_at or self.host.clock.now(), language()
            )
        else:
            from receipts.sources import booking_receipt

            document = booking_receipt(self.booking, language())
        print_document(self, document)


def cancellation_receipt(booking: BookingView, at: datetime, lang: str) -> CancellationReceipt:
    """B9: the printed proof of a cancellation (the document number masked, K6)."""
    from zoneinfo import ZoneInfo

    from receipts.documents import CancellationReceipt
    from store.validation import mask_document

    zone = ZoneInfo(booking.office.time_zone)
    return CancellationReceipt(
        code=booking.code or "",
        applicant_name=booking.applicant_name,
        document_masked=mask_document(booking.document_type, booking.document_number),
        procedure=booking.procedure.name_in(lang),
        office_name=booking.office.name,
        office_address=booking.office.address,
        start=booking.start.astimezone(zone),
        cancelled_at=at.astimezone(zone),
        language=lang,
    )
