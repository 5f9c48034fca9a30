"""A booking in one step on its common path (issue 19): `book` looks before its transaction
(`look_to_book`), writes the booking with a few compiled statements put together from that
look (store/services/booking.py `book_after_look`; on PostgreSQL in one round trip), or in
its transaction where the look went out of date (`_book_directly`), and sends everything else
the long way (`_hold`). All must write the same booking, notice, e-mail and audit event, and
every rule the direct path leaves to the long way must still answer; a time full to its last
seat is refused after the look, outside any transaction."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col

from store import Store
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.errors import NotFound, Refused
from store.models import AuditEvent, Booking, Notice, Outbox, Slot
from store.services import booking as booking_service
from store.validation import mask_document
from store.views import BookingView
from tests.factories import MONDAY, applicants, open_day
from tests.workers import results as worker_results
from tests.workers import spawn, start_together

# What differs between two people's bookings of two times (the deadline follows the time).
_DIFFERING = {
    "id",
    "code",
    "applicant_id",
    "applicant_name",
    "document_number",
    "slot_id",
    "start",
    "cancel_until",
}


def _long_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on `book` takes the long way whatever the case."""
    _not_after_look(monkeypatch)
    monkeypatch.setattr(booking_service, "_book_directly", lambda *_: None)


def _not_after_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on `book` takes the direct path inside its transaction (as it does after the
    look went out of date), or the long way."""
    monkeypatch.setattr(booking_service, "book_after_look", lambda *_: None)


def _spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """What `booking_service.<name>` returns, call by call, from now on."""
    took: list[Any] = []
    way = getattr(booking_service, name)

    def spied(*args: Any) -> Any:
        took.append(way(*args))
        return took[-1]

    monkeypatch.setattr(booking_service, name, spied)
    return took


def _rows(store: Store, view: BookingView) -> dict[str, Any]:
    """What a booking wrote: its row, its notice, its e-mail, its audit event."""
    with store.database.reading() as session:
        row = session.scalar(sa.select(Booking).where(col(Booking.id) == view.id))
        notice = session.scalar(sa.select(Notice).where(col(Notice.booking_id) == view.id))
        assert row is not None and notice is not None
        mail = session.scalar(sa.select(Outbox).where(col(Outbox.notice_id) == notice.id))
        event = session.scalar(
            sa.select(AuditEvent).where(
                col(AuditEvent.action) == "booking.confirmed", col(AuditEvent.subject) == row.uuid
            )
        )
        assert event is not None
        params = json.loads(notice.params)
        assert (params.pop("code"), params.pop("date"), params.pop("time")) == (
            view.display_code,
            view.start.strftime("%d-%m-%Y"),
            view.start.strftime("%H:%M"),
        )
        details = json.loads(event.details)
        assert (details.pop("code"), details.pop("slot")) == (view.code, view.slot_id)
        assert details.pop("document") == mask_document(view.document_type, view.document_number)
        return {
            "booking": (
                row.status,
                row.seat,
                row.hold_expires_at,
                row.confirmed_at,
                row.created_by,
            ),
            "notice": (notice.kind, notice.subject, notice.body, params, notice.created_at),
            "mail": None if mail is None else (mail.to_address != "", mail.sent_at),
            "event": (event.actor.split(":")[0], event.at, details),
        }


@pytest.mark.parametrize("mail", [False, True], ids=["no-mail", "mail"])
@pytest.mark.parametrize("by", ["applicant", "agent"])
def test_b6_b7_m1_c1_the_direct_path_writes_what_the_long_way_writes(
    seeded: Store, monkeypatch: pytest.MonkeyPatch, mail: bool, by: str
) -> None:
    """Times alike, seats 1 and 3 of each taken: one person books the first the direct way
    from the look (on PostgreSQL: in one round trip), another the second by the direct path
    inside its transaction (where a look out of date leaves it), a third the last the long
    way. Each by themselves or by an agent (C2). Same seat (the lowest free), same view, same
    notice and e-mail, same audit event."""
    store = Store(
        seeded.url, clock=seeded.clock, passwords=Passwords(fast_hasher()), mail_enabled=mail
    )
    agent = store.create_staff("agente", "Camila Rojas", "agent", "clave-agente", "STG").actor
    by_whom = agent if by == "agent" else None
    open_day(store, hours="09:00-10:30", seats=3)
    times = [s.id for s in store.slots("STG", "RT", MONDAY, MONDAY)]
    fillers = applicants(store, 9, start=10)
    for n, slot in enumerate(times):
        people = fillers[3 * n : 3 * n + 3]
        booked = [store.book(person, slot) for person in people]
        assert [b.seat for b in booked] == [1, 2, 3]
        # Seat 2 given back: the lowest free seat is 2, between two taken ones.
        store.cancel(booked[1].code or "", applicant_id=people[1])
    a, b, c = applicants(store, 3, start=20)
    took = _spy(monkeypatch, "book_after_look")
    direct = [store.book(a, times[0], actor=by_whom)]
    assert took == direct  # it went the direct way
    _not_after_look(monkeypatch)
    took = _spy(monkeypatch, "_book_directly")
    direct.append(store.book(c, times[1], actor=by_whom))
    assert took == direct[1:]
    _long_way(monkeypatch)
    long = store.book(b, times[2], actor=by_whom)
    for view in direct:
        assert view.seat == long.seat == 2
        assert {k: v for k, v in vars(view).items() if k not in _DIFFERING} == {
            k: v for k, v in vars(long).items() if k not in _DIFFERING
        }
        assert view.code and view.code != long.code
        assert view.cancel_until and long.cancel_until
        assert view.start - view.cancel_until == long.start - long.cancel_until
        written = _rows(store, view)
        assert written == _rows(store, long)
        assert written["booking"][-1] == (None if by == "applicant" else agent.id)
        assert (written["mail"] is not None) is mail
    with store.database.reading() as session:
        taken = dict(session.execute(sa.select(col(Slot.id), col(Slot.taken))).all())
    assert [taken[slot] for slot in times] == [3, 3, 3]
    assert store.verify_audit().ok
    store.close()


def test_b5_b6_b8_w1_w2_o3_what_the_direct_path_leaves_is_answered_as_before(
    seeded: Store, clock: FixedClock
) -> None:
    """The cases the direct path sends the long way: each answer is the rule's."""
    open_day(seeded, hours="09:00-10:00", seats=1)
    early, late = [s.id for s in seeded.slots("STG", "RT", MONDAY, MONDAY)]
    me, other, third, fourth = applicants(seeded, 4, start=30)

    def refusal(person: int, slot: int, store: Store = seeded) -> tuple[str, str]:
        with pytest.raises(Refused) as refused:
            store.book(person, slot)
        return refused.value.rule, refused.value.code

    mine = seeded.book(me, early)
    assert refusal(me, late) == ("B8", "already_booked")
    assert refusal(other, early) == ("B6", "slot_taken")
    seeded.hold(other, late)  # the office's last seat
    assert refusal(third, late) == ("B6", "slot_taken")
    seeded.enrol(third, "STG", "RT")
    assert refusal(third, late) == ("W1", "waiting_for_procedure")
    # The hold runs out: its seat is the waiting person's (W2), not the next one's to try.
    clock.advance(minutes=6)
    assert refusal(fourth, late) == ("B6", "slot_taken")
    seeded.expire_holds()
    assert [b.slot_id for b in seeded.bookings_of(third) if b.status == "confirmed"] == [late]
    # A closed time, then a past one.
    seeded.block_slots("STG", "RT", MONDAY, MONDAY, "09:00-09:30", "Corte de luz")
    assert seeded.booking(mine.code or "").status == "displaced"
    assert refusal(fourth, early) == ("B5", "slot_closed")
    clock.advance(days=8)
    assert refusal(fourth, late) == ("B6", "slot_past")
    # O3: an office's own store books only its own times (the displaced person is served
    # one of the two seats opened, the other is free).
    later = MONDAY + timedelta(days=14)
    open_day(seeded, day=later, hours="09:00-09:30", seats=2)
    (elsewhere,) = [s.id for s in seeded.slots("STG", "RT", later, later)]
    vap = Store(seeded.url, clock=clock, store_code="VAP")
    assert refusal(fourth, elsewhere, vap) == ("O3", "other_office_capacity")
    for store in (vap, seeded):  # no such time
        with pytest.raises(NotFound):
            store.book(fourth, 999_999)
    vap.close()
    assert seeded.book(fourth, elsewhere).seat == 2


