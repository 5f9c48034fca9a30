"""The counter's work in the store: search (C3), the agenda and check-in (C5), figures (C7),
the filtered audit log, and which roles may do what (C1)."""

from __future__ import annotations

import csv
import io

import pytest

from store import Store
from store.clock import FixedClock
from store.errors import Refused
from tests.factories import MONDAY, applicants, at, first_free, form, open_day

MASKED = "P1*****7"


@pytest.fixture
def staff(seeded: Store) -> dict[str, object]:
    return {
        role: seeded.create_staff(role[:4] + "1", f"Persona {role}", role, "clave-segura-1", "STG")
        for role in ("agent", "supervisor", "auditor")
    }


def test_c3_name_search_is_full_text_accent_and_case_blind(seeded: Store) -> None:
    """FTS finds "José Muñoz" from "jose munoz", "JOSÉ muñ" (unfinished word) and "munoz jose";
    a name that is only similar is not found, and query syntax in the text is just text."""
    applicants(seeded, 50)
    reg = seeded.register(form(), terms_accepted=True)
    for query in ("jose munoz", "JOSÉ muñ", "munoz jose", "Antonio Pérez", "perez"):
        assert [a.id for a in seeded.find_applicants(query)] == [reg.applicant.id], query
    for query in ("josefa munoz", 'jose" OR "a', "NEAR(jose)", "mu*oz", "-jose"):
        found = [a.id for a in seeded.find_applicants(query)]
        assert found in ([], [reg.applicant.id]), query
    assert seeded.find_applicants("josefa munoz") == []


def test_c3_search_follows_name_changes_and_finds_by_code(seeded: Store) -> None:
    reg = seeded.register(form(), terms_accepted=True)
    seeded.update_identity(reg.applicant.id, form(first_surname="Núñez"))
    assert seeded.find_applicants("munoz") == []
    assert [a.id for a in seeded.find_applicants("nunez")] == [reg.applicant.id]
    open_day(seeded)
    booking = seeded.book(reg.applicant.id, first_free(seeded))
    assert booking.code
    spaced = f"{booking.code[:4].lower()}-{booking.code[4:].lower()}"
    assert [a.id for a in seeded.find_applicants(spaced)] == [reg.applicant.id]


def test_c3_many_namesakes_come_in_registration_order(seeded: Store) -> None:
    ids = applicants(seeded, 40)
    assert [a.id for a in seeded.find_applicants("persona prueba")] == ids[:20]
    assert [a.id for a in seeded.find_applicants("persona 3 prueba")] == [ids[3]]
    assert len(seeded.find_applicants("persona 3")) == 11  # 3 and 30-39: the last word is a prefix


def _booked_today(seeded: Store, clock: FixedClock) -> tuple[int, str]:
    """A booking for Monday 30 November at 09:00 with the clock on that morning."""
    open_day(seeded)
    reg = seeded.register(form(), terms_accepted=True)
    booking = seeded.book(reg.applicant.id, first_free(seeded))
    clock.set(at(MONDAY, 8, 30))
    assert booking.code
    return reg.applicant.id, booking.code


def test_c5_agenda_check_in_by_code_then_attended(
    seeded: Store, clock: FixedClock, staff: dict
) -> None:
    _applicant, code = _booked_today(seeded, clock)
    agent = staff["agent"].actor
    (row,) = seeded.agenda("STG")
    assert (row.code, row.status, row.start.isoformat()) == (code, "confirmed", "09:00:00")
    assert row.document == MASKED and row.applicant_name == "José Antonio Muñoz Pérez"
    with pytest.raises(Refused) as early:
        seeded.mark_attended("STG", code, actor=agent)
    assert early.value.code == "not_checked_in"
    assert seeded.check_in("STG", code.lower(), actor=agent).status == "checked_in"
    with pytest.raises(Refused) as twice:
        seeded.check_in("STG", code, actor=agent)
    assert twice.value.code == "already_checked_in"
    assert seeded.mark_attended("STG", code, actor=agent).status == "attended"
    assert [e.action for e in seeded.audit_log("booking.", 2)] == [
        "booking.attended",
        "booking.checked_in",
    ]


