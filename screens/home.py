"""The applicant's home (B1, W3, M1): region, bookings, waitlist places, mailbox, help."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from screens.base import KioskScreen, Outcome
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.region import RegionDialog
from screens.labels import procedure_name
from screens.text import _, long_day, moment, plain
from store.text import N_
from store.views import ApplicantView, BookingView, WaitlistEntryView

ACTIVE = ("confirmed", "checked_in")


class HomeScreen(KioskScreen):
    """Everything the applicant has, and "Reservar una hora"."""

    BINDINGS = [Binding("f10", "logout", N_("Terminar"), key_display="F10")]

    @dataclass
    class BookChosen(Outcome):
        """ "Reservar una hora": choose the procedure."""

    @dataclass
    class MailboxChosen(Outcome):
        """ "Mi buzón"."""

    @dataclass
    class HelpChosen(Outcome):
        """ "Ayuda": a help ticket."""

    @dataclass
    class ReceiptChosen(Outcome):
        """ "Ver comprobante" of one of the applicant's bookings."""

        booking: BookingView

    @dataclass
    class Finished(Outcome):
        """ "Terminar": the person is done."""

    def __init__(self) -> None:
        super().__init__()
        self.bookings: list[BookingView] = []
        self.entries: list[WaitlistEntryView] = []
        self.unread = 0
        self.loaded = False

    def heading(self) -> str:
        return _("Hola, {name}", name=self.session.applicant.given_names)

    def region_name(self) -> str:
        regions = {r.code: r.name for r in self.host.catalog.regions}
        return regions.get(self.session.applicant.region, self.session.applicant.region)

    def body(self) -> ComposeResult:
        catalog = self.host.catalog
        offices = {o.code: o for o in catalog.offices}
        procedures = {p.code: p for p in catalog.procedures}
        with VerticalScroll(classes="page", id="home"):
            with Horizontal(id="home-region", classes="actions"):
                yield Static(
                    plain(_("Trámites asociados a {region}", region=self.region_name())),
                    classes="page-title",
                    id="region-line",
                )
                yield Button(_("Cambiar región"), id="change-region")
            with Horizontal(classes="actions"):
                yield Button(_("Reservar una hora"), id="book", variant="primary")
                yield Button(_("Mi buzón ({count} sin leer)", count=self.unread), id="mailbox")
                yield Button(_("Ayuda"), id="help")
                yield Button(_("Terminar"), id="logout")
            yield Static(_("Mis horas"), classes="page-title")
            active = [b for b in self.bookings if b.status in ACTIVE]
            if not self.loaded:
                yield Static(_("Cargando…"), classes="lead")
            elif not active:
                yield Static(_("No tiene horas reservadas."), classes="lead", id="no-bookings")
            for index, booking in enumerate(active):
                with Horizontal(classes="home-row"):
                    yield Static(
                        plain(
                            f"{booking.display_code}  {long_day(booking.start.date())} {booking.start:%H:%M}  "
                            f"{booking.office.name} · {procedure_name(booking.procedure)}"
                        ),
                        classes="home-row-text",
                    )
                    yield Button(_("Ver comprobante"), id=f"receipt-{index}")
            yield Static(_("Mis inscripciones en asignación automatizada"), classes="page-title")
            waiting = [e for e in self.entries if e.status == "waiting"]
            if self.loaded and not waiting:
                yield Static(
                    _("No está inscrito en ninguna lista."), classes="lead", id="no-entries"
                )
            for index, entry in enumerate(waiting):
                office = offices.get(entry.office)
                procedure = procedures.get(entry.procedure)
                with Horizontal(classes="home-row"):
                    yield Static(
                        plain(
                            _(
                                "{office} · {procedure}: lugar {position}, inscrito el {date}",
                                office=office.name if office else entry.office,
                                procedure=procedure_name(procedure)
                                if procedure
                                else entry.procedure,
                                position=entry.position,
                                date=moment(
                                    entry.enrolled_at,
                                    office.time_zone if office else "America/Santiago",
                                ),
                            )
                        ),
                        classes="home-row-text",
                    )
                    yield Button(
                        _("Eliminarme de la lista"), id=f"withdraw-{index}", variant="warning"
                    )

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        if self.host.session is not None and self.loaded:
            self.reload()

    def reload(self) -> None:
        applicant_id = self.session.applicant_id
        store = self.store

        def load() -> tuple[list[BookingView], list[WaitlistEntryView], int]:
            return (
                store.bookings_of(applicant_id),
                store.waitlist_entries_of(applicant_id),
                store.unread_count(applicant_id),
            )

        self.call_store(load, self._loaded)

    async def _show(self) -> None:
        await self.recompose()
        self.query_one("#book").focus()

    def _loaded(self, data: tuple[list[BookingView], list[WaitlistEntryView], int]) -> None:
        self.bookings, self.entries, self.unread = data
        self.loaded = True
        self.call_later(self._show)

    @on(Button.Pressed, "#book")
    def _book(self) -> None:
        self.post_message(self.BookChosen())

    @on(Button.Pressed, "#mailbox")
    def _mailbox(self) -> None:
        self.post_message(self.MailboxChosen())

    @on(Button.Pressed, "#help")
    def _help(self) -> None:
        self.post_message(self.HelpChosen())

    @on(Button.Pressed, "#change-region")
    def _change_region(self) -> None:
        def chosen(code: str | None) -> None:
            if code and code != self.session.applicant.region:
                applicant_id = self.session.applicant_id
                self.call_store(
                    lambda: self.store.set_region(applicant_id, code), self._region_saved
                )

        self.app.push_screen(
            RegionDialog(self.host.catalog.regions, self.session.applicant.region), chosen
        )

    def _region_saved(self, applicant: ApplicantView) -> None:
        self.session.applicant = applicant
        self.call_later(self._show)

    @on(Button.Pressed, ".home-row Button")
    def _row_action(self, event: Button.Pressed) -> None:
        kind, _sep, index = (event.button.id or "").partition("-")
        if kind == "receipt":
            active = [b for b in self.bookings if b.status in ACTIVE]
            self.post_message(self.ReceiptChosen(active[int(index)]))
        elif kind == "withdraw":
            waiting = [e for e in self.entries if e.status == "waiting"]
            self.withdraw(waiting[int(index)])

    def withdraw(self, entry: WaitlistEntryView) -> None:
        """W4: confirm, warn that the place and the date are lost, then leave."""

        def answered(yes: bool | None) -> None:
            if yes:
                applicant_id = self.session.applicant_id
                self.call_store(
                    lambda: self.store.withdraw(
                        applicant_id, entry.office, entry.procedure, actor=self.session.actor
                    ),
                    self._withdrawn,
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Eliminarme de asignación automatizada de citas"),
                _("¿Quiere salir de la lista de espera de esta oficina y trámite?"),
                _("Sí, eliminarme"),
                warning=_(
                    "Perderá su lugar. La fecha de inscripción es la referencia para cualquier multa: "
                    "si se inscribe de nuevo, tendrá un lugar y una fecha nuevos."
                ),
            ),
            answered,
        )

    def _withdrawn(self, _entry: WaitlistEntryView) -> None:
        self.app.notify(_("Ya no está en la lista."))
        self.reload()

    @on(Button.Pressed, "#logout")
    def action_logout(self) -> None:
        self.post_message(self.Finished())
