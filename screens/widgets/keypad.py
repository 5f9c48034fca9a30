"""K5: a kiosk keypad has arrows and Enter. Where nothing focused takes the arrows itself (a
list, a grid, a text being scrolled), they move between the buttons: up and left back, down and
right on (KEYPAD_ARROWS, for screens and dialogs). A page that scrolls on a small terminal keeps
them too (KeypadScroll): Page Up and Page Down scroll it, and the focused control is always
scrolled into view."""

from __future__ import annotations

from textual.binding import Binding

from screens.widgets.page import ScrollPage

KEYPAD_ARROWS = [
    Binding("left,up", "app.focus_previous", show=False),
    Binding("right,down", "app.focus_next", show=False),
]


class KeypadScroll(ScrollPage, inherit_bindings=False):
    BINDINGS = [
        *KEYPAD_ARROWS,
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]
