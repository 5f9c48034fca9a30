"""Small, explicit test data: a catalogue of a few offices and procedures, and applicants."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from store import Store
from store.forms import ApplicantForm
from store.models import (
    Applicant,
    Booking,
    DocumentText,
    Office,
    OfficeProcedure,
    Procedure,
    ProcedureDocument,
    ProcedureName,
    Region,
)
from store.validation import compact_document, fold

# Office code -> (region, cancellation hours or None for "never", procedures bookable there)
OFFICES: dict[str, tuple[str, int | None, tuple[str, ...]]] = {
    "STG": ("CL-RM", 24, ("RT", "RD")),
    "VAP": ("CL-VS", None, ("RT",)),
    "ARI": ("CL-AP", 24, ("RT",)),
}
# Offered in person only, for B4.
WALK_IN = {("ARI", "RD")}
MONDAY = date(2026, 11, 30)  # a week after the fixed clock's Monday


def seed_catalog(store: Store) -> None:
    """Regions from the shipped CSV, three offices, two procedures (plus one walk-in offer)."""
    from store.demo import load_regions

    def work(session: Any) -> None:
        ids = {code: region_id for code, (region_id, _zone) in load_regions(session).items()}
        procedures: dict[str, int] = {}
        for code, name, kreyol in (
            ("RT", "Residencia temporal", "Rezidans tanporè"),
            ("RD", "Residencia definitiva", "Rezidans definitif"),
        ):
            procedure = Procedure(code=code, name=name, minutes=30)
            session.add(procedure)
            session.flush()
            procedures[code] = procedure.id or 0
            for language, translated in (("en", f"{name} (en)"), ("ht", kreyol)):
                session.add(
                    ProcedureName(procedure_id=procedures[code], language=language, name=translated)
                )
            document = ProcedureDocument(
                procedure_id=procedures[code], position=1, text="Pasaporte vigente"
            )
            session.add(document)
            session.flush()
            for language, text in (("en", "Valid passport"), ("ht", "Paspò ki valab")):
                session.add(
                    DocumentText(document_id=document.id or 0, language=language, text=text)
                )
        for code, (region, hours, offered) in OFFICES.items():
            office = Office(
                code=code,
                name=f"Oficina {code}",
                region_id=ids[region],
                address=f"Calle {code} 123",
                time_zone="America/Santiago",
                opens_at=time(8, 30),
                closes_at=time(14, 0),
                cancel_policy="never" if hours is None else "hours_before",
                cancel_hours=hours or 0,
            )
            session.add(office)
            session.flush()
            office_id = office.id or 0
            for p in offered:
                session.add(
                    OfficeProcedure(office_id=office_id, procedure_id=procedures[p], bookable=True)
                )
            for o, p in WALK_IN:
                if o == code:
                    session.add(
                        OfficeProcedure(
                            office_id=office_id, procedure_id=procedures[p], bookable=False
                        )
                    )

    store.database.write(work)


def training(store: Store) -> Store:
    """Mark a test store as a training store, as `kiosk demo` does: the command line and the
    apps then accept `KIOSK_NOW` and fast hashing on it (issue 15 §2)."""
    from store.models import StoreFact

    store.database.write(lambda session: session.merge(StoreFact(key="purpose", value="training")))
    return store


def form(**changes: Any) -> ApplicantForm:
    """A valid registration form; keyword arguments change fields."""
    data: dict[str, Any] = {
        "document_type": "passport",
        "document_number": "P1234567",
        "document_expiry": "2030-01-01",
        "given_names": "José Antonio",
        "first_surname": "Muñoz",
        "second_surname": "Pérez",
        "email": "jose@correo.cl",
        "email_confirmation": "jose@correo.cl",
        "nationality": "VE",
        "birth_date": "1990-05-01",
        "region": "CL-RM",
        "phone": None,
    }
    data.update(changes)
    return ApplicantForm(**data)


def applicants(
    store: Store,
    count: int,
    *,
    start: int = 0,
    names: list[tuple[str, str, str]] | None = None,
    prefix: str = "T",
) -> list[int]:
    """`count` applicants inserted directly in one statement (no hashing), for volume and
    concurrency tests: "Persona n Prueba Prueba", or `names` (given, first, second surname);
    documents `prefix` + number, e-mails by the prefix too."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    people = names or [(f"Persona {n}", "Prueba", "Prueba") for n in range(count)]

    def work(session: Any) -> list[int]:
        region = session.scalar(sa.select(col(Region.id)).where(col(Region.code) == "CL-RM"))
        rows = [
            {
                "uuid": str(uuid.uuid4()),
                "document_type": "passport",
                "document_number": f"{prefix}{start + n:08d}",
                "document_key": compact_document(f"{prefix}{start + n:08d}"),
                "document_expiry": date(2030, 1, 1),
                "nationality": "PE",
                "given_names": given,
                "first_surname": first,
                "second_surname": second,
                "name_folded": fold(
                    f"{given} {first} {second}" if names else f"persona {n} prueba"
                ),
                "email": f"{'p' if prefix == 'T' else prefix.lower()}{start + n}@correo.cl",
                "birth_date": date(1990, 1, 1),
                "region_id": region,
                "language": "es",
                "password_hash": "x",
                "must_change_password": False,
                "failed_logins": 0,
                "terms_version": "t",
                "terms_accepted_at": now,
                "created_at": now,
            }
            for n, (given, first, second) in enumerate(people[:count])
        ]
        return list(
            session.scalars(
                sa.insert(Applicant).returning(col(Applicant.id), sort_by_parameter_order=True),
                rows,
            )
        )

    return store.database.write(work)


