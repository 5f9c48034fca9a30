"""O3, O4: offices that work offline exchange signed bundles with the central store.

Office STG and office VAP each keep their own SQLite file; the central store is each backend of
`db_url` (PostgreSQL when a server answers). The offices are set up with the same catalogue as
the central store (the same codes), as a copy of it would be."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, col

from store import Store
from store.bundle import CENTRAL, SEAL_SIZE
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.errors import InvalidInput, Refused
from store.models import Applicant, Booking, Slot, SyncConflict, WaitlistEntry
from store.views import StaffView
from tests.conftest import NOW
from tests.factories import MONDAY, form, open_day, seed_catalog

PASSWORD = "clave-propia-2026"
KEYS = {
    CENTRAL: b"central-key-0123456789",
    "STG": b"santiago-key-0123456789",
    "VAP": b"valparaiso-key-0123456789",
}
TRUST = {
    CENTRAL: {"STG": KEYS["STG"], "VAP": KEYS["VAP"]},
    "STG": {CENTRAL: KEYS[CENTRAL]},
    "VAP": {CENTRAL: KEYS[CENTRAL]},
}


@dataclass
class Site:
    """One store and who works there."""

    code: str
    store: Store
    supervisor: StaffView
    agent: StaffView | None = None

    def export(self, path: Path, office: str | None = None, **options: Any) -> Any:
        return self.store.export_bundle(
            path,
            office=office or self.code,
            store_code=self.code,
            key=KEYS[self.code],
            actor=self.supervisor.actor,
            **options,
        )

    def take(self, path: Path) -> dict[str, dict[str, int]]:
        return self.store.import_bundle(
            path, store_code=self.code, trust=TRUST[self.code], actor=self.supervisor.actor
        )


def _site(store: Store, code: str) -> Site:
    seed_catalog(store)
    office = None if code == CENTRAL else code
    supervisor = store.create_staff(
        f"sup.{code.lower()}", f"Supervisora {code}", "supervisor", PASSWORD, office
    )
    agent = (
        store.create_staff(f"agente.{code.lower()}", f"Agente {code}", "agent", PASSWORD, office)
        if office
        else None
    )
    return Site(code, store, supervisor, agent)


@pytest.fixture
def central(store: Store) -> Site:
    return _site(store, CENTRAL)


@pytest.fixture
def offices(tmp_path: Path, sqlite_template: Path) -> Iterator[dict[str, Site]]:
    import shutil

    sites = {}
    for code in ("STG", "VAP"):
        path = tmp_path / f"{code.lower()}.db"
        shutil.copy(sqlite_template, path)
        store = Store(
            f"sqlite:///{path}", clock=FixedClock(NOW), passwords=Passwords(fast_hasher())
        )
        sites[code] = _site(store, code)
    yield sites
    for site in sites.values():
        site.store.close()


def person(number: str, email: str, **changes: Any) -> Any:
    return form(document_number=number, email=email, email_confirmation=email, **changes)


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order."""
    with store.database.reading() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def offline_day(sites: dict[str, Site]) -> dict[str, Any]:
    """What each office does offline: STG registers Ana (who also registers at VAP, with another
    e-mail) and Bruno; VAP registers Carla. Each books, Bruno enrols, Carla asks for help."""
    stg, vap = sites["STG"].store, sites["VAP"].store
    ana_stg = stg.register(person("P1111111", "ana@stg.cl", given_names="Ana"), terms_accepted=True)
    bruno = stg.register(
        person("P2222222", "bruno@correo.cl", given_names="Bruno"), terms_accepted=True
    )
    open_day(stg, "STG", "RT", hours="09:00-09:30")  # one time only: Bruno must wait
    stg_slot = next(s.id for s in stg.slots("STG", "RT", MONDAY, MONDAY) if s.free)
    ana_booking = stg.book(ana_stg.applicant.id, stg_slot)
    stg.enrol(bruno.applicant.id, "STG", "RT")

    ana_vap = vap.register(
        person("P1111111", "ana@vap.cl", given_names="Ana", phone="+56987654321"),
        terms_accepted=True,
    )
    carla = vap.register(
        person("P3333333", "carla@correo.cl", given_names="Carla"), terms_accepted=True
    )
    open_day(vap, "VAP", "RT", hours="09:00-10:00")
    free = [s.id for s in vap.slots("VAP", "RT", MONDAY, MONDAY) if s.free]
    ana_vap_booking = vap.book(ana_vap.applicant.id, free[0])
    vap.book(carla.applicant.id, free[1])
    ticket = vap.open_ticket(
        carla.applicant.id, "question", "Documentos", "documents", "¿Qué llevo?"
    )
    agent = sites["VAP"].agent
    assert agent is not None
    vap.answer_ticket(ticket.id, "El pasaporte.", actor=agent.actor)
    return {"ana_codes": {ana_booking.code, ana_vap_booking.code}}


