"""K5: a page (or a text) that scrolls on a small terminal.

It is a Tab stop only while it has something to scroll, so Tab never lands on a page that
would show nothing focused; when it has the focus it says so in shape (kiosk.tcss:
`VerticalScroll:focus`), and its arrows and Page Up / Page Down scroll it."""

from __future__ import annotations

from textual.containers import VerticalScroll


class ScrollPage(VerticalScroll):
    def allow_focus(self) -> bool:
        return super().allow_focus() and (
            self.allow_vertical_scroll or self.allow_horizontal_scroll
        )