def test_c5_check_in_by_document_and_missed(seeded: Store, clock: FixedClock, staff: dict) -> None:
    _applicant, code = _booked_today(seeded, clock)
    agent = staff["agent"].actor
    assert seeded.check_in("STG", "p-123 4567", actor=agent).code == code
    with pytest.raises(Refused):
        seeded.mark_missed("STG", code, actor=agent)  # they came
    seeded.register(
        form(document_number="P7654321", email="ana@correo.cl", email_confirmation="ana@correo.cl"),
        terms_accepted=True,
    )
    with pytest.raises(Refused) as none:
        seeded.check_in("STG", "P7654321", actor=agent)
    assert none.value.code == "no_booking_today"
    with pytest.raises(Refused) as unknown:
        seeded.check_in("STG", "P0000001", actor=agent)
    assert unknown.value.code == "applicant_not_found"


def test_c5_check_in_refuses_another_day_and_another_office(
    seeded: Store, clock: FixedClock, staff: dict
) -> None:
    _applicant, code = _booked_today(seeded, clock)
    agent = staff["agent"].actor
    clock.advance(days=-1)
    with pytest.raises(Refused) as not_today:
        seeded.check_in("STG", code, actor=agent)
    assert not_today.value.code == "not_today"
    clock.advance(days=1)
    with pytest.raises(Refused) as scope:  # C9: an STG agent does not work VAP's day
        seeded.check_in("VAP", code, actor=agent)
    assert scope.value.rule == "C9"
    vap = seeded.create_staff(
        "agente.vap", "Agente de Valparaíso", "agent", "vap-password-1", "VAP"
    )
    with pytest.raises(Refused) as elsewhere:  # C5: the person came to the wrong office
        seeded.check_in("VAP", code, actor=vap.actor)
    assert elsewhere.value.code == "other_office" and elsewhere.value.rule == "C5"
    assert "es en Oficina STG, no en esta oficina" in elsewhere.value.render()
    with pytest.raises(Refused) as auditor:
        seeded.check_in("STG", code, actor=staff["auditor"].actor)
    assert auditor.value.code == "not_allowed"
    assert seeded.agenda("STG")[0].status == "confirmed"


def test_c7_figures_waitlist_open_seats_bookings_and_no_shows(
    seeded: Store, clock: FixedClock, staff: dict
) -> None:
    _applicant, code = _booked_today(seeded, clock)
    clock.set(at(MONDAY, 9, 15))  # C11: the time plus the grace
    seeded.mark_missed("STG", code, actor=staff["agent"].actor)
    rows = {(f.office, f.procedure): f for f in seeded.figures(actor=staff["supervisor"].actor)}
    stg = rows[("STG", "RT")]
    assert stg.bookings_per_day[0] == 1 and sum(stg.bookings_per_day) == 1
    assert len(stg.bookings_per_day) == 30
    assert (stg.missed, stg.attended, stg.no_show_rate) == (1, 0, 1.0)
    assert stg.open_seats >= 1
    # C9: a supervisor of STG sees STG's figures; the whole country's CSV has every office.
    assert {office for office, _ in rows} == {"STG"}
    parsed = list(csv.DictReader(io.StringIO(seeded_csv(seeded))))
    assert {(r["office"], r["procedure"]) for r in parsed} >= set(rows)
    assert {r["office"] for r in parsed} == {"STG", "VAP", "ARI"}
    line = next(r for r in parsed if (r["office"], r["procedure"]) == ("STG", "RT"))
    assert (line["missed_30d"], line["no_show_rate"], line["bookings_30d"]) == ("1", "1.000", "1")
    with pytest.raises(Refused):
        seeded.figures(actor=staff["agent"].actor)


def seeded_csv(store: Store) -> str:
    from store.services.stats import figures_csv

    return figures_csv(store.figures())


def test_c7_figures_count_the_waiting_and_the_oldest_enrolment(seeded: Store) -> None:
    from tests.factories import enrol_directly

    people = applicants(seeded, 4)
    enrol_directly(seeded, people)
    (stg,) = [f for f in seeded.figures("STG") if f.procedure == "RT"]
    assert stg.waiting == 4
    assert stg.oldest_enrolment == seeded.waitlist("STG", "RT")[0].enrolled_at


def test_c1_audit_log_is_filtered_and_only_for_auditors_and_supervisors(
    seeded: Store, staff: dict
) -> None:
    seeded.login_staff("agen1", "clave-segura-1")
    events = seeded.audit_log(actor_filter="system", subject="AGEN", actor=staff["auditor"].actor)
    assert [e.action for e in events][:1] == ["staff.login"]
    assert all(e.action.startswith("staff.") for e in seeded.audit_log("STAFF."))
    assert seeded.audit_log(subject="nobody-at-all") == []
    with pytest.raises(Refused):
        seeded.audit_log(actor=staff["agent"].actor)
