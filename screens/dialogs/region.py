"""B1: choose the region of domicile ("Trámites asociados a")."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from screens.text import _
from store.views import RegionView


class RegionDialog(ModalScreen[str | None]):
    """Returns the chosen region's code, or None to keep the current one."""

    BINDINGS = [Binding("escape", "back", show=False)]

    def __init__(self, regions: Sequence[RegionView], current: str) -> None:
        super().__init__()
        self._regions = regions
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="region-dialog"):
            yield Static(_("¿En qué región vive?"), classes="dialog-title")
            yield OptionList(
                *[Option(region.name, id=region.code) for region in self._regions],
                id="regions",
            )
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        codes = [region.code for region in self._regions]
        if self._current in codes:
            options.highlighted = codes.index(self._current)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(None)
