"""B7: the booking's verification code, what to bring, and the printed receipt."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from screens.base import KioskScreen
from screens.labels import documents, procedure_name
from screens.printing import print_document
from screens.text import _, language, long_day, moment, plain
from store.text import N_
from store.views import BookingView


class ReceiptScreen(KioskScreen):
    """The code in large type, the details, the documents to bring; printed on arrival once."""

    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    def __init__(self, booking: BookingView, *, fresh: bool = False) -> None:
        super().__init__()
        self.booking = booking
        self.fresh = fresh

    def heading(self) -> str:
        return _("Hora confirmada") if self.fresh else _("Comprobante de su hora")

    def body(self) -> ComposeResult:
        b = self.booking
        with VerticalScroll(classes="page", id="receipt"):
            yield Static(_("Código de verificación"), classes="lead")
            yield Static(b.display_code or "", classes="big-code", id="booking-code")
            details = [
                f"{_('Fecha')}: {long_day(b.start.date())}",
                f"{_('Hora')}: {b.start:%H:%M}",
                f"{_('Oficina')}: {b.office.name}",
                f"{_('Dirección')}: {b.office.address}",
                f"{_('Trámite')}: {procedure_name(b.procedure)}",
                f"{_('Nombre')}: {b.applicant_name}",
            ]
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
            yield Static("", id="print-status", classes="lead")
            with Horizontal(classes="actions"):
                yield Button(_("Imprimir comprobante"), id="print", variant="primary")
                yield Button(_("Volver"), id="back")

    def on_mount(self) -> None:
        self.query_one("#print").focus()
        if self.fresh:
            self._print()

    @on(Button.Pressed, "#print")
    def _print(self) -> None:
        from receipts.sources import booking_receipt

        print_document(self, booking_receipt(self.booking, language()))
