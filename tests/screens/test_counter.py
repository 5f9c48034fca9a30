"""The counter desk walked end to end with Pilot (C1–C8): staff log in, find, check in, open
capacity, answer tickets; roles decide what each may do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.widgets import DataTable, Input, Select, Static

from kiosk.app import CounterApp
from screens.counter.applicant import ApplicantScreen
from screens.counter.desk import DeskScreen
from screens.home import HomeScreen
from screens.office import OfficeScreen
from screens.receipt import ReceiptScreen
from screens.slots import SlotsScreen
from screens.terms import TermsScreen
from store import Store
from store.errors import Refused
from store.views import ApplicantView, StaffView
from tests.factories import applicants, enrol_directly
from tests.screens.conftest import (
    PASSWORD,
    KioskPilot,
    Outcomes,
    Ticker,
    screen_text,
    settle,
    staff_at,
    staff_log_in,
    tap,
)

MakeCounter = Callable[..., CounterApp]

TODAY = date(2026, 11, 23)  # the fixed clock's Monday


def _buttons(app: CounterApp) -> set[str]:
    """The screen's own buttons (the top bar's language buttons are on every screen)."""
    return {b.id or "" for b in app.screen.query("Button") if not (b.id or "").startswith("lang-")}


def _cells(app: CounterApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_c3_c5_agent_finds_by_accentless_name_and_checks_in(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    kiosk_store.open_capacity("STG", "RT", TODAY, TODAY, "10:00-11:00", 30)
    booking = kiosk_store.book(registered.id, first_free_today(kiosk_store))
    assert booking.code is not None and booking.display_code is not None
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await staff_log_in(pilot, "agente")
        assert "Camila Rojas Tapia" in screen_text(app)
        await tap(pilot, "#search")
        await settle(pilot)
        await pilot.press(*"wyddeline desir", "enter")
        await settle(pilot)
        assert _cells(app, "#results")[0][0] == "Wyddeline Ñusta Désir Saint-Fleur"
        await pilot.press("enter")
        await settle(pilot)
        assert booking.display_code in str(_cells(app, "#bookings"))
        await pilot.press("escape", "escape")
        await settle(pilot)
        await tap(pilot, "#agenda")
        await settle(pilot)
        assert _cells(app, "#agenda")[0][2] == booking.display_code
        await pilot.press(*booking.code.lower(), "enter")
        await settle(pilot)
        assert "Llegada registrada: Wyddeline Ñusta Désir Saint-Fleur, 10:00." in screen_text(app)
        assert _cells(app, "#agenda")[0][1] == "Llegó"
        assert app.screen.query_one("#attended").disabled  # C5: no row chosen yet
        await pilot.click("#agenda", offset=(2, 1))  # one tap on her row chooses it (K5)
        await settle(pilot)
        await tap(pilot, "#attended")
        await settle(pilot)
        assert _cells(app, "#agenda")[0][1] == "Atendida"
    assert kiosk_store.agenda("STG")[0].status == "attended"
    assert kiosk_store.audit_log("booking.checked_in")[0].actor == "staff:agente"


def first_free_today(store: Store) -> int:
    return next(s.id for s in store.slots("STG", "RT", TODAY, TODAY) if s.free)


async def test_c6_w2_supervisor_opens_capacity_and_the_waiting_are_assigned_in_order(
    make_counter: MakeCounter, kiosk_store: Store
) -> None:
    people = applicants(kiosk_store, 3)
    enrol_directly(kiosk_store, people, "STG", "RD")
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#capacity")
        app.screen.query_one("#procedure", Select).value = "RD"
        for field, value in (
            ("from", "07-12-2026"),
            ("to", "07-12-2026"),
            ("hours", "09:00-10:00"),
        ):
            app.screen.query_one(f"#{field}", Input).value = value
        await tap(pilot, "#preview")
        await settle(pilot)
        assert "Horas nuevas que se crearán: 3" in screen_text(app)
        assert "Personas en espera: 3. Recibirán una hora al abrir" in screen_text(app)
        await tap(pilot, "#open")
        await settle(pilot)
        await tap(pilot, "#yes")
        await settle(pilot)
        assert (
            "Se crearon 3 horas. Se asignaron 3 personas en espera, en orden de inscripción."
            in screen_text(app)
        )
    starts = [kiosk_store.bookings_of(p)[0].start.strftime("%H:%M") for p in people]
    assert starts == ["09:00", "09:20", "09:40"]
    assert kiosk_store.audit_log("capacity.opened")[0].actor == "staff:super"


async def test_c6_preview_lists_the_skipped_holiday(make_counter: MakeCounter) -> None:
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#capacity")
        for field, value in (("from", "07-12-2026"), ("to", "09-12-2026"), ("every", "veinte")):
            app.screen.query_one(f"#{field}", Input).value = value
        await tap(pilot, "#preview")
        await settle(pilot)
        assert "Escriba un número entero, por ejemplo 20." in screen_text(app)
        app.screen.query_one("#every", Input).value = "30"
        await tap(pilot, "#preview")
        await settle(pilot)
        text = screen_text(app)
        assert "08-12-2026  feriado: La Inmaculada Concepción" in text
        assert "Horas nuevas que se crearán: 16" in text  # 8 a day, on the 7th and the 9th


async def test_h3_c8_agent_answers_a_ticket_and_the_mailbox_shows_it(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    kiosk_store.open_ticket(
        registered.id, "question", "Mi pasaporte", "documents", "¿Sirve vencido?"
    )
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente", "#tickets")
        (row,) = _cells(app, "#tickets")
        # C8, C9: who asked; a person with no booking or place anywhere: any office answers.
        assert row[1:] == ["Cualquiera", registered.full_name, "Mi pasaporte"]
        assert "Pregunta · Documentos · Referencia: —\n¿Sirve vencido?" in screen_text(app)
        await pilot.press("enter", *"Debe estar vigente.")
        await tap(pilot, "#send")
        await settle(pilot)
        assert "No hay tickets abiertos." in screen_text(app)
        # C2: the same mailbox screen the kiosk shows, opened for the person at the desk.
        await pilot.press("escape")
        await settle(pilot)
        await _assist(pilot, registered)
        await tap(pilot, "#mailbox")
        await settle(pilot)
        app.screen.query_one("#notices").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "Debe estar vigente." in screen_text(app)
    (answer,) = [n for n in kiosk_store.notices(registered.id) if n.kind == "ticket_answer"]
    assert "Debe estar vigente." in answer.body.render(lambda s: s)


async def test_c1_agent_cannot_open_capacity(
    make_counter: MakeCounter, kiosk_store: Store, staff_accounts: dict[str, StaffView]
) -> None:
    from screens.counter.capacity import CapacityScreen

    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await staff_log_in(pilot, "agente")
        assert not app.screen.query("#capacity") and not app.screen.query("#figures")
        await app.push_screen(CapacityScreen())
        await settle(pilot)
        assert app.screen.query("#denied") and not app.screen.query("#open")
    try:
        kiosk_store.open_capacity(
            "STG",
            "RD",
            date(2026, 12, 7),
            date(2026, 12, 7),
            "09:00-10:00",
            20,
            actor=staff_accounts["agent"].actor,
        )
    except Refused as refusal:
        assert refusal.code == "not_allowed"
    else:
        raise AssertionError("an agent opened capacity")


async def test_c1_auditor_sees_the_log_and_can_change_nothing(
    make_counter: MakeCounter,
    kiosk_store: Store,
    registered: ApplicantView,
    staff_accounts: dict[str, StaffView],
) -> None:
    from screens.counter.agenda import AgendaScreen
    from screens.counter.tickets import CounterTicketsScreen

    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await staff_log_in(pilot, "auditor")
        assert _buttons(app) == {"audit", "logout"}
        for screen in (AgendaScreen(), CounterTicketsScreen(), ApplicantScreen(registered)):
            await app.push_screen(screen)
            await settle(pilot)
            assert app.screen.query("#denied") and not _buttons(app)
            app.pop_screen()
            await settle(pilot)
        await tap(pilot, "#audit")
        await settle(pilot)
        assert _buttons(app) == {"filter"}
        await pilot.press(*"staff.login", "enter")
        await settle(pilot)
        assert _cells(app, "#events")[0][1:4] == [
            "system",
            "staff.login",
            "Ingrid Salas Vera (auditor)",  # C1: the subject by name
        ]
    auditor = staff_accounts["auditor"].actor
    for attempt in (
        lambda: kiosk_store.verify_identity(registered.id, actor=auditor),
        lambda: kiosk_store.check_in("STG", "P1234567", actor=auditor),
        lambda: kiosk_store.request_documents(registered.id, "x", date(2026, 12, 1), actor=auditor),
    ):
        try:
            attempt()
        except Refused:
            continue
        raise AssertionError("an auditor changed something")


async def test_a11_k1_staff_lockout_log_out_and_idle(
    make_counter: MakeCounter, ticker: Ticker
) -> None:
    app = make_counter(idle_seconds=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(5):
            await staff_log_in(pilot, "agente", "mala-clave")
            app.screen.query_one("#username", Input).value = ""
            app.screen.query_one("#username").focus()
        await staff_log_in(pilot, "agente")
        assert "bloqueada" in screen_text(app) or "bloque" in screen_text(app).lower()
        assert app.staff is None
        app.screen.query_one("#username", Input).value = ""
        app.screen.query_one("#username").focus()
        await staff_log_in(pilot, "super")
        assert app.staff is not None
        await pilot.press("f9")
        await settle(pilot)
        assert app.staff is None and app.screen.query("#username")
        await staff_log_in(pilot, "super")
        await tap(pilot, "#figures")
        await settle(pilot)
        await _leave_alone(pilot, ticker, 60)
        assert app.staff is None and app.screen.query("#username")


async def test_c2_agent_registers_and_books_for_a_person_with_the_kiosk_screens(
    make_counter: MakeCounter, kiosk_store: Store, outcomes: Outcomes
) -> None:
    """Assisted mode: the kiosk's own registration, login and booking screens, opened by the
    agent; the audit log and the booking name the agent; "Terminar" returns to the desk."""
    app = make_counter()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await staff_at(pilot, "agente", "#register")
        assert outcomes.last(DeskScreen.Chosen).action == "register"
        assert isinstance(app.screen, TermsScreen) and app.journey.assisting is not None
        await tap(pilot, "#accept")
        await tap(pilot, "#continue")
        await settle(pilot)
        await tap(pilot, "#doc-passport")
        for field, value in {
            "document_number": "AB998877",
            "document_expiry": "01-01-2030",
            "given_names": "Jean-Baptiste",
            "first_surname": "Joseph",
            "second_surname": "Pierre",
            "email": "jb@correo.cl",
            "email_confirmation": "jb@correo.cl",
            "birth_date": "02-02-1988",
        }.items():
            app.screen.query_one(f"#{field}", Input).value = value
        app.screen.query_one("#nationality").focus()
        await pilot.press(*"hait", "enter")
        app.screen.query_one("#region", Select).value = "CL-RM"
        await pilot.pause()
        await tap(pilot, "#review")
        await settle(pilot)
        await tap(pilot, "#confirm")
        await settle(pilot)
        password = str(app.screen.query_one("#temporary-password", Static).render())
        # The registration screens are gone; the agent's desk is still underneath.
        assert [type(s) for s in app.screen_stack[1:]] == [DeskScreen, type(app.screen)]
        await tap(pilot, "#login")
        await settle(pilot)
        await pilot.press(*password, "enter")
        await settle(pilot)
        await pilot.press(*PASSWORD, "enter", *PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None and app.session.actor == app.acting_staff()
        await tap(pilot, "#book")
        await settle(pilot)
        for _step in range(3):  # procedure, office, first free time
            await pilot.press("enter")
            await settle(pilot)
        await pilot.press("enter")  # confirm the hold
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        code = app.screen.booking.code
        assert code is not None and outcomes.last(SlotsScreen.Booked).booking.code == code
        await pilot.press("escape")
        await settle(pilot)
        await tap(pilot, "#logout")
        await settle(pilot)
        outcomes.last(HomeScreen.Finished)
        assert isinstance(app.screen, DeskScreen) and app.session is None
        assert app.staff is not None and app.journey.assisting is None
    (registered,) = kiosk_store.audit_log("applicant.registered")
    assert registered.actor == "staff:agente"
    assert kiosk_store.audit_log("booking.confirmed")[0].actor == "staff:agente"
    assert kiosk_store.booking(code).status == "confirmed"


async def _leave_alone(pilot: KioskPilot, ticker: Ticker, idle_seconds: int) -> None:
    """Nobody touches the desk: past the idle time ("¿Sigue ahí?"), then past its grace."""
    app = pilot.app
    assert isinstance(app, CounterApp)
    ticker.now += idle_seconds + 1
    app.guard_idle()
    await settle(pilot)
    ticker.now += idle_seconds // 3 + 1
    app.guard_idle()
    await settle(pilot)


def _offered(app: CounterApp, key: str) -> bool:
    """Whether the footer offers `key` now."""
    return key in app.screen.active_bindings


async def _assist(pilot: KioskPilot, person: ApplicantView) -> None:
    """Find `person` by e-mail, open their file, "Atender (modo asistido)"."""
    await tap(pilot, "#search")
    await settle(pilot)
    await pilot.press(*person.email, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await tap(pilot, "#assist")
    await settle(pilot)


async def test_c2_f10_ends_assisted_mode_from_any_screen(
    make_counter: MakeCounter, registered: ApplicantView, outcomes: Outcomes
) -> None:
    """F10 ("Terminar") is offered on every screen of the person's, and only there: pressed deep
    in a booking it drops the person's screens and session and shows the agent's file again."""
    app = make_counter()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await staff_at(pilot, "agente")
        assert not _offered(app, "f10")  # nobody is being assisted
        await _assist(pilot, registered)
        assert outcomes.last(ApplicantScreen.AssistChosen).applicant.id == registered.id
        assert isinstance(app.screen, HomeScreen) and app.session is not None
        await tap(pilot, "#book")
        await settle(pilot)
        await pilot.press("enter")  # a procedure: the offices come next
        await settle(pilot)
        assert isinstance(app.screen, OfficeScreen) and _offered(app, "f10")
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ApplicantScreen)
        assert app.session is None and app.journey.assisting is None
        assert not _offered(app, "f10") and app.staff is not None


async def test_c2_volver_from_the_first_assisted_screen_ends_assisted_mode(
    make_counter: MakeCounter,
) -> None:
    """ "Registrar a una persona", then "Volver" on the terms: back at the desk, nobody assisted,
    F10 no longer offered."""
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente", "#register")
        assert isinstance(app.screen, TermsScreen) and _offered(app, "f10")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert app.journey.assisting is None and not _offered(app, "f10")


async def test_k1_idle_logout_in_assisted_mode_forgets_the_person_and_the_agent(
    make_counter: MakeCounter, registered: ApplicantView, ticker: Ticker
) -> None:
    """The desk left alone while assisting: both the person and the agent are logged out."""
    app = make_counter(idle_seconds=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente")
        await _assist(pilot, registered)
        assert isinstance(app.screen, HomeScreen)
        await _leave_alone(pilot, ticker, 60)
        assert app.staff is None and app.session is None and app.journey.assisting is None
        assert len(app.screen_stack) == 2 and app.screen.query("#username")
