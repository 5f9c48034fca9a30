"""O3, O4: offices that work offline exchange signed bundles with the central store: a round
trip through the central store, an import twice, an export that writes nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col

from store import Store, bundle
from store.bundle import CENTRAL
from store.errors import Refused
from store.models import Applicant, Booking, SyncConflict, WaitlistEntry
from tests.store.bundle_sites import KEYS, TRUST, Site, double_booked, dump, people, round_trip


def test_o4_round_trip_two_offices_and_the_central_store(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    facts = round_trip(central, offices, tmp_path)
    stg, vap = offices["STG"].store, offices["VAP"].store
    # Each office sees the other's applicants.
    assert people(stg, "P3333333") and people(vap, "P2222222")
    # The person registered at both offices is one account, with both bookings, everywhere.
    for store in (central.store, stg, vap):
        (ana,) = people(store, "P1111111")
        with store.database.reading() as session:
            codes = set(
                session.scalars(
                    sa.select(col(Booking.code)).where(col(Booking.applicant_id) == ana.id)
                )
            )
        assert codes == facts["ana_codes"], store.url
    # Bruno's place in the queue travelled too, and the ticket with its answer.
    with central.store.database.reading() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry)) == 1
    # Nobody is double-booked anywhere.
    for store in (central.store, stg, vap):
        assert double_booked(store) == []
    # The two e-mails are a conflict for staff, never overwritten.
    with central.store.database.reading() as session:
        conflicts = list(session.scalars(sa.select(SyncConflict)))
    assert {(c.field, c.local_value, c.incoming_value) for c in conflicts} == {
        ("email", "ana@stg.cl", "ana@vap.cl"),
        ("phone", None, "+56987654321"),
    }
    (ana,) = people(central.store, "P1111111")
    assert ana.email == "ana@stg.cl"
    found = central.store.sync_conflicts(actor=central.supervisor.actor)
    assert {c.field for c in found} == {"email", "phone"}


def test_o4_importing_the_same_bundle_twice_changes_nothing(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    round_trip(central, offices, tmp_path)
    for site, path in (
        (central, tmp_path / "STG.bundle"),
        (central, tmp_path / "VAP.bundle"),
        (offices["VAP"], tmp_path / "to-VAP.bundle"),
    ):
        before = dump(site.store)
        again = site.take(path)
        assert all(c["inserted"] == c["updated"] == c["conflicts"] == 0 for c in again.values()), (
            again
        )
        assert sum(c["unchanged"] for c in again.values()) > 0
        assert dump(site.store) == before


def test_o4_an_export_writes_nothing_and_the_next_carries_only_what_changed(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    round_trip(central, offices, tmp_path)
    stg = offices["STG"]
    before = dump(stg.store)
    stg.export(tmp_path / "again.bundle")
    assert dump(stg.store) == before
    # Central has acknowledged STG's first bundle (its own bundle to STG said so): the next
    # one from STG carries only what changed since.
    again = stg.export(tmp_path / "again.bundle")
    assert again.rows["bookings"] == again.rows["slots"] == again.rows["waitlist_entries"] == 0
    everything = stg.export(tmp_path / "all.bundle", everything=True)
    assert everything.rows["bookings"] >= 1 and everything.rows["audit_events"] > 0


def test_o3_an_office_keeps_its_own_bookings_as_they_are_here(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    """O3: STG's capacity, bookings and waitlist are STG's; a bundle from the central store that
    says otherwise (here: its booking cancelled, its time with more seats) changes nothing at
    STG, while the central store took STG's rows as sent."""
    round_trip(central, offices, tmp_path)
    got = bundle.read(tmp_path / "STG.bundle", own_code=CENTRAL, trust=TRUST[CENTRAL])
    bookings, slots = got.tables["bookings"], got.tables["slots"]
    status, seats = bookings.columns.index("status"), slots.columns.index("seats")
    tampered = {name: t for name, t in got.tables.items() if name != "audit_events"}
    tampered["bookings"] = replace(
        bookings, rows=[(*r[:status], "cancelled", *r[status + 1 :]) for r in bookings.rows]
    )
    tampered["slots"] = replace(slots, rows=[(*r[:seats], 9, *r[seats + 1 :]) for r in slots.rows])
    manifest = {**got.manifest, "store": CENTRAL, "to": "STG", "closures_for": "[]"}
    path = tmp_path / "says-otherwise.bundle"
    bundle.write(path, manifest, tampered, KEYS[CENTRAL])
    stg = offices["STG"]
    before = dump(stg.store, ("audit_events", "sync_peers"))
    result = stg.take(path)
    assert result["bookings"]["updated"] == result["slots"]["updated"] == 0
    assert dump(stg.store, ("audit_events", "sync_peers")) == before
    # The central store, by contrast, takes a bundle from STG as sent.
    assert central.take(path.with_name("STG.bundle"))["bookings"]["unchanged"] == 1
    with central.store.database.reading() as session:
        assert set(session.scalars(sa.select(col(Booking.status)))) == {"confirmed"}


