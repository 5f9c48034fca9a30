"""K5: a page (or a text) that scrolls on a small terminal.

It is a Tab stop only while it has something to scroll, so Tab never lands on a page that
would show nothing focused; when it has the focus it says so in shape (kiosk.tcss:
`VerticalScroll:focus`), and its arrows and Page Up / Page Down scroll it. At its end the down
arrow goes on to the next control, and at its top the up arrow back to the one before, so a
keypad with arrows alone is never held in a text it has finished reading. With a control
inside it focused (a form's text field), the arrows that control leaves alone move to the next
or the previous control, scrolled into view, instead of scrolling it away from the eye."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll


class ScrollPage(VerticalScroll):
    BINDINGS = [
        Binding("down", "down_or_on", show=False),
        Binding("up", "up_or_back", show=False),
    ]

    def allow_focus(self) -> bool:
        return super().allow_focus() and (
            self.allow_vertical_scroll or self.allow_horizontal_scroll
        )

    def action_down_or_on(self) -> None:
        if not self.has_focus or self.scroll_y >= self.max_scroll_y:
            self.screen.focus_next()
        else:
            self.scroll_down(animate=False)

    def action_up_or_back(self) -> None:
        if not self.has_focus or self.scroll_y <= 0:
            self.screen.focus_previous()
        else:
            self.scroll_up(animate=False)
