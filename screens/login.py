"""A9–A11: log in, the forced change of a temporary password, and recovery without e-mail."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, RadioSet, Static

from screens.base import KioskScreen, Outcome
from screens.labels import DOCUMENT_TYPES, field_label
from screens.text import _, language, say
from screens.widgets.fields import FormChoices, FormField, NewPasswordFields
from screens.widgets.keypad import KEYPAD_ARROWS
from screens.widgets.nationality import NationalityPicker
from screens.widgets.page import ScrollPage
from screens.widgets.toggles import Choice
from store.errors import InvalidForm, InvalidInput, StoreError
from store.forms import RecoveryForm
from store.text import N_
from store.views import ApplicantView


class LoginScreen(KioskScreen):
    """E-mail or document, password; the lockout message says until when (A11)."""

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    @dataclass
    class LoggedIn(Outcome):
        """A9: the applicant is known; `password` is kept only to replace a temporary one."""

        applicant: ApplicantView
        password: str

    @dataclass
    class ForgotChosen(Outcome):
        """ "Olvidé mi contraseña" (A10)."""

    def __init__(self, identifier: str = "") -> None:
        super().__init__()
        self.identifier = identifier

    def heading(self) -> str:
        return _("Ingresar")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield FormField(
                _("Correo electrónico o número de documento"),
                Input(self.identifier, id="identifier"),
                "identifier",
            )
            yield FormField(_("Contraseña"), Input(id="password", password=True), "password")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Olvidé mi contraseña"), id="forgot")
                yield Button(_("Ingresar"), id="login", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#password" if self.identifier else "#identifier").focus()

    @on(Input.Submitted, "#identifier")
    def _to_password(self) -> None:
        self.query_one("#password").focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        identifier = self.query_one("#identifier", Input).value
        password = self.query_one("#password", Input).value
        self.query_one("#field-password", FormField).show(None)
        self.call_store(
            lambda: self.store.login(identifier, password),
            lambda applicant: self.post_message(self.LoggedIn(applicant, password)),
            self._refused,
        )

    def _refused(self, error: StoreError) -> None:
        # A11: the lockout sentence names the time it ends; keep the identifier typed.
        self.query_one("#field-password", FormField).show(say(error.message))
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()

    @on(Button.Pressed, "#forgot")
    def _forgot(self) -> None:
        self.post_message(self.ForgotChosen())


class ChangePasswordScreen(KioskScreen):
    """A9: a temporary password must be replaced before anything else."""

    BINDINGS = [*KEYPAD_ARROWS]

    @dataclass
    class PasswordChanged(Outcome):
        """The password is the applicant's own now."""

        applicant: ApplicantView

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def heading(self) -> str:
        return _("Elija su contraseña")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static(
                _(
                    "Ingresó con una contraseña temporal. Elija una nueva de al menos 8 caracteres, distinta de la temporal."
                ),
                classes="lead",
            )
            yield NewPasswordFields()
            with Horizontal(classes="actions"):
                yield Button(_("Guardar contraseña"), id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one(NewPasswordFields).focus_first()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.query_one(NewPasswordFields).submit()

    @on(NewPasswordFields.Chosen)
    def _chosen(self, event: NewPasswordFields.Chosen) -> None:
        applicant_id, current, new = self.session.applicant_id, self.current, event.password
        self.call_store(
            lambda: self.store.change_password(applicant_id, current, new),
            self._changed,
            lambda error: self.query_one(NewPasswordFields).refused(say(error.message)),
        )

    def _changed(self, applicant: ApplicantView) -> None:
        self.app.notify(_("Contraseña guardada."))
        self.post_message(self.PasswordChanged(applicant))


RECOVERY_FIELDS = (
    "document_number",
    "given_names",
    "first_surname",
    "second_surname",
    "birth_date",
)


class RecoveryScreen(KioskScreen):
    """A10: the person's identity instead of an e-mail; a new temporary password follows."""

    @dataclass
    class Recovered(Outcome):
        """A new temporary password, shown once; `identifier` is the document typed."""

        temporary_password: str
        identifier: str

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    def __init__(self) -> None:
        super().__init__()
        self.nationality_code: str | None = None

    def heading(self) -> str:
        return _("Recuperar la contraseña")

    def body(self) -> ComposeResult:
        with ScrollPage(classes="page"):
            yield Static(
                _(
                    "Sin correo: escriba sus datos tal como los registró y recibirá una contraseña temporal nueva."
                ),
                classes="lead",
            )
            yield FormField(
                field_label("nationality"),
                NationalityPicker(
                    language(), _("Escriba para buscar: «hai», «vene»…"), self.nationality_code
                ),
                "nationality",
            )
            with FormChoices(id="document_type"):
                for code, label in DOCUMENT_TYPES:
                    yield Choice(_(label), value=code == "passport", id=f"doc-{code}")
            yield FormField(
                field_label("document_number"), Input(id="document_number"), "document_number"
            )
            yield FormField(field_label("given_names"), Input(id="given_names"), "given_names")
            yield FormField(
                field_label("first_surname"), Input(id="first_surname"), "first_surname"
            )
            yield FormField(
                field_label("second_surname"), Input(id="second_surname"), "second_surname"
            )
            yield FormField(
                field_label("birth_date"),
                Input(placeholder=_("DD-MM-AAAA"), id="birth_date"),
                "birth_date",
            )
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Recuperar"), id="recover", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#nationality").focus()

    @on(NationalityPicker.Picked)
    def _nationality(self, event: NationalityPicker.Picked) -> None:
        self.nationality_code = event.code

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#recover")
    def _recover(self) -> None:
        values = {field: self.query_one(f"#{field}", Input).value for field in RECOVERY_FIELDS}
        pressed = self.query_one("#document_type", RadioSet).pressed_button
        form = RecoveryForm(
            nationality=self.nationality_code or "",
            document_type=(pressed.id or "doc-passport").removeprefix("doc-")
            if pressed
            else "passport",
            document_number=values["document_number"],
            first_surname=values["first_surname"],
            second_surname=values["second_surname"] or None,
            given_names=values["given_names"],
            birth_date=values["birth_date"],
        )
        for field in (*RECOVERY_FIELDS, "nationality"):
            self.query_one(f"#field-{field}", FormField).show(None)
        self.call_store(
            lambda: self.store.recover_password(form),
            lambda password: self.post_message(self.Recovered(password, values["document_number"])),
            self._refused,
        )

    def _refused(self, error: StoreError) -> None:
        if isinstance(error, InvalidForm):
            for field, message in error.errors.items():
                for box in self.query(f"#field-{field}").results(FormField):
                    box.show(say(message))
        elif isinstance(error, InvalidInput) and self.query(f"#field-{error.field}"):
            self.query_one(f"#field-{error.field}", FormField).show(say(error.message))
        else:
            self.show_refusal(error)
