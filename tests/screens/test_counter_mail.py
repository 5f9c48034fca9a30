"""M3 on the counter's file: per notice, whether its e-mail went out (sent, pending with the
last try's error, given up with the server's answer), through the real sender and a real SMTP
server; reading the file never marks a notice read (K8)."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from kiosk.app import CounterApp
from kiosk.i18n import translator
from screens.counter.applicant import ApplicantScreen
from store import Store
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.views import ApplicantView, StaffView
from tests.factories import MONDAY, open_day, seed_catalog
from tests.mailserver import MailServer, mailer_for
from tests.screens.conftest import KioskPilot, settle, staff_at, tap
from tests.screens.test_counter_snapshots import _tables_laid_out

pytestmark = pytest.mark.usefixtures("fixed_codes")
SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
MakeCounter = Callable[..., CounterApp]
REFUSAL = "550 5.1.1 No such user here"


@pytest.fixture
def kiosk_store(tmp_path: Path, sqlite_template: Path, clock: FixedClock) -> Iterator[Store]:
    """The screens' test store (STG offers RT on Monday 30 November), with mail on: every
    notice also queues an e-mail (M3)."""
    target = tmp_path / "kiosk.db"
    shutil.copy(sqlite_template, target)
    store = Store(
        f"sqlite:///{target}",
        clock=clock,
        passwords=Passwords(fast_hasher()),
        mail_enabled=True,
    )
    seed_catalog(store)
    open_day(store, "STG", "RT")
    yield store
    store.close()


@pytest.fixture
def mailed(
    kiosk_store: Store,
    registered: ApplicantView,
    staff_accounts: dict[str, StaffView],
    clock: FixedClock,
) -> ApplicantView:
    """Three notices of one person, each e-mail in another state: the registration's went out;
    the booking's was refused for good three times (given up); the request for documents is
    waiting because the server is down."""
    server = MailServer().start()
    try:
        assert kiosk_store.deliver_outbox(mailer_for(server), translator).sent >= 1
        slot = next(s.id for s in kiosk_store.slots("STG", "RT", MONDAY, MONDAY) if s.free)
        kiosk_store.book(registered.id, slot)
        server.handler.refuse = {registered.email}
        for backoff in (2, 4, 8):  # M3: a permanent refusal is given up after 3 tries
            assert kiosk_store.deliver_outbox(mailer_for(server), translator).failed == 1
            clock.advance(minutes=backoff)
    finally:
        server.stop()
    kiosk_store.request_documents(
        registered.id,
        "Certificado de antecedentes",
        date(2026, 12, 3),
        actor=staff_accounts["agent"].actor,
    )
    down = MailServer()  # never started: nobody answers on its port
    assert kiosk_store.deliver_outbox(mailer_for(down), translator).pending == 1
    return registered


def _cells(app: CounterApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def _detail(app: Any) -> str:
    return str(app.screen.query_one("#notice-detail", Static).render())


async def _open_file(pilot: KioskPilot, person: ApplicantView) -> None:
    """Log in as the agent, find the person by e-mail, open the file (keys only)."""
    await staff_at(pilot, "agente", "#search")
    await pilot.press(*person.email, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ApplicantScreen)


async def test_m3_the_file_says_per_notice_whether_its_email_went_out(
    make_counter: MakeCounter, kiosk_store: Store, mailed: ApplicantView
) -> None:
    """Sent, pending (server down, with its error) and given up (with the server's answer, in
    the line under the table when highlighted); opening the file marks nothing read (K8)."""
    unread = kiosk_store.unread_count(mailed.id)
    assert unread == 3
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_file(pilot, mailed)
        assert _cells(app, "#notices") == [
            [
                "23-11-2026 09:14",
                "Solicitud de documentos (plazo: 03-12-2026)",
                "sin leer",
                "pendiente",
            ],
            [
                "23-11-2026 09:00",
                "Hora reservada: Residencia temporal, 30-11-2026 a las 09:00",
                "sin leer",
                "no se pudo enviar",
            ],
            ["23-11-2026 09:00", "Registro completado", "sin leer", "enviado"],
        ]
        # The newest notice is highlighted first: the server was down, it is tried again.
        assert (
            "Correo a jose@correo.cl: pendiente: próximo intento 23-11-2026 09:16 "
            "(último intento: smtp://127.0.0.1:"
        ) in _detail(app)
        assert "Connection refused" in _detail(app)
        # K5: the arrows alone lead from the bookings (where the file opens, K8) through their
        # actions to the notices, and down to the given-up one: the server's whole answer.
        assert app.focused is app.screen.query_one("#bookings")
        for _ in range(6):
            if app.focused is app.screen.query_one("#notices"):
                break
            await pilot.press("down")
        assert app.focused is app.screen.query_one("#notices")
        await pilot.press("down")
        await settle(pilot)
        detail = app.screen.query_one("#notice-detail", Static)
        assert f"no se pudo enviar: {REFUSAL}" in _detail(app)
        assert "Se dejó de intentar el 23-11-2026 09:06, tras 3 intentos" in _detail(app)
        assert detail.has_class("-failed")
        await pilot.press("down")
        await settle(pilot)
        assert "enviado el 23-11-2026 09:00" in _detail(app)
        assert not detail.has_class("-failed")
    assert kiosk_store.unread_count(mailed.id) == unread
    assert all(notice.read_at is None for notice in kiosk_store.notices(mailed.id))


async def test_m3_a_notice_from_while_mail_was_off_says_no_email_was_queued(
    make_counter: MakeCounter,
    kiosk_store: Store,
    registered: ApplicantView,
    staff_accounts: dict[str, StaffView],
    clock: FixedClock,
) -> None:
    """`email is None`: deposited while mail was off, so no e-mail was queued; a notice the
    person opened says so (M1)."""
    (registration,) = kiosk_store.notices(registered.id)
    clock.advance(minutes=5)
    kiosk_store.open_notice(registered.id, registration.id)
    without_mail = Store(kiosk_store.url, clock=clock, passwords=Passwords(fast_hasher()))
    try:
        without_mail.request_documents(
            registered.id, "Pasaporte", date(2026, 12, 3), actor=staff_accounts["agent"].actor
        )
    finally:
        without_mail.close()
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_file(pilot, registered)
        assert _cells(app, "#notices") == [
            [
                "23-11-2026 09:05",
                "Solicitud de documentos (plazo: 03-12-2026)",
                "sin leer",
                "sin correo",
            ],
            ["23-11-2026 09:00", "Registro completado", "leído", "pendiente"],
        ]
        assert "Sin correo: el envío por correo no estaba activo" in _detail(app)
        app.screen.query_one("#notices").focus()
        await pilot.press("down")
        await settle(pilot)
        assert "En el buzón desde el 23-11-2026 09:00; leído el 23-11-2026 09:05." in _detail(app)
        assert "Correo a jose@correo.cl: pendiente, aún sin intentar." in _detail(app)


async def test_c8_a_request_for_documents_shows_among_the_notices_at_once(
    make_counter: MakeCounter, kiosk_store: Store, registered: ApplicantView
) -> None:
    """The agent asks for documents from the file: the file is read again, and the request is
    the newest notice, unread, its e-mail queued."""
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_file(pilot, registered)
        await tap(pilot, "#request")
        await settle(pilot)
        await pilot.press(*"Certificado de nacimiento", "enter")  # "Enviar al buzón"
        await settle(pilot)
        assert _cells(app, "#notices")[0][1:] == [
            "Solicitud de documentos (plazo: 03-12-2026)",
            "sin leer",
            "pendiente",
        ]
        assert "Correo a jose@correo.cl: pendiente, aún sin intentar." in _detail(app)


@pytest.mark.parametrize(
    "attempts, next_try, error, said",
    [
        (0, "09:00", None, "Correo a a@b.cl: pendiente, aún sin intentar."),
        (
            1,
            "09:02",
            "smtp://mail: [Errno 111] Connection refused",
            "Correo a a@b.cl: pendiente: próximo intento 23-11-2026 09:02 "
            "(último intento: smtp://mail: [Errno 111] Connection refused)",
        ),
        (  # due already: never a "next try" in the past
            1,
            "08:58",
            "smtp://mail: [Errno 111] Connection refused",
            "Correo a a@b.cl: pendiente: se intentará de nuevo en la próxima ronda de envío "
            "(último intento: smtp://mail: [Errno 111] Connection refused)",
        ),
    ],
)
def test_m3_a_pending_email_says_when_it_is_tried_next(
    attempts: int, next_try: str, error: str | None, said: str
) -> None:
    """M3: never a "next try" already past (it goes with the next round of sending)."""
    from screens.counter.applicant import mail_sentence
    from store.views import EmailStatus
    from tests.conftest import NOW

    hour, minute = (int(part) for part in next_try.split(":"))
    when = NOW.replace(hour=hour + 3, minute=minute)  # Santiago is UTC-3 in November
    email = EmailStatus("pending", "a@b.cl", attempts, when, None, None, error)
    assert mail_sentence(email, NOW) == said


def _on_the_given_up_notice(person: ApplicantView) -> Callable[[KioskPilot], Awaitable[None]]:
    """The agent opens the person's file (on the bookings table, K8) and goes down with the
    arrows alone (K5): its actions, the notices, and one row down to the e-mail given up."""

    async def run(pilot: KioskPilot) -> None:
        await _open_file(pilot, person)
        await _tables_laid_out(pilot)
        for _ in range(6):
            if pilot.app.focused is pilot.app.screen.query_one("#notices"):
                break
            await pilot.press("down")
        await pilot.press("down")
        await settle(pilot)
        assert REFUSAL in _detail(pilot.app)

    return run


@SIZES
def test_file_notices(
    snap_compare: Any, make_counter: MakeCounter, mailed: ApplicantView, size: tuple[int, int]
) -> None:
    """M1, M3: the file's notices, newest first: pending, given up (highlighted, its line in
    the error colour with the server's whole answer) and sent; all unread."""
    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_on_the_given_up_notice(mailed)
    )


def test_file_notices_in_english(
    snap_compare: Any, make_counter: MakeCounter, mailed: ApplicantView
) -> None:
    """K4: the same at 80×24 in English."""
    assert snap_compare(
        make_counter("en"), terminal_size=(80, 24), run_before=_on_the_given_up_notice(mailed)
    )
