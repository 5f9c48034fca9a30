"""A booking's life after it is made, walked with Pilot: cancelled (B9), moved (B13), taken away
by the office (B12), at the kiosk and at the counter's file; a double press never cancels or
moves twice (K3); everything by keyboard (K5)."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from textual.widgets import Button, DataTable, Input

from kiosk.app import CounterApp, KioskApp
from screens.counter.applicant import ApplicantScreen
from screens.dialogs.cancel import CancelDialog, MoveDialog
from screens.dialogs.hold import HoldDialog
from screens.dialogs.message import MessageDialog
from screens.home import HomeScreen
from screens.receipt import ReceiptScreen
from screens.slots import SlotsScreen
from store import Store
from store.views import ApplicantView, BookingView, Cancelled, StaffView
from tests.factories import MONDAY, applicants, first_free, open_day
from tests.screens.conftest import (
    KioskPilot,
    Outcomes,
    log_in,
    screen_text,
    settle,
    tap,
)

MakeKiosk = Callable[..., KioskApp]
MakeCounter = Callable[..., CounterApp]


def _book(store: Store, applicant_id: int, office: str = "STG") -> BookingView:
    """A confirmed booking of Residencia temporal at `office`, its first free Monday time."""
    booking = store.book(applicant_id, first_free(store, office, "RT"))
    assert booking.code is not None
    return booking


def _full_with_one_waiting(store: Store) -> int:
    """Someone else books STG's other Monday time and a third person waits: returns the
    waiting person's id."""
    other, waiting = applicants(store, 2)
    store.book(other, first_free(store))
    store.enrol(waiting, "STG", "RT")
    return waiting


def _pdf_text(path: Path) -> str:
    """The PDF's words, on one line (the 80 mm roll wraps them anywhere)."""
    pages = PdfReader(io.BytesIO(path.read_bytes())).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


async def test_b9_w2_applicant_cancels_and_the_next_waiting_person_gets_the_time(
    make_kiosk: MakeKiosk,
    registered: ApplicantView,
    kiosk_store: Store,
    tmp_path: Path,
    outcomes: Outcomes,
) -> None:
    """The deadline is on the home (24 h before: Sunday 09:00); "Anular mi hora", the dialog
    answered with the arrow keys and Enter, then the cancellation on screen and its receipt."""
    booking = _book(kiosk_store, registered.id)
    waiting = _full_with_one_waiting(kiosk_store)
    app = make_kiosk()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await log_in(pilot, registered.email)
        assert isinstance(app.screen, HomeScreen)
        assert (
            "Puede anular o cambiar esta hora hasta el domingo, 29 de noviembre de 2026, 09:00."
            in screen_text(app)
        )
        await tap(pilot, "#cancel-0")
        await settle(pilot)
        assert isinstance(app.screen, CancelDialog)
        assert app.screen.focused is app.screen.query_one("#no")  # the safe answer first
        await pilot.press("right", "enter")  # K5: arrows and Enter alone
        await settle(pilot)
        cancelled = outcomes.last(HomeScreen.BookingCancelled).cancelled
        assert cancelled.booking.code == booking.code and cancelled.assigned == 1
        assert isinstance(app.screen, ReceiptScreen) and app.screen.cancelled
        assert "Su hora fue anulada y ya no es válida" in screen_text(app)
        assert isinstance(app.screen_stack[-2], HomeScreen)
        await pilot.press("enter")  # "Imprimir comprobante de anulación" has the focus
        await settle(pilot)
        receipt = tmp_path / "receipts" / f"cancellation-{booking.code}.pdf"
        printed = _pdf_text(receipt)
        assert "Comprobante de anulación de hora" in printed
        assert booking.display_code and booking.display_code in printed
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.screen.query("#no-bookings")
    assert kiosk_store.booking(booking.code or "").status == "cancelled"
    # W2: the freed time went straight to the person waiting.
    (assigned,) = [b for b in kiosk_store.bookings_of(waiting) if b.is_active]
    assert assigned.slot_id == booking.slot_id
    assert kiosk_store.waitlist("STG", "RT") == []


