"""B5, B6: the week's times as a grid (or a list), a hold with a countdown, then confirmation.

B13: the same grid moves a booking: it says so at the top, the chosen time is held as the
booking's replacement (the booking stays as it is meanwhile), and confirming moves it in one
transaction. Backing out at any point lets the hold go and leaves the booking untouched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from screens.base import KioskScreen, Outcome
from screens.dialogs.hold import HoldDialog
from screens.labels import holiday_name, procedure_name
from screens.text import _, long_day, plain
from screens.widgets.keypad import KEYPAD_ARROWS
from screens.widgets.slot_grid import SlotGrid, legend, slot_state, state_label, week_of
from store.errors import StoreError
from store.text import N_
from store.views import BookingView, OfferingView, ProcedureView, SkippedDay, SlotView

# The buttons that change what is shown keep the focus when pressed (the next Enter presses
# them again); anything else hands it to the times.
KEEPS_FOCUS = ("previous", "next")


def moving_offering(booking: BookingView) -> OfferingView:
    """B13: the booking's own office and procedure, opened on the week of its time (its
    "★ suya" cell is a landmark from which to look earlier or later)."""
    return OfferingView(
        office=booking.office,
        procedure_code=booking.procedure.code,
        bookable=True,
        next_free=booking.start,
        waiting=0,
    )


class SlotsScreen(KioskScreen):
    """One week at a time; PageDown / PageUp for the next and previous week; L for the list."""

    BINDINGS = [
        Binding("escape", "back", N_("Volver")),
        Binding("pageup", "week(-1)", N_("Semana anterior"), key_display=N_("RePág")),
        Binding("pagedown", "week(1)", N_("Semana siguiente"), key_display=N_("AvPág")),
        # One key, the footer saying what it does now: the list, or the grid back.
        Binding("l", "toggle_list", N_("Ver como lista")),
        Binding("l", "toggle_list(True)", N_("Ver como calendario")),
        # K5: on the buttons under the grid, the arrows move between them; up from the first
        # goes back into the grid (the grid and the list take the arrows themselves).
        *KEYPAD_ARROWS,
    ]

    @dataclass
    class Booked(Outcome):
        """B6, B7: the held time was confirmed; the receipt comes next."""

        booking: BookingView

    @dataclass
    class Moved(Outcome):
        """B13: the booking moved to the held time; the new receipt comes next."""

        booking: BookingView
        previous: BookingView

    def __init__(
        self,
        offering: OfferingView,
        procedure: ProcedureView,
        *,
        moving: BookingView | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__()
        self.offering = offering
        self.procedure = procedure
        # B13: the booking this grid finds a new time for, and (at the counter) why it moves.
        self.moving = moving
        self.reason = reason or None
        self.week_start: date | None = (
            week_of(offering.next_free.date())[0] if offering.next_free else None
        )
        self.slots: list[SlotView] | None = None
        # B5: the days of the week without times, and why (gone by, a holiday, a closure).
        self.closed_days: dict[date, SkippedDay] = {}
        self.as_list = False
        # K4: the grid's cursor across a change of language (the grid is drawn anew).
        self._cursor: tuple[int, int] | None = None

    @classmethod
    def to_move(cls, booking: BookingView, reason: str | None = None) -> SlotsScreen:
        """B13: the grid of the booking's office and procedure, in moving mode."""
        return cls(moving_offering(booking), booking.procedure, moving=booking, reason=reason)

    def heading(self) -> str:
        return f"{self.offering.office.name} · {procedure_name(self.procedure)}"

    def days(self) -> list[date]:
        if self.week_start is None:
            return []
        return [
            d
            for d in week_of(self.week_start)
            if str(d.weekday()) in self.offering.office.open_weekdays
        ]

    def body(self) -> ComposeResult:
        days = self.days()
        with Vertical(classes="page", id="slots-page"):
            if self.moving is not None:
                old = self.moving.start
                yield Static(
                    _(
                        "Cambiar su hora del {date}, {time}: elija la nueva",
                        date=long_day(old.date()),
                        time=f"{old:%H:%M}",
                    ),
                    classes="info-box",
                    id="moving-banner",
                )
            yield Static(
                plain(
                    _(
                        "Semana del {first} al {last}",
                        first=long_day(days[0]),
                        last=long_day(days[-1]),
                    )
                    if days
                    else ""
                ),
                classes="page-title",
                id="week-title",
            )
            yield Static(_("Leyenda: {legend}", legend=legend()), classes="lead", id="legend")
            if self.slots is None:
                yield Static(_("Cargando horas…"), classes="lead")
            elif not self.slots:
                yield Static(
                    _("Esta semana no hay horas. Pruebe la semana siguiente."),
                    classes="lead",
                    id="no-slots",
                )
            elif self.as_list:
                yield OptionList(*self._list_options(), id="slot-list")
            else:
                yield SlotGrid(self.slots, days, self.closed_days, id="slot-grid")
            with Horizontal(classes="actions"):
                yield Button(_("Volver"), id="back")
                yield Button(_("Semana anterior"), id="previous")
                yield Button(_("Semana siguiente"), id="next")
                yield Button(
                    _("Ver como calendario") if self.as_list else _("Ver como lista"), id="toggle"
                )

    def _list_options(self) -> list[Option]:
        """The same times for screen readers and small terminals: one line each, with its state."""
        options = []
        for slot in self.slots or []:
            state = slot_state(slot)
            text = f"{long_day(slot.day)} {slot.start_time:%H:%M}  {state_label(state)}"
            # Every time can be chosen: one that cannot be taken says why (as in the grid).
            options.append(Option(text, id=str(slot.id)))
        return options

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.host.session is not None and self.slots is not None:
            self.load()

    def load(self) -> None:
        if self.week_start is None:
            self.week_start = week_of(self.host.clock.now().date())[0]
        days = week_of(self.week_start)
        office, code = self.offering.office.code, self.procedure.code
        applicant_id = self.session.applicant_id
        store = self.store

        def week() -> tuple[list[SlotView], list[SkippedDay]]:
            return (
                store.slots(office, code, days[0], days[-1], applicant_id),
                store.closed_days(office, days[0], days[-1]),
            )

        self.call_store(week, self._loaded)

    def _loaded(self, week: tuple[list[SlotView], list[SkippedDay]]) -> None:
        self.slots, closed = week
        self.closed_days = {skipped.day: skipped for skipped in closed}
        self.call_later(self._show)

    async def _show(self) -> None:
        focused = self.focused.id if self.focused is not None else None
        await self.recompose()
        if focused in KEEPS_FOCUS:
            self.query_one(f"#{focused}").focus()
        elif self.as_list:
            for options in self.query("#slot-list").results(OptionList):
                options.focus()
        else:
            for grid in self.query(SlotGrid):
                if self._cursor is not None:
                    grid.move_to(*self._cursor)
                    grid.focus()
                else:
                    grid.focus_first_free()
        self._cursor = None

    async def relabel(self) -> None:
        """K4: in the new language, the cursor stays on the cell it was on."""
        for grid in self.query(SlotGrid):
            if grid.has_focus:
                self._cursor = grid.cursor
        await super().relabel()

    def after_relabel(self) -> None:
        self.call_later(self._show)

    def action_week(self, step: int) -> None:
        today = self.host.clock.now().date()
        if self.week_start is None:
            return
        start = self.week_start + timedelta(days=7 * step)
        if start + timedelta(days=6) < today:
            return
        self.week_start = start
        self.slots = None
        self.load()

    @on(Button.Pressed, "#previous")
    def _previous(self) -> None:
        self.action_week(-1)

    @on(Button.Pressed, "#next")
    def _next(self) -> None:
        self.action_week(1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The "l" binding shown is the one that fits: the list, or the grid back."""
        if action == "toggle_list":
            return bool(parameters and parameters[0]) == self.as_list
        return True

    @on(Button.Pressed, "#toggle")
    def _toggle_pressed(self) -> None:
        self.action_toggle_list()

    def action_toggle_list(self, _back: bool = False) -> None:
        """The list, or the grid back (`_back` only tells the footer's two labels apart)."""
        self.as_list = not self.as_list
        self.refresh_bindings()
        self.call_later(self._show)

    def why_not(
        self, state: str, day: date, slot: SlotView | None, start: time | None = None
    ) -> str:
        """One sentence on why a time cannot be taken (B5)."""
        if state == "closed":
            closed = self.closed_days.get(day)
            if closed is not None and closed.kind == "holiday":
                return _(
                    "Ese día es feriado ({holiday}): la oficina no atiende.",
                    holiday=holiday_name(closed, self.offering.office.region),
                )
            if closed is not None and closed.kind == "closure":
                return _("Ese día la oficina está cerrada ({reason}).", reason=closed.reason)
            if slot is not None:  # a time the office took away (C6)
                return _("La oficina cerró esa hora.")
            office = self.offering.office
            if start is not None and not office.opens_at <= start < office.closes_at:
                return _("Esa hora está fuera del horario de atención de la oficina.")
            # Open that day and at that hour, but no time was opened for booking (yet).
            return _("Esa hora no está abierta para reservar: elija una marcada «libre» o «pocas».")
        messages = {
            "full": _("Esa hora está llena: elija una marcada «libre» o «pocas»."),
            "past": _("Esa hora ya pasó: elija una marcada «libre» o «pocas»."),
            "mine": _("Esa hora ya es suya."),
        }
        return messages.get(state, "")

    @on(SlotGrid.FullChosen)
    def _unavailable(self, event: SlotGrid.FullChosen) -> None:
        self.notify(
            self.why_not(event.state, event.day, event.slot, event.start), severity="warning"
        )

    @on(SlotGrid.SlotChosen)
    def _chosen(self, event: SlotGrid.SlotChosen) -> None:
        self.hold(event.slot.id)

    @on(OptionList.OptionSelected, "#slot-list")
    def _chosen_in_list(self, event: OptionList.OptionSelected) -> None:
        slot_id = int(event.option.id or 0)
        slot = next((s for s in self.slots or [] if s.id == slot_id), None)
        if slot is None:
            return
        state = slot_state(slot)
        if state in ("free", "few"):
            self.hold(slot.id)
        else:
            self.notify(self.why_not(state, slot.day, slot), severity="warning")

    def hold(self, slot_id: int) -> None:
        """B6: hold the seat while the person checks the details."""
        applicant_id, actor = self.session.applicant_id, self.session.actor
        replacing = self.moving.code if self.moving is not None else None
        self.call_store(
            lambda: self.store.hold(applicant_id, slot_id, replacing=replacing, actor=actor),
            self._held,
            self._refused,
        )

    def _refused(self, error: StoreError) -> None:
        self.show_refusal(error)
        self.load()

    def _held(self, hold: BookingView) -> None:
        applicant_id, actor = self.session.applicant_id, self.session.actor
        moving, reason = self.moving, self.reason

        def answered(confirm: bool | None) -> None:
            if confirm and moving is not None:
                # B13: one transaction; the store gives a second press the same booking (K3).
                self.call_store(
                    lambda: self.store.confirm(
                        applicant_id, hold.id, replacing=moving.code, reason=reason, actor=actor
                    ),
                    lambda booking: self.post_message(self.Moved(booking, moving)),
                    self._refused,
                )
            elif confirm:
                self.call_store(
                    lambda: self.store.confirm(applicant_id, hold.id, actor=actor),
                    lambda booking: self.post_message(self.Booked(booking)),
                    self._refused,
                )
            else:
                self.call_store(
                    lambda: self.store.release_hold(applicant_id, hold.id),
                    lambda _none: self.load(),
                )

        self.app.push_screen(HoldDialog(hold, self.procedure, replacing=moving), answered)
