"""The counter's tables: Textual's DataTable, with its header kept in step with its columns."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class Table(DataTable[Text]):
    """A DataTable whose header always matches the widths of its columns.

    textual 8.2.8 measures new rows when the table is next idle and widens the columns then,
    but a header line drawn before that stays in its cache under the same key, so the header
    can keep the old, narrow widths over rows drawn with the new ones (seen on a loaded CI
    machine). Measuring now starts a new cache generation."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._update_count += 1
        self.refresh()
