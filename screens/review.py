"""A2–A8: check your answers, then create the account."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.widgets import Button, Label, Static

from screens.base import KioskScreen, Outcome
from screens.dialogs.choice import ChoiceDialog
from screens.labels import document_type_name, field_label
from screens.text import _, language, long_day, plain, say
from screens.widgets.keypad import KEYPAD_ARROWS
from screens.widgets.page import ScrollPage
from store.errors import Refused, StoreError
from store.forms import ApplicantForm, CleanApplicant
from store.text import N_
from store.validation import format_document, nationalities
from store.views import Registration


class ReviewScreen(KioskScreen):
    """Every answer once more, "Corregir" back to the form, "Confirmar" creates the account."""

    BINDINGS = [Binding("escape", "back", N_("Corregir")), *KEYPAD_ARROWS]

    @dataclass
    class Registered(Outcome):
        """A8: the account exists; its temporary password is shown once."""

        registration: Registration

    @dataclass
    class LoginChosen(Outcome):
        """A6: the e-mail or document has an account already; log in with it."""

        identifier: str

    @dataclass
    class RecoveryChosen(Outcome):
        """A6: the account exists, its password is forgotten: recover it (A10)."""

    def __init__(self, form: ApplicantForm, clean: CleanApplicant) -> None:
        super().__init__()
        self.form = form
        self.clean = clean

    def heading(self) -> str:
        return _("Registro: revise sus datos")

    def rows(self) -> list[tuple[str, str]]:
        c = self.clean
        regions = {r.code: r.name for r in self.host.catalog.regions}
        return [
            (
                _("Documento"),
                f"{document_type_name(c.document_type)} {format_document(c.document_type, c.document_number)}",
            ),
            (field_label("document_expiry"), long_day(c.document_expiry)),
            (field_label("given_names"), c.given_names),
            (field_label("first_surname"), c.first_surname),
            (field_label("second_surname"), c.second_surname),
            (field_label("email"), c.email),
            (
                field_label("nationality"),
                nationalities(language()).get(c.nationality, c.nationality),
            ),
            (field_label("birth_date"), long_day(c.birth_date)),
            (field_label("region"), regions.get(c.region, c.region)),
            (field_label("phone"), c.phone or "—"),
        ]

    def body(self) -> ComposeResult:
        with ScrollPage(classes="page"):
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
        actor = self.host.acting_staff()
        self.call_store(
            lambda: self.store.register(form, terms_accepted=True, actor=actor),
            lambda registration: self.post_message(self.Registered(registration)),
            self._refused,
        )

    def _refused(self, error: StoreError) -> None:
        """A6: an account exists for this e-mail or document: log in, recover the password, or
        go back to the form and correct it; never a dead end."""
        if not (isinstance(error, Refused) and error.rule == "A6"):
            self.show_refusal(error)
            return
        clean = self.clean
        identifier = clean.document_number if error.code == "document_taken" else clean.email

        def chosen(choice: str | None) -> None:
            if choice == "login":
                self.post_message(self.LoginChosen(identifier))
            elif choice == "recover":
                self.post_message(self.RecoveryChosen())
            elif choice == "correct":
                self.action_back()

        self.app.push_screen(
            ChoiceDialog(
                lambda: _("Ya tiene una cuenta"),
                lambda: say(error.message),
                [
                    ("login", lambda: _("Ingresar")),
                    ("recover", lambda: _("Recuperar la contraseña")),
                    ("correct", lambda: _("Corregir mis datos")),
                ],
            ),
            chosen,
        )
