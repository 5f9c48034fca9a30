"""The booking lifecycle at the counter, walked with Pilot: blocking and closing times displaces
bookings onto the waitlist (C6, B12), "Por reubicar" follows each one, the agenda marks a
no-show only after the grace and with a confirmation, and can undo it (C5, C11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.widgets import Button, DataTable, Input, Select

from kiosk.app import CounterApp
from screens.counter.agenda import AgendaScreen
from screens.counter.capacity import CapacityScreen
from screens.counter.closures import ClosuresScreen
from screens.counter.desk import DeskScreen
from screens.counter.rebook import RebookScreen
from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.counter_change import CapacityChangeDialog
from screens.widgets.choice_table import ChoiceTable
from store import Store
from store.clock import FixedClock
from store.views import ApplicantView
from tests.factories import MONDAY, applicants, at, first_free
from tests.screens.conftest import KioskPilot, Outcomes, screen_text, settle, staff_at, tap

MakeCounter = Callable[..., CounterApp]
TODAY = date(2026, 11, 23)  # the fixed clock's Monday, 09:00 in Santiago
TUESDAY = date(2026, 12, 1)


def _cells(app: CounterApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def _disabled(app: CounterApp, selector: str) -> bool:
    return app.screen.query_one(selector, Button).disabled


async def _fill(pilot: KioskPilot, **values: str) -> None:
    for field, value in values.items():
        pilot.app.screen.query_one(f"#{field.removesuffix('_')}", Input).value = value
    await pilot.pause()


async def _answer(pilot: KioskPilot, button: str) -> None:
    """Answer the dialog on top: "#yes", "#no" or "#ok"."""
    await tap(pilot, button)
    await settle(pilot)


def _booked_monday(store: Store, person: ApplicantView) -> str:
    """`person` at 09:00 on Monday 30 November, someone else at 09:30: no free time is left."""
    booking = store.book(person.id, first_free(store))
    store.book(applicants(store, 1, start=50)[0], first_free(store))
    assert booking.code is not None
    return booking.code


async def test_c6_b12_supervisor_blocks_a_booked_time_and_the_agent_rebooks_the_person(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView, outcomes: Outcomes
) -> None:
    """The block lists the displaced person with their place on the waitlist; "Por reubicar"
    follows them: waiting at place 1, the store's refusal while no time is free, then (once they
    left the list and a day opened) the next free time, booked by the agent."""
    code = _booked_monday(kiosk_store, registered)
    shown = f"{code[:4]}-{code[4:]}"
    app = make_counter()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await staff_at(pilot, "super", "#capacity")
        await _fill(
            pilot, from_="30-11-2026", to="30-11-2026", hours="09:00-09:30", reason="Capacitación"
        )
        await tap(pilot, "#block")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "lista de espera con la fecha de su reserva original" in screen_text(app)
        await _answer(pilot, "#yes")
        assert isinstance(app.screen, CapacityChangeDialog)
        assert _cells(app, "#displaced") == [
            [shown, "en espera, lugar 1", "30-11-2026 09:00", "Wyddeline Ñusta Désir Saint-Fleur"]
        ]
        assert "Reservas desplazadas: 1" in screen_text(app)
        await _answer(pilot, "#ok")
        assert isinstance(app.screen, CapacityScreen)
        assert "Personas en espera que recibieron una hora: 0" in screen_text(app)
        displaced = kiosk_store.booking(code)
        assert (displaced.status, displaced.waitlist_position) == ("displaced", 1)

        await pilot.press("f9")
        await staff_at(pilot, "agente", "#rebook")
        assert outcomes.last(DeskScreen.Chosen).action == "rebook"
        assert isinstance(app.screen, RebookScreen)
        (row,) = _cells(app, "#rebook-list")
        assert row == [
            shown,
            "30-11-2026 09:00",
            "en espera, lugar 1",
            "Wyddeline Ñusta Désir Saint-Fleur",
            "Residencia temporal",
        ]
        assert _disabled(app, "#rebook") and _disabled(app, "#reenrol")
        await _fill(pilot, code=code.lower())  # typing the code chooses the row
        assert app.screen.query_one("#rebook-list", ChoiceTable).chosen == code
        assert not _disabled(app, "#rebook") and _disabled(app, "#reenrol")
        await tap(pilot, "#rebook")
        await settle(pilot)
        await _answer(pilot, "#yes")
        assert "No hay horas libres para este trámite en esta oficina" in screen_text(app)
        assert kiosk_store.booking(code).waitlist_position == 1

        # They leave the list at a kiosk; then a day opens while nobody waits.
        kiosk_store.withdraw(registered.id, "STG", "RT")
        kiosk_store.open_capacity("STG", "RT", TUESDAY, TUESDAY, "09:00-10:00", 30)
        await pilot.press("f5")
        await settle(pilot)
        assert _cells(app, "#rebook-list")[0][2] == "sin hora ni lugar en la lista"
        assert not _disabled(app, "#rebook") and not _disabled(app, "#reenrol")
        await tap(pilot, "#rebook")
        await settle(pilot)
        await _answer(pilot, "#yes")
        new = kiosk_store.bookings_of(registered.id)[0]
        assert (new.status, new.start.date(), f"{new.start:%H:%M}") == (
            "confirmed",
            TUESDAY,
            "09:00",
        )
        assert (
            f"Hora reservada para Wyddeline Ñusta Désir Saint-Fleur: {new.display_code}, "
            "01-12-2026 09:00." in screen_text(app)
        )
        assert _cells(app, "#rebook-list")[0][2] == (
            f"reservada en el mesón: {new.display_code}, 01-12-2026 09:00"
        )
    assert kiosk_store.audit_log("capacity.blocked")[0].actor == "staff:super"
    assert kiosk_store.audit_log("booking.rebooked")[0].actor == "staff:agente"


async def test_b12_a_displaced_person_who_left_the_list_is_enrolled_again(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    """ "Inscribir de nuevo" is offered only to someone with neither a time nor a place, and puts
    them back ranked by the date of their original booking."""
    code = _booked_monday(kiosk_store, registered)
    kiosk_store.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-09:30", "Corte de luz")
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente", "#rebook")
        table = app.screen.query_one("#rebook-list", ChoiceTable)
        table.focus()
        await pilot.press("down")  # the first arrow shows the cursor on the first row
        await settle(pilot)
        assert table.chosen == code and _disabled(app, "#reenrol")
        kiosk_store.withdraw(registered.id, "STG", "RT")
        await pilot.press("f5")
        await settle(pilot)
        assert table.chosen == code and not _disabled(app, "#reenrol")
        await tap(pilot, "#reenrol")
        await settle(pilot)
        assert (
            "Wyddeline Ñusta Désir Saint-Fleur volvió a la lista de espera en el lugar 1, con la "
            "fecha de su reserva original." in screen_text(app)
        )
        assert _cells(app, "#rebook-list")[0][2] == "en espera, lugar 1"
    assert kiosk_store.booking(code).waitlist_position == 1


async def test_c11_no_show_refused_before_the_grace_then_confirmed_and_undone(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView, clock: FixedClock
) -> None:
    """Before 10:15 the store refuses and its sentence is shown (no dialog); after it the agent
    confirms (and "Volver" in the dialog marks nothing); "Deshacer" puts it back."""
    kiosk_store.open_capacity("STG", "RT", TODAY, TODAY, "10:00-11:00", 30)
    booking = kiosk_store.book(registered.id, first_free_on(kiosk_store, TODAY))
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente", "#agenda")
        assert _disabled(app, "#missed") and _disabled(app, "#undo-missed")
        assert not app.screen.query("#close-day")  # supervisors only
        await _fill(pilot, arrival=booking.display_code or "")
        assert not _disabled(app, "#missed") and _disabled(app, "#undo-missed")
        await tap(pilot, "#missed")
        await settle(pilot)
        assert isinstance(app.screen, AgendaScreen)
        assert (
            "Todavía no: la persona puede llegar hasta 15 minutos tarde. Podrá marcar que no se "
            "presentó desde las 10:15." in screen_text(app)
        )
        assert kiosk_store.agenda("STG")[0].status == "confirmed"

        clock.set(at(TODAY, 10, 16))
        await tap(pilot, "#missed")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.focused is not None and app.screen.focused.id == "no"
        await _answer(pilot, "#no")
        assert kiosk_store.agenda("STG")[0].status == "confirmed"
        await tap(pilot, "#missed")
        await settle(pilot)
        await _answer(pilot, "#yes")
        assert kiosk_store.agenda("STG")[0].status == "missed"
        assert f"{booking.display_code}: No se presentó." in screen_text(app)
        assert _cells(app, "#agenda")[0][1] == "No se presentó"
        assert not _disabled(app, "#undo-missed")

        await tap(pilot, "#undo-missed")
        await settle(pilot)
        assert kiosk_store.agenda("STG")[0].status == "confirmed"
        assert "se deshizo «No se presentó»" in screen_text(app)
        assert _disabled(app, "#undo-missed")
    assert [e.actor for e in kiosk_store.audit_log("booking.missed_undone")] == ["staff:agente"]


def first_free_on(store: Store, day: date) -> int:
    return next(s.id for s in store.slots("STG", "RT", day, day) if s.free)


async def test_c5_no_row_is_acted_on_before_one_is_chosen(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    """The reported bug: Tab, Tab, Tab, Enter marked the first person "Atendida" without anyone
    choosing them. Now nothing is chosen, so nothing is marked; the arrows and Enter choose."""
    kiosk_store.open_capacity("STG", "RT", TODAY, TODAY, "10:00-11:00", 30)
    first = kiosk_store.book(registered.id, first_free_on(kiosk_store, TODAY))
    kiosk_store.book(applicants(kiosk_store, 1, start=50)[0], first_free_on(kiosk_store, TODAY))
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente", "#agenda")
        await pilot.press(*(first.code or ""), "enter")  # she arrives
        await settle(pilot)
        assert [r.status for r in kiosk_store.agenda("STG")] == ["checked_in", "confirmed"]
        await pilot.press("tab", "tab", "tab", "enter")
        await settle(pilot)
        assert [r.status for r in kiosk_store.agenda("STG")] == ["checked_in", "confirmed"]
        table = app.screen.query_one("#agenda", ChoiceTable)
        assert table.chosen is None and not table.show_cursor
        assert all(_disabled(app, b) for b in ("#attended", "#missed", "#undo-missed"))
        assert "Elija una fila" in screen_text(app)

        table.focus()
        await pilot.press("down")  # shows the cursor on the first row: chosen, not moved
        await settle(pilot)
        assert table.chosen == first.code
        assert f"Fila elegida: 10:00 · {first.display_code}" in screen_text(app)
        await pilot.press("enter")  # on to the row's buttons
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id == "attended"
        await pilot.press("enter")
        await settle(pilot)
        assert [r.status for r in kiosk_store.agenda("STG")] == ["attended", "confirmed"]
        assert table.chosen == first.code  # still the same person after the reload


async def test_c11_supervisor_closes_the_day(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView, clock: FixedClock
) -> None:
    """The confirmation says how many remain and how many will be marked; the result says
    how many were marked and how many were left."""
    kiosk_store.open_capacity("STG", "RT", TODAY, TODAY, "10:00-11:00", 30)
    kiosk_store.book(registered.id, first_free_on(kiosk_store, TODAY))
    kiosk_store.book(applicants(kiosk_store, 1, start=50)[0], first_free_on(kiosk_store, TODAY))
    clock.set(at(TODAY, 10, 20))  # 10:00 is past its grace, 10:30 is not
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#agenda", "#close-day")
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(app)
        assert "Citas sin llegada registrada: 2" in text
        assert "Se marcarán «No se presentó» (pasó su hora y la tolerancia): 1" in text
        assert "Quedan como están (aún pueden llegar): 1" in text
        await _answer(pilot, "#yes")
        assert "Día cerrado. Marcadas «No se presentó»: 1. Aún pueden llegar: 1." in screen_text(
            app
        )
    assert [r.status for r in kiosk_store.agenda("STG")] == ["missed", "confirmed"]


async def test_c6_b12_a_closure_is_entered_listed_and_removed(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    """Closing Monday 30 November says its booking will be displaced, shows the person, lists
    the closure; removing it (chosen, confirmed) reopens the day's times."""
    code = _booked_monday(kiosk_store, registered)
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#closures")
        assert isinstance(app.screen, ClosuresScreen)
        assert "La oficina no tiene cierres desde hoy." in screen_text(app)
        await _fill(pilot, day="30-11-2026", reason="Fumigación")
        await tap(pilot, "#add-closure")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Reservas de ese día que se desplazarán: 2" in screen_text(app)
        await _answer(pilot, "#yes")
        assert isinstance(app.screen, CapacityChangeDialog)
        displaced = _cells(app, "#displaced")
        assert len(displaced) == 2
        assert displaced[0] == [
            f"{code[:4]}-{code[4:]}",
            "en espera, lugar 1",
            "30-11-2026 09:00",
            "Wyddeline Ñusta Désir Saint-Fleur",
        ]
        assert "Horas cerradas: 2" in screen_text(app)
        await _answer(pilot, "#ok")
        assert _cells(app, "#closures") == [["lunes, 30 de noviembre de 2026", "Fumigación"]]
        assert _disabled(app, "#remove-closure")
        app.screen.query_one("#closures").focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id == "remove-closure"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await _answer(pilot, "#yes")
        assert "Horas reabiertas: 2" in screen_text(app)
        assert "La oficina no tiene cierres desde hoy." in screen_text(app)
    assert kiosk_store.closures("STG") == []
    assert kiosk_store.booking(code).status == "displaced"
    assert kiosk_store.audit_log("closure.removed")[0].actor == "staff:super"


