"""E-mail that really leaves the office (M3) and the day-before reminder (M4), through a real
SMTP server on loopback (aiosmtpd), on SQLite and PostgreSQL.

Registration, booking and waitlist assignment each deposit a notice and queue its e-mail in
the same transaction; `deliver_outbox` claims, sends outside any transaction, then marks. The
tests read what the server received: headers, the decoded subject, the body, the .ics."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa
from sqlmodel import col

from kiosk.i18n import translator
from store import Store
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.forms import RecoveryForm
from store.mail import MailError
from store.models import Booking, Notice, Outbox
from store.views import OutboxRun
from tests.factories import MONDAY, applicants, form, open_day, seed_catalog
from tests.mailserver import MailServer, Received, mailer_for
from tests.workers import results, spawn

ROOT = Path(__file__).resolve().parents[2]
SANTIAGO = ZoneInfo("America/Santiago")


@pytest.fixture
def mail_store(db_url: str, clock: FixedClock) -> Iterator[Store]:
    """The test catalogue in a store with outgoing mail on."""
    store = Store(db_url, clock=clock, passwords=Passwords(fast_hasher()), mail_enabled=True)
    seed_catalog(store)
    yield store
    store.close()


@pytest.fixture
def server() -> Iterator[MailServer]:
    running = MailServer().start()
    yield running
    running.stop()


def _person(store: Store, n: int, language: str = "es") -> int:
    person = store.register(
        form(
            document_number=f"P00{n}1234",
            email=f"persona{n}@correo.cl",
            email_confirmation=f"persona{n}@correo.cl",
        ),
        terms_accepted=True,
    )
    if language != "es":
        store.set_language(person.applicant.id, language)
    return person.applicant.id


def _by_subject(received: list[Received], start: str) -> Received:
    found = [r for r in received if str(r.message["Subject"]).startswith(start)]
    assert len(found) == 1, [str(r.message["Subject"]) for r in received]
    return found[0]


def _event(message: EmailMessage, method: str = "REQUEST") -> Any:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == method
    calendar = icalendar.Calendar.from_ical(parts[0].get_content())
    assert str(calendar["METHOD"]) == method
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def _notice_uuid(store: Store, kind: str, applicant_id: int) -> str:
    with store.database.reading() as session:
        uuid = session.scalar(
            sa.select(col(Notice.uuid)).where(
                col(Notice.kind) == kind, col(Notice.applicant_id) == applicant_id
            )
        )
    assert uuid is not None
    return uuid


def _booked_and_assigned(store: Store, language: str) -> tuple[int, int, str, str]:
    """One person waits for RD and is assigned when capacity opens; another books RT."""
    waiting = _person(store, 1, language)
    booker = _person(store, 2, language)
    store.enrol(waiting, "STG", "RD")
    open_day(store, "STG", "RT")
    booked = store.book(booker, next(s.id for s in store.slots("STG", "RT") if s.free))
    opened = open_day(store, "STG", "RD", hours="10:00-10:30")
    assert opened.assigned == 1
    assigned = next(b for b in store.bookings_of(waiting) if b.status == "confirmed")
    assert booked.display_code and assigned.display_code
    return waiting, booker, booked.display_code, assigned.display_code


def _rename_procedure(store: Store, code: str, name: str) -> None:
    from store.models import Procedure

    store.database.write(
        lambda session: session.execute(
            sa.update(Procedure).where(col(Procedure.code) == code).values(name=name)
        )
    )


def test_m3_registration_booking_and_assignment_e_mails_reach_the_server(
    mail_store: Store, server: MailServer, clock: FixedClock
) -> None:
    _rename_procedure(mail_store, "RT", "Residencia temporal (prórroga)")
    _waiting, booker, booked, assigned = _booked_and_assigned(mail_store, "es")
    run = mail_store.deliver_outbox(mailer_for(server), translator)
    # two registrations, one enrolment, one booking, one assignment
    assert run == OutboxRun(sent=5, failed=0, pending=0)
    assert len(server.received) == 5

    mail = _by_subject(server.received, "Hora reservada:")
    message = mail.message
    assert mail.recipients == ["persona2@correo.cl"]
    assert message["From"].addresses[0].addr_spec == "citas@extranjeria.gob.cl"
    assert message["To"].addresses[0].addr_spec == "persona2@correo.cl"
    assert message["To"].addresses[0].display_name == "José Antonio Muñoz Pérez"
    assert parsedate_to_datetime(message["Date"]) == clock.now()
    assert message["Message-ID"] == (
        f"<notice-{_notice_uuid(mail_store, 'booking', booker)}@extranjeria.gob.cl>"
    )
    # The subject travels encoded (RFC 2047, UTF-8) and decodes to the Spanish text.
    subject = "Hora reservada: Residencia temporal (prórroga), 30-11-2026 a las 09:00"
    assert str(message["Subject"]) == subject
    raw_subject = mail.raw.split(b"\r\nSubject:", 1)[1].split(b"\r\n")[0]
    assert raw_subject.isascii() and b"=?utf-8?" in raw_subject.lower()
    body = message.get_body(("plain",))
    assert body is not None and body.get_content_charset() == "utf-8"
    text = body.get_content()
    assert booked in text and "Oficina STG" in text and "Pasaporte vigente" in text
    event = _event(message)
    assert event.decoded("DTSTART") == datetime(2026, 11, 30, 9, 0, tzinfo=SANTIAGO)
    assert str(event["DTSTART"].params["TZID"]) == "America/Santiago"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)
    assert "Oficina STG" in str(event["LOCATION"]) and "Calle STG 123" in str(event["LOCATION"])
    assert "Residencia temporal (prórroga)" in str(event["SUMMARY"])
    assert booked in str(event["DESCRIPTION"]) and "Pasaporte vigente" in str(event["DESCRIPTION"])

    assignment = _by_subject(server.received, "Hora asignada:")
    assert assignment.recipients == ["persona1@correo.cl"]
    assert assigned in assignment.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    event = _event(assignment.message)
    assert event.decoded("DTSTART") == datetime(2026, 11, 30, 10, 0, tzinfo=SANTIAGO)
    assert "Residencia definitiva" in str(event["SUMMARY"])

    # No password ever goes in an e-mail (A8: it is shown once and printed).
    registrations = [r for r in server.received if r.message["Subject"] == "Registro completado"]
    assert len(registrations) == 2
    assert not [p for r in registrations for p in r.message.iter_attachments()]
    # Each notice is one message, with its own Message-ID.
    assert len({str(r.message["Message-ID"]) for r in server.received}) == 5
    # Staff see it went out (M3).
    notices = mail_store.notices(booker)
    assert all(n.email is not None and n.email.state == "sent" for n in notices)
    assert all(n.email and n.email.sent_at == clock.now() for n in notices)


def test_m3_b9_a_cancellation_e_mail_cancels_the_invitation(
    mail_store: Store, server: MailServer
) -> None:
    me = _person(mail_store, 1)
    open_day(mail_store, "STG", "RT")
    booking = mail_store.book(me, next(s.id for s in mail_store.slots("STG", "RT") if s.free))
    assert booking.code
    mail_store.cancel(booking.code, applicant_id=me)
    assert mail_store.deliver_outbox(mailer_for(server), translator).sent == 3
    invited = _event(_by_subject(server.received, "Hora reservada:").message)
    cancelled = _event(_by_subject(server.received, "Hora anulada:").message, "CANCEL")
    assert str(cancelled["UID"]) == str(invited["UID"])
    assert str(cancelled["STATUS"]) == "CANCELLED" and str(invited["STATUS"]) == "CONFIRMED"
    assert int(cancelled["SEQUENCE"]) > int(invited["SEQUENCE"])


def test_m3_no_password_in_any_e_mail(mail_store: Store, server: MailServer) -> None:
    registration = mail_store.register(form(), terms_accepted=True)
    recovered = mail_store.recover_password(
        RecoveryForm(
            nationality="VE",
            document_type="passport",
            document_number="P1234567",
            given_names="José Antonio",
            first_surname="Muñoz",
            second_surname="Pérez",
            birth_date="1990-05-01",
        )
    )
    assert mail_store.deliver_outbox(mailer_for(server), translator).sent == 2
    for mail in server.received:
        raw = mail.message.as_string()
        assert registration.temporary_password not in raw and recovered not in raw


def test_m3_k4_the_e_mail_is_in_the_applicant_s_language(
    mail_store: Store, server: MailServer
) -> None:
    _waiting, _booker, booked, assigned = _booked_and_assigned(mail_store, "en")
    assert mail_store.deliver_outbox(mailer_for(server), translator).sent == 5
    mail = _by_subject(
        server.received, "Appointment booked: Residencia temporal (en), 30-11-2026 at 09:00"
    )
    text = mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert booked in text and "Valid passport" in text and "Pasaporte" not in text
    assert mail.message["Content-Language"] == "en"
    event = _event(mail.message)
    assert event.decoded("DTSTART") == datetime(2026, 11, 30, 9, 0, tzinfo=SANTIAGO)
    assert "Residencia temporal (en)" in str(event["SUMMARY"])
    assert "Valid passport" in str(event["DESCRIPTION"])
    assigned_mail = _by_subject(server.received, "Appointment assigned:")
    assert assigned in assigned_mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert [str(r.message["Subject"]) for r in server.received].count("Registration complete") == 2


def test_m3_k4_a_kreyol_reader_gets_the_e_mail_in_kreyol(
    mail_store: Store, server: MailServer
) -> None:
    """Issue 16: Kreyòl is one of the account languages; the e-mail's words, the procedure's
    name and the documents to bring are Kreyòl."""
    _waiting, _booker, booked, _assigned = _booked_and_assigned(mail_store, "ht")
    assert mail_store.deliver_outbox(mailer_for(server), translator).sent == 5
    mail = _by_subject(server.received, "Randevou rezève: Rezidans tanporè, 30-11-2026")
    text = mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert booked in text and "Paspò ki valab" in text and "Pasaporte" not in text
    assert "Residencia temporal" not in text
    assert mail.message["Content-Language"] == "ht"
    assert "Rezidans tanporè" in str(_event(mail.message)["SUMMARY"])


def test_m3_server_down_then_back_each_e_mail_is_delivered_exactly_once(
    mail_store: Store, clock: FixedClock
) -> None:
    for n in range(3):
        _person(mail_store, n)
    server = MailServer()  # its port answers nothing yet
    mailer = mailer_for(server)
    assert mail_store.deliver_outbox(mailer, translator) == OutboxRun(0, 3, 3)
    notice = mail_store.notices(1)[0]
    assert notice.email is not None and notice.email.state == "pending"
    assert notice.email.next_attempt_at == clock.now() + timedelta(minutes=2)
    assert notice.email.last_error and "127.0.0.1" in notice.email.last_error
    server.start()
    try:
        clock.advance(minutes=1)
        assert mail_store.deliver_outbox(mailer, translator) == OutboxRun(0, 0, 3)  # backoff
        clock.advance(minutes=1)
        assert mail_store.deliver_outbox(mailer, translator) == OutboxRun(3, 0, 0)
        clock.advance(hours=7)
        assert mail_store.deliver_outbox(mailer, translator) == OutboxRun(0, 0, 0)
    finally:
        server.stop()
    assert sorted(r.recipients[0] for r in server.received) == [
        "persona0@correo.cl",
        "persona1@correo.cl",
        "persona2@correo.cl",
    ]


class _Crash(BaseException):
    """The process dies right after the server took the message, before it is marked."""


class _DiesAfterSending:
    """The real sender, in a process that dies once the server has taken the first message."""

    def __init__(self, server: MailServer) -> None:
        self.real = mailer_for(server)
        self.sender = self.real.sender

    def connection(self) -> Any:
        from contextlib import contextmanager

        @contextmanager
        def opened() -> Iterator[Any]:
            with self.real.connection() as send:

                def send_then_die(message: EmailMessage) -> None:
                    send(message)
                    raise _Crash

                yield send_then_die

        return opened()


def test_m3_a_send_repeated_after_a_crash_carries_the_same_message_id(
    mail_store: Store, server: MailServer, clock: FixedClock
) -> None:
    _person(mail_store, 1)
    with pytest.raises(_Crash):
        mail_store.deliver_outbox(_DiesAfterSending(server), translator)
    assert len(server.received) == 1
    # Still claimed by the sender that died: nobody else sends it meanwhile.
    assert mail_store.deliver_outbox(mailer_for(server), translator) == OutboxRun(0, 0, 1)
    clock.advance(minutes=15)
    assert mail_store.deliver_outbox(mailer_for(server), translator) == OutboxRun(1, 0, 0)
    first, again = server.received
    assert first.message["Message-ID"] == again.message["Message-ID"]
    assert first.message["Message-ID"].startswith("<notice-")


def test_m3_a_permanent_refusal_is_given_up_after_three_tries_and_staff_see_why(
    mail_store: Store, server: MailServer, clock: FixedClock
) -> None:
    me = _person(mail_store, 1)
    server.handler.refuse = {"persona1@correo.cl"}
    mailer = mailer_for(server)
    runs = []
    for wait in (2, 4, 8):
        runs.append(mail_store.deliver_outbox(mailer, translator))
        clock.advance(minutes=wait)
    assert runs == [OutboxRun(0, 1, 1), OutboxRun(0, 1, 1), OutboxRun(0, 1, 0)]
    clock.advance(days=1)
    assert mail_store.deliver_outbox(mailer, translator) == OutboxRun(0, 0, 0)
    assert server.received == []
    email = mail_store.notices(me)[0].email
    assert email is not None and email.state == "failed" and email.attempts == 3
    assert email.last_error is not None and email.last_error.startswith("550")
    assert "No such user" in email.last_error


def test_m3_a_temporary_refusal_is_retried_without_end(
    mail_store: Store, server: MailServer, clock: FixedClock
) -> None:
    """Only a 5xx answer gives up: a dead server is tried again however long it is down."""
    me = _person(mail_store, 1)
    down = mailer_for(MailServer())
    for _ in range(5):
        assert mail_store.deliver_outbox(down, translator).pending == 1
        clock.advance(hours=6)
    email = mail_store.notices(me)[0].email
    assert email is not None and email.state == "pending" and email.attempts == 5
    assert mail_store.deliver_outbox(mailer_for(server), translator).sent == 1


def test_m3_the_smtp_login_and_a_wrong_password_that_gives_nothing_up(
    mail_store: Store, clock: FixedClock
) -> None:
    """KIOSK_SMTP_USER/PASSWORD log in; a wrong password (535) is the setting's fault, not the
    e-mails': they stay pending however often it is refused, and go once it is fixed."""
    server = MailServer(login=("citas", "clave-smtp")).start()
    try:
        me = _person(mail_store, 1)
        wrong = mailer_for(server, login=("citas", "otra-clave"))
        for _ in range(4):
            assert mail_store.deliver_outbox(wrong, translator) == OutboxRun(0, 1, 1)
            clock.advance(hours=6)
        email = mail_store.notices(me)[0].email
        assert email is not None and email.state == "pending"
        assert email.last_error is not None and email.last_error.startswith("535")
        right = mailer_for(server, login=("citas", "clave-smtp"))
        assert mail_store.deliver_outbox(right, translator) == OutboxRun(1, 0, 0)
        assert [r.recipients for r in server.received] == [["persona1@correo.cl"]]
    finally:
        server.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from tests.mailserver import self_signed

    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize("tls", ["starttls", "smtps"])
