"""What every counter screen shares: the logged-in staff member, the role guard, table cells."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import Button, Footer, Input, Select, Static

from screens.assisting import ROLE_NAMES as ROLE_NAMES  # where the desk screens find it
from screens.base import KioskScreen
from screens.text import _
from screens.widgets.topbar import TopBar
from store.text import N_

if TYPE_CHECKING:
    from store.views import Actor, StaffView


# What each booking state is called at the counter (C5).
STATUS_NAMES = {
    "held": N_("Retenida"),
    "confirmed": N_("Confirmada"),
    "checked_in": N_("Llegó"),
    "attended": N_("Atendida"),
    "missed": N_("No se presentó"),
    "cancelled": N_("Anulada"),
    "released": N_("Liberada"),
    "expired": N_("Vencida"),
    "displaced": N_("Cancelada por la oficina"),  # B12
    "moved": N_("Cambiada a otra hora"),  # B13
}


# Rows of terminal below which a screen that asks for it (`FIT_SHORT`) draws its fields and
# buttons compact: one line each instead of three, so that its table keeps its rows at 80x24.
SHORT_SCREEN = 30


def cells(*values: object) -> tuple[Text, ...]:
    """DataTable cells as plain text: names such as "[b]" are shown, never read as markup."""
    return tuple(v if isinstance(v, Text) else Text(str(v)) for v in values)


class CounterScreen(KioskScreen):
    """A staff screen. `ROLES` says who may open it; anyone else sees only a refusal (C1)."""

    ROLES: tuple[str, ...] = ("agent", "supervisor", "auditor")
    SERVES_A_PERSON = False  # a staff screen: no "Atendiendo a …" banner (K8)
    FIT_SHORT = False  # compact fields and buttons on a short terminal (see SHORT_SCREEN)

    @property
    def staff(self) -> StaffView:
        """The staff member at the desk (only asked once `allowed` said there is one)."""
        staff = self.host.staff
        assert staff is not None, "a counter screen acts for a logged-in staff member"
        return staff

    @property
    def actor(self) -> Actor:
        return self.staff.actor

    @property
    def allowed(self) -> bool:
        return self.host.staff is not None and self.host.staff.role in self.ROLES

    def on_mount(self) -> None:
        if self.allowed:
            self.ready()

    def ready(self) -> None:
        """The screen's own start (loading, focus); never run for someone without the role."""

    def on_resize(self, event: events.Resize) -> None:
        if self.FIT_SHORT and self.allowed:
            self.fit_height(event.size.height)

    async def relabel(self) -> None:
        await super().relabel()
        if self.FIT_SHORT and self.allowed:
            self.fit_height(self.size.height)

    def fit_height(self, height: int) -> None:
        """Below SHORT_SCREEN rows the page's fields and buttons take one line each instead of
        three; the `-short` class lets the stylesheet shrink the rest."""
        short = height < SHORT_SCREEN
        for page in self.query(".page"):  # not the top bar's language buttons
            for field in page.query(Input):
                field.compact = short
            for choice in page.query(Select):
                choice.compact = short
            for button in page.query(Button):
                button.compact = short
        self.set_class(short, "-short")

    def compose(self) -> ComposeResult:
        if self.allowed:
            yield from super().compose()
            return
        yield TopBar(self.heading())
        yield Static(
            _("Su cuenta no tiene permiso para esta pantalla."), classes="page lead", id="denied"
        )
        yield Footer(show_command_palette=False)
