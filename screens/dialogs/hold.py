"""B6: the held time, the details to check, and the minutes left before it is let go.

B13: when the hold is the new time of a booking being moved, the dialog says that the old time
stays as it is until the new one is confirmed."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.text import _, language, long_day, plain
from screens.widgets.keypad import KEYPAD_ARROWS
from store.views import BookingView, ProcedureView

if TYPE_CHECKING:
    from screens.host import Host


class HoldDialog(ModalScreen[bool]):
    """True confirms the booking (or the move, B13); False (or escape) lets the time go."""

    BINDINGS = [Binding("escape", "back", show=False), *KEYPAD_ARROWS]

    def __init__(
        self, hold: BookingView, procedure: ProcedureView, *, replacing: BookingView | None = None
    ) -> None:
        super().__init__()
        self.hold = hold
        self.procedure = procedure
        self.replacing = replacing

    def _left(self) -> int:
        if self.hold.hold_expires_at is None:
            return 0
        now = cast("Host", self.app).clock.now()
        return max(0, int((self.hold.hold_expires_at - now).total_seconds()))

    def _countdown(self) -> str:
        left = self._left()
        return _(
            "Reservada para usted durante {minutes}:{seconds:02d} minutos.",
            minutes=left // 60,
            seconds=left % 60,
        )

    def _policy(self) -> str:
        """B9, said before confirming: until when this time can be cancelled or changed, or
        that it cannot (the office never allows it, or its deadline is already past)."""
        until = self.hold.cancel_until
        if until is None:
            return _("Esta oficina no permite anular ni cambiar una hora reservada.")
        if until < cast("Host", self.app).clock.now():
            return _(
                "Esta hora ya no se podrá anular ni cambiar: el plazo de la oficina para "
                "hacerlo terminó."
            )
        return _(
            "Podrá anularla o cambiarla hasta el {day}, {time}.",
            day=long_day(until.date()),
            time=f"{until:%H:%M}",
        )

    def compose(self) -> ComposeResult:
        office = self.hold.office
        name = self.procedure.name_in(language())
        with Vertical(classes="dialog", id="hold-dialog"):
            yield Static(
                _("Confirme su nueva hora") if self.replacing else _("Confirme su hora"),
                classes="dialog-title",
            )
            if self.replacing is not None:  # B13: said first, before the new time
                old = self.replacing.start
                yield Static(
                    _(
                        "Su hora actual ({date}, {time}) se mantiene hasta que confirme la nueva.",
                        date=long_day(old.date()),
                        time=f"{old:%H:%M}",
                    ),
                    id="hold-replacing",
                    classes="lead",
                )
            yield Static(
                plain(
                    f"{name}\n{office.name}\n{office.address}\n"
                    f"{long_day(self.hold.start.date())}, {self.hold.start:%H:%M}"
                ),
                id="hold-details",
            )
            yield Static(self._policy(), id="hold-policy")
            yield Static(self._countdown(), id="hold-countdown", classes="warning-box")
            with Horizontal(classes="actions"):
                yield Button(_("Elegir otra hora"), id="back")
                yield Button(
                    _("Confirmar el cambio") if self.replacing else _("Confirmar la hora"),
                    id="confirm",
                    variant="primary",
                )

    def on_mount(self) -> None:
        self.query_one("#confirm").focus()
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        self.query_one("#hold-countdown", Static).update(self._countdown())
        if self._left() <= 0:
            self.app.notify(
                _("El tiempo para confirmar terminó; la hora quedó libre."), severity="warning"
            )
            self.dismiss(False)

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(False)
