"""Mailbox, outbox, help tickets and staff: rules M1–M3, H1–H3, C1, C8."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk.i18n import translator
from store import Store
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.errors import InvalidInput, Refused
from store.models import AuditEvent, Outbox
from store.views import OutboxRun
from tests.factories import form
from tests.mailserver import MailServer, mailer_for


def test_m1_unread_count_and_read_receipt(seeded: Store, clock: FixedClock) -> None:
    me = seeded.register(form(), terms_accepted=True).applicant.id
    assert seeded.unread_count(me) == 1
    notice = seeded.notices(me)[0]
    clock.advance(minutes=3)
    opened = seeded.open_notice(me, notice.id)
    assert opened.read_at == clock.now() and seeded.unread_count(me) == 0
    clock.advance(minutes=3)
    assert seeded.open_notice(me, notice.id).read_at == opened.read_at  # the first reading counts
    other = seeded.register(
        form(document_number="P7777777", email="b@correo.cl", email_confirmation="b@correo.cl"),
        terms_accepted=True,
    )
    with pytest.raises(Refused):
        seeded.open_notice(other.applicant.id, notice.id)


def test_m2_notices_read_in_either_language(seeded: Store) -> None:
    from kiosk.i18n import translator

    me = seeded.register(form(), terms_accepted=True).applicant.id
    notice = seeded.notices(me)[0]
    assert notice.subject.render() == "Registro completado"
    assert notice.subject.render(translator("en")) == "Registration complete"


def test_m3_outbox_retries_with_backoff_until_sent(db_url: str, clock: FixedClock) -> None:
    """A server that is down: the e-mail waits 2 minutes (store clock), then goes out once."""
    from tests.factories import seed_catalog

    store = Store(db_url, clock=clock, passwords=Passwords(fast_hasher()), mail_enabled=True)
    seed_catalog(store)
    store.register(form(), terms_accepted=True)
    server = MailServer()  # not started yet: nothing answers on its port
    mailer = mailer_for(server)
    assert store.deliver_outbox(mailer, translator) == OutboxRun(0, 1, 1)
    server.start()
    try:
        assert store.deliver_outbox(mailer, translator) == OutboxRun(0, 0, 1)  # not due yet
        clock.advance(minutes=2)
        assert store.deliver_outbox(mailer, translator) == OutboxRun(1, 0, 0)
    finally:
        server.stop()
    assert [(r.recipients, r.message["Subject"]) for r in server.received] == [
        (["jose@correo.cl"], "Registro completado")
    ]
    with store.database.reading() as session:
        row = session.scalar(sa.select(Outbox))
        assert row is not None and row.attempts == 2 and row.last_error is None
    store.close()


def test_m3_backoff_doubles_and_stops_at_six_hours(db_url: str, clock: FixedClock) -> None:
    """An office offline for a day retries every six hours at most, never days apart."""
    from tests.factories import seed_catalog

    store = Store(db_url, clock=clock, passwords=Passwords(fast_hasher()), mail_enabled=True)
    seed_catalog(store)
    store.register(form(), terms_accepted=True)
    server = MailServer()
    mailer = mailer_for(server)
    waits: list[timedelta] = []
    for _attempt in range(11):
        assert store.deliver_outbox(mailer, translator) == OutboxRun(0, 1, 1)
        with store.database.reading() as session:
            row = session.scalar(sa.select(Outbox))
            assert row is not None
            waits.append(row.next_attempt_at - clock.now())
        clock.advance(seconds=waits[-1].total_seconds())  # exactly when it is due again
    minutes = [wait.total_seconds() / 60 for wait in waits]
    assert minutes == [2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360]
    server.start()
    try:
        assert store.deliver_outbox(mailer, translator) == OutboxRun(1, 0, 0)
    finally:
        server.stop()
    assert [r.recipients for r in server.received] == [["jose@correo.cl"]]
    store.close()


def test_h1_h2_one_open_ticket_at_a_time(seeded: Store) -> None:
    me = seeded.register(form(), terms_accepted=True).applicant.id
    ticket = seeded.open_ticket(
        me, "question", "¿Qué llevo?", "documents", "Hola, ¿qué documentos llevo?"
    )
    assert ticket.status == "open"
    with pytest.raises(Refused) as refused:
        seeded.open_ticket(me, "complaint", "Otra", "other", "Otro mensaje")
    assert refused.value.rule == "H2"
    with pytest.raises(InvalidInput):
        seeded.open_ticket(me, "rant", "x", "other", "y")


def test_h3_answer_lands_in_the_mailbox_and_frees_the_next_ticket(seeded: Store) -> None:
    me = seeded.register(form(), terms_accepted=True).applicant.id
    agent = seeded.create_staff("agente", "Camila Rojas", "agent", "clave-agente", "STG")
    auditor = seeded.create_staff("auditor", "Joaquín Díaz", "auditor", "clave-auditor", "STG")
    ticket = seeded.open_ticket(me, "question", "Documentos", "documents", "¿Qué llevo?")
    assert [t.id for t in seeded.open_tickets()] == [ticket.id]
    with pytest.raises(Refused):
        seeded.answer_ticket(ticket.id, "No", actor=auditor.actor)
    seeded.answer_ticket(ticket.id, "Traiga su pasaporte.", actor=agent.actor)
    notice = seeded.notices(me)[0]
    assert notice.kind == "ticket_answer" and notice.body.render() == "Traiga su pasaporte."
    assert seeded.open_tickets() == []
    seeded.open_ticket(me, "congratulation", "Gracias", "other", "Muy amables")


def test_c8_request_for_documents_with_a_deadline(seeded: Store) -> None:
    me = seeded.register(form(), terms_accepted=True).applicant.id
    agent = seeded.create_staff("agente", "Camila Rojas", "agent", "clave-agente", "STG")
    seeded.request_documents(
        me, "certificado de antecedentes", date(2026, 12, 15), actor=agent.actor
    )
    notice = seeded.notices(me)[0]
    assert notice.deadline == date(2026, 12, 15) and "15-12-2026" in notice.subject.render()
    with pytest.raises(InvalidInput):
        seeded.request_documents(me, "x", date(2026, 11, 1), actor=agent.actor)


def test_c1_staff_login_roles_lockout_and_append_only_audit(
    seeded: Store, clock: FixedClock
) -> None:
    seeded.create_staff("agente", "Camila Rojas", "agent", "clave-agente", "STG")
    with pytest.raises(Refused):
        seeded.create_staff("agente", "Otra", "agent", "clave-agente", "STG")
    assert seeded.login_staff("AGENTE", "clave-agente").role == "agent"
    for _ in range(5):
        with pytest.raises(Refused):
            seeded.login_staff("agente", "mala")
    with pytest.raises(Refused) as locked:
        seeded.login_staff("agente", "clave-agente")
    assert locked.value.code == "locked"
    clock.advance(minutes=16)
    assert seeded.login_staff("agente", "clave-agente").username == "agente"

    def tamper(session: sa.orm.Session) -> None:
        session.execute(sa.update(AuditEvent).values(action="x"))

    with pytest.raises(sa.exc.DBAPIError):
        seeded.database.write(tamper)

    def erase(session: sa.orm.Session) -> None:
        session.execute(sa.delete(AuditEvent))

    with pytest.raises(sa.exc.DBAPIError):
        seeded.database.write(erase)
    assert len(seeded.audit_log()) > 5


def test_o1_default_store_is_one_sqlite_file(tmp_path: Path, clock: FixedClock) -> None:
    store = Store(str(tmp_path / "office.db"), clock=clock)
    store.upgrade()
    assert store.url.startswith("sqlite:///") and (tmp_path / "office.db").exists()
    with store.database.reading() as session:
        assert session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    store.close()


def test_schema_matches_the_models(db_url: str) -> None:
    """Alembic owns the schema: autogenerate finds nothing left to migrate."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from store.db import include_name

    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []
