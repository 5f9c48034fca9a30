"""K5: a page that scrolls on a small terminal yet keeps a keypad's arrows for moving between
its buttons and boxes (a plain scroll view would take them to scroll); Page Up and Page Down
scroll it, and the focused control is always scrolled into view."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll


class KeypadScroll(VerticalScroll, inherit_bindings=False):
    BINDINGS = [
        Binding("left,up", "app.focus_previous", show=False),
        Binding("right,down", "app.focus_next", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]
