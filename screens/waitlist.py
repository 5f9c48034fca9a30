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
from store.errors import Refused, StoreError
from store.text import N_
from store.views import OfferingView, OfficeView, ProcedureView, WaitlistEntryView


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
        # W1: one place per procedure. Whether the person's places were read yet, and whether
        # `entry` was there before this screen (then it is shown, and not offered again).
        self.checked = False
        self.already = False

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
            if not self.checked:
                yield Static(_("Cargando…"), classes="lead")
            elif self.entry is None:
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
                yield Static(plain(self._entry_title()), classes="page-title", id="enrolled")
                yield Static(
                    plain(
                        _("Su lugar en la lista: {position}", position=self.entry.position)
                        + "\n"
                        + _(
                            "Fecha y hora de inscripción: {moment}",
                            moment=moment(self.entry.enrolled_at, self.entry_office().time_zone),
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

    def entry_office(self) -> OfficeView:
        """The office of the person's place: this one, or where they wait for the procedure."""
        if self.entry is not None and self.entry.office != self.offering.office.code:
            for office in self.host.catalog.offices:
                if office.code == self.entry.office:
                    return office
        return self.offering.office

    def _entry_title(self) -> str:
        assert self.entry is not None
        if not self.already:
            return _("Inscripción confirmada")
        office = self.entry_office()
        if office.code != self.offering.office.code:
            return _(
                "Ya está en la lista de asignación automatizada para este trámite en {office}.",
                office=office.name,
            )
        return _("Ya está inscrito: lugar {position}", position=self.entry.position)

    def on_mount(self) -> None:
        self._check()

    def after_relabel(self) -> None:
        self._focus()

    def _focus(self) -> None:
        for button in self.query("#enrol, #home"):
            button.focus()

    def _check(self, *, say_place: bool = False) -> None:
        """W1, W3: the person's place for this procedure, if they hold one already."""
        applicant_id, code = self.session.applicant_id, self.procedure.code

        def found(entries: list[WaitlistEntryView]) -> None:
            waiting = [e for e in entries if e.status == "waiting" and e.procedure == code]
            self.entry = waiting[0] if waiting else None
            self.already = self.entry is not None
            self.checked = True
            self.call_later(self._redraw)
            if say_place and self.entry is not None:
                self.notify(
                    _("Ya está inscrito: lugar {position}", position=self.entry.position),
                    severity="warning",
                )

        self.call_store(lambda: self.store.waitlist_entries_of(applicant_id), found)

    async def _redraw(self) -> None:
        await self.recompose()
        self._focus()

    @on(Button.Pressed, "#enrol")
    def _enrol(self) -> None:
        applicant_id, actor = self.session.applicant_id, self.session.actor
        office, code = self.offering.office.code, self.procedure.code

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.enrol(applicant_id, office, code, actor=actor),
                    self._enrolled,
                    self._refused,
                )

        self.app.push_screen(
            ConfirmDialog(
                lambda: _("Inscribirme en asignación automatizada"),
                lambda: _(
                    "{office} · {procedure}",
                    office=self.offering.office.name,
                    procedure=procedure_name(self.procedure),
                ),
                lambda: _("Sí, inscribirme"),
            ),
            answered,
        )

    def _refused(self, error: StoreError) -> None:
        """Enrolled already (at another kiosk, a moment ago): the place, not a bare refusal."""
        if isinstance(error, Refused) and error.code == "already_waiting":
            self._check(say_place=True)
        else:
            self.show_refusal(error)

    def _enrolled(self, entry: WaitlistEntryView) -> None:
        self.entry = entry
        self.already = False
        self.call_later(self._after_enrol)

    async def _after_enrol(self) -> None:
        await self.recompose()
        self._focus()
        self._print()

    @on(Button.Pressed, "#print")
    def _print(self) -> None:
        from receipts.sources import waitlist_receipt

        assert self.entry is not None
        receipt = waitlist_receipt(
            self.entry, self.session.applicant, self.entry_office(), self.procedure, language()
        )
        print_document(self, receipt)

    @on(Button.Pressed, "#home")
    def _home(self) -> None:
        self.post_message(self.HomeChosen())
