"""W1, W2, W5: an office with no free time offers automated assignment; enrol and get a receipt."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from screens.base import KioskScreen, Outcome
from screens.dialogs.confirm import ConfirmDialog
from screens.labels import procedure_name
from screens.printing import print_document
from screens.text import _, language, moment, n_, plain
from store.text import N_
from store.views import OfferingView, ProcedureView, WaitlistEntryView


class WaitlistScreen(KioskScreen):
    """How assignment works, "Inscribirme", then the enrolment with its date and position."""

    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    @dataclass
    class HomeChosen(Outcome):
        """ "Ir al inicio" after enrolling (W1)."""

    def __init__(self, offering: OfferingView, procedure: ProcedureView) -> None:
        super().__init__()
        self.offering = offering
        self.procedure = procedure
        self.entry: WaitlistEntryView | None = None

    def heading(self) -> str:
        return _("Asignación automatizada de citas")

    def body(self) -> ComposeResult:
        office = self.offering.office
        with Vertical(classes="page", id="waitlist"):
            yield Static(
                plain(
                    _(
                        "{office} no tiene horas libres para {procedure}.",
                        office=office.name,
                        procedure=procedure_name(self.procedure),
                    )
                ),
                classes="page-title",
            )
            if self.entry is None:
                yield Static(
                    _(
                        "Puede inscribirse en la asignación automatizada: cuando la oficina abra horas, "
                        "se entregan estrictamente en orden de inscripción y la hora asignada llega a su buzón."
                    )
                    + " "
                    + n_(
                        "Ahora hay {count} persona en espera.",
                        "Ahora hay {count} personas en espera.",
                        self.offering.waiting,
                    ),
                    classes="info-box",
                )
                with Horizontal(classes="actions"):
                    yield Button(_("Volver"), id="back")
                    yield Button(_("Inscribirme"), id="enrol", variant="primary")
            else:
                yield Static(_("Inscripción confirmada"), classes="page-title", id="enrolled")
                yield Static(
                    plain(
                        _("Su lugar en la lista: {position}", position=self.entry.position)
                        + "\n"
                        + _(
                            "Fecha y hora de inscripción: {moment}",
                            moment=moment(self.entry.enrolled_at, office.time_zone),
                        )
                    ),
                    classes="info-box",
                    id="entry-details",
                )
                yield Static(
                    _(
                        "La fecha y hora de inscripción es la referencia legal para cualquier multa: conserve este comprobante."
                    ),
                    classes="lead",
                )
                yield Static("", id="print-status", classes="lead")
                with Horizontal(classes="actions"):
                    yield Button(_("Imprimir comprobante"), id="print")
                    yield Button(_("Ir al inicio"), id="home", variant="primary")

    def on_mount(self) -> None:
        for button in self.query("#enrol, #home"):
            button.focus()

    def after_relabel(self) -> None:
        self.on_mount()

    @on(Button.Pressed, "#enrol")
    def _enrol(self) -> None:
        applicant_id, actor = self.session.applicant_id, self.session.actor
        office, code = self.offering.office.code, self.procedure.code

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.enrol(applicant_id, office, code, actor=actor),
                    self._enrolled,
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Inscribirme en asignación automatizada"),
                plain(
                    _(
                        "{office} · {procedure}",
                        office=self.offering.office.name,
                        procedure=procedure_name(self.procedure),
                    )
                ).plain,
                _("Sí, inscribirme"),
            ),
            answered,
        )

    def _enrolled(self, entry: WaitlistEntryView) -> None:
        self.entry = entry
        self.call_later(self._after_enrol)

    async def _after_enrol(self) -> None:
        await self.recompose()
        self.on_mount()
        self._print()

    @on(Button.Pressed, "#print")
    def _print(self) -> None:
        from receipts.sources import waitlist_receipt

        assert self.entry is not None
        receipt = waitlist_receipt(
            self.entry, self.session.applicant, self.offering.office, self.procedure, language()
        )
        print_document(self, receipt)

    @on(Button.Pressed, "#home")
    def _home(self) -> None:
        self.post_message(self.HomeChosen())
