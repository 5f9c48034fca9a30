"""B9, B13: the question before a booking is cancelled or moved: which booking, until when the
office's policy allows it, and, at the counter, why (the store requires a reason from staff who
act outside the policy, and the audit log keeps it).

Keyboard alone (K5): the arrow keys move between the answers, Enter gives one, escape is
"Volver". The safe answer ("Volver") has the focus at a kiosk; at the counter the reason field
does."""

from __future__ import annotations

from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static
from textual.widgets.button import ButtonVariant

from screens.labels import procedure_name
from screens.text import _, long_day, moment, plain
from screens.widgets.fields import FormField
from screens.widgets.keypad import KEYPAD_ARROWS
from store.text import N_
from store.views import BookingView


def cancel_policy(booking: BookingView, now: datetime) -> str:
    """B9 in one sentence, for the applicant: until when this booking may be cancelled or moved,
    or plainly that it may not ("" for a booking that is no longer just confirmed)."""
    office = booking.office
    if booking.status != "confirmed":
        return ""
    if booking.cancel_until is None:
        return _(
            "En {office} una hora confirmada no se puede anular ni cambiar: espere a que pase "
            "la fecha y luego reserve de nuevo o inscríbase en la lista.",
            office=office.name,
        )
    if booking.can_cancel_at(now):
        return _(
            "Puede anular o cambiar esta hora hasta el {moment}.",
            moment=moment(booking.cancel_until, office.time_zone),
        )
    return _(
        "El plazo para anular o cambiar esta hora venció el {moment} ({hours} horas antes).",
        moment=moment(booking.cancel_until, office.time_zone),
        hours=office.cancel_hours,
    )


def staff_policy(booking: BookingView, now: datetime) -> str:
    """B9 for the counter: within the policy until when, or that a reason is needed."""
    if booking.can_cancel_at(now) and booking.cancel_until is not None:
        return _(
            "La política de la oficina permite anularla o cambiarla hasta el {moment}.",
            moment=moment(booking.cancel_until, booking.office.time_zone),
        )
    return _("Fuera de la política de la oficina: el motivo es obligatorio y queda en el registro.")


def booking_summary(booking: BookingView) -> str:
    """The booking in two lines: procedure and office; day, time and code."""
    code = _("código {code}", code=booking.display_code or "-")
    return (
        f"{procedure_name(booking.procedure)} · {booking.office.name}\n"
        f"{long_day(booking.start.date())}, {booking.start:%H:%M} · {code}"
    )


class _ChangeDialog(ModalScreen[str | None]):
    """Returns the reason ("" when none was asked or given) to go on, or None for "Volver"."""

    BINDINGS = [Binding("escape", "back", show=False), *KEYPAD_ARROWS]
    YES_VARIANT: ButtonVariant = "warning"
    # Each dialog's words (msgids, translated when drawn): its title for the applicant and for
    # staff, what the act does, and the button that does it.
    TITLE = ""
    STAFF_TITLE = ""
    CONSEQUENCE = ""
    YES = ""

    def __init__(
        self,
        booking: BookingView,
        now: datetime,
        *,
        staff: bool = False,
        reason: str = "",
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.booking = booking
        self.staff = staff
        # B9: staff act outside the office's policy only with a reason.
        self.reason_required = staff and not booking.can_cancel_at(now)
        self.policy = staff_policy(booking, now) if staff else cancel_policy(booking, now)
        self._reason = reason
        self._error = error

    def compose(self) -> ComposeResult:
        # Scrolls only where it must (large text on a small terminal); the focus stays in view.
        with VerticalScroll(classes="dialog", id="change-dialog"):
            yield Static(_(self.STAFF_TITLE if self.staff else self.TITLE), classes="dialog-title")
            yield Static(plain(booking_summary(self.booking)), id="change-booking")
            if self.staff:
                # Staff know what a cancellation does (W2); what they need is whether a reason
                # is required, and room for it (the dialog fits 80×24).
                yield Static(plain(self.policy), id="change-policy", classes="lead")
                label = (
                    _("Motivo (obligatorio)") if self.reason_required else _("Motivo (opcional)")
                )
                yield FormField(label, Input(self._reason, id="reason", max_length=200), "reason")
            else:
                yield Static(plain(self.policy), id="change-policy", classes="info-box")
                yield Static(plain(_(self.CONSEQUENCE)), id="change-warning", classes="lead")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="no")
                yield Button(_(self.YES), id="yes", variant=self.YES_VARIANT)

    def on_mount(self) -> None:
        if self.staff:
            self.query_one("#reason").focus()
            if self._error:
                self.query_one("#field-reason", FormField).show(self._error)
        else:
            self.query_one("#no").focus()

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#yes")
    def _go_on(self) -> None:
        reason = ""
        if self.staff:
            reason = " ".join(self.query_one("#reason", Input).value.split())
            if self.reason_required and not reason:
                self.query_one("#field-reason", FormField).show(
                    _(
                        "La política de la oficina no lo permite: escriba el motivo para hacerlo igual."
                    )
                )
                self.query_one("#reason").focus()
                return
        self.dismiss(reason)

    @on(Button.Pressed, "#no")
    def action_back(self) -> None:
        self.dismiss(None)


class CancelDialog(_ChangeDialog):
    """B9: "¿Anular esta hora?" The time goes to the waitlist first (W2), so it is for good."""

    TITLE = N_("¿Anular su hora?")
    STAFF_TITLE = N_("Anular la hora")
    CONSEQUENCE = N_(
        "Una hora anulada no se recupera: si alguien espera en la lista de esta oficina, "
        "la recibe de inmediato."
    )
    YES = N_("Sí, anular la hora")


class MoveDialog(_ChangeDialog):
    """B13 at the counter: why the booking moves (when needed), before choosing the new time."""

    YES_VARIANT: ButtonVariant = "primary"
    TITLE = STAFF_TITLE = N_("Cambiar la hora")
    CONSEQUENCE = N_("La hora actual se mantiene hasta que la nueva quede confirmada.")
    YES = N_("Elegir la nueva hora")
