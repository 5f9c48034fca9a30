"""Figures for supervisors (C7): per office and procedure, with the next 30 days of bookings
as a sparkline; exported as CSV."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from screens.counter.base import CounterScreen, cells
from screens.text import _, plain, short_moment
from screens.widgets.table import Table
from store.text import N_
from store.views import Figures

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: tuple[int, ...] | list[int]) -> str:
    """One character per value, the tallest bar for the largest; a space for none."""
    top = max(values, default=0)
    if top == 0:
        return "·" * len(values)
    return "".join(
        BARS[min(len(BARS) - 1, (v * len(BARS) - 1) // top)] if v else " " for v in values
    )


class FiguresScreen(CounterScreen):
    """One row per office and procedure; "Exportar CSV" writes the same figures to a file."""

    ROLES = ("supervisor",)
    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[Figures] = []

    def heading(self) -> str:
        return _("Cifras por oficina y trámite")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static(
                _(
                    "Cupos y reservas: próximos 30 días (la barra empieza hoy). No presentados: últimos 30 días."
                ),
                classes="lead",
            )
            yield Table(id="figures", cursor_type="row", zebra_stripes=True)
            yield Static("", id="figures-status", classes="lead")
            with Horizontal(classes="actions"):
                yield Button(_("Exportar CSV"), id="export", variant="primary")

    def ready(self) -> None:
        # C9: staff of an office see their office's figures only, so the office column is for
        # a national supervisor; the 30-day sparkline goes last, so at 80x24 the no-show rate
        # stays on screen.
        columns = [
            _("Trámite"),
            _("En espera"),
            _("Inscripción más antigua"),
            _("Cupos libres"),
            _("No presentados"),
            _("Reservas por día"),
        ]
        if self.staff.office is None:
            columns.insert(0, _("Oficina"))
        self.query_one("#figures", Table).add_columns(*columns)
        actor, office = self.actor, self.staff.office
        self.call_store(lambda: self.store.figures(office, actor=actor), self._show)

    def after_relabel(self) -> None:
        self.ready()

    def _show(self, figures: list[Figures]) -> None:
        self.figures = figures
        table = self.query_one("#figures", Table)
        table.clear()
        for f in figures:
            rate = f.no_show_rate
            values = [
                f.procedure,
                f.waiting,
                short_moment(f.oldest_enrolment) if f.oldest_enrolment else "—",
                f.open_seats,
                f"{rate:.0%} ({f.missed}/{f.attended + f.missed})" if rate is not None else "—",
                sparkline(f.bookings_per_day),
            ]
            if self.staff.office is None:
                values.insert(0, f.office)
            table.add_row(*cells(*values))
        table.focus()

    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        folder = self.host.export_folder()
        stamp = self.host.clock.now()
        rows = self.figures
        figures_csv = self.store.figures_csv

        def write() -> Path:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"cifras-{stamp:%Y%m%d-%H%M%S}.csv"
            aside = path.with_suffix(".part")
            aside.write_text(figures_csv(rows), encoding="utf-8")
            aside.replace(path)
            return path

        self.call_store(write, self._exported, errors=(OSError,), failed=self._not_written)

    def _exported(self, path: Path) -> None:
        self.query_one("#figures-status", Static).update(
            plain(_("Cifras guardadas en {path}", path=str(path)))
        )

    def _not_written(self, error: OSError) -> None:
        self.query_one("#figures-status", Static).update(
            plain(_("No se pudo guardar el archivo: {reason}", reason=error.strerror or str(error)))
        )
