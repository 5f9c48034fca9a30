"""H1–H4: help. Anyone can read how the kiosk works; an account holder can open a ticket."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Select, Static, TextArea

from screens.base import KioskScreen, Outcome
from screens.labels import TICKET_CATEGORIES, TICKET_KINDS
from screens.text import _, moment, plain, say
from screens.widgets.fields import FormField
from screens.widgets.keypad import KEYPAD_ARROWS
from screens.widgets.page import ScrollPage
from store.errors import InvalidInput, StoreError
from store.text import N_
from store.views import TicketView


def free_of_charge() -> Static:
    """H4: the service is free; nobody should pay an intermediary."""
    return Static(
        _(
            "Este servicio es gratuito. No pague a nadie («tramitadores») por una hora, un lugar en la lista o una respuesta."
        ),
        classes="warning-box",
        id="free-of-charge",
    )


class HelpScreen(KioskScreen):
    """How the kiosk works, for anyone; a ticket needs an account."""

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    @dataclass
    class TicketChosen(Outcome):
        """ "Escribir una solicitud de ayuda" (H1): it needs an account."""

    def heading(self) -> str:
        return _("Ayuda")

    def body(self) -> ComposeResult:
        with ScrollPage(classes="page"):
            yield free_of_charge()
            yield Static(
                _(
                    "• «Reservar hora»: acepte las condiciones, regístrese y elija trámite, oficina y hora.\n"
                    "• Si la oficina no tiene horas, inscríbase en la asignación automatizada: las horas nuevas "
                    "se entregan en orden de inscripción y llegan a su buzón.\n"
                    "• «Ya tengo cuenta»: ingrese con su correo o documento. ¿Olvidó la contraseña? Puede "
                    "recuperarla con sus datos, sin correo.\n"
                    "• Tecla F2: cambia el idioma. Si se aleja, el quiosco borra todo después de avisarle."
                )
            )
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Escribir una solicitud de ayuda"), id="ticket", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ticket").focus()

    @on(Button.Pressed, "#ticket")
    def _ticket(self) -> None:
        self.post_message(self.TicketChosen())


class TicketsScreen(KioskScreen):
    """H1: type, subject, category, optional reference, message; H2: one open ticket at a time."""

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    def __init__(self) -> None:
        super().__init__()
        self.tickets: list[TicketView] | None = None

    def heading(self) -> str:
        return _("Solicitud de ayuda")

    def body(self) -> ComposeResult:
        open_ticket = next((t for t in self.tickets or [] if t.status == "open"), None)
        with ScrollPage(classes="page", id="tickets"):
            yield free_of_charge()
            if open_ticket is not None:
                yield Static(
                    plain(
                        _(
                            "Su solicitud «{subject}» del {date} está abierta; la respuesta llegará a su buzón. Podrá abrir otra cuando la respondan.",
                            subject=open_ticket.subject,
                            date=moment(open_ticket.opened_at),
                        )
                    ),
                    classes="info-box",
                    id="ticket-open",
                )
            elif self.tickets is not None:
                yield FormField(
                    _("Tipo"),
                    Select(
                        [(_(label), code) for code, label in TICKET_KINDS],
                        value="question",
                        allow_blank=False,
                        id="kind",
                    ),
                    "kind",
                )
                yield FormField(
                    _("Tema"),
                    Select(
                        [(_(label), code) for code, label in TICKET_CATEGORIES],
                        value="booking",
                        allow_blank=False,
                        id="category",
                    ),
                    "category",
                )
                yield FormField(_("Asunto"), Input(id="subject"), "subject")
                yield FormField(
                    _("Código de reserva o trámite (opcional)"), Input(id="reference"), "reference"
                )
                yield FormField(_("Mensaje"), TextArea(id="message"), "message")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                if open_ticket is None and self.tickets is not None:
                    yield Button(_("Enviar solicitud"), id="send", variant="primary")
            answered = [t for t in self.tickets or [] if t.answer]
            if answered:
                yield Static(_("Respuestas anteriores"), classes="page-title")
                for ticket in answered:
                    yield Static(plain(f"{ticket.subject}\n→ {ticket.answer}"), classes="info-box")

    def on_mount(self) -> None:
        applicant_id = self.session.applicant_id
        self.call_store(lambda: self.store.tickets_of(applicant_id), self._loaded)

    def _loaded(self, tickets: list[TicketView]) -> None:
        self.tickets = tickets
        self.call_later(self._show)

    async def _show(self) -> None:
        await self.recompose()
        for widget in self.query("#kind, #back"):
            # Not scrolled to: the page stays at its top, where the first field already shows
            # under the free-of-charge notice. Scrolled to once the form was laid out, the
            # dropdown went to the page's top, hiding the notice; scrolled to before (most runs)
            # nothing moved: which came first was a race (CI, 80×24, a loaded machine).
            widget.focus(scroll_visible=False)
            break

    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        kind = self.query_one("#kind", Select).value
        category = self.query_one("#category", Select).value
        subject = self.query_one("#subject", Input).value
        reference = self.query_one("#reference", Input).value or None
        message = self.query_one("#message", TextArea).text
        applicant_id, actor = self.session.applicant_id, self.session.actor
        for field in ("subject", "message", "reference"):
            self.query_one(f"#field-{field}", FormField).show(None)
        self.call_store(
            lambda: self.store.open_ticket(
                applicant_id,
                str(kind),
                subject,
                str(category),
                message,
                reference,
                actor=actor,
            ),
            self._sent,
            self._refused,
        )

    def _refused(self, error: StoreError) -> None:
        if isinstance(error, InvalidInput) and self.query(f"#field-{error.field}"):
            self.query_one(f"#field-{error.field}", FormField).show(say(error.message))
        else:
            self.show_refusal(error)

    def _sent(self, ticket: TicketView) -> None:
        self.notify(_("Solicitud enviada. La respuesta llegará a su buzón."))
        self.on_mount()
