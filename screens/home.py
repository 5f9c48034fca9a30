"""The applicant's home (B1, W3, M1): region, bookings, waitlist places, mailbox, help.

Each booking says until when the office lets it be cancelled or moved (B9), with "Anular mi
hora" and "Cambiar mi hora" (B13) while it may; a booking the office took away says so, with
the person's place on the waitlist (B12), and is never shown as if it still stood."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalGroup
from textual.widgets import Button, Static

from screens.base import KioskScreen, Outcome
from screens.dialogs.cancel import CancelDialog, cancel_policy
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.region import RegionDialog
from screens.labels import procedure_name
from screens.text import _, long_day, moment, plain
from screens.widgets.keypad import KEYPAD_ARROWS
from screens.widgets.page import ScrollPage
from store.text import N_
from store.views import ApplicantView, BookingView, Cancelled, WaitlistEntryView

ACTIVE = ("confirmed", "checked_in")


class HomeScreen(KioskScreen):
    """Everything the applicant has, and "Reservar una hora"."""

    BINDINGS = [Binding("f10", "logout", N_("Terminar"), key_display="F10"), *KEYPAD_ARROWS]

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
    class BookingCancelled(Outcome):
        """B9: the applicant cancelled a booking; what was cancelled is shown next."""

        cancelled: Cancelled
        at: datetime

    @dataclass
    class MoveChosen(Outcome):
        """B13: "Cambiar mi hora": the grid of the same office and procedure, to move it."""

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

    @property
    def active(self) -> list[BookingView]:
        """The bookings that stand (B8), soonest first."""
        return sorted((b for b in self.bookings if b.status in ACTIVE), key=lambda b: b.start)

    @property
    def displaced(self) -> list[BookingView]:
        """B12: bookings the office took away whose time is still ahead."""
        now = self.host.clock.now()
        return [b for b in self.bookings if b.status == "displaced" and b.start > now]

    @property
    def waiting(self) -> list[WaitlistEntryView]:
        """W3: the places the person holds on waitlists."""
        return [e for e in self.entries if e.status == "waiting"]

    def displacement_entry(self, booking: BookingView) -> WaitlistEntryView | None:
        """B12: the waitlist place a displaced booking gave its holder."""
        return next((e for e in self.waiting if e.displaced_code == booking.code), None)

    def heading(self) -> str:
        return _("Hola, {name}", name=self.session.applicant.given_names)

    def region_name(self) -> str:
        regions = {r.code: r.name for r in self.host.catalog.regions}
        return regions.get(self.session.applicant.region, self.session.applicant.region)

    def body(self) -> ComposeResult:
        catalog = self.host.catalog
        offices = {o.code: o for o in catalog.offices}
        procedures = {p.code: p for p in catalog.procedures}
        with ScrollPage(classes="page", id="home"):
            with Horizontal(id="home-region", classes="actions"):
                yield Static(
                    plain(_("Trámites asociados a {region}", region=self.region_name())),
                    classes="page-title",
                    id="region-line",
                )
                yield Button(_("Cambiar región"), id="change-region")
            with Horizontal(classes="actions", id="home-actions"):
                yield Button(_("Reservar una hora"), id="book", variant="primary")
                yield Button(_("Mi buzón ({count} sin leer)", count=self.unread), id="mailbox")
                yield Button(_("Ayuda"), id="help")
                yield Button(_("Terminar"), id="logout")
            yield Static(_("Mis horas"), classes="page-title")
            active, displaced = self.active, self.displaced
            if not self.loaded:
                yield Static(_("Cargando…"), classes="lead")
            elif not active and not displaced:
                yield Static(_("No tiene horas reservadas."), classes="lead", id="no-bookings")
            yield from self._displaced_rows(displaced)
            yield from self._booking_rows(active)
            yield Static(_("Mis inscripciones en asignación automatizada"), classes="page-title")
            # A displaced booking's place is shown with it, above (B12), not twice.
            shown = {id(self.displacement_entry(b)) for b in displaced}
            listed = [(i, e) for i, e in enumerate(self.waiting) if id(e) not in shown]
            if self.loaded and not listed and not (shown - {id(None)}):
                yield Static(
                    _("No está inscrito en ninguna lista."), classes="lead", id="no-entries"
                )
            for index, entry in listed:
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

    def _booking_rows(self, active: list[BookingView]) -> ComposeResult:
        """Each standing booking, its receipt, and B9's deadline with the buttons it allows."""
        now = self.host.clock.now()
        for index, booking in enumerate(active):
            with VerticalGroup(classes="home-booking"):
                with Horizontal(classes="home-row"):
                    yield Static(
                        plain(
                            f"{booking.display_code}  {long_day(booking.start.date())} {booking.start:%H:%M}  "
                            f"{booking.office.name} · {procedure_name(booking.procedure)}"
                        ),
                        classes="home-row-text",
                    )
                    yield Button(_("Ver comprobante"), id=f"receipt-{index}")
                policy = cancel_policy(booking, now)
                if policy:
                    yield Static(plain(policy), classes="lead", id=f"policy-{index}")
                if booking.can_cancel_at(now):
                    with Horizontal(classes="home-row actions"):
                        yield Button(_("Cambiar mi hora"), id=f"move-{index}")
                        yield Button(_("Anular mi hora"), id=f"cancel-{index}", variant="warning")

    def _displaced_rows(self, displaced: list[BookingView]) -> ComposeResult:
        """B12: what the office did to a booking, and the place it gave on the waitlist."""
        for index, booking in enumerate(displaced):
            when = {"date": long_day(booking.start.date()), "time": f"{booking.start:%H:%M}"}
            lines = [
                _(
                    "La oficina canceló su hora del {date} a las {time} ({reason}).",
                    reason=booking.displaced_reason,
                    **when,
                )
                if booking.displaced_reason
                else _("La oficina canceló su hora del {date} a las {time}.", **when)
            ]
            entry = self.displacement_entry(booking)
            if entry is not None:
                lines.append(
                    _(
                        "Está en la lista de asignación automatizada en el lugar {position}, "
                        "con la fecha de su reserva original.",
                        position=entry.position,
                    )
                )
            with VerticalGroup(classes="home-booking -displaced", id=f"displaced-{index}"):
                yield Static(
                    plain(
                        f"{booking.display_code}  {booking.office.name} · "
                        f"{procedure_name(booking.procedure)}"
                    ),
                    classes="home-row-text",
                )
                yield Static(plain(" ".join(lines)), classes="warning-box")
                if entry is not None:
                    with Horizontal(classes="home-row actions"):
                        yield Button(
                            _("Eliminarme de la lista"),
                            id=f"withdraw-{self.waiting.index(entry)}",
                            variant="warning",
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
        if self.busy:
            return  # K3: a press while the last one is being carried out
        kind, _sep, index = (event.button.id or "").partition("-")
        if kind == "receipt":
            self.post_message(self.ReceiptChosen(self.active[int(index)]))
        elif kind == "cancel":
            self.cancel(self.active[int(index)])
        elif kind == "move":
            self.post_message(self.MoveChosen(self.active[int(index)]))
        elif kind == "withdraw":
            self.withdraw(self.waiting[int(index)])

    def cancel(self, booking: BookingView) -> None:
        """B9: confirm, then cancel; the time goes to the waitlist first (W2)."""
        applicant_id, actor = self.session.applicant_id, self.session.actor

        def answered(reason: str | None) -> None:
            if reason is not None and booking.code:
                code = booking.code
                self.call_store(
                    lambda: self.store.cancel(code, applicant_id=applicant_id, actor=actor),
                    self._cancelled,
                )

        self.app.push_screen(CancelDialog(booking, self.host.clock.now()), answered)

    def _cancelled(self, cancelled: Cancelled) -> None:
        self.post_message(self.BookingCancelled(cancelled, self.host.clock.now()))

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
                lambda: _("Eliminarme de asignación automatizada de citas"),
                lambda: _("¿Quiere salir de la lista de espera de esta oficina y trámite?"),
                lambda: _("Sí, eliminarme"),
                warning=lambda: _(
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
