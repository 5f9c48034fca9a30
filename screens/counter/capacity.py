"""Open, block and unblock capacity (C6, supervisors): a preview that names the office and the
procedure, counts only the times that will really be created, says how many waiting people
they will serve (W2) and which days are skipped and why, in the screen's language; then the
times, assigned at once. Blocking displaces the bookings on those times onto the waitlist
(B12) and lists the people; unblocking reopens times and serves the waitlist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Input, Select, Static

from screens.counter.base import CounterScreen
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.counter_change import CapacityChangeDialog, change_summary
from screens.labels import field_label, holiday_name, procedure_name
from screens.text import _, language, n_, plain, say
from screens.widgets.fields import FormField
from store.daywords import weekday_names
from store.errors import InvalidInput, StoreError
from store.text import N_
from store.validation import parse_date
from store.views import CapacityChange, CapacityOpened, CapacityPlan, RebookRow, SkippedDay

FIELDS = ("from", "to", "hours", "every", "seats", "reason")
Form = tuple[str, str, date, date, str, int, int]


class ResultText(Static):
    """The outcome under the buttons: kept in view as it grows, on a small terminal too."""

    def on_resize(self) -> None:
        if str(self.render()).strip():
            self.scroll_visible(animate=False)


class CapacityScreen(CounterScreen):
    """One form for all: the office, procedure, days and hours; then preview, open, block or
    unblock."""

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
                    Select(
                        offices,
                        value=office,
                        allow_blank=False,
                        id="office",
                        disabled=bool(self.staff.office),
                    ),
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
                yield Button(_("Desbloquear horas"), id="unblock")
            yield ResultText("", id="capacity-result", classes="lead")

    def ready(self) -> None:
        self.query_one("#from").focus()

    def after_relabel(self) -> None:
        self.ready()

    # -- reading the form -------------------------------------------------------------------

    def _form(self) -> Form | None:
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

    def _region(self, office: str) -> str:
        return next((o.region for o in self.host.catalog.offices if o.code == office), "")

    # -- preview and open -------------------------------------------------------------------

    def _plan(self, form: Form, then: Callable[[CapacityPlan], object]) -> None:
        office, procedure, start, end, hours, every, seats = form
        self.call_store(
            lambda: self.store.plan_capacity(office, procedure, start, end, hours, every, seats),
            then,
            self._refused,
        )

    @on(Button.Pressed, "#preview")
    def _preview(self) -> None:
        form = None if self.busy else self._form()
        if form:
            self._plan(form, self._planned)

    def _planned(self, plan: CapacityPlan) -> None:
        self.plan = plan
        self._result(describe_plan(plan, self._region(plan.office)))

    @on(Button.Pressed, "#open")
    def _open(self) -> None:
        form = None if self.busy else self._form()
        if form:
            self._plan(form, lambda plan: self._confirm_open(plan, form))

    def _confirm_open(self, plan: CapacityPlan, form: Form) -> None:
        """C6: only what will really be created is offered; nothing new, nothing to confirm."""
        self._planned(plan)
        if not plan.new_times:
            return
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
                _("Abrir horas"), describe_plan(plan, self._region(office)), _("Sí, abrir")
            ),
            answered,
        )

    def _opened(self, result: CapacityOpened) -> None:
        self._result(
            n_("Se creó {count} hora.", "Se crearon {count} horas.", result.created)
            + " "
            + n_(
                "Se asignó {count} persona en espera, en orden de inscripción.",
                "Se asignaron {count} personas en espera, en orden de inscripción.",
                result.assigned,
            )
        )

    # -- block and unblock ------------------------------------------------------------------

    @on(Button.Pressed, "#block")
    def _block(self) -> None:
        form = None if self.busy else self._form()
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

                def block() -> tuple[CapacityChange, list[RebookRow]]:
                    change = self.store.block_slots(
                        office, procedure, start, end, hours, reason, actor=actor
                    )
                    return change, self.store.to_rebook(office)

                self.call_store(block, self._blocked, self._refused)

        self.app.push_screen(
            ConfirmDialog(
                _("Bloquear horas"),
                _(
                    "Nadie podrá reservar esas horas del {start} al {end} ({hours}).",
                    start=f"{start:%d-%m-%Y}",
                    end=f"{end:%d-%m-%Y}",
                    hours=hours,
                ),
                _("Sí, bloquear"),
                warning=_(
                    "Las reservas de esas horas quedan sin efecto: cada persona recibe un aviso y "
                    "pasa a la lista de espera con la fecha de su reserva original."
                ),
            ),
            answered,
        )

    def _blocked(self, result: tuple[CapacityChange, list[RebookRow]]) -> None:
        """B12: the displaced people, each with their place on the waitlist (or the time the
        waitlist gave them at once)."""
        change, followed = result
        self._result(change_summary(change))
        if change.displaced:
            self.app.push_screen(CapacityChangeDialog(_("Horas bloqueadas"), change, followed))

    @on(Button.Pressed, "#unblock")
    def _unblock(self) -> None:
        form = None if self.busy else self._form()
        if not form:
            return
        office, procedure, start, end, hours, _every, _seats = form
        actor = self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_store(
                    lambda: self.store.unblock_slots(
                        office, procedure, start, end, hours, actor=actor
                    ),
                    self._unblocked,
                    self._refused,
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Desbloquear horas"),
                _(
                    "Las horas bloqueadas del {start} al {end} ({hours}) se abren de nuevo y se "
                    "asignan al instante a quien espera, en orden de inscripción.",
                    start=f"{start:%d-%m-%Y}",
                    end=f"{end:%d-%m-%Y}",
                    hours=hours,
                ),
                _("Sí, desbloquear"),
            ),
            answered,
        )

    def _unblocked(self, change: CapacityChange) -> None:
        lines = [change_summary(change, reopened=True)]
        if not change.times:
            lines.append(
                _(
                    "No había horas bloqueadas con esos datos. Las de un cierre de la oficina se "
                    "abren quitando el cierre."
                )
            )
        self._result("\n".join(lines))

    def _result(self, text: str) -> None:
        """Say the outcome under the buttons, scrolled into view on a small terminal."""
        result = self.query_one("#capacity-result", Static)
        result.update(plain(text))
        self.call_after_refresh(result.scroll_visible, animate=False)


# -- what the preview says ------------------------------------------------------------------


def weekday_name(day: date) -> str:
    """ "sábado", "Saturday", "samdi": in the screen's language."""
    return weekday_names(language())[day.weekday()]


