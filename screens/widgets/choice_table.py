"""A counter table on which nobody has chosen a row until somebody does (C5).

A DataTable always has a cursor, on the first row to begin with, so a screen that acts on "the
row under the cursor" acts on the first person when the agent only pressed Tab, Tab, Enter.
Here the cursor stays hidden, and no row is chosen, until an arrow key, Enter or a click
chooses one; from then on the highlighted row is the chosen one."""

from __future__ import annotations

from textual import events
from textual.widgets.data_table import RowDoesNotExist

from screens.widgets.table import Table


class ChoiceTable(Table):
    """Rows keyed by what they show (a code, a day); `chosen` is None until one is chosen.

    The owner listens to `DataTable.RowHighlighted` (a row chosen, or another one) and
    `DataTable.RowSelected` (Enter or a second click on the chosen row), and reads `chosen`."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, show_cursor=False)

    @property
    def chosen(self) -> str | None:
        """The key of the chosen row, or None while nobody has chosen one."""
        if not self.show_cursor or not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def choose(self, key: str | None) -> None:
        """Choose the row of `key` again (after a reload), or none when it is None or gone."""
        try:
            index = None if key is None else self.get_row_index(key)
        except RowDoesNotExist:
            index = None
        if index is None:
            self.show_cursor = False
            return
        self.move_cursor(row=index)
        self.show_cursor = True

    def _reveal(self) -> bool:
        """The first key on a table nobody chose from shows the cursor where it is (the first
        row) instead of moving it: the person sees what they are choosing before they move."""
        if self.show_cursor or not self.row_count:
            return False
        self.show_cursor = True
        return True

    def action_cursor_down(self) -> None:
        if not self._reveal():
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if not self._reveal():
            super().action_cursor_up()

    def action_select_cursor(self) -> None:
        if not self._reveal():
            super().action_select_cursor()

    async def _on_click(self, event: events.Click) -> None:
        """A click on a row chooses it, even before anything was chosen (one tap, K5)."""
        row = event.style.meta.get("row")
        if not self.show_cursor and isinstance(row, int) and 0 <= row < self.row_count:
            event.stop()
            self.move_cursor(row=row, scroll=False)
            self.show_cursor = True
            return
        await super()._on_click(event)
