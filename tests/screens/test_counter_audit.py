"""The audit log and the ticket list at the counter, walked with Pilot (C1, C2, C8, K5, K8):
Enter on an event shows it whole; the ticket list says who asked and opens their file; what
staff look at and when they leave is recorded with their name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.widgets import DataTable, Input

from kiosk.app import CounterApp
from screens.counter.applicant import ApplicantScreen
from screens.counter.tickets import CounterTicketsScreen
from screens.dialogs.audit_event import AuditEventDialog
from screens.home import HomeScreen
from store import Store
from store.views import ApplicantView, StaffView
from tests.screens.conftest import Outcomes, screen_text, settle, staff_at, tap

MakeCounter = Callable[..., CounterApp]


def _cells(app: CounterApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_c1_k5_enter_on_an_event_shows_its_whole_detail(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    """Arrows and Enter alone: the event, its subject by name (document masked), every detail
    on its own line; Enter closes it again."""
    long_reason = "Corte de luz en todo el edificio; " * 5 + "fin del motivo."
    kiosk_store.block_slots(
        "STG", "RT", date(2026, 11, 30), date(2026, 11, 30), "09:00-10:00", long_reason
    )
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await staff_at(pilot, "auditor", "#audit")
        assert [r[2] for r in _cells(app, "#events")[:2]] == ["staff.login", "capacity.blocked"]
        # K5: from the filters the down arrow reaches the events; one more, the second event.
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditEventDialog)
        text = " ".join(screen_text(app).split())
        assert " ".join(long_reason.split()) in text  # the whole reason, wrapped, never cut
        assert "Acción: capacity.blocked" in text and "Horario: 09:00-10:00" in text
        assert "Sobre: Oficina STG · RT" in text and "Identificador: STG/RT" in text
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, AuditEventDialog)
        # The person's registration: named, with the document masked (K6).
        actions = [r[2] for r in _cells(app, "#events")]
        at = actions.index("applicant.registered")
        await pilot.press(*["up"] * len(actions), *["down"] * at, "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "applicant.registered" in text
        assert "Wyddeline Ñusta Désir Saint-Fleur · P1*****7" in text
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AuditEventDialog)


async def test_c1_the_filters_reach_the_store_and_a_bad_day_says_so(
    make_counter: MakeCounter,
    kiosk_store: Store,
    registered: ApplicantView,
    staff_accounts: dict[str, StaffView],
) -> None:
    kiosk_store.record_logout("f9", actor=staff_accounts["supervisor"].actor)
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#audit")
        screen = app.screen
        screen.query_one("#subject", Input).value = "desir"
        await tap(pilot, "#filter")
        await settle(pilot)
        rows = _cells(app, "#events")
        assert {r[2] for r in rows} == {"applicant.registered", "applicant.password_changed"}
        assert {r[3] for r in rows} == {"Wyddeline Ñusta Désir Saint-Fleur · P1*****7"}
        screen.query_one("#subject", Input).value = ""
        screen.query_one("#who", Input).value = "núñez"  # the supervisor, by name
        screen.query_one("#from", Input).value = "23-11-2026"
        screen.query_one("#to", Input).value = "23-11-2026"
        await tap(pilot, "#filter")
        await settle(pilot)
        assert {r[1] for r in _cells(app, "#events")} == {"Patricio Núñez Soto"}
        screen.query_one("#to", Input).value = "31-11-2026"
        await tap(pilot, "#filter")
        await settle(pilot)
        assert (
            "Hasta: Escriba una fecha real con la forma DD-MM-AAAA, por ejemplo 07-03-1990."
            in screen_text(app)
        )


async def test_c8_the_ticket_list_says_who_asked_and_opens_their_file(
    make_counter: MakeCounter,
    kiosk_store: Store,
    registered: ApplicantView,
    outcomes: Outcomes,
) -> None:
    kiosk_store.open_ticket(registered.id, "question", "Mi pasaporte", "documents", "¿Sirve?")
    app = make_counter()
    async with app.run_test(size=(80, 24), message_hook=outcomes) as pilot:
        await staff_at(pilot, "agente", "#tickets")
        assert _cells(app, "#tickets")[0][2:4] == [
            "Wyddeline Ñusta Désir Saint-Fleur",
            "Mi pasaporte",
        ]
        await pilot.press("f4")
        await settle(pilot)
        assert outcomes.last(CounterTicketsScreen.FileChosen).applicant.id == registered.id
        assert isinstance(app.screen, ApplicantScreen)
        assert app.screen.applicant.id == registered.id
    (viewed,) = kiosk_store.audit_log("applicant.file_viewed")
    assert viewed.actor == "staff:agente" and viewed.actor_name == "Camila Rojas Tapia"


async def test_c1_c2_a_search_a_file_assisted_mode_and_a_logout_leave_the_staff_members_name(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente", "#search")
        await pilot.press(*"P1234567", "enter")
        await settle(pilot)
        await pilot.press("enter")  # her file
        await settle(pilot)
        assert isinstance(app.screen, ApplicantScreen)
        await tap(pilot, "#assist")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ApplicantScreen)
        await tap(pilot, "#assist")  # again, then F9 while assisting: the end is recorded too
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert app.staff is None
    events = kiosk_store.audit_log(actor_filter="staff:agente", limit=50)
    assert [e.action for e in reversed(events)] == [
        "applicant.searched",
        "applicant.file_viewed",
        "assisted.started",
        "assisted.ended",
        "assisted.started",
        "assisted.ended",
        "staff.logout",
    ]
    assert all(e.actor_name == "Camila Rojas Tapia" for e in events)
    searched = next(e for e in events if e.action == "applicant.searched")
    assert '"query": "P1*****7"' in searched.details  # K6: the document typed, masked
    assert '"how": "f9"' in events[0].details
    person = {e.subject for e in events if e.action.startswith(("assisted.", "applicant.file"))}
    assert len(person) == 1 and events[1].subject_label is not None
    assert "Wyddeline" in events[1].subject_label.render()


async def test_c1_the_idle_logout_and_the_desk_button_are_recorded(
    make_counter: MakeCounter, kiosk_store: Store
) -> None:
    from tests.screens.test_counter import _leave_alone

    app = make_counter(idle_seconds=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#logout")
        assert app.staff is None
        await staff_at(pilot, "super", "#figures")
        ticker = app._monotonic  # the test's hand-moved clock
        await _leave_alone(pilot, ticker, 60)  # type: ignore[arg-type]
        assert app.staff is None
    hows = [e.details for e in kiosk_store.audit_log("staff.logout", limit=10)]
    assert ['"how": "idle"' in hows[0], '"how": "button"' in hows[1]] == [True, True]


async def test_w7_the_audit_screen_says_whether_the_chain_holds(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    """The verdict of `kiosk audit verify`, on the screen: whole, then (after an event was
    changed behind the triggers' back) which event, in the error colour."""
    from textual.widgets import Static

    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await staff_at(pilot, "auditor", "#audit")
        line = app.screen.query_one("#audit-chain", Static)
        assert "Registro de auditoría íntegro" in str(line.render())
        assert not line.has_class("-broken")
    engine = kiosk_store.database.engine
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        connection.exec_driver_sql("UPDATE audit_events SET actor = 'forged' WHERE id = 1")
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await staff_at(pilot, "auditor", "#audit")
        line = app.screen.query_one("#audit-chain", Static)
        assert "el evento 1 fue modificado" in str(line.render())
        assert line.has_class("-broken")