@pytest.mark.parametrize("change", ["taken", "booked", "enrolled", "not offered", "code"])
def test_b6_b8_w1_a_look_out_of_date_writes_nothing(
    seeded: Store, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A booking goes by a look before its transaction (`look_to_book`); what it writes is put
    together from the look, and written under the seat's conditional UPDATE (on PostgreSQL
    sent with it in one trip, before knowing whether it takes the seat). Where the look is out
    of date (the seat taken since, the person booked or enrolled meanwhile, the office no
    longer offering the procedure, the code drawn given to another booking), nothing of it is
    written and the long way gives the rule's answer (it books where only the offer or the
    code went)."""
    open_day(seeded, hours="09:00-10:00", seats=1)
    first, second = [s.id for s in seeded.slots("STG", "RT", MONDAY, MONDAY)]
    me, other = applicants(seeded, 2, start=40)
    now = seeded.clock.now()
    seen = seeded.database.peek(
        lambda connection: booking_service.look_to_book(connection, now, me, first)
    )
    assert not isinstance(seen, Refused) and seen.taken == 0  # a free seat, as it was seen
    answer: tuple[str, str] | None
    taken_code: str | None = None
    if change == "taken":
        seeded.book(other, first)
        answer = ("B6", "slot_taken")
    elif change == "booked":
        seeded.book(me, second)
        answer = ("B8", "already_booked")
    elif change == "enrolled":
        seeded.enrol(me, "VAP", "RT")  # another office, with no time free
        answer = ("W1", "waiting_for_procedure")
    elif change == "code":  # the code drawn is one a booking has (B7)
        taken_code = seeded.book(other, second).code
        drawn = [taken_code]  # then fresh ones, as drawing goes on
        fresh = booking_service.new_code
        monkeypatch.setattr(booking_service, "new_code", lambda: drawn.pop() if drawn else fresh())
        answer = None
    else:
        with seeded.database.engine.begin() as connection:
            connection.execute(
                sa.text("DELETE FROM office_procedures WHERE office_id = :o AND procedure_id = :p"),
                {"o": seen.office_id, "p": seen.procedure_id},
            )
        answer = None
    before = _counts(seeded)
    monkeypatch.setattr(booking_service, "look_to_book", lambda *_: seen)
    after_look = _spy(monkeypatch, "book_after_look")
    if answer is None:  # the long way books, once: it draws its own code, and the offer
        booked = seeded.book(me, first)  # is not one of its conditions
        assert booked.seat == 1 and booked.code != taken_code
        assert _counts(seeded) == tuple(n + 1 for n in before)
    else:
        with pytest.raises(Refused) as refused:
            seeded.book(me, first)
        assert (refused.value.rule, refused.value.code) == answer
        assert _counts(seeded) == before
    assert after_look == [None]  # it went, and wrote nothing
    assert seeded.verify_audit().ok


def _counts(store: Store) -> tuple[Any, ...]:
    """Bookings, notices, audit events and seats taken, as they stand."""
    with store.database.reading() as session:
        return tuple(
            session.scalar(sa.text(query))
            for query in (
                "SELECT count(*) FROM bookings",
                "SELECT count(*) FROM notices",
                "SELECT count(*) FROM audit_events",
                "SELECT sum(taken) FROM slots",
            )
        )


@pytest.mark.slow
def test_b8_four_processes_booking_for_the_same_people_book_each_once(seeded: Store) -> None:
    """Four kiosks book the same 60 people at once, each on times of its own: every person
    ends with one booking (B8), the others told so; the direct path's person lock and its
    conditions checked again under it (on PostgreSQL; SQLite has one writer at a time)."""
    last = MONDAY + timedelta(days=11)
    seeded.open_capacity("STG", "RT", MONDAY, last, "09:00-12:00", 5, 1)
    slots = [s.id for s in seeded.slots("STG", "RT", MONDAY, last)]
    people = applicants(seeded, 60, start=50)
    assert len(slots) >= 4 * len(people)
    processes = [
        spawn("book_each", seeded.url, [[p, slots[n * 60 + i]] for i, p in enumerate(people)])
        for n in range(4)
    ]
    start_together(processes)
    answers = worker_results(processes)
    assert sum(a.get("booked", 0) for a in answers) == 60
    assert sum(a.get("B8", 0) for a in answers) == 180
    with seeded.database.reading() as session:
        per_person = dict(
            session.execute(
                sa.select(col(Booking.applicant_id), sa.func.count())
                .where(col(Booking.status) == "confirmed")
                .group_by(col(Booking.applicant_id))
            ).all()
        )
        taken = session.scalar(sa.select(sa.func.sum(Slot.taken)))
    assert per_person == dict.fromkeys(people, 1) and taken == 60
