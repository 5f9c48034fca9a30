"""Two offline offices and a central store for the O3, O4 tests (fixtures in conftest.py).

Office STG and office VAP each keep their own SQLite file; the central store is each backend of
`db_url` (PostgreSQL when a server answers). The offices are set up with the same catalogue as
the central store (the same codes), as a copy of it would be."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, col

from store import Store
from store.bundle import CENTRAL
from store.models import SEAT_STATES, Applicant, Booking, Slot
from store.views import StaffView
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


def make_site(store: Store, code: str) -> Site:
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


def person(number: str, email: str, **changes: Any) -> Any:
    return form(document_number=number, email=email, email_confirmation=email, **changes)


def dump(store: Store, skip: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but those in `skip`), in key order."""
    with store.database.reading() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
            if table.name not in skip
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
    open_day(vap, "VAP", "RT", hours="09:00-11:00")
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


def people(store: Store, number: str) -> list[Applicant]:
    with store.database.reading() as session:
        return list(
            session.scalars(sa.select(Applicant).where(col(Applicant.document_number) == number))
        )


def double_booked(store: Store) -> list[Any]:
    """Seats given twice, or a time whose count of seats taken is not its bookings."""
    with store.database.reading() as session:
        active = (
            sa.select(col(Booking.slot_id), col(Booking.seat), sa.func.count())
            .where(col(Booking.status).in_(SEAT_STATES))
            .group_by(col(Booking.slot_id), col(Booking.seat))
        )
        twice = [r for r in session.execute(active) if r[2] > 1]
        counted: dict[int, int] = dict(
            session.execute(
                sa.select(col(Booking.slot_id), sa.func.count())
                .where(col(Booking.status).in_(SEAT_STATES))
                .group_by(col(Booking.slot_id))
            ).all()
        )
        wrong = [
            s.id for s in session.scalars(sa.select(Slot)) if s.taken != counted.get(s.id or 0, 0)
        ]
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
