"""A2–A8: check your answers, then create the account."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Label, Static

from screens.base import KioskScreen
from screens.registration import DOCUMENT_TYPES
from screens.text import _, long_day, plain
from store.forms import ApplicantForm, CleanApplicant
from store.text import N_
from store.validation import format_document, nationalities
from store.views import Registration


class ReviewScreen(KioskScreen):
    """Every answer once more, "Corregir" back to the form, "Confirmar" creates the account."""

    BINDINGS = [Binding("escape", "back", N_("Corregir"))]

    def __init__(self, form: ApplicantForm, clean: CleanApplicant) -> None:
        super().__init__()
        self.form = form
        self.clean = clean

    def heading(self) -> str:
        return _("Registro: revise sus datos")

    def rows(self) -> list[tuple[str, str]]:
        c = self.clean
        regions = {r.code: r.name for r in self.kiosk.catalog.regions}
        kinds = {code: _(label) for code, label in DOCUMENT_TYPES}
        from screens.text import language

        return [
            (
                _("Documento"),
                f"{kinds[c.document_type]} {format_document(c.document_type, c.document_number)}",
            ),
            (_("Vencimiento del documento"), long_day(c.document_expiry)),
            (_("Nombres"), c.given_names),
            (_("Primer apellido"), c.first_surname),
            (_("Segundo apellido"), c.second_surname),
            (_("Correo electrónico"), c.email),
            (_("Nacionalidad"), nationalities(language()).get(c.nationality, c.nationality)),
            (_("Fecha de nacimiento"), long_day(c.birth_date)),
            (_("Región donde vive"), regions.get(c.region, c.region)),
            (_("Teléfono móvil (opcional)"), c.phone or "—"),
        ]

    def body(self) -> ComposeResult:
        with VerticalScroll(classes="page"):
            yield Static(
                _(
                    "Compruebe que todo está igual que en su documento: después no podrá cambiar su identidad mientras tenga una hora o un lugar en la lista."
                ),
                classes="lead",
            )
            with Grid(id="review-answers"):
                for label, value in self.rows():
                    yield Label(label, classes="review-label")
                    yield Static(plain(value), classes="review-value")
            with Horizontal(classes="actions"):
                yield Button(_("Corregir"), id="back")
                yield Button(_("Confirmar registro"), id="confirm", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm").focus()

    @on(Button.Pressed, "#confirm")
    def _register(self) -> None:
        form = self.form
        self.call_store(
            lambda: self.store.register(form, terms_accepted=True, actor=self.kiosk.acting_staff()),
            self._registered,
        )

    def _registered(self, registration: Registration) -> None:
        from screens.registered import RegisteredScreen

        self.kiosk.restart_at(
            RegisteredScreen(registration.temporary_password, registration.applicant.email)
        )

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.app.pop_screen()