async def test_k3_a_double_press_on_cancel_cancels_once(
    make_kiosk: MakeKiosk,
    registered: ApplicantView,
    kiosk_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enter on "Sí, anular", then Enter again on "Anular mi hora" while the store call runs:
    the second press is ignored (no second dialog, no second call, no refusal)."""
    booking = _book(kiosk_store, registered.id)
    calls: list[str] = []
    release = threading.Event()
    cancel = kiosk_store.cancel

    def slow_cancel(code: str, **options: Any) -> Cancelled:
        calls.append(code)
        assert release.wait(30), "the test never let the cancellation finish"
        return cancel(code, **options)

    monkeypatch.setattr(kiosk_store, "cancel", slow_cancel)
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#cancel-0")
        await settle(pilot)
        await pilot.press("right", "enter")  # "Sí, anular la hora"
        assert isinstance(app.screen, HomeScreen) and app.screen.busy
        assert app.screen.focused is app.screen.query_one("#cancel-0")
        await pilot.press("enter")  # the same button again, at once
        assert isinstance(app.screen, HomeScreen)  # no second dialog
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
    assert calls == [booking.code]
    assert len(kiosk_store.audit_log("booking.cancelled")) == 1


async def test_b13_applicant_moves_their_time_and_gets_the_new_receipt(
    make_kiosk: MakeKiosk,
    registered: ApplicantView,
    kiosk_store: Store,
    tmp_path: Path,
    outcomes: Outcomes,
) -> None:
    """ "Cambiar mi hora": the grid says it is moving, the hold dialog says the old time is kept
    until the new one is confirmed; confirming moves it: one booking, with a new code."""
    booking = _book(kiosk_store, registered.id)
    app = make_kiosk()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#move-0")
        await settle(pilot)
        assert outcomes.last(HomeScreen.MoveChosen).booking.code == booking.code
        assert isinstance(app.screen, SlotsScreen) and app.screen.moving is not None
        assert (
            "Cambiar su hora del lunes, 30 de noviembre de 2026, 09:00: elija la nueva"
            in screen_text(app)
        )
        await pilot.press("enter")  # the first free time: 09:30 (09:00 is theirs)
        await settle(pilot)
        assert isinstance(app.screen, HoldDialog)
        assert "se mantiene hasta que confirme la nueva." in screen_text(app)
        assert kiosk_store.booking(booking.code or "").status == "confirmed"  # kept meanwhile
        await pilot.press("enter")  # "Confirmar el cambio"
        await settle(pilot)
        moved = outcomes.last(SlotsScreen.Moved)
        assert moved.previous.code == booking.code
        assert isinstance(app.screen, ReceiptScreen) and app.screen.booking == moved.booking
        assert isinstance(app.screen_stack[-2], HomeScreen)
        assert f"{moved.booking.start:%H:%M}" == "09:30"
        assert booking.display_code and booking.display_code in screen_text(app)  # "quedó anulada"
        assert (tmp_path / "receipts" / f"booking-{moved.booking.code}.pdf").exists()
    old = kiosk_store.booking(booking.code or "")
    assert old.status == "moved" and old.moved_to == moved.booking.code
    assert [b.code for b in kiosk_store.bookings_of(registered.id) if b.is_active] == [
        moved.booking.code
    ]


async def test_b13_backing_out_of_a_move_leaves_the_booking_as_it_was(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store
) -> None:
    """A time held for a move and then let go ("Elegir otra hora", escape): the hold is
    released, the booking is untouched, and "Volver" leads home."""
    booking = _book(kiosk_store, registered.id)
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, registered.email)
        await tap(pilot, "#move-0")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HoldDialog)
        assert [b.status for b in kiosk_store.bookings_of(registered.id)] == [
            "held",
            "confirmed",
        ]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SlotsScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert [b.status for b in kiosk_store.bookings_of(registered.id)] == ["confirmed"]
    assert kiosk_store.booking(booking.code or "") == booking
    assert sum(s.free for s in kiosk_store.slots("STG", "RT", MONDAY, MONDAY)) == 1


async def test_b9_never_policy_shows_the_plain_sentence_and_no_button(
    make_kiosk: MakeKiosk, registered: ApplicantView, kiosk_store: Store
) -> None:
    """VAP keeps the original rule: a confirmed booking cannot be cancelled or changed."""
    open_day(kiosk_store, "VAP", "RT")
    _book(kiosk_store, registered.id, "VAP")
    app = make_kiosk()
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, registered.email)
        assert isinstance(app.screen, HomeScreen) and app.screen.query("#receipt-0")
        assert "En Oficina VAP una hora confirmada no se puede anular ni cambiar" in screen_text(
            app
        )
        assert not app.screen.query("#cancel-0") and not app.screen.query("#move-0")


async def _open_file(pilot: KioskPilot, person: ApplicantView) -> None:
    """At a fresh desk: log in as the agent, find `person` by e-mail, open their file."""
    await settle(pilot)
    await pilot.press(*"agente", "enter", *"clave-del-meson-1", "enter")
    await settle(pilot)
    await tap(pilot, "#search")
    await settle(pilot)
    await pilot.press(*person.email, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ApplicantScreen)


def _statuses(app: KioskApp) -> list[str]:
    """The file's Estado column (second, right after the code)."""
    table = app.screen.query_one("#bookings", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_b12_displaced_booking_shows_on_home_and_file_and_the_agent_rebooks_it(
    make_kiosk: MakeKiosk,
    make_counter: MakeCounter,
    registered: ApplicantView,
    kiosk_store: Store,
    staff_accounts: dict[str, StaffView],
) -> None:
    """A supervisor blocks the 09:00 time: the booking is displaced, never "Confirmada". The
    person sees why and their place; they leave the list; once a time opens, the agent books
    it for them from the file ("Reservar la próxima hora libre")."""
    booking = _book(kiosk_store, registered.id)
    other = applicants(kiosk_store, 1)[0]
    kiosk_store.book(other, first_free(kiosk_store))  # no free time left: they must wait
    kiosk_store.block_slots(
        "STG",
        "RT",
        MONDAY,
        MONDAY,
        "09:00-09:30",
        "Corte de luz",
        actor=staff_accounts["supervisor"].actor,
    )
    assert kiosk_store.booking(booking.code or "").status == "displaced"
    kiosk = make_kiosk()
    async with kiosk.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, registered.email)
        text = screen_text(kiosk)
        assert (
            "La oficina canceló su hora del lunes, 30 de noviembre de 2026 a las 09:00 "
            "(Corte de luz). Está en la lista de asignación automatizada en el lugar 1, con la "
            "fecha de su reserva original." in text
        )
        assert "Confirmada" not in text and not kiosk.screen.query("#receipt-0")
        # The place is shown with the booking, not listed twice, and the list section does
        # not claim there is none.
        assert text.count("lugar 1") == 1 and not kiosk.screen.query("#withdraw-1")
        assert not kiosk.screen.query("#no-entries")
        await tap(pilot, "#withdraw-0")  # W4, from the displaced booking's own line
        await settle(pilot)
        await tap(pilot, "#yes")
        await settle(pilot)
        assert "Está en la lista" not in screen_text(kiosk)
    open_day(kiosk_store, "STG", "RT", MONDAY, "11:00-11:30")  # nobody waits: it stays free

    counter = make_counter()
    async with counter.run_test(size=(120, 40)) as pilot:
        await _open_file(pilot, registered)
        assert _statuses(counter) == ["Cancelada por la oficina"]
        assert "No está en la lista por esta hora." in screen_text(counter)
        counter.screen.query_one("#bookings").focus()
        await pilot.press("enter")  # K5: Enter on the booking, on to its first action
        assert counter.focused is counter.screen.query_one("#rebook", Button)
        await pilot.press("enter")
        await settle(pilot)
        assert "Se reservará para Wyddeline" in screen_text(counter)
        await pilot.press("enter")  # "Sí, reservar"
        await settle(pilot)
        assert isinstance(counter.screen, MessageDialog)
        assert "Nueva hora: lunes, 30 de noviembre de 2026 a las 11:00" in screen_text(counter)
        await pilot.press("enter")
        await settle(pilot)
        assert sorted(_statuses(counter)) == ["Cancelada por la oficina", "Confirmada"]
    (rebooked,) = [b for b in kiosk_store.bookings_of(registered.id) if b.is_active]
    assert f"{rebooked.start:%H:%M}" == "11:00"
    assert kiosk_store.audit_log("booking.rebooked")[0].actor == "staff:agente"


async def test_b9_agent_cancels_outside_the_policy_only_with_a_reason(
    make_counter: MakeCounter, registered: ApplicantView, kiosk_store: Store
) -> None:
    """VAP never lets an applicant cancel; the agent may, with a reason the audit log keeps:
    without one the dialog says so and stays."""
    open_day(kiosk_store, "VAP", "RT")
    booking = _book(kiosk_store, registered.id, "VAP")
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_file(pilot, registered)
        assert "Fuera de la política de la oficina" in screen_text(app)
        await tap(pilot, "#cancel")
        await settle(pilot)
        assert isinstance(app.screen, CancelDialog) and app.screen.reason_required
        await pilot.press("enter")  # no reason yet
        await settle(pilot)
        assert isinstance(app.screen, CancelDialog)
        assert "escriba el motivo" in screen_text(app)
        await pilot.press(*"Viaje urgente acreditado", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)
        assert f"Se anuló la hora {booking.display_code}." in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert _statuses(app) == ["Anulada"]
    (event,) = kiosk_store.audit_log("booking.cancelled")
    assert event.actor == "staff:agente" and "Viaje urgente acreditado" in event.details


async def test_b13_c2_agent_moves_a_booking_in_assisted_mode(
    make_counter: MakeCounter,
    registered: ApplicantView,
    kiosk_store: Store,
    outcomes: Outcomes,
) -> None:
    """ "Cambiar hora" on the file: the reason (optional within the policy), then the person's
    grid in moving mode, the agent acting; the audit log names the agent."""
    booking = _book(kiosk_store, registered.id)
    app = make_counter()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await _open_file(pilot, registered)
        await tap(pilot, "#move")
        await settle(pilot)
        assert isinstance(app.screen, MoveDialog) and not app.screen.reason_required
        assert app.screen.query_one("#reason", Input).has_focus
        await pilot.press(*"Pide una hora más tarde", "enter")
        await settle(pilot)
        chosen = outcomes.last(ApplicantScreen.MoveChosen)
        assert chosen.booking.code == booking.code and chosen.reason == "Pide una hora más tarde"
        assert isinstance(app.screen, SlotsScreen) and app.journey.assisting is not None
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        moved = outcomes.last(SlotsScreen.Moved)
        assert isinstance(app.screen, ReceiptScreen) and app.screen.replaced is not None
        await pilot.press("f10")  # back to the agent's file
        await settle(pilot)
        assert isinstance(app.screen, ApplicantScreen)
        assert sorted(_statuses(app)) == ["Cambiada a otra hora", "Confirmada"]
    (event,) = kiosk_store.audit_log("booking.moved")
    assert event.actor == "staff:agente"
    assert kiosk_store.booking(booking.code or "").moved_to == moved.booking.code
