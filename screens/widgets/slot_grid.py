"""B5: the slot grid: days across, times down; every cell says its state in a colour AND a word.

One focusable widget drawn line by line (not a DataTable: there a tap only selects a cell that
was already highlighted, two taps on a touch screen). Arrow keys move, PageUp/PageDown change
week, Enter or one tap chooses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.text import _, short_day
from store.views import SkippedDay, SlotView

STATES = ("free", "few", "full", "past", "closed", "mine")


def slot_state(slot: SlotView | None, closed_day: SkippedDay | None = None) -> str:
    """free, few (a quarter or less of the seats left), full, past, closed, or mine.

    A cell without a time is past on a day gone by, closed otherwise (a holiday, a closure,
    outside opening hours): `closed_day` is the store's word on the cell's day, if any."""
    if slot is None:
        return "past" if closed_day is not None and closed_day.kind == "past" else "closed"
    if slot.mine:
        return "mine"
    if slot.past:
        return "past"
    if slot.blocked:
        return "closed"
    if slot.free <= 0:
        return "full"
    if slot.free * 4 <= slot.seats:
        return "few"
    return "free"


def state_label(state: str) -> str:
    """The glyph and word that say a state without colour (B5)."""
    return {
        "free": _("✓ libre"),
        "few": _("! pocas"),
        "full": _("✗ llena"),
        "past": _("– pasada"),
        "closed": _("· cerrada"),
        "mine": _("★ suya"),
    }[state]


class SlotGrid(ScrollView, can_focus=True, inherit_bindings=False):
    """Days across, times down, drawn line by line (Textual's line API).

    One widget instead of one per cell: moving the cursor redraws two lines, so a month of
    40 times a day answers a key press as fast as a week (quality.md: ≤ 16 ms). The header
    row stays in place while the times scroll under it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "slot-grid--head",
        "slot-grid--time",
        "slot-grid--cursor",
        *(f"slot-grid--{state}" for state in STATES),
    }
    DEFAULT_CSS = """
    SlotGrid { height: 1fr; width: 1fr; }
    SlotGrid > .slot-grid--head { text-style: bold; }
    SlotGrid > .slot-grid--time { color: $text-muted; }
    SlotGrid > .slot-grid--free { background: $success 30%; }
    SlotGrid > .slot-grid--few { background: $warning 35%; }
    SlotGrid > .slot-grid--full { background: $error 25%; color: $text-muted; }
    SlotGrid > .slot-grid--past { color: $text-disabled; }
    SlotGrid > .slot-grid--closed { color: $text-disabled; }
    SlotGrid > .slot-grid--mine { background: $accent 45%; text-style: bold; }
    SlotGrid > .slot-grid--cursor { text-style: bold reverse; }
    """
    BINDINGS = [
        Binding("up", "move(0, -1)", show=False),
        Binding("down", "move(0, 1)", show=False),
        Binding("left", "move(-1, 0)", show=False),
        Binding("right", "move(1, 0)", show=False),
        Binding("enter,space", "choose", show=False),
    ]
    TIME_WIDTH = 7
    GUTTER = 1

    @dataclass
    class SlotChosen(Message):
        """A free time was chosen."""

        slot: SlotView

    @dataclass
    class FullChosen(Message):
        """A cell that cannot be taken was chosen: tell the person why nothing happened."""

        state: str
        day: date
        slot: SlotView | None = None
        start: time | None = None  # the cell's time, when there is no slot to say it

    def __init__(
        self,
        slots: Sequence[SlotView],
        days: Sequence[date],
        closed_days: Mapping[date, SkippedDay] | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.days = list(days)
        # B5: the store's reason for a day without times (gone by, a holiday, a closure).
        self.closed_days = dict(closed_days or {})
        self.times = sorted({s.start_time for s in slots})
        self.by_key = {(s.day, s.start_time): s for s in slots}
        self.cursor = (0, 0)  # (row, column)
        self.labels = {state: state_label(state) for state in STATES}
        heads = [short_day(day) for day in self.days]
        self.heads = heads
        self.cell_width = max(len(text) for text in [*heads, *self.labels.values()]) + 2
        self.virtual_size = Size(
            self.TIME_WIDTH + len(self.days) * (self.cell_width + self.GUTTER),
            len(self.times) + 1,
        )

    # -- what is where ----------------------------------------------------------------------

    def slot_at(self, row: int, column: int) -> SlotView | None:
        return self.by_key.get((self.days[column], self.times[row]))

    def state_at(self, row: int, column: int) -> str:
        return slot_state(self.slot_at(row, column), self.closed_days.get(self.days[column]))

    def _cell_x(self, column: int) -> int:
        return self.TIME_WIDTH + column * (self.cell_width + self.GUTTER)

    # -- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.virtual_size.width
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("slot-grid--head")
            segments = [Segment(_("Hora").ljust(self.TIME_WIDTH), style)]
            for head in self.heads:
                segments.append(Segment(head.center(self.cell_width) + " " * self.GUTTER, style))
            return self._fit(segments, scroll_x, width)
        row = y - 1 + scroll_y
        if row >= len(self.times):
            return Strip.blank(self.size.width, base)
        segments = [
            Segment(
                self.times[row].strftime("%H:%M").ljust(self.TIME_WIDTH),
                base + self.get_component_rich_style("slot-grid--time"),
            )
        ]
        for column in range(len(self.days)):
            state = self.state_at(row, column)
            style = base + self.get_component_rich_style(f"slot-grid--{state}")
            if self.has_focus and (row, column) == self.cursor:
                style += self.get_component_rich_style("slot-grid--cursor")
            segments.append(Segment(f" {self.labels[state]}".ljust(self.cell_width), style))
            segments.append(Segment(" " * self.GUTTER, base))
        return self._fit(segments, scroll_x, width)

    def _fit(self, segments: list[Segment], scroll_x: int, width: int) -> Strip:
        return (
            Strip(segments, width)
            .crop(scroll_x, scroll_x + self.size.width)
            .extend_cell_length(self.size.width, self.rich_style)
        )

    def _refresh_row(self, row: int) -> None:
        y = row + 1 - self.scroll_offset.y
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def on_focus(self) -> None:
        self._refresh_row(self.cursor[0])

    def on_blur(self) -> None:
        self._refresh_row(self.cursor[0])

    # -- moving and choosing ----------------------------------------------------------------

    def move_to(self, row: int, column: int) -> None:
        """Put the cursor on a cell, redraw the two rows involved, keep the cell in view."""
        if not self.times:
            return
        row = min(max(row, 0), len(self.times) - 1)
        column = min(max(column, 0), len(self.days) - 1)
        old = self.cursor
        self.cursor = (row, column)
        self._refresh_row(old[0])
        self._refresh_row(row)
        # The header line is pinned, so a row needs one more line of room above it.
        self.scroll_to_region(
            Region(self._cell_x(column), row, self.cell_width, 2),
            animate=False,
            spacing=Spacing(0, 0, 0, self.TIME_WIDTH),
            immediate=True,
        )

    def focus_first_free(self) -> None:
        """Start where the person most likely wants to be: the first time they can take."""
        for column in range(len(self.days)):
            for row in range(len(self.times)):
                if self.state_at(row, column) in ("free", "few"):
                    self.move_to(row, column)
                    self.focus()
                    return
        self.move_to(0, 0)
        self.focus()

    def action_move(self, dx: int, dy: int) -> None:
        row = self.cursor[0] + dy
        if dy > 0 and row >= len(self.times):
            # K5: down from the last row leaves the grid for the buttons under it (the weeks,
            # the list, "Volver"), so a keypad reaches them; up from them comes back.
            self.screen.focus_next()
            return
        self.move_to(row, self.cursor[1] + dx)

    def action_choose(self) -> None:
        if not self.times:
            return
        slot = self.slot_at(*self.cursor)
        state = self.state_at(*self.cursor)
        if slot is not None and state in ("free", "few"):
            self.post_message(self.SlotChosen(slot))
        else:
            row, column = self.cursor
            self.post_message(self.FullChosen(state, self.days[column], slot, self.times[row]))

    def on_click(self, event: events.Click) -> None:
        """K5: one tap on a cell chooses it."""
        event.stop()
        scroll_x, scroll_y = self.scroll_offset
        if event.y < 1 or event.x + scroll_x < self.TIME_WIDTH:
            return
        column = (event.x + scroll_x - self.TIME_WIDTH) // (self.cell_width + self.GUTTER)
        row = event.y - 1 + scroll_y
        if row < len(self.times) and column < len(self.days):
            self.focus()
            self.move_to(row, column)
            self.action_choose()


def week_of(day: date) -> list[date]:
    """Monday to Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=offset) for offset in range(7)]


def legend() -> str:
    return "   ".join(state_label(state) for state in STATES)
