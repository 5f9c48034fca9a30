"""Properties under generated input: the waitlist's order (W2) and every validator (A2–A7).

Hypothesis runs on SQLite only (a fresh database file per example); the same services run on
PostgreSQL in the rule and concurrency tests."""

from __future__ import annotations

import contextlib
import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col

from store import Store, validation
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.errors import InvalidInput, Refused
from store.forms import ApplicantForm, clean_applicant_form
from store.models import Booking, Slot, WaitlistEntry
from tests.factories import applicants, assigned_entries, seed_catalog

PEOPLE = 6
operation = st.one_of(
    st.tuples(st.just("enrol"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("withdraw"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("open"), st.integers(0, 9)),
    st.tuples(st.just("cancel"), st.integers(0, PEOPLE - 1)),
)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    path = tmp_path_factory.mktemp("waitlist") / "seeded.db"
    shutil.copy(sqlite_template, path)
    store = Store(str(path), clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)))
    seed_catalog(store)
    applicants(store, PEOPLE)
    store.close()
    return path


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(operation, min_size=1, max_size=14))
def test_w2_any_interleaving_keeps_enrolment_order(
    seeded_template: Path, tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int]]
) -> None:
    path = tmp_path_factory.mktemp("example") / "k.db"
    shutil.copy(seeded_template, path)
    clock = FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))
    store = Store(str(path), clock=clock, passwords=Passwords(fast_hasher()))
    people = list(range(1, PEOPLE + 1))
    day = date(2026, 11, 30)
    for name, n in ops:
        clock.advance(minutes=1)
        # A refusal (already waiting, nothing to withdraw …) is a legitimate outcome here.
        with contextlib.suppress(Refused):
            if name == "enrol":
                store.enrol(people[n], "STG", "RT")
            elif name == "withdraw":
                store.withdraw(people[n], "STG", "RT")
            elif name == "open":
                start = datetime.combine(day, time(9 + n // 2, 30 * (n % 2)))
                window = f"{start:%H:%M}-{start + timedelta(minutes=30):%H:%M}"
                store.open_capacity("STG", "RT", day, day, window, 30, 1)
            elif name == "cancel":
                mine = [b for b in store.bookings_of(people[n]) if b.status == "confirmed"]
                if mine:
                    code = mine[0].code
                    assert code is not None  # a confirmed booking has its code
                    store.cancel(code, applicant_id=people[n])
    with store.database.reading() as session:
        slots = session.execute(sa.select(col(Slot.id), col(Slot.seats), col(Slot.taken))).all()
        active = session.execute(
            sa.select(col(Booking.slot_id), col(Booking.seat)).where(
                col(Booking.status).in_(("held", "confirmed"))
            )
        ).all()
        assigned = assigned_entries(session)
        waiting = session.scalar(
            sa.select(sa.func.count())
            .select_from(WaitlistEntry)
            .where(col(WaitlistEntry.status) == "waiting")
        )
    # Never over-assigned; every seat once; counters agree with the bookings.
    assert all(taken <= seats for _, seats, taken in slots)
    assert len(active) == len(set(active)) == sum(taken for _, _, taken in slots)
    # Each entry assigned at most once, and always in enrolment order.
    assert len(assigned) == len(set(assigned))
    assert assigned == sorted(assigned)
    # Nobody waits while a seat is free (W2 ran every time capacity opened).
    free = sum(seats - taken for _, seats, taken in slots)
    assert waiting == 0 or free == 0
    store.close()


hostile_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"])),
    st.sampled_from(
        ["[b]bold[/b]", "'; DROP TABLE applicants; --", "\u202eevil", "\u200f", "x" * 10_000]
    ),
)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_a7_validators_never_crash_and_always_explain(text: str) -> None:
    checks = [
        lambda: validation.normalize_name("given_names", text),
        lambda: validation.normalize_email(text),
        lambda: validation.normalize_run(text),
        lambda: validation.normalize_passport(text),
        lambda: validation.normalize_document("cedula", text),
        lambda: validation.normalize_nationality(text),
        lambda: validation.normalize_phone(text),
        lambda: validation.parse_date("birth_date", text),
        lambda: validation.check_new_password(text),
    ]
    for check in checks:
        try:
            check()
        except InvalidInput as error:
            sentence = error.render()
            assert sentence and sentence[-1] in ".»" and "Traceback" not in sentence


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f.name for f in ApplicantForm.__dataclass_fields__.values()]), hostile_text
    )
)
def test_a2_whole_form_never_crashes(values: dict[str, str]) -> None:
    base = {name: "" for name in ApplicantForm.__dataclass_fields__}
    base.update(values)
    base["language"] = base.get("language") or "es"
    try:
        clean_applicant_form(ApplicantForm(**base), date(2026, 11, 23))
    except InvalidInput as error:
        assert error.render()


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=5, max_size=12, alphabet="0123456789Kk.- "))
def test_a7_a_valid_run_survives_every_spelling(text: str) -> None:
    try:
        normal = validation.normalize_run(text)
    except InvalidInput:
        return
    assert validation.normalize_run(validation.format_document("cedula", normal)) == normal
