"""The waiting room at the counter (Q3): the agent's counter number (once per session), the
next person called in the office's order, called again, sent on to another procedure or
counter, marked absent after the office's calls, and finished; the person's file in one key.

The table is today's numbers of the office: the waiting ones in the order they will be called,
then the others. It is read again every few seconds, since other counters call too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from screens.base import Outcome
from screens.counter.base import CounterScreen, cells
from screens.dialogs.transfer import Transfer, TransferDialog
from screens.labels import procedure_name
from screens.text import _, plain, say
from screens.widgets.choice_table import ChoiceTable
from screens.widgets.keypad import KEYPAD_ARROWS
from store.codes import display_code
from store.errors import StoreError
from store.text import N_
from store.views import ApplicantView, QueueCall, QueueTicketView

TICKET_STATES = {
    "waiting": N_("Esperando"),
    "called": N_("Llamado"),
    "done": N_("Atendido"),
    "absent": N_("Ausente"),
}
TICKET_KINDS = {"appointment": N_("Con hora"), "walk_in": N_("Sin hora")}


class QueueScreen(CounterScreen):
    """Llamar siguiente, Volver a llamar, Derivar, Terminar, Ausente; F4 opens the file."""

    ROLES = ("agent", "supervisor")
    FIT_SHORT = True
    REFRESH_SECONDS: ClassVar[float] = 5.0
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("f4", "open_file", N_("Ficha de la persona"), key_display="F4"),
        # Said in the line under the buttons (the footer has no room for them at 80 columns).
        Binding("f5", "reload", show=False),
        Binding("f6", "call_next", show=False),
        Binding("f7", "recall", show=False),
        Binding("f8", "finish", show=False),
        *KEYPAD_ARROWS,
    ]

    @dataclass
    class FileChosen(Outcome):
        """F4 on a called appointment: the person's file."""

        applicant: ApplicantView

    def __init__(self) -> None:
        super().__init__()
        self.office = ""
        self.tickets: list[QueueTicketView] = []
        self.message = ""
        self.focus_next_on: str | None = None  # a button to focus once the table is read

    def heading(self) -> str:
        return _("Sala de espera")

    def body(self) -> ComposeResult:
        offices = [(f"{o.code} · {o.name}", o.code) for o in self.host.catalog.offices]
        self.office = self.office or self.staff.office or offices[0][1]
        counter = self.host.desk_counter
        with Vertical(classes="page"):
            with Horizontal(classes="actions counter-bar"):
                yield Select(
                    offices,
                    value=self.office,
                    allow_blank=False,
                    id="office",
                    disabled=bool(self.staff.office),
                )
                yield Label(_("Mi mesón"), id="counter-label")
                yield Input(
                    "" if counter is None else str(counter),
                    id="counter",
                    type="integer",
                    max_length=3,
                    placeholder=_("N.º"),
                )
            yield Static("", id="queue-now", classes="lead")
            with Horizontal(classes="actions", id="queue-actions"):
                yield Button(_("Llamar siguiente"), id="call-next", variant="primary")
                yield Button(_("Volver a llamar"), id="recall", disabled=True)
                yield Button(_("Derivar"), id="transfer", disabled=True)
                yield Button(_("Terminar"), id="finish", disabled=True)
                yield Button(_("Ausente"), id="absent", variant="warning", disabled=True)
            yield Static(
                _("F6 llamar siguiente · F7 volver a llamar · F8 terminar · F4 ficha"),
                id="queue-keys",
            )
            yield Static("", id="queue-message", classes="field-error")
            yield ChoiceTable(id="queue")

    def ready(self) -> None:
        self.query_one("#queue", ChoiceTable).add_columns(
            _("Número"), _("Estado"), _("Tipo"), _("Trámite"), _("Antes"), _("Mesón")
        )
        if self.host.desk_counter is None:
            self.query_one("#counter").focus()
        else:
            self.query_one("#call-next").focus()
        self.action_reload()
        self.set_interval(self.REFRESH_SECONDS, self._refresh)

    def after_relabel(self) -> None:
        self.query_one("#queue", ChoiceTable).add_columns(
            _("Número"), _("Estado"), _("Tipo"), _("Trámite"), _("Antes"), _("Mesón")
        )
        self._show(self.tickets)

    # -- the counter number (once per session) ------------------------------------------------

    @on(Input.Changed, "#counter")
    def _counter_typed(self, event: Input.Changed) -> None:
        typed = event.value.strip()
        self.host.desk_counter = int(typed) if typed.isdigit() and int(typed) >= 1 else None
        self._show(self.tickets)

    @on(Input.Submitted, "#counter")
    def _counter_set(self) -> None:
        if self.host.desk_counter is not None:
            self.query_one("#call-next").focus()

    def _counter(self) -> int | None:
        """The counter number, or None after saying that it is needed first."""
        counter = self.host.desk_counter
        if counter is None:
            self._say(_("Escriba primero el número de su mesón."))
            self.query_one("#counter").focus()
        return counter

    # -- what the counter has now -------------------------------------------------------------

    def mine(self) -> QueueTicketView | None:
        """The number this counter has called and not finished."""
        counter = self.host.desk_counter
        return next(
            (t for t in self.tickets if t.status == "called" and t.counter == counter), None
        )

    @on(Select.Changed, "#office")
    def _office(self, event: Select.Changed) -> None:
        if str(event.value) != self.office:
            self.office = str(event.value)
            self.action_reload()

    def _refresh(self) -> None:
        if not self.busy and self.app.screen is self:
            self.action_reload()

    def action_reload(self) -> None:
        office = self.office
        self.call_store(lambda: self.store.queue_tickets(office), self._show)

    def _show(self, tickets: list[QueueTicketView]) -> None:
        self.tickets = tickets
        table = self.query_one("#queue", ChoiceTable)
        chosen = table.chosen
        table.clear()
        for t in tickets:
            table.add_row(
                *cells(
                    t.number,
                    _(TICKET_STATES.get(t.status, t.status)),
                    _(TICKET_KINDS.get(t.kind, t.kind)),
                    self._procedure(t.procedure, t.procedure_name),
                    "" if t.ahead is None else t.ahead,
                    t.counter or (f"→ {t.for_counter}" if t.for_counter else ""),
                ),
                key=str(t.number),
            )
        table.choose(chosen)
        mine = self.mine()
        for button in ("#recall", "#transfer", "#finish", "#absent"):
            self.query_one(button, Button).disabled = mine is None
        self.query_one("#queue-now", Static).update(plain(self._now_line(mine)))
        if self.focus_next_on is not None:
            self.query_one(self.focus_next_on).focus()
            self.focus_next_on = None

    def _procedure(self, code: str, name: str) -> str:
        procedure = next((p for p in self.host.catalog.procedures if p.code == code), None)
        return procedure_name(procedure) if procedure else name

    def _now_line(self, mine: QueueTicketView | None) -> str:
        waiting = sum(1 for t in self.tickets if t.status == "waiting")
        if self.host.desk_counter is None:
            return _("Escriba el número de su mesón para llamar. Esperan: {count}.", count=waiting)
        if mine is None:
            return _(
                "Mesón {counter}: nadie llamado. Esperan: {count}.",
                counter=self.host.desk_counter,
                count=waiting,
            )
        calls = (
            _("llamadas: {calls} de {max}", calls=mine.calls, max=mine.max_calls)
            if mine.calls < mine.max_calls
            else _("llamadas: {calls}; puede marcarlo ausente", calls=mine.calls)
        )
        who = _("cita {code}", code=display_code(mine.code)) if mine.code else _("sin hora")
        return _(
            "Mesón {counter}: número {number} · {who} · {procedure} · {calls}",
            counter=self.host.desk_counter,
            number=mine.number,
            who=who,
            procedure=self._procedure(mine.procedure, mine.procedure_name),
            calls=calls,
        )

    def _say(self, text: str) -> None:
        self.message = text
        self.query_one("#queue-message", Static).update(plain(text))

    def _refused(self, error: StoreError) -> None:
        self._say(say(error.message))
        self.action_reload()

    def _done(self, text: str) -> None:
        self._say("")
        self.query_one("#queue-now", Static).update(plain(text))
        self.action_reload()

    # -- the acts -------------------------------------------------------------------------------

    @on(Button.Pressed, "#call-next")
    def action_call_next(self) -> None:
        counter = self._counter()
        if counter is None:
            return
        office, actor = self.office, self.actor
        self.call_store(
            lambda: self.store.queue_call(office, counter, actor=actor),
            self._called,
            self._refused,
        )

    def _called(self, _call: QueueCall) -> None:
        """The call is on the display; the table and the line are read again. From "Llamar
        siguiente" the focus goes on to "Volver a llamar" (enabled once the table shows the
        call); a key (F6, F7) leaves it where the agent put it."""
        self._say("")
        if self.focused is self.query_one("#call-next"):
            self.focus_next_on = "#recall"
        self.action_reload()

    @on(Button.Pressed, "#recall")
    def action_recall(self) -> None:
        mine = self.mine()
        if mine is None:
            return
        office, actor, number = self.office, self.actor, mine.number
        self.call_store(
            lambda: self.store.queue_recall(office, number, actor=actor),
            self._called,
            self._refused,
        )

    @on(Button.Pressed, "#finish")
    def action_finish(self) -> None:
        mine = self.mine()
        if mine is None:
            return
        office, actor, number = self.office, self.actor, mine.number
        self.call_store(
            lambda: self.store.queue_finish(office, number, actor=actor),
            lambda _t: self._finished(number),
            self._refused,
        )

    def _finished(self, number: int) -> None:
        self._say(_("Número {number}: atención terminada.", number=number))
        self.focus_next_on = "#call-next"
        self.action_reload()

    @on(Button.Pressed, "#absent")
    def _absent(self) -> None:
        mine = self.mine()
        if mine is None:
            return
        office, actor, number = self.office, self.actor, mine.number
        self.call_store(
            lambda: self.store.queue_absent(office, number, actor=actor),
            lambda _t: self._marked_absent(number),
            self._refused,
        )

    def _marked_absent(self, number: int) -> None:
        self._say(_("Número {number}: marcado ausente.", number=number))
        self.focus_next_on = "#call-next"
        self.action_reload()

    @on(Button.Pressed, "#transfer")
    def _transfer(self) -> None:
        mine = self.mine()
        if mine is None:
            return
        procedures = [
            (self._procedure(p.code, p.name), p.code)
            for p in self.host.catalog.procedures
            if any(
                o.office.code == self.office and o.procedure_code == p.code
                for o in self.host.catalog.offerings
            )
        ]
        number = mine.number
        self.app.push_screen(
            TransferDialog(number, mine.procedure, procedures),
            lambda chosen: self._transfer_to(number, chosen),
        )

    def _transfer_to(self, number: int, chosen: Transfer | None) -> None:
        if chosen is None:
            return
        office, actor = self.office, self.actor
        self.call_store(
            lambda: self.store.queue_transfer(
                office, number, chosen.procedure, counter=chosen.counter, actor=actor
            ),
            lambda _t: self._transferred(number, chosen),
            self._refused,
        )

    def _transferred(self, number: int, chosen: Transfer) -> None:
        if chosen.counter is not None:
            self._say(
                _(
                    "Número {number} derivado al mesón {counter}.",
                    number=number,
                    counter=chosen.counter,
                )
            )
        else:
            self._say(_("Número {number} derivado; conserva su lugar.", number=number))
        self.focus_next_on = "#call-next"
        self.action_reload()

    def action_open_file(self) -> None:
        """F4: the file of the person this counter has called, when they have an account."""
        mine = self.mine()
        if mine is None:
            self._say(_("Llame primero a alguien: F4 abre la ficha del número llamado."))
            return
        code = mine.code
        if code is None:
            self._say(_("El número {number} es sin hora: no tiene ficha.", number=mine.number))
            return
        actor = self.actor

        def find() -> ApplicantView:
            booking = self.store.booking(code, actor=actor)
            return self.store.applicant(booking.applicant_id)

        self.call_store(find, lambda person: self.post_message(self.FileChosen(person)))
