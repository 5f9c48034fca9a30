"""Booking: rules B2–B9, B11, K3, K6 and C6 (opening and blocking capacity)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from store import Store
from store.clock import FixedClock
from store.codes import new_code, normalize_code
from store.errors import InvalidInput, Refused
from store.validation import mask_document
from tests.factories import MONDAY, applicants, at, first_free, form, open_day


def _person(store: Store, n: int = 0) -> int:
    return applicants(store, 1, start=n)[0]


def test_b2_documents_to_bring_come_with_the_procedure(seeded: Store) -> None:
    choice = seeded.offices_for("CL-RM", "RT")
    assert choice.procedure.documents == ("Pasaporte vigente",)
    assert choice.procedure.documents_in("en") == ("Valid passport",)
    assert choice.procedure.name_in("en") == "Residencia temporal (en)"
    # A language with no translation entered shows the Spanish.
    assert choice.procedure.documents_in("ht") == ("Paspò ki valab",)
    assert choice.procedure.documents_in("fr") == ("Pasaporte vigente",)


def test_b3_only_the_regions_offices_that_book_the_procedure(seeded: Store) -> None:
    open_day(seeded)
    choice = seeded.offices_for("CL-RM", "RT")
    assert [o.office.code for o in choice.offerings] == ["STG"]
    assert choice.offerings[0].next_free is not None and choice.offerings[0].waiting == 0
    assert [o.office.code for o in seeded.offices_for("CL-VS", "RT").offerings] == ["VAP"]


def test_b4_no_office_books_it_so_say_where_to_go(seeded: Store) -> None:
    choice = seeded.offices_for("CL-AP", "RD")
    assert choice.none_bookable
    assert [o.code for o in choice.walk_in] == ["ARI"]
    assert choice.walk_in[0].address and choice.walk_in[0].opens_at
    # A region where no office offers it at all still points to its offices.
    assert [o.code for o in seeded.offices_for("CL-VS", "RD").walk_in] == ["VAP"]


def test_b5_times_show_free_seats_and_yours(seeded: Store) -> None:
    open_day(seeded, seats=2)
    me = _person(seeded)
    slot = first_free(seeded)
    seeded.book(me, slot)
    grid = {s.id: s for s in seeded.slots("STG", "RT", MONDAY, MONDAY, applicant_id=me)}
    assert grid[slot].free == 1 and grid[slot].mine
    assert [s.start.strftime("%H:%M") for s in grid.values()] == ["09:00", "09:30"]


def test_b6_hold_expires_and_frees_the_seat(seeded: Store, clock: FixedClock) -> None:
    open_day(seeded)
    a, b = _person(seeded, 0), _person(seeded, 1)
    slot = first_free(seeded)
    held = seeded.hold(a, slot)
    assert held.status == "held" and held.hold_expires_at == clock.now() + timedelta(minutes=5)
    with pytest.raises(Refused) as taken:
        seeded.hold(b, slot)
    assert taken.value.code == "slot_taken"
    clock.advance(minutes=5)
    assert next(s for s in seeded.slots("STG", "RT", MONDAY, MONDAY) if s.id == slot).free == 1
    assert seeded.hold(b, slot).status == "held"
    with pytest.raises(Refused) as expired:
        seeded.confirm(a, held.id)
    assert expired.value.code == "hold_expired"


def test_b6_confirming_an_expired_hold_is_refused_and_books_nothing(
    seeded: Store, clock: FixedClock
) -> None:
    """The hold runs out at 5:00 exactly; nothing else has swept it when the late confirm comes."""
    open_day(seeded)
    me, other = _person(seeded, 0), _person(seeded, 1)
    slot = first_free(seeded)
    held = seeded.hold(me, slot)
    clock.advance(minutes=5)
    with pytest.raises(Refused) as late:
        seeded.confirm(me, held.id)
    assert (late.value.rule, late.value.code) == ("B6", "hold_expired")
    assert all(b.status != "confirmed" and b.code is None for b in seeded.bookings_of(me))
    assert seeded.notices(me) == []
    assert seeded.hold(other, slot).status == "held"  # the time is free for the next person


def test_b6_release_frees_the_seat_at_once(seeded: Store) -> None:
    open_day(seeded)
    a, b = _person(seeded, 0), _person(seeded, 1)
    slot = first_free(seeded)
    held = seeded.hold(a, slot)
    seeded.release_hold(a, held.id)
    assert seeded.hold(b, slot).status == "held"


def test_b6_choosing_another_time_releases_the_first_hold(seeded: Store) -> None:
    open_day(seeded)
    me = _person(seeded)
    first, second = (s.id for s in seeded.slots("STG", "RT", MONDAY, MONDAY))
    seeded.hold(me, first)
    seeded.hold(me, second)
    free = {s.id: s.free for s in seeded.slots("STG", "RT", MONDAY, MONDAY)}
    assert free == {first: 1, second: 0}


def test_b7_code_is_short_unambiguous_and_checked(seeded: Store) -> None:
    open_day(seeded)
    booking = seeded.book(_person(seeded), first_free(seeded))
    assert booking.code and len(booking.code) == 8
    shown = booking.display_code
    assert shown is not None
    assert normalize_code(shown.lower()) == booking.code
    assert seeded.booking(shown.lower()).id == booking.id
    typo = booking.code[:3] + ("A" if booking.code[3] != "A" else "B") + booking.code[4:]
    assert normalize_code(typo) is None
    assert all(normalize_code(new_code()) for _ in range(200))
    assert not set("ILOU") & set("".join(new_code() for _ in range(200)))
    notice = seeded.notices(booking.applicant_id)[0]
    assert notice.kind == "booking" and notice.booking_code == booking.code
    assert "impreso" in notice.body.render()


def test_b8_one_active_booking_per_procedure(seeded: Store) -> None:
    open_day(seeded)
    open_day(seeded, procedure="RD")
    me = _person(seeded)
    first = seeded.book(me, first_free(seeded))
    with pytest.raises(Refused) as refused:
        seeded.book(me, first_free(seeded))
    assert first.display_code is not None
    assert refused.value.rule == "B8" and first.display_code in refused.value.render()
    assert seeded.book(me, first_free(seeded, procedure="RD")).status == "confirmed"


def test_b9_cancel_until_n_hours_before_hands_the_time_to_the_waitlist(
    seeded: Store, clock: FixedClock
) -> None:
    open_day(seeded, hours="09:00-09:30")
    a, b = _person(seeded, 0), _person(seeded, 1)
    booking = seeded.book(a, first_free(seeded))
    assert booking.code is not None
    seeded.enrol(b, "STG", "RT")
    cancelled = seeded.cancel(booking.code, applicant_id=a)
    assert cancelled.booking.code == booking.code
    assert cancelled.assigned == 1
    assert [x.status for x in seeded.bookings_of(b)] == ["confirmed"]
    assert seeded.waitlist("STG", "RT") == []
    # Within 24 hours of the time, cancelling is refused.
    c = _person(seeded, 2)
    open_day(seeded, day=MONDAY + timedelta(days=1), hours="09:00-09:30")
    late = seeded.book(c, seeded.slots("STG", "RT", MONDAY + timedelta(days=1))[0].id)
    assert late.code is not None
    clock.set(at(MONDAY + timedelta(days=1), 8))
    with pytest.raises(Refused) as refused:
        seeded.cancel(late.code, applicant_id=c)
    assert refused.value.code == "cancel_too_late"


def test_b9_original_rule_never_cancel(seeded: Store) -> None:
    open_day(seeded, office="VAP")
    me = _person(seeded)
    booking = seeded.book(me, first_free(seeded, office="VAP"))
    assert booking.code is not None
    with pytest.raises(Refused) as refused:
        seeded.cancel(booking.code, applicant_id=me)
    assert refused.value.code == "cancel_not_allowed"


def test_b11_after_the_time_passes_booking_again_is_allowed(
    seeded: Store, clock: FixedClock
) -> None:
    open_day(seeded, hours="09:00-09:30")
    open_day(seeded, day=MONDAY + timedelta(days=7), hours="09:00-09:30")
    me = _person(seeded)
    seeded.book(me, first_free(seeded))
    clock.set(at(MONDAY, 10))
    later = seeded.slots("STG", "RT", MONDAY + timedelta(days=7))[0].id
    assert seeded.book(me, later).status == "confirmed"


def test_k3_double_press_holds_and_confirms_once(seeded: Store) -> None:
    open_day(seeded, seats=3)
    me = _person(seeded)
    slot = first_free(seeded)
    h1, h2 = seeded.hold(me, slot), seeded.hold(me, slot)
    assert h1.id == h2.id
    c1, c2 = seeded.confirm(me, h1.id), seeded.confirm(me, h1.id)
    assert c1.code == c2.code
    assert len(seeded.bookings_of(me)) == 1
    assert [n.kind for n in seeded.notices(me)] == ["booking"]


def test_k3_booking_a_time_you_hold_confirms_that_hold(seeded: Store) -> None:
    """`book` (the command line, assisted mode) on a time the person holds from the screen
    confirms that hold: one booking with a code, its seat kept, one notice, no second seat."""
    open_day(seeded, seats=2)
    me = _person(seeded)
    slot = first_free(seeded)
    held = seeded.hold(me, slot)
    booked = seeded.book(me, slot)
    assert (booked.id, booked.status, booked.seat) == (held.id, "confirmed", held.seat)
    assert booked.code is not None and normalize_code(booked.code) == booked.code
    assert [b.id for b in seeded.bookings_of(me)] == [held.id]
    assert [n.kind for n in seeded.notices(me)] == ["booking"]
    free = {s.id: s.free for s in seeded.slots("STG", "RT", MONDAY, MONDAY)}
    assert free[slot] == 1


def test_k3_a_second_press_on_a_time_you_hold_is_your_hold_though_the_time_is_full(
    seeded: Store, clock: FixedClock
) -> None:
    """The time's one seat is the person's own hold: a full time is refused before the lock
    (B6) only when nobody but others hold it; a hold run out gives the seat to the next."""
    open_day(seeded, hours="09:00-09:30", seats=1)  # the office's one time
    me, other, third = _person(seeded, 0), _person(seeded, 1), _person(seeded, 2)
    slot = first_free(seeded)
    held = seeded.hold(me, slot)
    assert seeded.hold(me, slot).id == held.id
    with pytest.raises(Refused) as full:
        seeded.hold(other, slot)
    assert (full.value.rule, full.value.code) == ("B6", "slot_taken")
    clock.advance(minutes=5)
    assert seeded.book(other, slot).status == "confirmed"
    with pytest.raises(Refused) as booked:
        seeded.book(other, slot)
    assert booked.value.code == "already_booked"  # B8 for the person whose booking it is
    with pytest.raises(Refused) as taken:
        seeded.hold(third, slot)
    assert taken.value.code == "slot_taken"
    seeded.enrol(third, "STG", "RT")  # the office is full: the waitlist takes them
    with pytest.raises(Refused) as waiting:
        seeded.hold(third, slot)
    assert waiting.value.code == "waiting_for_procedure"  # W1 for a person who waits


def test_k6_document_numbers_are_masked() -> None:
    assert mask_document("cedula", "12345678-5") == "12.3**.***-5"
    assert mask_document("cedula", "22345678-K") == "22.3**.***-K"
    masked = mask_document("passport", "P1234567")
    assert masked.startswith("P1") and masked.endswith("7") and "2345" not in masked


def test_k6_audit_log_holds_no_full_document(seeded: Store) -> None:
    reg = seeded.register(
        form(document_type="cedula", document_number="12.345.678-5"), terms_accepted=True
    )
    open_day(seeded)
    seeded.book(reg.applicant.id, first_free(seeded))
    assert all("12345678" not in e.details for e in seeded.audit_log())


def test_c6_opening_skips_weekends_holidays_and_closures(seeded: Store) -> None:
    # 7 to 9 December 2026: Monday 7, Tuesday 8 (Inmaculada Concepción), Wednesday 9.
    plan = seeded.plan_capacity(
        "STG", "RT", date(2026, 12, 5), date(2026, 12, 9), "09:00-11:00", 30
    )
    assert plan.days == (date(2026, 12, 7), date(2026, 12, 9))
    reasons = {s.day: s.reason for s in plan.skipped}
    assert reasons[date(2026, 12, 5)] == "sábado" and "Inmaculada" in reasons[date(2026, 12, 8)]
    result = seeded.open_capacity(
        "STG", "RT", date(2026, 12, 5), date(2026, 12, 9), "09:00-11:00", 30, 2
    )
    assert (result.created, result.assigned) == (8, 0)
    again = seeded.open_capacity(
        "STG", "RT", date(2026, 12, 5), date(2026, 12, 9), "09:00-11:00", 30, 2
    )
    assert again.created == 0


def test_c6_regional_holiday_is_skipped_only_in_its_region(seeded: Store) -> None:
    # 7 June: Asalto y Toma del Morro de Arica, a holiday of Arica y Parinacota only (2027: Monday).
    day = date(2027, 6, 7)
    assert seeded.plan_capacity("ARI", "RT", day, day, "09:00-10:00", 30).days == ()
    assert seeded.plan_capacity("STG", "RT", day, day, "09:00-10:00", 30).days == (day,)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((date(2026, 12, 9), date(2026, 12, 1), "09:00-10:00", 30), "from"),
        ((date(2026, 11, 1), date(2026, 11, 2), "09:00-10:00", 30), "from"),
        ((date(2026, 12, 1), date(2026, 12, 1), "07:00-10:00", 30), "hours"),
        ((date(2026, 12, 1), date(2026, 12, 1), "10-9", 30), "hours"),
        ((date(2026, 12, 1), date(2026, 12, 1), "09:00-10:00", 2), "every"),
    ],
)
def test_c6_bad_capacity_input_is_refused_clearly(
    seeded: Store, args: tuple[date, date, str, int], field: str
) -> None:
    with pytest.raises(InvalidInput) as invalid:
        seeded.open_capacity("STG", "RT", *args, 1)
    assert invalid.value.field == field


def test_c6_blocking_displaces_booked_times_for_rebooking(seeded: Store) -> None:
    open_day(seeded)
    me = _person(seeded)
    booking = seeded.book(me, first_free(seeded))
    assert booking.code is not None
    change = seeded.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-10:00", "Corte de luz")
    assert [b.code for b in change.displaced] == [booking.code]
    assert all(s.blocked and s.free == 0 for s in seeded.slots("STG", "RT", MONDAY, MONDAY))
    assert seeded.booking(booking.code).status == "displaced"


def test_c2_assisted_mode_records_the_agent(seeded: Store) -> None:
    agent = seeded.create_staff("agente", "Camila Rojas", "agent", "clave-agente", "STG")
    reg = seeded.register(form(), terms_accepted=True, actor=agent.actor)
    open_day(seeded)
    booking = seeded.book(reg.applicant.id, first_free(seeded), actor=agent.actor)
    actors = {e.action: e.actor for e in seeded.audit_log()}
    assert actors["applicant.registered"] == "staff:agente"
    assert actors["booking.confirmed"] == "staff:agente"
    assert booking.applicant_id == reg.applicant.id
