"""C9 in the store: staff of an office act for their own office only (its agenda, capacity,
closures, figures, displaced bookings); a national supervisor (no office) for all. The store
checks it, so the desk, the command line and any future caller get the same rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from store import Store
from store.errors import Refused
from store.views import StaffView
from tests.factories import MONDAY, form, open_day


@pytest.fixture
def staff(seeded: Store) -> dict[str, StaffView]:
    made = {
        "sup": ("supervisor", "STG"),
        "agente": ("agent", "STG"),
        "sup.vap": ("supervisor", "VAP"),
        "nacional": ("supervisor", None),
    }
    return {
        name: seeded.create_staff(name, "Persona de Prueba", role, f"{name}-password-1", office)
        for name, (role, office) in made.items()
    }


def _refused_c9(act: Callable[[], Any]) -> str:
    with pytest.raises(Refused) as refused:
        act()
    assert refused.value.rule == "C9", refused.value
    return refused.value.render()


def test_c9_a_supervisor_of_one_office_cannot_act_for_another(
    seeded: Store, staff: dict[str, StaffView]
) -> None:
    sup = staff["sup"].actor
    says = _refused_c9(
        lambda: seeded.open_capacity("VAP", "RT", MONDAY, MONDAY, "09:00-10:00", 30, actor=sup)
    )
    assert "STG" in says
    _refused_c9(
        lambda: seeded.plan_capacity("VAP", "RT", MONDAY, MONDAY, "09:00-10:00", 30, actor=sup)
    )
    _refused_c9(
        lambda: seeded.block_slots("VAP", "RT", MONDAY, MONDAY, "09:00-10:00", "x", actor=sup)
    )
    _refused_c9(lambda: seeded.unblock_slots("VAP", "RT", MONDAY, MONDAY, "09:00-10:00", actor=sup))
    _refused_c9(lambda: seeded.add_closure("VAP", MONDAY, "Paro", actor=sup))
    _refused_c9(lambda: seeded.remove_closure("VAP", MONDAY, actor=sup))
    _refused_c9(lambda: seeded.closures("VAP", actor=sup))
    _refused_c9(lambda: seeded.to_rebook("VAP", actor=sup))
    _refused_c9(lambda: seeded.agenda("VAP", actor=sup))
    _refused_c9(lambda: seeded.close_day("VAP", MONDAY, actor=sup))
    _refused_c9(lambda: seeded.figures("VAP", actor=sup))
    assert seeded.slots("VAP", "RT") == []  # nothing was opened
    assert seeded.closures("VAP") == []


def test_c9_the_counter_s_day_belongs_to_the_office(
    seeded: Store, staff: dict[str, StaffView]
) -> None:
    open_day(seeded, "VAP", "RT")
    person = seeded.register(form(), terms_accepted=True).applicant.id
    booking = seeded.book(person, seeded.slots("VAP", "RT")[0].id)
    assert booking.code
    agent = staff["agente"].actor
    _refused_c9(lambda: seeded.check_in("VAP", booking.code or "", actor=agent))
    _refused_c9(lambda: seeded.mark_attended("VAP", booking.code or "", actor=agent))
    _refused_c9(lambda: seeded.mark_missed("VAP", booking.code or "", actor=agent))
    _refused_c9(lambda: seeded.undo_missed("VAP", booking.code or "", actor=agent))
    # A displaced booking of VAP is for VAP's staff to rebook.
    seeded.block_slots("VAP", "RT", MONDAY, MONDAY, "09:00-10:00", "Ausencia")
    _refused_c9(lambda: seeded.rebook(booking.code or "", actor=agent))
    _refused_c9(lambda: seeded.reenrol_displaced(booking.code or "", actor=agent))
    assert seeded.booking(booking.code).status == "displaced"
    rebooked_by = staff["sup.vap"].actor
    seeded.unblock_slots("VAP", "RT", MONDAY, MONDAY, "09:00-10:00", actor=rebooked_by)


def test_c9_a_national_supervisor_acts_for_every_office(
    seeded: Store, staff: dict[str, StaffView]
) -> None:
    national = staff["nacional"].actor
    opened = seeded.open_capacity("VAP", "RT", MONDAY, MONDAY, "09:00-10:00", 30, actor=national)
    assert opened.created == 2
    seeded.add_closure("ARI", MONDAY, "Paro", actor=national)
    assert [c.day for c in seeded.closures("ARI", actor=national)] == [MONDAY]
    assert seeded.agenda("VAP", MONDAY, actor=national) == []
    assert {f.office for f in seeded.figures(actor=national)} == {"STG", "VAP", "ARI"}


def test_c9_figures_of_office_staff_are_their_office_s(
    seeded: Store, staff: dict[str, StaffView]
) -> None:
    assert {f.office for f in seeded.figures(actor=staff["sup"].actor)} == {"STG"}
    assert {f.office for f in seeded.figures(actor=staff["sup.vap"].actor)} == {"VAP"}
    assert {f.office for f in seeded.figures("STG", actor=staff["sup"].actor)} == {"STG"}


def test_c9_finding_a_person_and_their_file_stay_national(
    seeded: Store, staff: dict[str, StaffView]
) -> None:
    """One person, one account: VAP's supervisor finds a person registered anywhere."""
    seeded.register(form(), terms_accepted=True)
    assert [a.document_number for a in seeded.find_applicants("P1234567")] == ["P1234567"]


