"""A1: the terms of use, accepted before the form can be reached."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Static

from screens.base import KioskScreen, Outcome
from screens.text import _
from screens.widgets.keypad import KEYPAD_ARROWS
from screens.widgets.page import ScrollPage
from screens.widgets.toggles import TickBox
from store.text import N_

TERMS_VERSION = "2026-11"


class TermsScreen(KioskScreen):
    """The terms, a checkbox "Acepto las condiciones de uso", and Continue (disabled until then)."""

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    @dataclass
    class Accepted(Outcome):
        """A1: the terms were accepted; the form comes next."""

    def heading(self) -> str:
        return _("Condiciones de uso")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            with ScrollPage(id="terms-text"):
                yield Static(
                    _(
                        "1. Este servicio es gratuito. Nadie puede cobrarle por una hora ni por "
                        "un lugar en la lista de espera; no pague a intermediarios.\n\n"
                        "2. Sus datos (nombre, documento, nacionalidad, fecha de nacimiento, "
                        "correo y teléfono) se usan solo para sus trámites de extranjería y se "
                        "guardan en esta oficina.\n\n"
                        "3. Una hora reservada o un lugar en la lista quedan ligados a su "
                        "identidad: no se pueden ceder ni vender, y sus datos de identidad no se "
                        "pueden cambiar mientras estén activos.\n\n"
                        "4. Las notificaciones llegan a su buzón en este sistema; puede leerlas e "
                        "imprimirlas en cualquier quiosco.\n\n"
                        "5. Al terminar, el quiosco borra todo lo que escribió. Si se aleja, lo "
                        "hará solo después de avisarle."
                    )
                )
            yield TickBox(_("Acepto las condiciones de uso"), id="accept")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Continuar"), id="continue", variant="primary", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#accept").focus()

    def after_relabel(self) -> None:
        self._sync()

    @on(Checkbox.Changed)
    def _sync(self) -> None:
        accepted = self.query_one("#accept", Checkbox).value
        self.query_one("#continue", Button).disabled = not accepted

    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        if self.query_one("#accept", Checkbox).value:
            self.post_message(self.Accepted())
