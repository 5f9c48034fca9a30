"""The waiting room at the kiosk (Q1, Q2, Q5): "Tengo una hora" checks a booking in by its
code and "Sacar número" gives a walk-in number; both print a small ticket with the number, the
people ahead and the estimated wait. No login, and nothing personal stays on screen (K1): the
ticket screen shows the number only, and "Listo" (or the idle guard) begins again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Digits, Input, OptionList, Static
from textual.widgets.option_list import Option

from screens.base import KioskScreen, Outcome
from screens.labels import procedure_name
from screens.printing import print_document
from screens.text import _, n_, say
from screens.widgets.fields import FormField
from screens.widgets.keypad import KEYPAD_ARROWS
from store.errors import StoreError
from store.text import N_
from store.views import ProcedureView, QueueTicketView

if TYPE_CHECKING:
    from receipts.printer import Printed


class NumberScreen(KioskScreen):
    """What both ways to a number share: the kiosk's office and the outcome."""

    SERVES_A_PERSON = False  # nobody is logged in on these screens

    @dataclass
    class Numbered(Outcome):
        """The person has a number: the ticket is shown and printed next."""

        ticket: QueueTicketView

    @property
    def office(self) -> str:
        office = self.host.kiosk_office
        assert office is not None, "the waiting room's screens need the kiosk's office"
        return office


class CheckInScreen(NumberScreen):
    """Q1: the booking's code, typed or read from the receipt's QR by a scanner (which types it
    and presses Enter)."""

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    def heading(self) -> str:
        return _("Tengo una hora")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static(
                _(
                    "Escriba el código de su comprobante (8 letras y números) o acerque su "
                    "código QR al lector. Recibirá un número para la sala de espera."
                ),
                classes="lead",
            )
            yield FormField(_("Código de la cita"), Input(id="code", max_length=20), "code")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Registrar mi llegada"), id="check-in", variant="primary")

    refusal: StoreError | None = None

    def on_mount(self) -> None:
        self.query_one("#code").focus()

    def after_relabel(self) -> None:
        if self.refusal is not None:  # K4: the sentence in the new language, not gone
            self.query_one("#field-code", FormField).show(say(self.refusal.message))

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#check-in")
    def _check_in(self) -> None:
        code = self.query_one("#code", Input).value
        office, language = self.office, self.host.language
        self.query_one("#field-code", FormField).show(None)
        self.refusal = None
        self.call_store(
            lambda: self.store.queue_check_in(office, code, language=language),
            self._numbered,
            self._refused,
        )

    def _refused(self, error: StoreError) -> None:
        """One sentence under the field; what was typed stays, selected, so that the next
        scan or the next code typed replaces it."""
        self.refusal = error
        self.query_one("#field-code", FormField).show(say(error.message))
        field = self.query_one("#code", Input)
        field.focus()
        field.select_all()

    def _numbered(self, ticket: QueueTicketView) -> None:
        self.query_one("#code", Input).value = ""  # K1: the code does not stay behind
        self.post_message(self.Numbered(ticket))


class WalkInScreen(NumberScreen):
    """Q2: the procedures this office serves without appointment; one press gives a number."""

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    def heading(self) -> str:
        return _("Sacar número")

    def procedures(self) -> list[ProcedureView]:
        catalog = self.host.catalog
        codes = {
            o.procedure_code
            for o in catalog.offerings
            if o.office.code == self.office and o.walk_in
        }
        return [p for p in catalog.procedures if p.code in codes]

    def body(self) -> ComposeResult:
        procedures = self.procedures()
        with Vertical(classes="page"):
            if procedures:
                yield Static(
                    _(
                        "Elija su trámite. Estos se atienden sin hora reservada; no necesita "
                        "cuenta."
                    ),
                    classes="lead",
                )
                yield OptionList(
                    *[Option(procedure_name(p), id=p.code) for p in procedures], id="walk-in"
                )
            else:
                yield Static(
                    _(
                        "Esta oficina atiende solo con hora reservada. Para reservar, vuelva y "
                        "elija «Reservar hora»."
                    ),
                    classes="lead",
                    id="no-walk-in",
                )
            yield Static("", id="walk-in-error", classes="field-error")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")

    def on_mount(self) -> None:
        for options in self.query("#walk-in").results(OptionList):
            options.focus()
            options.highlighted = 0
            return
        self.query_one("#back").focus()

    @on(OptionList.OptionSelected, "#walk-in")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        procedure, office, language = event.option.id or "", self.office, self.host.language
        self.query_one("#walk-in-error", Static).update("")
        self.call_store(
            lambda: self.store.queue_take(office, procedure, language=language),
            lambda ticket: self.post_message(self.Numbered(ticket)),
            lambda error: self.query_one("#walk-in-error", Static).update(say(error.message)),
        )