async def test_c6_the_preview_counts_only_new_times_and_unblocking_reopens_them(
    make_counter: MakeCounter, kiosk_store: Store
) -> None:
    """Monday's two times exist already: the preview says 0 new and that they exist; "Abrir"
    then asks nothing. Blocked, the preview says to unblock them; unblocking reopens both."""
    kiosk_store.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-10:00", "Inventario")
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#capacity")
        await _fill(pilot, from_="30-11-2026", to="30-11-2026", hours="09:00-11:00", every="30")
        await tap(pilot, "#preview")
        await settle(pilot)
        text = screen_text(app)
        assert "Oficina STG · Residencia temporal" in text
        assert "Horas nuevas que se crearán: 2" in text
        assert "Horas que ya existen y no se crean de nuevo: 2" in text
        assert "De ellas están bloqueadas: 2. Para abrirlas, use «Desbloquear horas»." in text

        await _fill(pilot, hours="09:00-10:00")
        await tap(pilot, "#open")
        await settle(pilot)
        assert isinstance(app.screen, CapacityScreen)  # nothing new: nothing to confirm
        assert "Horas nuevas que se crearán: 0" in screen_text(app)

        await tap(pilot, "#unblock")
        await settle(pilot)
        await _answer(pilot, "#yes")
        assert "Horas reabiertas: 2" in screen_text(app)
        await tap(pilot, "#preview")
        await settle(pilot)
        assert "De ellas están bloqueadas" not in screen_text(app)
    assert sum(s.free for s in kiosk_store.slots("STG", "RT", MONDAY, MONDAY)) == 2