def skipped_reason(skipped: SkippedDay, region: str) -> str:
    """Why a day is skipped, in the screen's language: a weekday the office does not open, a
    public holiday (national or of the office's region), or the office's own closure."""
    if skipped.kind == "weekday":
        return _("{weekday}: la oficina no atiende", weekday=weekday_name(skipped.day))
    if skipped.kind == "holiday":
        return _("feriado: {name}", name=holiday_name(skipped, region))
    return _("cierre de la oficina: {reason}", reason=skipped.reason)


def describe_plan(plan: CapacityPlan, region: str) -> str:
    """C6: where, what opening will really create, whom it will serve, which days it skips."""
    procedure = plan.procedure_names.get(language())
    lines = [
        _(
            "{office} · {procedure}",
            office=plan.office_name or plan.office,
            procedure=procedure or plan.procedure_name or plan.procedure,
        ),
        _("Horas nuevas que se crearán: {count}", count=plan.new_times),
    ]
    if plan.existing_times:
        lines.append(
            _("Horas que ya existen y no se crean de nuevo: {count}", count=plan.existing_times)
        )
    if plan.blocked_times:
        lines.append(
            _(
                "De ellas están bloqueadas: {count}. Para abrirlas, use «Desbloquear horas».",
                count=plan.blocked_times,
            )
        )
    if plan.waiting:
        lines.append(
            _(
                "Personas en espera: {waiting}. Recibirán una hora al abrir, en orden de inscripción: {assigned}.",
                waiting=plan.waiting,
                assigned=plan.would_assign,
            )
        )
    else:
        lines.append(_("Nadie espera en la lista de este trámite."))
    if plan.skipped:
        lines.append(_("Días que se omiten:"))
        lines += [f"  {s.day:%d-%m-%Y}  {skipped_reason(s, region)}" for s in plan.skipped]
    else:
        lines.append(_("No se omite ningún día."))
    return "\n".join(lines)