def test_m3_starttls_and_smtps_send_over_a_verified_tls_connection(
    mail_store: Store,
    clock: FixedClock,
    certificate: tuple[Path, Path],
    tls: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """smtp://…?starttls=1 (the server refuses MAIL before STARTTLS) and smtps:// (TLS from the
    first byte); the server's certificate is checked: untrusted, the e-mail waits."""
    server = MailServer(tls=tls, certificate=certificate).start()
    try:
        me = _person(mail_store, 1)
        untrusted = mail_store.deliver_outbox(mailer_for(server), translator)
        assert untrusted == OutboxRun(0, 1, 1)
        email = mail_store.notices(me)[0].email
        assert email is not None and "CERTIFICATE_VERIFY_FAILED" in (email.last_error or "")
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
        clock.advance(minutes=2)
        assert mail_store.deliver_outbox(mailer_for(server), translator) == OutboxRun(1, 0, 0)
    finally:
        server.stop()
    assert [r.recipients for r in server.received] == [["persona1@correo.cl"]]


def test_m3_mail_off_queues_nothing(seeded: Store) -> None:
    me = seeded.register(form(), terms_accepted=True).applicant.id
    assert seeded.notices(me)[0].email is None
    with seeded.database.reading() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Outbox)) == 0


def test_m3_mail_error_from_a_refused_recipient_is_permanent(server: MailServer) -> None:
    """The sender reads the server's own answer (550 for a refused recipient)."""
    server.handler.refuse = {"nadie@correo.cl"}
    mailer = mailer_for(server)
    message = EmailMessage()
    message["From"] = mailer.sender
    message["To"] = "nadie@correo.cl"
    message["Subject"] = "x"
    message.set_content("x")
    with mailer.connection() as send, pytest.raises(MailError) as refused:
        send(message)
    assert refused.value.permanent and str(refused.value).startswith("550")


