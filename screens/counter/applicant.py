"""One applicant at the counter: who they are, their bookings and places; verify identity in
person (C4), act for them in assisted mode (C2), ask for missing documents (C8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Label, Static

from screens.base import Outcome
from screens.counter.base import STATUS_NAMES, CounterScreen, cells
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.request_documents import RequestDocumentsDialog
from screens.labels import document_type_name, procedure_name
from screens.text import _, language, moment, plain
from screens.widgets.table import Table
from store.text import N_
from store.validation import nationalities
from store.views import ApplicantView, BookingView, WaitlistEntryView


class ApplicantScreen(CounterScreen):
    """The applicant's file, read fresh each time the agent comes back to it."""

    ROLES = ("agent", "supervisor")
    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    @dataclass
    class AssistChosen(Outcome):
        """C2: "Atender (modo asistido)": the kiosk's screens, run for this person."""

        applicant: ApplicantView

    def __init__(self, applicant: ApplicantView) -> None:
        super().__init__()
        self.applicant = applicant
        self.bookings: list[BookingView] = []
        self.entries: list[WaitlistEntryView] = []

    def heading(self) -> str:
        return _("Ficha de {name}", name=self.applicant.full_name)

    def body(self) -> ComposeResult:
        person = self.applicant
        regions = {r.code: r.name for r in self.host.catalog.regions}
        verified = (
            _("sí, el {date}", date=moment(person.verified_at))
            if person.verified_at
            else _("no: revise el documento y verifique")
        )
        with VerticalScroll(classes="page", id="applicant"):
            with Grid(id="applicant-facts"):
                for label, value in (
                    (_("Nombre"), person.full_name),
                    (
                        _("Documento"),
                        f"{document_type_name(person.document_type)} {person.document_number}",
                    ),
                    (
                        _("Nacionalidad"),
                        nationalities(language()).get(person.nationality, person.nationality),
                    ),
                    (_("Nacimiento"), person.birth_date.strftime("%d-%m-%Y")),
                    (_("Correo"), person.email),
                    (_("Teléfono"), person.phone or "—"),
                    (_("Región"), regions.get(person.region, person.region)),
                    (_("Identidad verificada en el mesón"), verified),
                ):
                    yield Label(label, classes="review-label")
                    yield Static(plain(value), classes="review-value")
            with Horizontal(classes="actions"):
                yield Button(_("Atender (modo asistido)"), id="assist", variant="primary")
                if not person.verified_at:
                    yield Button(_("Verificar identidad"), id="verify")
                yield Button(_("Pedir documentos"), id="request")
            yield Static(_("Horas"), classes="page-title")
            yield Table(id="bookings", cursor_type="row", zebra_stripes=True)
            yield Static(_("Listas de espera"), classes="page-title")
            yield Static("", id="entries", classes="lead")

    def ready(self) -> None:
        self.query_one("#bookings", Table).add_columns(
            _("Código"), _("Fecha"), _("Oficina"), _("Trámite"), _("Estado")
        )
        self.query_one("#assist").focus()

    def after_relabel(self) -> None:
        self.ready()
        self._fill()

    def on_screen_resume(self) -> None:
        """Shown for the first time or come back to (after assisting): read it fresh, once."""
        if self.allowed:
            self.reload()

    def reload(self) -> None:
        applicant_id = self.applicant.id
        store = self.store

        def load() -> tuple[ApplicantView, list[BookingView], list[WaitlistEntryView]]:
            return (
                store.applicant(applicant_id),
                store.bookings_of(applicant_id),
                store.waitlist_entries_of(applicant_id),
            )

        self.call_store(load, self._loaded)

    def _loaded(
        self, data: tuple[ApplicantView, list[BookingView], list[WaitlistEntryView]]
    ) -> None:
        changed = data[0] != self.applicant
        self.applicant, self.bookings, self.entries = data
        if changed:
            self.call_later(self.relabel)
            return
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#bookings", Table)
        table.clear()
        for booking in self.bookings:
            table.add_row(
                *cells(
                    booking.display_code,
                    f"{booking.start:%d-%m-%Y %H:%M}",
                    booking.office.name,
                    procedure_name(booking.procedure),
                    _(STATUS_NAMES.get(booking.status, booking.status)),
                )
            )
        waiting = [e for e in self.entries if e.status == "waiting"]
        self.query_one("#entries", Static).update(
            plain(
                "\n".join(
                    _(
                        "{office} · {procedure}: lugar {position}, inscrito el {date}",
                        office=e.office,
                        procedure=e.procedure,
                        position=e.position,
                        date=moment(e.enrolled_at),
                    )
                    for e in waiting
                )
                or _("No está en ninguna lista.")
            )
        )

    @on(Button.Pressed, "#assist")
    def _assist(self) -> None:
        self.post_message(self.AssistChosen(self.applicant))

    @on(Button.Pressed, "#verify")
    def _verify(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                applicant_id, actor = self.applicant.id, self.actor
                self.call_store(
                    lambda: self.store.verify_identity(applicant_id, actor=actor), self._verified
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Verificar identidad"),
                _(
                    "¿Revisó el documento original y coincide con {document} a nombre de {name}?",
                    document=self.applicant.document_number,
                    name=self.applicant.full_name,
                ),
                _("Sí, verificar"),
            ),
            answered,
        )

    def _verified(self, applicant: ApplicantView) -> None:
        self.applicant = applicant
        self.app.notify(_("Identidad verificada en el mesón."))
        self.call_later(self.relabel)

    @on(Button.Pressed, "#request")
    def _request(self) -> None:
        def written(request: tuple[str, date] | None) -> None:
            if request:
                documents, deadline = request
                applicant_id, actor = self.applicant.id, self.actor
                self.call_store(
                    lambda: self.store.request_documents(
                        applicant_id, documents, deadline, actor=actor
                    ),
                    lambda _none: self.app.notify(_("Solicitud enviada a su buzón.")),
                )

        self.app.push_screen(RequestDocumentsDialog(self.host.clock.now().date()), written)