def _one(store: Store, number: str) -> list[Applicant]:
    with store.database.reading() as session:
        return list(
            session.scalars(sa.select(Applicant).where(col(Applicant.document_number) == number))
        )


def _double_booked(store: Store) -> list[Any]:
    """Seats given twice, or a time whose count of seats taken is not its bookings."""
    with store.database.reading() as session:
        active = (
            sa.select(Booking.slot_id, Booking.seat, sa.func.count())
            .where(
                col(Booking.status).in_(("held", "confirmed", "checked_in", "attended", "missed"))
            )
            .group_by(col(Booking.slot_id), col(Booking.seat))
        )
        twice = [r for r in session.execute(active) if r[2] > 1]
        counted = dict(
            session.execute(
                sa.select(Booking.slot_id, sa.func.count())
                .where(
                    col(Booking.status).in_(
                        ("held", "confirmed", "checked_in", "attended", "missed")
                    )
                )
                .group_by(col(Booking.slot_id))
            ).all()
        )
        wrong = [s.id for s in session.scalars(sa.select(Slot)) if s.taken != counted.get(s.id, 0)]
    return twice + wrong


def round_trip(central: Site, offices: dict[str, Site], folder: Path) -> dict[str, Any]:
    facts = offline_day(offices)
    for code, site in offices.items():
        site.export(folder / f"{code}.bundle")
    for code in offices:
        central.take(folder / f"{code}.bundle")
    for code, site in offices.items():
        central.export(folder / f"to-{code}.bundle", office=code)
        site.take(folder / f"to-{code}.bundle")
    return facts


def test_o4_round_trip_two_offices_and_the_central_store(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    facts = round_trip(central, offices, tmp_path)
    stg, vap = offices["STG"].store, offices["VAP"].store
    # Each office sees the other's applicants.
    assert _one(stg, "P3333333") and _one(vap, "P2222222")
    # The person registered at both offices is one account, with both bookings, everywhere.
    for store in (central.store, stg, vap):
        (ana,) = _one(store, "P1111111")
        with store.database.reading() as session:
            codes = set(
                session.scalars(sa.select(Booking.code).where(col(Booking.applicant_id) == ana.id))
            )
        assert codes == facts["ana_codes"], store.url
    # Bruno's place in the queue travelled too, and the ticket with its answer.
    with central.store.database.reading() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry)) == 1
    # Nobody is double-booked anywhere.
    for store in (central.store, stg, vap):
        assert _double_booked(store) == []
    # The two e-mails are a conflict for staff, never overwritten.
    with central.store.database.reading() as session:
        conflicts = list(session.scalars(sa.select(SyncConflict)))
    assert {(c.field, c.local_value, c.incoming_value) for c in conflicts} == {
        ("email", "ana@stg.cl", "ana@vap.cl"),
        ("phone", None, "+56987654321"),
    }
    (ana,) = _one(central.store, "P1111111")
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