# -- real processes ---------------------------------------------------------------------------


@pytest.mark.slow
def test_m3_a_stalled_smtp_server_does_not_hold_up_a_booking_in_another_process(
    mail_store: Store, server: MailServer
) -> None:
    """The sender is stuck in the middle of a send (the server took DATA and says nothing);
    meanwhile another process books. Had the sender kept a write transaction open, the
    booking would wait for it (SQLite's write lock; up to the 30 s busy timeout)."""
    person = _person(mail_store, 1)
    open_day(mail_store, "STG", "RT")
    slot = next(s.id for s in mail_store.slots("STG", "RT") if s.free)
    gate = threading.Event()
    server.handler.stall = gate
    sender = spawn("send_mail", mail_store.url, server.url)
    try:
        assert server.handler.stalled.wait(60), "the sender never reached the server"
        booking = results([spawn("book_timed", mail_store.url, person, slot)])[0]
    finally:
        gate.set()
    sent = results([sender])[0]
    # A booking takes tens of milliseconds here; 5 s is far above that and far below a stall.
    assert booking["milliseconds"] < 5000, booking
    assert sent["sent"] >= 1 and sent["failed"] == 0
    with mail_store.database.reading() as session:
        assert session.scalar(
            sa.select(sa.func.count())
            .select_from(Booking)
            .where(col(Booking.status) == "confirmed")
        )


@pytest.mark.slow
def test_m3_two_senders_at_once_send_each_e_mail_once(
    mail_store: Store, server: MailServer
) -> None:
    """Two counters (or a counter and a cron job) draining the same outbox at the same time."""
    people = applicants(mail_store, 30)
    open_day(mail_store, "STG", "RT", hours="09:00-12:00", every=10)
    for person, slot in zip(people, [s.id for s in mail_store.slots("STG", "RT")], strict=False):
        mail_store.book(person, slot)  # 18 bookings, 18 notices to send
    senders = [spawn("send_mail", mail_store.url, server.url) for _ in range(2)]
    runs = results(senders)
    assert sum(r["sent"] for r in runs) == 18
    ids = [str(r.message["Message-ID"]) for r in server.received]
    assert len(ids) == 18 and len(set(ids)) == 18
    assert mail_store.deliver_outbox(mailer_for(server), translator) == OutboxRun(0, 0, 0)


# -- M4: the day-before reminder --------------------------------------------------------------


def test_m4_reminders_twice_give_one_per_booking(
    mail_store: Store, server: MailServer, clock: FixedClock
) -> None:
    first, second, third = _person(mail_store, 1), _person(mail_store, 2), _person(mail_store, 3)
    open_day(mail_store, "STG", "RT", hours="09:00-10:30")
    slots = [s.id for s in mail_store.slots("STG", "RT")]
    codes = [
        mail_store.book(p, s).code for p, s in zip((first, second, third), slots, strict=False)
    ]
    assert codes[2]
    mail_store.cancel(codes[2], applicant_id=third)
    assert mail_store.send_reminders(MONDAY) == 2  # the cancelled booking is not reminded
    assert mail_store.send_reminders(MONDAY) == 0
    clock.advance(days=6)  # Sunday 29: each office's tomorrow is Monday 30
    assert mail_store.send_reminders() == 0
    for person in (first, second):
        reminders = [n for n in mail_store.notices(person) if n.kind == "reminder"]
        assert len(reminders) == 1
        assert (
            reminders[0]
            .subject.render()
            .startswith("Recordatorio: Residencia temporal, el 30-11-2026 a las ")
        )
    assert not [n for n in mail_store.notices(third) if n.kind == "reminder"]
    mail_store.deliver_outbox(mailer_for(server), translator)
    mails = [r for r in server.received if str(r.message["Subject"]).startswith("Recordatorio")]
    assert sorted(r.recipients[0] for r in mails) == ["persona1@correo.cl", "persona2@correo.cl"]
    event = _event(mails[0].message)
    assert event.decoded("DTSTART").date() == MONDAY