class QueueTicketScreen(KioskScreen):
    """Q1, Q2, Q5: the number, large; the people ahead and the estimate; printed once."""

    SERVES_A_PERSON = False
    BINDINGS = [*KEYPAD_ARROWS]

    @dataclass
    class Finished(Outcome):
        """ "Listo": the kiosk begins again for the next person (K1)."""

    def __init__(self, ticket: QueueTicketView) -> None:
        super().__init__()
        self.ticket = ticket
        self.printed = False
        # What the print line says (a msgid, said again after F2 in the new language).
        self.print_state = N_("Imprimiendo su número…")

    def heading(self) -> str:
        return _("Su número de atención")

    def body(self) -> ComposeResult:
        ticket = self.ticket
        with Vertical(classes="page", id="queue-ticket"):
            yield Static(_("Su número"), classes="page-title")
            yield Digits(str(ticket.number), id="queue-number")
            yield Static(self._procedure(), id="queue-procedure", classes="lead")
            yield Static(self._ahead(), id="queue-ahead", classes="lead")
            yield Static(self._estimate(), id="queue-estimate", classes="lead")
            yield Static(
                _(
                    "Espere en la sala: la pantalla mostrará su número y el mesón al que debe "
                    "acercarse."
                ),
                classes="lead",
            )
            yield Static(_(self.print_state), id="print-status")
            with Horizontal(classes="actions"):
                yield Button(_("Listo"), id="done", variant="primary")

    def _procedure(self) -> str:
        procedure = next(
            (p for p in self.host.catalog.procedures if p.code == self.ticket.procedure), None
        )
        name = procedure_name(procedure) if procedure else self.ticket.procedure_name
        return _("Trámite: {procedure}", procedure=name)

    def _ahead(self) -> str:
        ahead = self.ticket.ahead or 0
        if ahead == 0:
            return _("Nadie está antes que usted.")
        return n_(
            "Hay {count} persona antes que usted.",
            "Hay {count} personas antes que usted.",
            ahead,
        )

    def _estimate(self) -> str:
        minutes = self.ticket.estimate_minutes
        if minutes is None:
            return _("Espera estimada: sin estimación.")
        return n_(
            "Espera estimada: unos {count} minuto.",
            "Espera estimada: unos {count} minutos.",
            minutes,
        )

    def on_mount(self) -> None:
        self.query_one("#done").focus()
        if not self.printed:  # once, not again after a redraw in another language
            self.printed = True
            self._print()

    def _print(self) -> None:
        from receipts.sources import queue_slip

        ticket, catalog = self.ticket, self.host.catalog
        office = next(o for o in catalog.offices if o.code == ticket.office)
        procedure = next(p for p in catalog.procedures if p.code == ticket.procedure)
        print_document(
            self,
            queue_slip(ticket, office, procedure, self.host.language),
            printed=self._printed,
        )

    def _printed(self, result: Printed) -> None:
        # K3: the same number again within moments (a second check-in) prints nothing more.
        self.print_state = (
            N_("Su número ya se imprimió hace un momento: retírelo de la impresora.")
            if result.repeated
            else N_("Número impreso. Retírelo de la impresora.")
        )
        self.query_one("#print-status", Static).update(_(self.print_state))

    @on(Button.Pressed, "#done")
    def _done(self) -> None:
        self.post_message(self.Finished())
