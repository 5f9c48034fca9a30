"""B2: choose the procedure; the documents to bring for it appear beside the list."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from screens.base import KioskScreen, Outcome
from screens.labels import documents, procedure_name
from screens.text import _, plain
from screens.widgets.keypad import KEYPAD_ARROWS
from store.text import N_
from store.views import ProcedureView


class ProcedureScreen(KioskScreen):
    """The catalogue's procedures; highlighting one shows what to bring (B2)."""

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    @dataclass
    class Chosen(Outcome):
        """B2: the procedure; the offices that offer it come next."""

        procedure: ProcedureView

    def __init__(self) -> None:
        super().__init__()
        self.chosen: str | None = None

    def heading(self) -> str:
        return _("¿Qué trámite necesita?")

    def body(self) -> ComposeResult:
        procedures = self.host.catalog.procedures
        with Horizontal(classes="page", id="procedure-page"):
            yield OptionList(
                *[Option(procedure_name(p), id=p.code) for p in procedures], id="procedures"
            )
            with Vertical(id="procedure-detail"):
                yield Static(_("Documentos que debe traer"), classes="page-title")
                yield Static(
                    _("Elija un trámite para ver sus documentos."), id="documents", classes="lead"
                )
                with Horizontal(classes="actions"):
                    yield Button(_("Volver"), id="back")
                    yield Button(
                        _("Elegir oficina"), id="continue", variant="primary", disabled=True
                    )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        codes = [p.code for p in self.host.catalog.procedures]
        options.highlighted = codes.index(self.chosen) if self.chosen in codes else 0

    def after_relabel(self) -> None:
        self.on_mount()

    def _procedure(self, code: str | None) -> ProcedureView | None:
        return next((p for p in self.host.catalog.procedures if p.code == code), None)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        procedure = self._procedure(event.option.id)
        if procedure is None:
            return
        self.chosen = procedure.code
        listed = "\n".join(f"• {item}" for item in documents(procedure))
        self.query_one("#documents", Static).update(plain(listed))
        self.query_one("#continue", Button).disabled = False

    @on(OptionList.OptionSelected)
    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        procedure = self._procedure(self.chosen)
        if procedure is not None:
            self.post_message(self.Chosen(procedure))