def test_m4_each_office_s_tomorrow_by_default(mail_store: Store, clock: FixedClock) -> None:
    me = _person(mail_store, 1)
    open_day(mail_store, "STG", "RT")
    mail_store.book(me, next(s.id for s in mail_store.slots("STG", "RT") if s.free))
    assert mail_store.send_reminders() == 0  # Monday 23: tomorrow is not the 30th
    clock.advance(days=6)
    assert mail_store.send_reminders() == 1
    assert mail_store.send_reminders() == 0


@pytest.mark.slow
def test_m4_two_processes_reminding_at_once_remind_each_booking_once(mail_store: Store) -> None:
    people = applicants(mail_store, 12)
    open_day(mail_store, "STG", "RT", hours="09:00-11:00", every=10)
    for person, slot in zip(people, [s.id for s in mail_store.slots("STG", "RT")], strict=True):
        mail_store.book(person, slot)
    runs = [spawn("remind", mail_store.url, MONDAY.isoformat()) for _ in range(3)]
    assert sum(r["reminded"] for r in results(runs)) == 12
    with mail_store.database.reading() as session:
        per_booking = session.execute(
            sa.select(col(Notice.booking_id), sa.func.count())
            .where(col(Notice.kind) == "reminder")
            .group_by(col(Notice.booking_id))
        ).all()
    assert len(per_booking) == 12 and all(count == 1 for _, count in per_booking)
