"""Figures for supervisors: per office and procedure (C7), with the next 30 days of bookings
as a sparkline, and the waiting room per day and agent (Q5); both exported as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Static

from screens.counter.base import CounterScreen, cells
from screens.text import _, language, plain, short_day, short_moment
from screens.widgets.page import ScrollPage
from screens.widgets.table import Table
from store.text import N_
from store.views import Figures, QueueFigures

BARS = "▁▂▃▄▅▆▇█"
T = TypeVar("T")


def sparkline(values: tuple[int, ...] | list[int]) -> str:
    """One character per value, the tallest bar for the largest; a space for none."""
    top = max(values, default=0)
    if top == 0:
        return "·" * len(values)
    return "".join(
        BARS[min(len(BARS) - 1, (v * len(BARS) - 1) // top)] if v else " " for v in values
    )


def minutes(seconds: float) -> str:
    """Minutes with one decimal, with the decimal comma of Spanish and Kreyòl."""
    text = f"{seconds / 60:.1f}"
    return text if language() == "en" else text.replace(".", ",")


class FiguresScreen(CounterScreen):
    """One row per office and procedure, then the waiting room's rows per day and agent (the
    page scrolls on a small terminal); "Exportar CSV" writes each table to its own file."""

    ROLES = ("supervisor",)
    FIT_SHORT = True
    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[Figures] = []
        self.queue_figures: list[QueueFigures] = []

    def heading(self) -> str:
        return _("Cifras por oficina y trámite")

    def body(self) -> ComposeResult:
        with ScrollPage(classes="page", id="figures-page"):
            yield Static(
                _(
                    "Cupos y reservas: próximos 30 días (la barra empieza hoy). No presentados: últimos 30 días."
                ),
                classes="lead",
            )
            yield Table(id="figures", cursor_type="row", zebra_stripes=True)
            yield Static(_("Sala de espera"), classes="page-title", id="queue-title")
            yield Static(
                _(
                    "Últimos 30 días, por día y agente; tiempos en minutos. La espera va de la "
                    "llegada (o de la hora de la cita, si llegó antes) al llamado que la atendió."
                ),
                classes="lead",
            )
            yield Table(id="queue-figures", cursor_type="row", zebra_stripes=True)
            yield Static(
                _("Nadie atendido en la sala de espera en los últimos 30 días."),
                id="queue-none",
                classes="lead",
            )
            yield Static("", id="figures-status", classes="lead")
            with Horizontal(classes="actions"):
                yield Button(_("Exportar CSV"), id="export", variant="primary")

    def ready(self) -> None:
        # C9: staff of an office see their office's figures only, so the office column is for
        # a national supervisor; the 30-day sparkline goes last, so at 80x24 the no-show rate
        # stays on screen.
        self.query_one("#figures", Table).add_columns(
            *self._office_first(
                _("Oficina"),
                _("Trámite"),
                _("En espera"),
                _("Inscripción más antigua"),
                _("Cupos libres"),
                _("No presentados"),
                _("Reservas por día"),
            )
        )
        self.query_one("#queue-figures", Table).add_columns(
            *self._office_first(
                _("Oficina"),
                _("Día"),
                _("Agente"),
                _("Atendidas"),
                _("Espera media"),
                _("Espera p90"),
                _("Atención media"),
            )
        )
        actor, office = self.actor, self.staff.office
        store = self.store
        # One store call for both tables: a second one while the first runs would be ignored.
        self.call_store(
            lambda: (store.figures(office, actor=actor), store.queue_figures(office, actor=actor)),
            self._show,
        )

    def after_relabel(self) -> None:
        self.ready()

    def _office_first(self, office: T, *values: T) -> tuple[T, ...]:
        """C9: the office column is for a national supervisor; office staff see theirs only."""
        return (office, *values) if self.staff.office is None else values

    def _show(self, found: tuple[list[Figures], list[QueueFigures]]) -> None:
        figures, queue_figures = found
        self.figures = figures
        table = self.query_one("#figures", Table)
        table.clear()
        for f in figures:
            rate = f.no_show_rate
            table.add_row(
                *cells(
                    *self._office_first(
                        f.office,
                        f.procedure,
                        f.waiting,
                        short_moment(f.oldest_enrolment) if f.oldest_enrolment else "—",
                        f.open_seats,
                        f"{rate:.0%} ({f.missed}/{f.attended + f.missed})"
                        if rate is not None
                        else "—",
                        sparkline(f.bookings_per_day),
                    )
                )
            )
        self._show_queue(queue_figures)
        table.focus()

    def _show_queue(self, rows: list[QueueFigures]) -> None:
        """Q5: the newest day first; within a day, the agents by name."""
        self.queue_figures = rows
        table = self.query_one("#queue-figures", Table)
        table.clear()
        for f in sorted(rows, key=lambda r: (r.office, -r.day.toordinal(), r.agent)):
            table.add_row(
                *cells(
                    *self._office_first(
                        f.office,
                        short_day(f.day),
                        f.agent,
                        f.served,
                        minutes(f.mean_wait),
                        minutes(f.p90_wait),
                        minutes(f.mean_service),
                    )
                )
            )
        table.display = bool(rows)
        self.query_one("#queue-none", Static).display = not rows

    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        folder = self.host.export_folder()
        stamp = self.host.clock.now()
        texts = {
            f"cifras-{stamp:%Y%m%d-%H%M%S}.csv": self.store.figures_csv(self.figures),
            f"sala-de-espera-{stamp:%Y%m%d-%H%M%S}.csv": self.store.queue_figures_csv(
                self.queue_figures
            ),
        }

        def write() -> list[Path]:
            folder.mkdir(parents=True, exist_ok=True)
            written = []
            for name, text in texts.items():
                path = folder / name
                aside = path.with_suffix(".part")
                aside.write_text(text, encoding="utf-8")
                aside.replace(path)
                written.append(path)
            return written

        self.call_store(write, self._exported, errors=(OSError,), failed=self._not_written)

    def _exported(self, paths: list[Path]) -> None:
        figures, queue = paths
        self.query_one("#figures-status", Static).update(
            plain(
                _(
                    "Cifras guardadas en {path} y {queue_path}",
                    path=str(figures),
                    queue_path=str(queue),
                )
            )
        )

    def _not_written(self, error: OSError) -> None:
        self.query_one("#figures-status", Static).update(
            plain(_("No se pudo guardar el archivo: {reason}", reason=error.strerror or str(error)))
        )