def test_c9_tickets_belong_to_the_office_of_the_booking_or_place(
    seeded: Store, staff: dict[str, StaffView]
) -> None:
    """A ticket goes to the office of the booking it names, else of the person's booking or
    waitlist place; with none, any office answers it. STG staff neither see nor answer VAP's."""
    open_day(seeded, "VAP", "RT", hours="09:00-09:30")  # one time: the waitlist opens
    open_day(seeded, "STG", "RT")
    open_day(seeded, "STG", "RD")
    people = [
        seeded.register(
            form(
                document_number=f"P{n}000000",
                email=f"t{n}@correo.cl",
                email_confirmation=f"t{n}@correo.cl",
            ),
            terms_accepted=True,
        ).applicant.id
        for n in range(1, 5)
    ]
    vap_booking = seeded.book(people[0], seeded.slots("VAP", "RT")[0].id)
    stg_booking = seeded.book(people[1], seeded.slots("STG", "RT")[0].id)
    seeded.enrol(people[2], "VAP", "RT")
    seeded.book(people[0], seeded.slots("STG", "RD")[0].id)  # their newest booking is at STG
    # The reference names person 1's VAP booking: VAP, whatever else they have.
    by_code = seeded.open_ticket(
        people[0],
        "question",
        "Mi cita",
        "booking",
        "¿Puedo llegar antes?",
        (vap_booking.code or "").lower(),
    )
    # Someone else's code is not theirs to name: person 2's own booking (STG) decides.
    not_theirs = seeded.open_ticket(
        people[1], "question", "Cita", "booking", "Hola", vap_booking.code
    )
    by_place = seeded.open_ticket(people[2], "question", "Lista", "waitlist", "¿Cuándo?")
    nowhere = seeded.open_ticket(people[3], "question", "Cuenta", "account", "Hola")
    assert stg_booking.code

    def seen(name: str) -> dict[int, str | None]:
        return {t.id: t.office_code for t in seeded.open_tickets(actor=staff[name].actor)}

    assert seen("nacional") == {
        by_code.id: "VAP",
        not_theirs.id: "STG",
        by_place.id: "VAP",
        nowhere.id: None,
    }
    assert seen("agente") == {not_theirs.id: "STG", nowhere.id: None}
    assert seen("sup.vap") == {by_code.id: "VAP", by_place.id: "VAP", nowhere.id: None}
    _refused_c9(lambda: seeded.answer_ticket(by_code.id, "Sí", actor=staff["agente"].actor))
    assert by_code.id in seen("nacional")  # still open: nothing was written
    seeded.answer_ticket(nowhere.id, "Ingrese con su correo.", actor=staff["agente"].actor)
    seeded.answer_ticket(by_code.id, "Sí, 15 minutos antes.", actor=staff["sup.vap"].actor)
    seeded.answer_ticket(not_theirs.id, "Vea su ficha.", actor=staff["nacional"].actor)
    assert seen("nacional") == {by_place.id: "VAP"}


def test_failed_code_look_ups_are_audited_and_limited_per_actor(
    seeded: Store, staff: dict[str, StaffView], clock: Any
) -> None:
    """Issue 15 §6: `verify` answered 2,443 guesses a second with no record. Each miss is now
    audited (never with what was typed); after 20 misses in 10 minutes the same actor waits,
    even for a real code, while others carry on."""
    open_day(seeded, "STG", "RT")
    person = seeded.register(form(), terms_accepted=True).applicant.id
    real = seeded.book(person, seeded.slots("STG", "RT")[0].id).code or ""
    guesser, other = staff["agente"].actor, staff["sup"].actor
    for n in range(20):
        with pytest.raises(Refused) as missed:
            seeded.booking(f"ZZZZ-ZZZ{n % 10}", actor=guesser)
        assert missed.value.code == "code_not_found"
    with pytest.raises(Refused) as waiting:
        seeded.booking(real, actor=guesser)
    assert waiting.value.code == "too_many_lookups"
    assert seeded.booking(real, actor=other).code == real
    misses = seeded.audit_log("booking.lookup_failed", limit=50)
    assert len(misses) == 20 and {m.subject for m in misses} == {"unknown"}
    assert {m.actor for m in misses} == {"staff:agente"}
    clock.advance(minutes=10, seconds=1)
    assert seeded.booking(real, actor=guesser).code == real