def open_day(
    store: Store,
    office: str = "STG",
    procedure: str = "RT",
    day: date = MONDAY,
    hours: str = "09:00-10:00",
    every: int = 30,
    seats: int = 1,
) -> Any:
    """Open capacity on one day."""
    return store.open_capacity(office, procedure, day, day, hours, every, seats)


def first_free(store: Store, office: str = "STG", procedure: str = "RT") -> int:
    return next(s.id for s in store.slots(office, procedure, MONDAY, MONDAY) if s.free)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """Santiago wall clock (UTC-3 in summer) as UTC."""
    return datetime.combine(day, time(hh + 3, mm), tzinfo=UTC)


def enrol_directly(
    store: Store, people: list[int], office: str = "STG", procedure: str = "RT"
) -> None:
    """Waitlist entries inserted in bulk, in the order given (for volume tests)."""
    from store.models import WaitlistEntry

    def work(session: Any) -> None:
        office_id = session.scalar(sa.select(col(Office.id)).where(col(Office.code) == office))
        procedure_id = session.scalar(
            sa.select(col(Procedure.id)).where(col(Procedure.code) == procedure)
        )
        enrolled = datetime(2026, 10, 1, tzinfo=UTC)
        session.execute(
            sa.insert(WaitlistEntry),
            [
                {
                    "uuid": str(uuid.uuid4()),
                    "applicant_id": person,
                    "office_id": office_id,
                    "procedure_id": procedure_id,
                    "enrolled_at": enrolled,
                    "ranked_at": enrolled,
                    "status": "waiting",
                }
                for person in people
            ],
        )

    store.database.write(work)


def assigned_entries(session: Session) -> list[int]:
    """Ids of the waitlist entries that got a booking, in the order the bookings were made."""
    rows = session.scalars(
        sa.select(col(Booking.waitlist_entry_id))
        .where(col(Booking.waitlist_entry_id).is_not(None))
        .order_by(col(Booking.id))
    )
    # The query leaves NULL out already; the condition tells mypy so.
    return [entry for entry in rows if entry is not None]


@contextmanager
def write_lock_held(store: Store) -> Iterator[None]:
    """Another writer, in the middle of its transaction."""
    url = sa.engine.make_url(store.url)
    if store.database.is_sqlite:
        writer = sqlite3.connect(str(url.database), isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            writer.rollback()
            writer.close()
        return
    engine = sa.create_engine(store.url)
    with engine.connect() as other:
        other.exec_driver_sql("SELECT 1 FROM office_procedures FOR UPDATE")
        try:
            yield
        finally:
            other.rollback()
    engine.dispose()