async def test_c6_k4_preview_names_skipped_days_in_the_screens_language(
    make_counter: MakeCounter,
) -> None:
    """The weekend by babel's day names and 8 December by the `holidays` package, in English:
    no "sábado" on an English screen."""
    app = make_counter("en")
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#capacity")
        await _fill(pilot, from_="05-12-2026", to="09-12-2026")
        await tap(pilot, "#preview")
        await settle(pilot)
        text = screen_text(app)
        assert "05-12-2026  Saturday" in text and "06-12-2026  Sunday" in text
        assert "Immaculate Conception" in text
        assert "sábado" not in text and "Inmaculada" not in text


async def test_c1_the_desk_offers_por_reubicar_and_closures_by_role_and_by_arrows(
    make_counter: MakeCounter,
) -> None:
    """Agents get "Por reubicar", supervisors also "Cierres"; the arrows walk the grid (K5)."""
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await staff_at(pilot, "agente")
        assert app.screen.query("#rebook") and not app.screen.query("#closures")
        await pilot.press("f9")
        await staff_at(pilot, "super")
        assert app.screen.query("#rebook") and app.screen.query("#closures")
        order = [b.id for b in app.screen.query(".desk-button")]
        assert order[:3] == ["search", "agenda", "rebook"]
        await pilot.press("down", "right")  # search -> rebook -> register
        assert app.screen.focused is not None and app.screen.focused.id == "register"
        await pilot.press("right", "down")  # -> tickets -> closures
        assert app.screen.focused.id == "closures"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClosuresScreen)
        assert app.screen.query_one("#office", Select).disabled  # C9: their own office


async def test_k4_switching_language_keeps_the_chosen_row_and_what_was_typed(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    """F2 redraws "Por reubicar", the agenda and the closures in English: the chosen row stays
    chosen, and a closure's half-typed day stays typed."""
    code = _booked_monday(kiosk_store, registered)
    kiosk_store.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-09:30", "Corte de luz")
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#rebook")
        await _fill(pilot, code=code)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.query_one("#rebook-list", ChoiceTable).chosen == code
        assert not _disabled(app, "#rebook")
        await pilot.press("escape")
        await settle(pilot)
        await tap(pilot, "#closures")
        await settle(pilot)
        await _fill(pilot, day="07-12-2026")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.query_one("#day", Input).value == "07-12-2026"
        assert "Elija un cierre" not in screen_text(app)  # no closures: nothing to choose
