"""The demo's data files (store/data/) hang together, and the demo loads on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from store import Store
from store.demo import FULL_OFFERINGS, LARGE_OFFICES, read_rows
from store.errors import InvalidInput
from store.services.roles import ROLES


def test_demo_files_refer_only_to_what_exists() -> None:
    """A misspelt code would drop a document or make a procedure bookable nowhere, silently.
    (The catalogue loader refuses a reference to nothing too; this checks the demo's own.)"""
    regions = {row["code"] for row in read_rows("catalog/regions.csv")}
    offices = read_rows("catalog/offices.csv")
    office_codes = {row["code"] for row in offices}
    procedures = {row["code"] for row in read_rows("catalog/procedures.csv")}
    documented = {row["procedure"] for row in read_rows("catalog/documents.csv")}
    offerings = read_rows("catalog/offerings.csv")
    assert documented == procedures  # every procedure says what to bring
    assert {row["region"] for row in offices} <= regions
    assert {row["cancel_policy"] for row in offices} <= {"never", "hours_before"}
    assert {(row["office"], row["procedure"]) for row in offerings} == {
        (o, p) for o in office_codes for p in procedures
    }
    assert LARGE_OFFICES.issubset(office_codes)
    assert {o for o, _ in FULL_OFFERINGS} <= office_codes
    assert {p for _, p in FULL_OFFERINGS} <= procedures
    staff = read_rows("demo_staff.csv")
    assert {row["role"] for row in staff} == set(ROLES)
    # "" is a national account (C9, C10): the demo's national supervisor.
    assert {row["office"] for row in staff} <= office_codes | {""}


def test_demo_loads_its_catalogue_capacity_and_people(store: Store) -> None:
    summary = store.load_demo(date(2026, 11, 23))
    assert {k: summary[k] for k in ("regions", "offices", "procedures", "applicants")} == {
        "regions": 16,
        "offices": 24,
        "procedures": 9,
        "applicants": 10,
    }
    assert summary["waiting"] == 6 and summary["slots"] == 25992
    catalog = store.catalog()
    assert len(catalog.offerings) == 24 * 9
    assert sum(len(p.documents) for p in catalog.procedures) == 25
    assert [e.position for e in store.waitlist("STG", "RD")] == [1, 2, 3, 4, 5]
    assert store.login_staff("supervisora", "supervisora-demo-2026").role == "supervisor"
    national = store.login_staff("nacional", "nacional-demo-2026")
    assert (national.role, national.office) == ("supervisor", None)


def test_w1_the_demo_s_waiting_people_have_their_enrolment_notice(store: Store) -> None:
    """Enrolled as anyone is: each waiting person's mailbox holds the notice W1 sends, with
    their place, dated the day they enrolled (weeks before the demo's first day)."""
    store.load_demo(date(2026, 11, 23))
    entries = [e for office, procedure in FULL_OFFERINGS for e in store.waitlist(office, procedure)]
    assert len(entries) == 6
    for entry in entries:
        notices = [n for n in store.notices(entry.applicant_id) if n.kind == "waitlist_enrolled"]
        assert len(notices) == 1, entry
        (notice,) = notices
        assert f"en el lugar {entry.position}." in notice.body.render()
        assert notice.created_at == entry.enrolled_at < datetime(2026, 11, 23, tzinfo=UTC)


def test_demo_for_a_day_already_past_is_refused_and_writes_nothing(store: Store) -> None:
    """Its times would all have passed (the clock's day is 23-11-2026): bad input, no half demo."""
    with pytest.raises(InvalidInput) as past:
        store.load_demo(date(2026, 11, 20))
    assert past.value.field == "today"
    assert store.is_empty()
