"""B5, K5: a ticked box and an unticked one, a chosen answer and one not chosen, differ in
shape and not in colour alone (Textual draws "▐X▌" and "▐●▌" in both states): ▐X▌ / ▐ ▌ and
▐●▌ / ▐○▌, readable in high contrast, in a photo of the screen, and by a colour-blind person."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class TickBox(Checkbox):
    """A check box whose mark is there only when it is ticked."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "


class Choice(RadioButton):
    """A radio button drawn full when chosen, hollow when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "●" if self.value else "○"
