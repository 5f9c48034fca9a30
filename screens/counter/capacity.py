"""Open and block capacity (C6, supervisors): a preview of the days that will be skipped, then
the times, assigned at once to the people waiting (W2); blocked bookings listed for rebooking."""

from __future__ import annotations

from datetime import date, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Input, Select, Static

from screens.counter.base import CounterScreen, cells
from screens.dialogs.confirm import ConfirmDialog
from screens.labels import field_label, procedure_name
from screens.text import _, plain, say
from screens.widgets.fields import FormField
from screens.widgets.table import Table
from store.errors import InvalidInput, StoreError
from store.text import N_
from store.validation import parse_date
from store.views import BookingView, CapacityOpened, CapacityPlan

FIELDS = ("from", "to", "hours", "every", "seats", "reason")


class ResultText(Static):
    """The outcome under the buttons: kept in view as it grows, on a small terminal too."""

    def on_resize(self) -> None:
        if str(self.render()).strip():
            self.scroll_visible(animate=False)


class CapacityScreen(CounterScreen):
    """One form for both: the office, procedure, days and hours; then preview, open or block."""

    ROLES = ("supervisor",)
    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    def __init__(self) -> None:
        super().__init__()
        self.plan: CapacityPlan | None = None

    def heading(self) -> str:
        return _("Abrir o bloquear horas")

    def body(self) -> ComposeResult:
        catalog = self.host.catalog
        offices = [(f"{o.code} · {o.name}", o.code) for o in catalog.offices]
        procedures = [(procedure_name(p), p.code) for p in catalog.procedures]
        office = self.staff.office or offices[0][1]
        tomorrow = self.host.clock.now().date() + timedelta(days=1)
        with VerticalScroll(classes="page", id="capacity"):
            with Grid(id="capacity-form"):
                yield FormField(
                    _("Oficina"),
                    Select(offices, value=office, allow_blank=False, id="office"),
                    "office",
                )
                yield FormField(
                    _("Trámite"),
                    Select(procedures, value=procedures[0][1], allow_blank=False, id="procedure"),
                    "procedure",
                )
                yield FormField(
                    f"{field_label('from')} ({_('DD-MM-AAAA')})",
                    Input(f"{tomorrow:%d-%m-%Y}", id="from"),
                    "from",
                )
                yield FormField(
                    f"{field_label('to')} ({_('DD-MM-AAAA')})",
                    Input(f"{tomorrow + timedelta(days=13):%d-%m-%Y}", id="to"),
                    "to",
                )
                yield FormField(field_label("hours"), Input("09:00-13:00", id="hours"), "hours")
                yield FormField(field_label("every"), Input("20", id="every"), "every")
                yield FormField(field_label("seats"), Input("1", id="seats"), "seats")
                yield FormField(_("Motivo (solo para bloquear)"), Input(id="reason"), "reason")
            with Horizontal(classes="actions"):
                yield Button(_("Vista previa"), id="preview")
                yield Button(_("Abrir horas"), id="open", variant="primary")
                yield Button(_("Bloquear horas"), id="block", variant="warning")
            yield ResultText("", id="capacity-result", classes="lead")
            yield Table(id="rebook", cursor_type="row", zebra_stripes=True)

    def ready(self) -> None:
        table = self.query_one("#rebook", Table)
        table.add_columns(_("Código"), _("Fecha"), _("Nombre"), _("Documento"))
        table.display = False
        self.query_one("#from").focus()

    def after_relabel(self) -> None:
        self.ready()

    # -- reading the form -------------------------------------------------------------------

    def _form(self) -> tuple[str, str, date, date, str, int, int] | None:
        """The form's values, or None after showing each field's problem under it."""
        for field in FIELDS:
            self.query_one(f"#field-{field}", FormField).show(None)
        dates: dict[str, date] = {}
        numbers: dict[str, int] = {}
        problems: dict[str, str] = {}
        for field in ("from", "to"):
            try:
                dates[field] = parse_date(field, self.query_one(f"#{field}", Input).value)
            except InvalidInput as error:
                problems[field] = say(error.message)
        for field in ("every", "seats"):
            text = self.query_one(f"#{field}", Input).value.strip()
            if text.isdigit() and text.isascii():
                numbers[field] = int(text)
            else:
                problems[field] = _("Escriba un número entero, por ejemplo 20.")
        for field, message in problems.items():
            self.query_one(f"#field-{field}", FormField).show(message)
        if problems:
            return None
        return (
            str(self.query_one("#office", Select).value),
            str(self.query_one("#procedure", Select).value),
            dates["from"],
            dates["to"],
            self.query_one("#hours", Input).value,
            numbers["every"],
            numbers["seats"],
        )

    def _refused(self, error: StoreError) -> None:
        if isinstance(error, InvalidInput) and error.field in FIELDS:
            self.query_one(f"#field-{error.field}", FormField).show(say(error.message))
        else:
            self._result(say(error.message))

    # -- preview and open -------------------------------------------------------------------

    @on(Button.Pressed, "#preview")
    def _preview(self) -> None:
        form = self._form()
        if form:
            office, procedure, start, end, hours, every, _seats = form
            self.call_store(
                lambda: self.store.plan_capacity(office, procedure, start, end, hours, every),
                self._planned,
                self._refused,
            )

    def _planned(self, plan: CapacityPlan) -> None:
        self.plan = plan
        self.query_one("#rebook", Table).display = False
        self._result(describe_plan(plan))

    @on(Button.Pressed, "#open")
    def _open(self) -> None:
        form = self._form()
        if not form:
            return
        office, procedure, start, end, hours, every, _seats = form
        self.call_store(
            lambda: self.store.plan_capacity(office, procedure, start, end, hours, every),
            lambda plan: self._confirm_open(plan, form),
            self._refused,
        )

    def _confirm_open(
        self, plan: CapacityPlan, form: tuple[str, str, date, date, str, int, int]
    ) -> None:
        self._planned(plan)
        office, procedure, start, end, hours, every, seats = form
        actor = self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.open_capacity(
                        office, procedure, start, end, hours, every, seats, actor=actor
                    ),
                    self._opened,
                    self._refused,
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Abrir horas"),
                describe_plan(plan),
                _("Sí, abrir {count} horas", count=plan.slot_count * seats),
            ),
            answered,
        )

    def _opened(self, result: CapacityOpened) -> None:
        self._result(
            _(
                "Se crearon {created} horas; se asignaron {assigned} personas en espera, en orden de inscripción.",
                created=result.created,
                assigned=result.assigned,
            )
        )

    # -- block ------------------------------------------------------------------------------

    @on(Button.Pressed, "#block")
    def _block(self) -> None:
        form = self._form()
        if not form:
            return
        office, procedure, start, end, hours, _every, _seats = form
        reason = self.query_one("#reason", Input).value
        if not reason.strip():
            self.query_one("#field-reason", FormField).show(
                _("Escriba el motivo del cierre (hasta 200 caracteres).")
            )
            return
        actor = self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.block_slots(
                        office, procedure, start, end, hours, reason, actor=actor
                    ),
                    self._blocked,
                    self._refused,
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Bloquear horas"),
                _(
                    "Nadie podrá reservar esas horas del {start} al {end} ({hours}). Las reservas que ya tengan se listarán para reprogramarlas.",
                    start=f"{start:%d-%m-%Y}",
                    end=f"{end:%d-%m-%Y}",
                    hours=hours,
                ),
                _("Sí, bloquear"),
                warning=_("Avise a cada persona de la lista: su reserva no se borra."),
            ),
            answered,
        )

    def _blocked(self, bookings: list[BookingView]) -> None:
        table = self.query_one("#rebook", Table)
        table.clear()
        for booking in bookings:
            table.add_row(
                *cells(
                    booking.display_code,
                    f"{booking.start:%d-%m-%Y %H:%M}",
                    booking.applicant_name,
                    booking.document_number,
                )
            )
        table.display = bool(bookings)
        self._result(
            _("Horas bloqueadas. Reservas para reprogramar: {count}.", count=len(bookings))
            if bookings
            else _("Horas bloqueadas. No había reservas en ellas.")
        )

    def _result(self, text: str) -> None:
        """Say the outcome under the buttons, scrolled into view on a small terminal."""
        result = self.query_one("#capacity-result", Static)
        result.update(plain(text))
        self.call_after_refresh(result.scroll_visible, animate=False)


def describe_plan(plan: CapacityPlan) -> str:
    """C6: what opening will create and which days it skips, and why."""
    lines = [
        _(
            "Se crearán {times} horas por día en {days} días ({total} en total).",
            times=len(plan.times),
            days=len(plan.days),
            total=plan.slot_count,
        )
    ]
    if plan.skipped:
        lines.append(_("Días que se omiten:"))
        lines += [f"  {s.day:%d-%m-%Y}  {_(s.reason)}" for s in plan.skipped]
    else:
        lines.append(_("No se omite ningún día."))
    return "\n".join(lines)
