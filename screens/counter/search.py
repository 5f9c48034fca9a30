"""Find an applicant (C3): document in any spelling, e-mail, name without accents or case, or
the verification code of one of their bookings."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from screens.base import Outcome
from screens.counter.base import CounterScreen, cells
from screens.text import _, n_, plain
from screens.widgets.table import Table
from store.text import N_
from store.validation import format_document
from store.views import ApplicantView


class SearchScreen(CounterScreen):
    """Type, press Enter, choose a row."""

    ROLES = ("agent", "supervisor")
    BINDINGS = [Binding("escape", "back", N_("Volver"))]

    @dataclass
    class Chosen(Outcome):
        """C3: this person's file comes next."""

        applicant: ApplicantView

    def __init__(self) -> None:
        super().__init__()
        self.found: list[ApplicantView] = []

    def heading(self) -> str:
        return _("Buscar persona")

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static(
                _("Documento, correo, nombre (sin importar tildes) o código de reserva."),
                classes="lead",
            )
            yield Input(id="query", placeholder=_("p. ej. jose munoz, 12.345.678-5, K7M2QX9A"))
            yield Static("", id="search-status", classes="lead")
            yield Table(id="results", cursor_type="row", zebra_stripes=True)

    def ready(self) -> None:
        table = self.query_one("#results", Table)
        table.add_columns(_("Nombre"), _("Documento"), _("Verificada"), _("Correo"))
        self.query_one("#query").focus()

    def after_relabel(self) -> None:
        self.ready()
        self._show(self.found, keep_status=True)

    def on_screen_resume(self) -> None:
        """Back from a file: the people listed are read again, so what was done there (an
        identity verified, a name corrected) shows here too, on the same row."""
        if not self.found or not self.allowed:
            return
        ids, store = [person.id for person in self.found], self.store
        row = self.query_one("#results", Table).cursor_row

        def refreshed(fresh: list[ApplicantView]) -> None:
            self._show(fresh, keep_status=True)
            self.query_one("#results", Table).move_cursor(row=row)

        self.call_store(lambda: [store.applicant(i) for i in ids], refreshed)

    @on(Input.Submitted, "#query")
    def _search(self, event: Input.Submitted) -> None:
        text = event.value
        if not text.strip():
            self.query_one("#search-status", Static).update(_("Escriba algo para buscar."))
            return
        actor = self.actor  # C1: the search is recorded with who searched
        self.call_store(lambda: self.store.find_applicants(text, actor=actor), self._show)

    def _show(self, found: list[ApplicantView], keep_status: bool = False) -> None:
        self.found = found
        table = self.query_one("#results", Table)
        table.clear()
        for person in found:
            table.add_row(
                *cells(
                    person.full_name,
                    format_document(person.document_type, person.document_number),
                    _("sí") if person.verified_at else _("no"),
                    person.email,
                )
            )
        status = self.query_one("#search-status", Static)
        query = self.query_one("#query", Input).value
        if not found:
            status.update(plain(_("Nadie coincide con «{text}».", text=query)))
        else:
            status.update(
                n_(
                    "{count} resultado: elíjalo con Enter.",
                    "{count} resultados: elija uno con Enter.",
                    len(found),
                )
            )
            table.focus()

    @on(DataTable.RowSelected, "#results")
    def _open(self, event: DataTable.RowSelected) -> None:
        applicant_id, actor = self.found[event.cursor_row].id, self.actor
        # C1: opening the file is recorded with who looked.
        self.call_store(
            lambda: self.store.open_file(applicant_id, actor=actor),
            lambda applicant: self.post_message(self.Chosen(applicant)),
        )
