"""The audit log read by an auditor (C1, W7, K6, K8): filters in the store (days, action, actor,
subject), each subject named (a person with the document masked, a booking's code, a staff
member), and what staff only looked at recorded with their name."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from store import Store
from store.clock import FixedClock
from store.errors import InvalidInput, Refused
from store.views import StaffView
from tests.factories import first_free, form, open_day

PASSWORD = "clave-del-meson-1"


@pytest.fixture
def desk(seeded: Store) -> dict[str, StaffView]:
    return {
        role: seeded.create_staff(name, full, role, PASSWORD, "STG")
        for role, name, full in (
            ("agent", "agente", "Camila Rojas Tapia"),
            ("auditor", "auditor", "Ingrid Salas Vera"),
        )
    }


def test_c1_filters_by_days_action_actor_and_subject(
    seeded: Store, clock: FixedClock, desk: dict[str, StaffView]
) -> None:
    agent = desk["agent"].actor
    seeded.register(form(), terms_accepted=True)
    clock.advance(days=2)
    second = seeded.register(
        form(
            document_number="X7654321",
            email="ana@correo.cl",
            email_confirmation="ana@correo.cl",
            given_names="Ana",
            first_surname="Silva",
        ),
        terms_accepted=True,
        actor=agent,
    ).applicant
    seeded.verify_identity(second.id, actor=agent)
    second_uuid, first_uuid = (e.subject for e in seeded.audit_log("applicant.registered"))
    today = clock.now().date()
    everything = seeded.audit_log(limit=1000)

    on_day = seeded.audit_log(date_from=today, date_to=today, limit=1000)
    assert {e.subject for e in on_day} >= {second_uuid}
    assert first_uuid not in {e.subject for e in on_day}
    before = seeded.audit_log(date_to=today - timedelta(days=1), limit=1000)
    assert first_uuid in {e.subject for e in before} and second_uuid not in {
        e.subject for e in before
    }
    # As people write a day, both ends included.
    typed = seeded.audit_log(date_from=today.strftime("%d-%m-%Y"), date_to=today.isoformat())
    assert [e.id for e in typed] == [e.id for e in on_day][: len(typed)]
    assert len(seeded.audit_log(date_from=today + timedelta(days=1))) == 0

    assert {e.action for e in seeded.audit_log("applicant.", limit=1000)} == {
        "applicant.registered",
        "applicant.verified_at_counter",
    }
    # The actor as stored, or a staff member's name (without regard to case).
    by_name = seeded.audit_log(actor_filter="rojas", limit=1000)
    assert by_name and {e.actor for e in by_name} == {"staff:agente"}
    assert by_name == seeded.audit_log(actor_filter="staff:agente", limit=1000)
    # The subject as stored, or everything about a person named by name, document or e-mail.
    about_ana = seeded.audit_log(subject="silva", limit=1000)
    assert {e.action for e in about_ana} == {
        "applicant.registered",
        "applicant.verified_at_counter",
    }
    assert about_ana == seeded.audit_log(subject="x7654321", limit=1000)
    assert about_ana == seeded.audit_log(subject="ANA@correo.cl", limit=1000)
    assert seeded.audit_log(subject=first_uuid[:8], limit=1000)[0].subject == first_uuid
    assert len(everything) > len(on_day)


def test_c1_a_subject_filter_by_booking_code_finds_the_booking(seeded: Store) -> None:
    person = seeded.register(form(), terms_accepted=True).applicant
    open_day(seeded)
    booking = seeded.book(person.id, first_free(seeded))
    assert booking.code is not None
    found = seeded.audit_log(subject=booking.code.lower(), limit=1000)
    assert "booking.confirmed" in {e.action for e in found}


@pytest.mark.parametrize(
    "date_from, date_to, field",
    [
        ("31-02-2026", None, "date_from"),
        (None, "mañana", "date_to"),
        ("2026-11-25", "24-11-2026", "date_to"),
    ],
)
def test_c1_a_bad_day_is_one_clear_sentence(
    seeded: Store, date_from: str | None, date_to: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        seeded.audit_log(date_from=date_from, date_to=date_to)
    assert refused.value.field == field
    text = refused.value.message.render()
    assert text.endswith(".") and text.count(".") <= 3, text


def test_c1_k6_subjects_and_actors_are_named(seeded: Store, desk: dict[str, StaffView]) -> None:
    agent = desk["agent"].actor
    person = seeded.register(form(), terms_accepted=True, actor=agent).applicant
    open_day(seeded)
    booking = seeded.book(person.id, first_free(seeded), actor=agent)
    seeded.enrol(person.id, "STG", "RD")
    seeded.request_documents(person.id, "Pasaporte vigente", date(2026, 12, 1), actor=agent)
    seeded.open_ticket(person.id, "question", "Mi pasaporte", "documents", "¿Sirve?")
    seeded.login_staff("agente", PASSWORD)
    events = {e.action: e for e in seeded.audit_log(limit=1000)}

    def label(action: str) -> str:
        found = events[action].subject_label
        assert found is not None, action
        return found.render()

    person_label = "José Antonio Muñoz Pérez · P1*****7"
    assert label("applicant.registered") == person_label
    assert label("documents.requested") == person_label  # stored as the bare id "1"
    assert label("booking.confirmed") == f"Reserva {booking.display_code} de {person_label}"
    assert label("waitlist.enrolled") == f"Lista de espera STG/RD de {person_label}"
    assert label("ticket.opened") == f"Ticket «Mi pasaporte» de {person_label}"
    assert label("staff.login") == "Camila Rojas Tapia (agente)"
    assert label("capacity.opened") == "Oficina STG · RT"  # the office by name
    assert events["booking.confirmed"].actor_name == "Camila Rojas Tapia"
    assert events["ticket.opened"].actor_name == "José Antonio Muñoz Pérez"
    assert events["capacity.opened"].actor_name is None  # "system"
    # The raw subject stays available, and the document never shows in full (K6).
    assert events["booking.confirmed"].subject not in (booking.code, label("booking.confirmed"))
    assert all("1234567" not in (e.subject_label or "").__str__() for e in events.values())


def test_c1_labels_take_one_query_per_page(seeded: Store) -> None:
    for n in range(5):
        person = seeded.register(
            form(
                document_number=f"Q{n}234567",
                email=f"p{n}@correo.cl",
                email_confirmation=f"p{n}@correo.cl",
            ),
            terms_accepted=True,
        ).applicant
        seeded.enrol(person.id, "STG", "RD")
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    engine = sa.engine.Engine  # every engine: SQLite reads through an engine of their own
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        events = seeded.audit_log(limit=1000)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(events) >= 10 and all(e.subject_label for e in events)
    assert len(statements) == 2, statements  # the page, then every label at once


def test_c1_k6_a_search_a_file_view_assisted_mode_and_a_logout_name_the_staff_member(
    seeded: Store, desk: dict[str, StaffView]
) -> None:
    agent = desk["agent"].actor
    person = seeded.register(form(), terms_accepted=True).applicant
    assert [p.id for p in seeded.find_applicants("P1234567", actor=agent)] == [person.id]
    seeded.find_applicants("muñoz", actor=agent)
    assert seeded.open_file(person.id, actor=agent).id == person.id
    seeded.record_assisting(person.id, started=True, actor=agent)
    seeded.record_assisting(person.id, started=False, actor=agent)
    seeded.record_logout("idle", actor=agent)
    (registered,) = seeded.audit_log("applicant.registered")
    person_uuid = registered.subject
    events = seeded.audit_log(actor_filter="staff:agente", limit=100)
    assert [(e.action, e.subject) for e in reversed(events)] == [
        ("applicant.searched", "search"),
        ("applicant.searched", "search"),
        ("applicant.file_viewed", person_uuid),
        ("assisted.started", person_uuid),
        ("assisted.ended", person_uuid),
        ("staff.logout", "agente"),
    ]
    searched = [e.details for e in reversed(events[-2:])]
    assert '"query": "P1*****7"' in searched[0] and "1234567" not in searched[0]
    assert '"query": "muñoz"' in searched[1]
    assert '"how": "idle"' in events[0].details
    # A search without a staff member (a kiosk never searches) records nothing.
    seeded.find_applicants("muñoz")
    assert len(seeded.audit_log("applicant.searched", limit=100)) == 2


def test_k8_m1_a_notice_read_by_staff_is_recorded_and_is_no_acknowledgement(
    seeded: Store, desk: dict[str, StaffView]
) -> None:
    person = seeded.register(form(), terms_accepted=True).applicant
    (notice,) = seeded.notices(person.id)
    seeded.open_notice(person.id, notice.id, actor=desk["agent"].actor)
    (event,) = seeded.audit_log("notice.read_by_staff")
    assert event.actor == "staff:agente" and event.actor_name == "Camila Rojas Tapia"
    assert event.subject_label is not None and "Muñoz" in event.subject_label.render()
    assert seeded.unread_count(person.id) == 1  # still unread: the person has not read it
    with pytest.raises(Refused):  # another person's notice
        seeded.open_notice(person.id + 1, notice.id, actor=desk["agent"].actor)
    with pytest.raises(Refused):  # an auditor reads the log, not people's notices
        seeded.open_notice(person.id, notice.id, actor=desk["auditor"].actor)


def test_c8_the_open_tickets_say_who_asked(seeded: Store) -> None:
    person = seeded.register(form(), terms_accepted=True).applicant
    seeded.open_ticket(person.id, "question", "Mi pasaporte", "documents", "¿Sirve?")
    (ticket,) = seeded.open_tickets()
    assert ticket.applicant_name == "José Antonio Muñoz Pérez"
