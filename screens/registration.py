"""A2–A7: the registration form, checked field by field as the person types.

Every check is the store's own (`store.forms.field_problem`); the whole form is checked again
on "Revisar mis datos", and then once more by the store when the account is created."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, RadioSet, Select, Static

from screens.base import KioskScreen, Outcome
from screens.dialogs.confirm import ConfirmDialog
from screens.labels import DOCUMENT_TYPES, field_label
from screens.text import _, language, say
from screens.widgets.fields import FormCheckbox, FormChoices, FormField, FormSelect, StoreCheck
from screens.widgets.nationality import NationalityPicker
from screens.widgets.page import ScrollPage
from screens.widgets.toggles import Choice
from store.clock import local_today
from store.errors import InvalidForm
from store.forms import ApplicantForm, CleanApplicant, clean_applicant_form, field_problem
from store.text import N_, Message

TEXT_FIELDS = (
    "document_number",
    "document_expiry",
    "given_names",
    "first_surname",
    "second_surname",
    "email",
    "email_confirmation",
    "birth_date",
    "phone",
)
HOME_ZONE = "America/Santiago"


class RegistrationScreen(KioskScreen):
    """The form (A2), with "no second surname" (A3) and a searchable nationality list."""

    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    @dataclass
    class Checked(Outcome):
        """The form passed every check (A2–A7); the answers are shown once more."""

        form: ApplicantForm
        clean: CleanApplicant

    def __init__(self) -> None:
        super().__init__()
        self.nationality_code: str | None = None
        self.touched: set[str] = set()

    def heading(self) -> str:
        return _("Registro: sus datos")

    def _input(self, field: str, hint: str = "") -> Input:
        """A text field checked as the person types, by the store's own validation."""
        return Input(
            placeholder=hint,
            id=field,
            validators=[StoreCheck(field, self.check_field, say)],
            validate_on=["changed", "blur", "submitted"],
        )

    def body(self) -> ComposeResult:
        date_hint = _("DD-MM-AAAA")
        regions = self.host.catalog.regions
        with ScrollPage(classes="page", id="registration-form"):
            yield Static(
                _(
                    "Escriba sus datos tal como aparecen en su documento. Todos son obligatorios, salvo el teléfono."
                ),
                classes="lead",
            )
            with FormChoices(id="document_type"):
                for code, label in DOCUMENT_TYPES:
                    yield Choice(_(label), value=code == "passport", id=f"doc-{code}")
            yield FormField(
                field_label("document_number"),
                self._input(
                    "document_number", _("Pasaporte: letras y números; cédula: 12.345.678-5")
                ),
                "document_number",
            )
            yield FormField(
                field_label("document_expiry"),
                self._input("document_expiry", date_hint),
                "document_expiry",
            )
            yield FormField(field_label("given_names"), self._input("given_names"), "given_names")
            yield FormField(
                field_label("first_surname"), self._input("first_surname"), "first_surname"
            )
            yield FormField(
                field_label("second_surname"), self._input("second_surname"), "second_surname"
            )
            yield FormCheckbox(_("No tengo segundo apellido"), id="no-second-surname")
            yield FormField(field_label("email"), self._input("email", "nombre@correo.cl"), "email")
            yield FormField(
                field_label("email_confirmation"),
                self._input("email_confirmation"),
                "email_confirmation",
            )
            yield FormField(
                field_label("nationality"),
                NationalityPicker(
                    language(), _("Escriba para buscar: «hai», «vene»…"), self.nationality_code
                ),
                "nationality",
            )
            yield FormField(
                field_label("birth_date"), self._input("birth_date", date_hint), "birth_date"
            )
            yield FormField(
                field_label("region"),
                FormSelect(
                    [(r.name, r.code) for r in regions],
                    prompt=_("Elija su región"),
                    id="region",
                ),
                "region",
            )
            yield FormField(field_label("phone"), self._input("phone", "+56 9 1234 5678"), "phone")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Revisar mis datos"), id="review", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#document_type").focus()

    def after_relabel(self) -> None:
        self._sync_second_surname()
        for field in self.touched:
            self._show(field)

    # -- the values as typed ----------------------------------------------------------------

    def document_type(self) -> str:
        pressed = self.query_one("#document_type", RadioSet).pressed_button
        return (pressed.id or "doc-passport").removeprefix("doc-") if pressed else "passport"

    def form(self, **override: str) -> ApplicantForm:
        """The form as it stands, with one value replaced (the one being typed)."""
        values = {field: self.query_one(f"#{field}", Input).value for field in TEXT_FIELDS}
        values.update(override)
        if self.query_one("#no-second-surname", Checkbox).value:
            values["second_surname"] = ""
        region = self.query_one("#region", Select).value
        return ApplicantForm(
            document_type=self.document_type(),
            document_number=values["document_number"],
            document_expiry=values["document_expiry"],
            given_names=values["given_names"],
            first_surname=values["first_surname"],
            second_surname=values["second_surname"] or None,
            email=values["email"],
            email_confirmation=values["email_confirmation"],
            nationality=self.nationality_code or "",
            birth_date=values["birth_date"],
            region=region if isinstance(region, str) else "",
            phone=values["phone"] or None,
            language=language(),
        )

    def today(self) -> date:
        return local_today(self.host.clock, HOME_ZONE)

    def check_field(self, field: str, value: str) -> Message | None:
        """The store's verdict on one field as typed (A2–A7)."""
        try:
            form = self.form(**{field: value})
        except Exception:  # the form is still being composed
            return None
        return field_problem(form, field, self.today())

    def _show(self, field: str, problem: Message | None = None, *, check: bool = True) -> None:
        if check:
            value = self.query_one(f"#{field}", Input).value if field in TEXT_FIELDS else ""
            problem = self.check_field(field, value)
        self.query_one(f"#field-{field}", FormField).show(say(problem) if problem else None)

    # -- events -----------------------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        field = event.input.id or ""
        if field in TEXT_FIELDS:
            if event.value:
                self.touched.add(field)
            if field in self.touched:
                self._show(field)
            if field == "email" and "email_confirmation" in self.touched:
                self._show("email_confirmation")

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        field = event.input.id or ""
        if field in TEXT_FIELDS and field != "phone":
            self.touched.add(field)
            self._show(field)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """K5: Enter is "next"; on the last field, on to "Revisar mis datos"."""
        if event.input.id == "phone":
            self.query_one("#review").focus()
        else:
            self.focus_next()

    def typed_anything(self) -> bool:
        """Whether leaving now would lose something the person typed or chose."""
        typed = any(self.query_one(f"#{f}", Input).value.strip() for f in TEXT_FIELDS)
        chosen = self.query_one("#region", Select).value
        return (
            typed
            or bool(self.query_one("#nationality", Input).value.strip())
            or isinstance(chosen, str)
            or self.query_one("#no-second-surname", Checkbox).value
        )

    def action_back(self) -> None:
        """K5: "Volver" or escape with typed data asks first; the safe answer has the focus."""
        if not self.typed_anything():
            super().action_back()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                super(RegistrationScreen, self).action_back()

        self.app.push_screen(
            ConfirmDialog(
                lambda: _("¿Salir sin guardar?"),
                lambda: _("Si sale ahora, se borra lo que escribió en el formulario."),
                lambda: _("Salir sin guardar"),
                warning=lambda: _("Sus datos todavía no están guardados."),
                no=lambda: _("Seguir con el formulario"),
            ),
            answered,
        )

    @on(NationalityPicker.Picked)
    def _nationality(self, event: NationalityPicker.Picked) -> None:
        self.nationality_code = event.code
        if event.code:
            self._show("nationality", None, check=False)

    @on(RadioSet.Changed)
    def _document_type(self) -> None:
        if "document_number" in self.touched:
            self._show("document_number")

    @on(Checkbox.Changed, "#no-second-surname")
    def _sync_second_surname(self) -> None:
        # A3: whoever has no second surname repeats the first; the form does it for them.
        none = self.query_one("#no-second-surname", Checkbox).value
        second = self.query_one("#second_surname", Input)
        second.disabled = none
        if none:
            second.value = ""
            self.query_one("#field-second_surname", FormField).show(None)

    @on(Select.Changed, "#region")
    def _region(self, event: Select.Changed) -> None:
        self._show("region", None, check=False)
        if event.value is not Select.BLANK:
            # K5: a region chosen is an answer given: on to the next field, as Enter goes on
            # from a text field (Enter on the list again would only reopen it). After the
            # refresh: the closing list first gives the focus back to the region list.
            self.call_after_refresh(lambda: self.query_one("#phone").focus())

    @on(Button.Pressed, "#review")
    def _review(self) -> None:
        form = self.form()
        try:
            clean = clean_applicant_form(form, self.today())
        except InvalidForm as error:
            for field in (*TEXT_FIELDS, "nationality", "region"):
                problem = error.errors.get(field)
                self.query_one(f"#field-{field}", FormField).show(say(problem) if problem else None)
                self.touched.add(field)
            first = next(iter(error.errors))
            target = {"nationality": "#nationality", "region": "#region"}.get(first, f"#{first}")
            self.query_one(target).focus()
            self.query_one(f"#field-{first}").scroll_visible()
            self.notify(_("Revise los campos marcados en rojo."), severity="warning")
            return
        self.post_message(self.Checked(form, clean))
