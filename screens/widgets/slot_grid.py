"""B5: the slot grid: days across, times down; every cell says its state in a colour AND a word.

A grid of focusable cells (not a DataTable: there a tap only selects a cell that was already
highlighted, two taps on a touch screen). Arrow keys move, PageUp/PageDown change week, Enter or
one tap chooses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Static

from screens.text import _, short_day
from store.views import SlotView

STATES = ("free", "few", "full", "closed", "mine")


def slot_state(slot: SlotView | None) -> str:
    """free, few (a quarter or less of the seats left), full, closed, or mine."""
    if slot is None or slot.blocked:
        return "closed"
    if slot.mine:
        return "mine"
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
        "closed": _("· cerrada"),
        "mine": _("★ suya"),
    }[state]


class SlotCell(Static, can_focus=True):
    """One time on one day."""

    BINDINGS = [Binding("enter,space", "choose", show=False)]

    def __init__(self, slot: SlotView | None, day: date, at: time, row: int, column: int) -> None:
        self.slot = slot
        self.state = slot_state(slot)
        self.day = day
        self.at = at
        self.row = row
        self.column = column
        super().__init__(state_label(self.state), classes=f"slot-cell -{self.state}")

    def action_choose(self) -> None:
        grid = self.parent
        if isinstance(grid, SlotGrid):
            grid.choose(self)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.focus()
        self.action_choose()


class SlotGrid(Grid):
    """A week of one office's times for one procedure."""

    DEFAULT_CSS = """
    SlotGrid { grid-gutter: 0 1; height: auto; grid-rows: 1; }
    SlotGrid .slot-head { text-style: bold; width: 100%; }
    SlotGrid .slot-time { color: $text-muted; }
    SlotGrid .slot-cell { width: 100%; }
    SlotGrid .slot-cell.-free { background: $success 30%; }
    SlotGrid .slot-cell.-few { background: $warning 35%; }
    SlotGrid .slot-cell.-full { background: $error 25%; color: $text-muted; }
    SlotGrid .slot-cell.-closed { color: $text-disabled; }
    SlotGrid .slot-cell.-mine { background: $accent 45%; text-style: bold; }
    SlotGrid .slot-cell:focus { text-style: bold reverse; }
    """
    BINDINGS = [
        Binding("up", "move(0, -1)", show=False),
        Binding("down", "move(0, 1)", show=False),
        Binding("left", "move(-1, 0)", show=False),
        Binding("right", "move(1, 0)", show=False),
    ]

    @dataclass
    class SlotChosen(Message):
        """A free time was chosen."""

        slot: SlotView

    @dataclass
    class FullChosen(Message):
        """A time without seats was chosen: tell the person why nothing happened."""

        state: str

    def __init__(
        self, slots: Sequence[SlotView], days: Sequence[date], *, id: str | None = None
    ) -> None:
        self.days = list(days)
        self.times = sorted({s.start_time for s in slots})
        self.by_key = {(s.day, s.start_time): s for s in slots}
        super().__init__(id=id)
        self.styles.grid_size_columns = len(self.days) + 1

    def compose(self) -> ComposeResult:
        yield Static(_("Hora"), classes="slot-head")
        for day in self.days:
            yield Static(short_day(day), classes="slot-head")
        for row, at in enumerate(self.times):
            yield Static(at.strftime("%H:%M"), classes="slot-time")
            for column, day in enumerate(self.days):
                yield SlotCell(self.by_key.get((day, at)), day, at, row, column)

    def cell(self, row: int, column: int) -> SlotCell | None:
        for cell in self.query(SlotCell):
            if cell.row == row and cell.column == column:
                return cell
        return None

    def focus_first_free(self) -> None:
        """Start where the person most likely wants to be: the first time they can take."""
        cells = list(self.query(SlotCell))
        target = next((c for c in cells if c.state in ("free", "few")), cells[0] if cells else None)
        if target is not None:
            target.focus()

    def action_move(self, dx: int, dy: int) -> None:
        focused = self.screen.focused
        if not isinstance(focused, SlotCell):
            self.focus_first_free()
            return
        rows, columns = len(self.times), len(self.days)
        row = min(max(focused.row + dy, 0), rows - 1)
        column = min(max(focused.column + dx, 0), columns - 1)
        target = self.cell(row, column)
        if target is not None:
            target.focus()
            target.scroll_visible(animate=False)

    def choose(self, cell: SlotCell) -> None:
        if cell.slot is not None and cell.state in ("free", "few"):
            self.post_message(self.SlotChosen(cell.slot))
        else:
            self.post_message(self.FullChosen(cell.state))


def week_of(day: date) -> list[date]:
    """Monday to Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=offset) for offset in range(7)]


def legend() -> str:
    return "   ".join(state_label(state) for state in STATES)
