"""B3, B4: the offices of the applicant's region that offer the procedure, and what each has."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from screens.base import KioskScreen, Outcome
from screens.labels import procedure_name
from screens.text import _, long_day, n_, plain
from screens.widgets.keypad import KEYPAD_ARROWS
from screens.widgets.page import ScrollPage
from store.text import N_
from store.views import OfferingView, OfficeChoice, ProcedureView, WaitlistEntryView


class OfficeScreen(KioskScreen):
    """Each office with its next free time or "full, N waiting"; B4's message when none."""

    BINDINGS = [Binding("escape", "back", N_("Volver")), *KEYPAD_ARROWS]

    @dataclass
    class Chosen(Outcome):
        """B3: an office; its times, or its waitlist when it has none free (W1)."""

        offering: OfferingView
        procedure: ProcedureView

    @dataclass
    class HelpChosen(Outcome):
        """B4: no office offers the procedure here; "Abrir una solicitud de ayuda"."""

    def __init__(self, procedure: ProcedureView) -> None:
        super().__init__()
        self.procedure = procedure
        self.choice: OfficeChoice | None = None
        # W3: the person's place on a waitlist of this procedure, by office.
        self.places: dict[str, int] = {}

    def heading(self) -> str:
        return _("{procedure}: elija la oficina", procedure=procedure_name(self.procedure))

    def describe(self, offering: OfferingView) -> str:
        office = offering.office
        if offering.next_free is not None:
            state = _(
                "Próxima hora libre: {day}, {time}",
                day=long_day(offering.next_free.date()),
                time=f"{offering.next_free:%H:%M}",
            )
        else:
            state = n_(
                "Sin horas libres: {count} persona en espera",
                "Sin horas libres: {count} personas en espera",
                offering.waiting,
            )
        place = self.places.get(office.code)
        if place is not None:
            state += "\n  " + _("Ya está inscrito: lugar {position}", position=place)
        return f"{office.name}\n  {office.address}\n  {state}"

    def body(self) -> ComposeResult:
        with Vertical(classes="page"):
            if self.choice is None:
                yield Static(_("Buscando oficinas…"), classes="lead")
            elif self.choice.none_bookable:
                yield from self._walk_in(self.choice)
            else:
                yield Static(
                    plain(
                        _(
                            "Oficinas de {region} que atienden este trámite:",
                            region=self.choice.region.name,
                        )
                    ),
                    classes="lead",
                )
                yield OptionList(
                    *[
                        Option(plain(self.describe(o)), id=o.office.code)
                        for o in self.choice.offerings
                    ],
                    id="offices",
                )
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")

    def _walk_in(self, choice: OfficeChoice) -> ComposeResult:
        # B4: say plainly where to go instead of leaving the person at a dead end.
        yield Static(
            plain(
                _(
                    "Ninguna oficina de {region} ofrece este trámite con hora reservada.",
                    region=choice.region.name,
                )
            ),
            classes="warning-box",
            id="no-office",
        )
        if choice.walk_in:
            yield Static(_("Puede ir en persona a la oficina más cercana:"), classes="lead")
            with ScrollPage(id="walk-in"):
                for office in choice.walk_in:
                    yield Static(
                        plain(
                            f"{office.name} — {office.address} — "
                            + _(
                                "atención de {opens} a {closes}",
                                opens=f"{office.opens_at:%H:%M}",
                                closes=f"{office.closes_at:%H:%M}",
                            )
                        )
                    )
        yield Static(
            _("O abra una solicitud de ayuda y le responderemos en su buzón."), classes="lead"
        )
        yield Button(_("Abrir una solicitud de ayuda"), id="ticket")

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        """Back from an office (enrolled on its waitlist, say): what it has now (W1, W3)."""
        if self.host.session is not None and self.choice is not None:
            self.load()

    def load(self) -> None:
        region = self.session.applicant.region
        code, applicant_id = self.procedure.code, self.session.applicant_id
        store = self.store

        def offices() -> tuple[OfficeChoice, list[WaitlistEntryView]]:
            return store.offices_for(region, code), store.waitlist_entries_of(applicant_id)

        self.call_store(offices, self._loaded)

    def _loaded(self, found: tuple[OfficeChoice, list[WaitlistEntryView]]) -> None:
        self.choice, entries = found
        self.places = {
            e.office: e.position
            for e in entries
            if e.status == "waiting" and e.procedure == self.procedure.code and e.position
        }
        self.call_later(self._show)

    async def _show(self) -> None:
        highlighted = None
        for options in self.query("#offices").results(OptionList):
            highlighted = options.highlighted
        await self.recompose()
        for widget in self.query("#offices, #ticket"):
            widget.focus()
            if isinstance(widget, OptionList) and highlighted is not None:
                widget.highlighted = min(highlighted, widget.option_count - 1)
            break

    def after_relabel(self) -> None:
        self.call_later(self._show)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        assert self.choice is not None
        offering = next(o for o in self.choice.offerings if o.office.code == event.option.id)
        self.post_message(self.Chosen(offering, self.procedure))

    @on(Button.Pressed, "#ticket")
    def _ticket(self) -> None:
        self.post_message(self.HelpChosen())