def test_o4_contact_data_changed_at_an_office_is_a_conflict_not_an_overwrite(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    """Bruno's e-mail changes at STG after the first exchange: the central store keeps the one
    it has and asks staff to choose; once they choose STG's, it is his everywhere."""
    round_trip(central, offices, tmp_path)
    stg = offices["STG"]
    stg.store.database.write(
        lambda session: session.execute(
            sa.update(Applicant)
            .where(col(Applicant.document_number) == "P2222222")
            .values(email="bruno.nuevo@correo.cl", phone="+56987650000")
        )
    )
    stg.export(tmp_path / "later.bundle")
    counts = central.take(tmp_path / "later.bundle")
    assert counts["applicants"]["conflicts"] == 2 and counts["applicants"]["updated"] == 0
    (bruno,) = people(central.store, "P2222222")
    assert (bruno.email, bruno.phone) == ("bruno@correo.cl", None)
    chosen = next(
        c
        for c in central.store.sync_conflicts(actor=central.supervisor.actor)
        if c.field == "email" and c.applicant_id == bruno.id
    )
    central.store.resolve_conflict(chosen.id, "incoming", actor=central.supervisor.actor)
    (bruno,) = people(central.store, "P2222222")
    assert bruno.email == "bruno.nuevo@correo.cl"
    with pytest.raises(Refused):  # chosen once
        central.store.resolve_conflict(chosen.id, "local", actor=central.supervisor.actor)


def test_o3_an_offices_store_books_only_its_own_times(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    """What STG holds of VAP's came in a bundle and is VAP's: STG's kiosk does not book it (its
    booking would never travel back), while its own times and the central store's are open."""
    from datetime import timedelta

    from store.clock import FixedClock
    from tests.conftest import NOW
    from tests.factories import MONDAY, open_day

    round_trip(central, offices, tmp_path)
    stg = Store(offices["STG"].store.url, clock=FixedClock(NOW), store_code="STG")
    (carla,) = people(stg, "P3333333")
    assert carla.id is not None
    vap_times = [s.id for s in stg.slots("VAP", "RT", MONDAY, MONDAY) if s.free]
    assert vap_times, "STG received VAP's times"
    with pytest.raises(Refused) as refusal:
        stg.hold(carla.id, vap_times[0])
    assert refusal.value.rule == "O3"
    with pytest.raises(Refused):
        stg.enrol(carla.id, "VAP", "RT")
    open_day(stg, "STG", "RD", day=MONDAY + timedelta(days=1))
    own = next(s.id for s in stg.slots("STG", "RD", None, None) if s.free)
    assert stg.hold(carla.id, own).status == "held"
    stg.close()


def test_o4_two_people_with_one_e_mail_are_both_kept_and_staff_are_asked(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    """Offline, STG and VAP each registered a different person with the same e-mail: the
    central store keeps both, the second with a parked address that is never sent to, and a
    conflict row that names the e-mail it brought."""
    from tests.store.bundle_sites import person

    offices["STG"].store.register(person("P5555555", "casa@correo.cl"), terms_accepted=True)
    offices["VAP"].store.register(person("P6666666", "casa@correo.cl"), terms_accepted=True)
    for code, site in offices.items():
        site.export(tmp_path / f"{code}.bundle")
        central.take(tmp_path / f"{code}.bundle")
    (first,) = people(central.store, "P5555555")
    (second,) = people(central.store, "P6666666")
    assert first.email == "casa@correo.cl" and second.email.endswith("@conflicto.invalid")
    (conflict,) = central.store.sync_conflicts(actor=central.supervisor.actor)
    assert (conflict.applicant_id, conflict.incoming_value) == (second.id, "casa@correo.cl")
    with pytest.raises(Refused):  # the other person has it here
        central.store.resolve_conflict(conflict.id, "incoming", actor=central.supervisor.actor)
    again = central.take(tmp_path / "VAP.bundle")
    assert again["applicants"]["conflicts"] == again["applicants"]["inserted"] == 0
