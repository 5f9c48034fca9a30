"""Datos en conflicto (O4): contact data that another office's store holds differently for the
same person. The import kept this office's value and noted the other; staff choose which one
the person keeps, oldest first, one at a time.

Keyboard alone (K5): the arrows choose a conflict and Enter goes to its two buttons; left and
right walk them, up goes back to the list."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static

from screens.counter.base import CounterScreen
from screens.text import _, n_, plain, say, short_moment
from screens.widgets.table import Table
from store.errors import StoreError
from store.text import N_
from store.views import SyncConflictView

# Which of the person's data differ (the store's field names).
FIELD_NAMES = {"email": N_("Correo"), "phone": N_("Teléfono")}

# What the status line says once a choice is made: (field, kept) -> sentence.
KEPT_SENTENCES = {
    ("email", "local"): N_("{name} mantiene el correo de esta oficina: {value}."),
    ("phone", "local"): N_("{name} mantiene el teléfono de esta oficina: {value}."),
    ("email", "incoming"): N_("{name} tiene ahora el correo recibido de {source}: {value}."),
    ("phone", "incoming"): N_("{name} tiene ahora el teléfono recibido de {source}: {value}."),
}

BUTTONS = ("keep-local", "keep-incoming")
SANTIAGO = ZoneInfo("America/Santiago")  # the days of the list, on mainland Chile's clock
FREE_TEXT = (1, 3, 4)  # the columns cut with "…" on a narrow terminal: name and both values
NARROWEST = 8


def field_name(field: str) -> str:
    """ "Correo" or "Teléfono", in the current language (the field's own name otherwise)."""
    return _(FIELD_NAMES[field]) if field in FIELD_NAMES else field


def fit_widths(natural: list[int], room: int, shrinkable: tuple[int, ...]) -> list[int]:
    """Column widths that fit in `room`: each column as wide as its text, and while that is too
    wide the widest of the `shrinkable` ones gives up a cell (down to NARROWEST)."""
    widths = list(natural)
    while sum(widths) > room:
        widest = max(shrinkable, key=lambda i: widths[i])
        if widths[widest] <= NARROWEST:
            break
        widths[widest] -= 1
    return widths


class ConflictsScreen(CounterScreen):
    """The unresolved conflicts, the chosen one in full, and which value the person keeps."""

    ROLES = ("agent", "supervisor")
    FIT_SHORT = True
    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("f5", "reload", N_("Actualizar"), key_display="F5"),
        # K5: the two choices are a row of buttons; the arrows walk it and lead back up.
        Binding("left", "step(-1)", show=False),
        Binding("right", "step(1)", show=False),
        Binding("up", "to_list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conflicts: list[SyncConflictView] = []
        self.current: SyncConflictView | None = None
        self.said: Callable[[], str] | None = None  # the last choice's outcome, in any language
        self.refused = False

    def heading(self) -> str:
        return _("Datos en conflicto")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static("", id="conflicts-status", classes="lead")
            yield Table(id="conflicts", cursor_type="row", zebra_stripes=True)
            yield Static("", id="conflict-detail")
            with Horizontal(classes="actions", id="conflict-actions"):
                yield Button(_("Mantener el de esta oficina"), id="keep-local")
                yield Button(_("Usar el recibido"), id="keep-incoming")
            yield Static("", id="conflict-said")

    def ready(self) -> None:
        self.action_reload()

    def after_relabel(self) -> None:
        self._say()
        self.ready()

    def action_reload(self, focus: bool = True) -> None:
        """O4: the conflicts nobody has chosen for yet, oldest first."""
        actor = self.actor
        self.call_store(
            lambda: self.store.sync_conflicts(actor=actor),
            lambda conflicts: self._show(conflicts, focus),
        )

    # -- the list ---------------------------------------------------------------------------

    def _show(self, conflicts: list[SyncConflictView], focus: bool = True) -> None:
        """The list again; the cursor stays on the same conflict, or on the one that took the
        place of the one just resolved."""
        before = self.current.id if self.current else None
        row = self.query_one("#conflicts", Table).cursor_row
        self.conflicts = sorted(conflicts, key=lambda c: (c.found_at, c.id))
        self._fill()
        ids = [c.id for c in self.conflicts]
        index = ids.index(before) if before in ids else min(max(row, 0), len(ids) - 1)
        table = self.query_one("#conflicts", Table)
        if self.conflicts:
            table.move_cursor(row=index, animate=False)
        self.query_one("#conflicts-status", Static).update(
            n_(
                "{count} dato en conflicto.",
                "{count} datos en conflicto, del más antiguo al más nuevo.",
                len(self.conflicts),
            )
            if self.conflicts
            else _("No hay datos en conflicto.")
        )
        self._select(index if self.conflicts else None)
        if focus and self.conflicts:
            table.focus()

    def _fill(self) -> None:
        """The table: the texts take the width the others leave (cut with "…": the lines
        under the table have them whole), so that all six columns stay on screen at 80."""
        table = self.query_one("#conflicts", Table)
        table.clear(columns=True)
        table.display = bool(self.conflicts)
        headers = (
            _("Encontrado"),
            _("Persona"),
            _("Dato"),
            _("En esta oficina"),
            _("Recibido"),
            _("Origen"),
        )
        rows = [
            (
                f"{c.found_at.astimezone(SANTIAGO):%d-%m-%Y}",  # the time is in the detail
                c.applicant_name,
                field_name(c.field),
                c.current_value or "—",
                c.incoming_value,
                c.source,
            )
            for c in self.conflicts
        ]
        natural = [max(cell_len(t) for t in column) for column in zip(headers, *rows, strict=True)]
        # The page's padding and scroll bar, and each column's padding of one on either side.
        room = self.app.size.width - 6 - 2 * table.cell_padding * len(headers)
        for header, width in zip(headers, fit_widths(natural, room, FREE_TEXT), strict=True):
            table.add_column(header, width=width)
        for row in rows:
            table.add_row(*(Text(t, no_wrap=True, overflow="ellipsis") for t in row))

    def on_resize(self, event: events.Resize) -> None:
        """The texts' columns follow the terminal's width."""
        super().on_resize(event)
        if self.allowed and self.conflicts:
            self._fill()
            index = self.conflicts.index(self.current) if self.current in self.conflicts else 0
            self.query_one("#conflicts", Table).move_cursor(row=index, animate=False)

    def _select(self, index: int | None) -> None:
        self.current = self.conflicts[index] if index is not None else None
        self.query_one("#conflict-detail", Static).update(
            self._detail(self.current) if self.current else ""
        )
        self.query_one("#conflict-actions").display = self.current is not None

    @staticmethod
    def _detail(conflict: SyncConflictView) -> Text:
        """Who, which data, and both values whole, with where and when the other came from."""
        return Text.assemble(
            (f"{conflict.applicant_name} · {field_name(conflict.field)}", "bold"),
            "\n",
            _("En esta oficina: {value}", value=conflict.current_value or "—"),
            "\n",
            _(
                "Recibido de {source} el {moment}: {value}",
                source=conflict.source,
                moment=short_moment(conflict.found_at),
                value=conflict.incoming_value,
            ),
        )

    @on(DataTable.RowHighlighted, "#conflicts")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.conflicts):
            self._select(event.cursor_row)

    @on(DataTable.RowSelected, "#conflicts")
    def _chosen(self) -> None:
        """Enter on a conflict: on to its choices, the one that changes nothing first."""
        self.query_one("#keep-local").focus()

    # -- K5: arrows between the two choices -----------------------------------------------------

    def action_step(self, step: int) -> None:
        """Left and right: the other choice."""
        buttons = [self.query_one(f"#{name}", Button) for name in BUTTONS]
        if self.focused in buttons:
            here = buttons.index(self.focused)
            if 0 <= here + step < len(buttons):
                buttons[here + step].focus()

    def action_to_list(self) -> None:
        """Up from the choices: back to the list."""
        if isinstance(self.focused, Button) and self.conflicts:
            self.query_one("#conflicts").focus()

    # -- the choice -------------------------------------------------------------------------

    @on(Button.Pressed, "#keep-local")
    def _keep_local(self) -> None:
        self._resolve("local")

    @on(Button.Pressed, "#keep-incoming")
    def _keep_incoming(self) -> None:
        self._resolve("incoming")

    def _resolve(self, keep: str) -> None:
        """O4: the person keeps this office's value, or takes the one received."""
        if self.current is None:
            return
        conflict_id, actor = self.current.id, self.actor
        self.call_store(
            lambda: self.store.resolve_conflict(conflict_id, keep, actor=actor),
            self._resolved,
            self._refused,
        )

    def _resolved(self, done: SyncConflictView) -> None:
        sentence = KEPT_SENTENCES.get((done.field, done.kept or ""))
        if sentence is not None:
            self._say(
                lambda: _(
                    sentence,
                    name=done.applicant_name,
                    source=done.source,
                    value=done.current_value or "—",
                ),
            )
        self.action_reload()

    def _refused(self, error: StoreError) -> None:
        """The store said no (the e-mail is someone else's here, already resolved): its
        sentence, and the list as the store has it now, on the same conflict."""
        self._say(lambda: say(error.message), refused=True)
        self.action_reload(focus=False)

    def _say(self, said: Callable[[], str] | None = None, *, refused: bool = False) -> None:
        """The line under the choices: what the last choice did, or why it could not be done
        (kept as a function, so that it is said again in a language chosen afterwards)."""
        if said is not None:
            self.said = said
            self.refused = refused
        line = self.query_one("#conflict-said", Static)
        line.update(plain(self.said()) if self.said else "")
        line.set_class(self.refused, "-refused")
