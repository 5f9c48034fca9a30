"""Benchmark data, generated reproducibly from a seed and cached in bench/.cache between runs.

- `people_db(n)`: the demo catalogue plus `n` applicants with realistic names (1 000 000 for
  the search figure, 100 000 for memory and the waitlist).
- `waitlist_db()`: 100 000 applicants waiting for one office and procedure.
- `office_day()`: an office's store provisioned as a copy of the central demo store, after a
  busy day (2 000 people registered and booked, 5 000 notices): the O3 bundle's figures."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
# One cache per schema: a database built before a migration would not match the models (the
# newest migration's number names it, e.g. .cache/schema-0012).
_HEAD = max(p.name[:4] for p in (_ROOT / "store" / "migrations" / "versions").glob("0*.py"))
CACHE = Path(__file__).resolve().parent / ".cache" / f"schema-{_HEAD}"
SEED = 2026
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OFFICE, PROCEDURE = "STG", "RD"  # the demo's full offering

GIVEN = [
    "José",
    "María",
    "Juan",
    "Ana",
    "Luis",
    "Carmen",
    "Carlos",
    "Rosa",
    "Jorge",
    "Marta",
    "Pedro",
    "Luisa",
    "Miguel",
    "Elena",
    "Wyddeline",
    "Jean",
    "Marie",
    "Pierre",
    "Fabiola",
    "Yulimar",
    "Yorman",
    "Daniela",
    "Andrés",
    "Gabriela",
    "Víctor",
    "Mariana",
    "Ángel",
    "Valentina",
    "Héctor",
    "Milagros",
    "Ñusta",
    "Raúl",
    "Solange",
    "Darwin",
    "Nathalie",
    "Wilmer",
    "Roxana",
    "Edwin",
    "Joseline",
]
SURNAMES = [
    "Muñoz",
    "González",
    "Rodríguez",
    "Pérez",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Gómez",
    "Díaz",
    "Hernández",
    "Rojas",
    "Quispe",
    "Mamani",
    "Condori",
    "Huamán",
    "Flores",
    "Joseph",
    "Pierre",
    "Jean-Baptiste",
    "Désir",
    "Saint-Fleur",
    "Louis",
    "Castillo",
    "Vargas",
    "Ramírez",
    "Torres",
    "Ortiz",
    "Silva",
    "Núñez",
    "Castro",
    "Romero",
    "Álvarez",
    "Chávez",
    "Espinoza",
    "Mendoza",
    "Salazar",
    "Guzmán",
    "Paredes",
    "Villanueva",
    "Cárdenas",
    "Acosta",
    "Zambrano",
    "Herrera",
    "Medina",
    "Aguilar",
]


def store_at(url: str):
    """A store on `url` whose clock stands at NOW and whose passwords hash fast."""
    from store import Store
    from store.clock import FixedClock
    from store.credentials import Passwords, fast_hasher

    return Store(url, clock=FixedClock(NOW), passwords=Passwords(fast_hasher()))


def store_for(path: Path):
    return store_at(f"sqlite:///{path}")


def libpq(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _fold(text: str) -> str:
    from store.validation import fold

    return fold(text)


def _fresh(path: Path) -> None:
    """A migrated database with the demo catalogue (four weeks of capacity, staff)."""
    path.unlink(missing_ok=True)
    store = store_for(path)
    store.upgrade()
    store.load_demo(date(2026, 11, 23))
    store.close()


APPLICANT_COLUMNS = (
    "uuid, document_type, document_number, document_key, document_expiry, nationality, "
    "given_names, first_surname, second_surname, name_folded, email, birth_date, region_id, "
    "language, password_hash, must_change_password, failed_logins, terms_version, "
    "terms_accepted_at, created_at"
)


def applicant_rows(region: int, count: int, start: int = 0) -> Iterator[tuple[Any, ...]]:
    """The generated applicants' rows, in APPLICANT_COLUMNS' order (the same people on SQLite
    and on PostgreSQL for a given `start`)."""
    rng = random.Random(SEED + start)
    stamp = NOW.replace(tzinfo=None).isoformat(sep=" ")
    for n in range(start, start + count):
        given = f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}"
        first, second = rng.choice(SURNAMES), rng.choice(SURNAMES)
        number = f"B{n:08d}"
        yield (
            str(uuid.UUID(int=rng.getrandbits(128))),
            "passport",
            number,
            number,
            "2030-01-01",
            "PE",
            given,
            first,
            second,
            _fold(f"{given} {first} {second}"),
            f"b{n}@correo.cl",
            "1990-01-01",
            region,
            "es",
            "x",
            False,
            0,
            "t",
            stamp,
            stamp,
        )


def add_applicants(path: Path, count: int, start: int = 0) -> None:
    """`count` applicants inserted in bulk (one transaction; the FTS triggers keep the index)."""
    con = sqlite3.connect(path)
    region = con.execute("SELECT id FROM regions WHERE code = 'CL-RM'").fetchone()[0]
    con.execute("BEGIN")
    con.executemany(
        f"INSERT INTO applicants ({APPLICANT_COLUMNS}) VALUES ({', '.join('?' * 20)})",
        applicant_rows(region, count, start),
    )
    con.execute("COMMIT")
    con.close()


def people_db(count: int) -> Path:
    """The demo plus `count` generated applicants (built once, then cached)."""
    path = CACHE / f"people-{count}.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        work = path.with_suffix(".part")
        _fresh(work)
        add_applicants(work, count)
        sqlite3.connect(work).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        work.replace(path)
    return path


def waitlist_db(waiting: int = 100_000) -> Path:
    """`waiting` applicants enrolled in order for the demo's full office and procedure."""
    path = CACHE / f"waitlist-{waiting}.db"
    if not path.exists():
        source = people_db(waiting)
        work = path.with_suffix(".part")
        shutil.copy(source, work)
        con = sqlite3.connect(work)
        office = con.execute("SELECT id FROM offices WHERE code = ?", (OFFICE,)).fetchone()[0]
        procedure = con.execute(
            "SELECT id FROM procedures WHERE code = ?", (PROCEDURE,)
        ).fetchone()[0]
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO waitlist_entries (uuid, applicant_id, office_id, procedure_id, "
            "enrolled_at, ranked_at, status) SELECT lower(hex(randomblob(16))), id, ?, ?, "
            "datetime('2026-01-01', '+' || id || ' seconds'), "
            "datetime('2026-01-01', '+' || id || ' seconds'), 'waiting' FROM applicants "
            "WHERE document_number LIKE 'B%' AND id NOT IN (SELECT applicant_id FROM "
            "waitlist_entries WHERE status = 'waiting' AND procedure_id = ?) ORDER BY id",
            (office, procedure, procedure),
        )
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        work.replace(path)
    return path


def copy_of(path: Path, name: str) -> Path:
    """A scratch copy of a cached database, so every run starts from the same data."""
    target = CACHE / "scratch" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(path, target)
    return target


def demo_db() -> Path:
    """The demo store alone (the central store an office is copied from)."""
    path = CACHE / "demo.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        work = path.with_suffix(f".{os.getpid()}.part")  # two test workers may build it at once
        _fresh(work)
        sqlite3.connect(work).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        work.replace(path)
    return path


def office_day(bookings: int = 2000, notices: int = 5000, name: str = "office-day") -> Path:
    """A copy of the demo store where STG registered `bookings` people, booked each a time of
    the demo's capacity and wrote `notices` notices (built once, then cached)."""
    path = CACHE / f"{name}-{bookings}-{notices}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    work = path.with_suffix(f".{os.getpid()}.part")
    shutil.copy(demo_db(), work)
    add_applicants(work, bookings, start=5_000_000)
    rng = random.Random(SEED)
    con = sqlite3.connect(work)
    (office,) = con.execute("SELECT id FROM offices WHERE code = ?", (OFFICE,)).fetchone()
    seats = [
        (slot, procedure, seat)
        for slot, procedure, taken, total in con.execute(
            "SELECT id, procedure_id, taken, seats FROM slots WHERE office_id = ? "
            "AND NOT blocked ORDER BY starts_at",
            (office,),
        )
        for seat in range(taken + 1, total + 1)
    ][:bookings]
    people = [
        r[0]
        for r in con.execute(
            "SELECT id FROM applicants WHERE document_number >= 'B05000000' ORDER BY id"
        )
    ]
    stamp = NOW.replace(tzinfo=None).isoformat(sep=" ")
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO bookings (uuid, code, slot_id, seat, applicant_id, office_id, procedure_id, "
        "status, created_at, confirmed_at) VALUES (?,?,?,?,?,?,?,'confirmed',?,?)",
        [
            (
                str(uuid.UUID(int=rng.getrandbits(128))),
                "".join(rng.choice(letters) for _ in range(8)),
                slot,
                seat,
                person,
                office,
                procedure,
                stamp,
                stamp,
            )
            for (slot, procedure, seat), person in zip(seats, people, strict=False)
        ],
    )
    con.execute(
        "UPDATE slots SET taken = (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = slots.id "
        "AND b.status IN ('held', 'confirmed', 'checked_in', 'attended', 'missed')) "
        "WHERE office_id = ?",
        (office,),
    )
    made = con.execute(
        "SELECT id, applicant_id FROM bookings WHERE applicant_id IN (SELECT id FROM applicants "
        "WHERE document_number >= 'B05000000') ORDER BY id"
    ).fetchall()
    con.executemany(
        "INSERT INTO notices (uuid, applicant_id, kind, subject, body, params, booking_id, "
        "created_at) VALUES (?,?,'booking','Reserva confirmada','Su hora: {code}','{}',?,?)",
        [
            (str(uuid.UUID(int=rng.getrandbits(128))), applicant, booking, stamp)
            for n in range(notices)
            for booking, applicant in [made[n % len(made)]]
        ],
    )
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    work.replace(path)
    return path


# The waitlist figure's opening: 10 032 times for the 100 000 waiting of waitlist_db().
OPEN_FROM, OPEN_TO, HOURS, EVERY = date(2027, 1, 4), date(2027, 8, 10), "08:30-14:00", 5


def booking_times(store: Any) -> list[int]:
    """Opens the single booking figures' times (a week of Santiago's mornings, 5 seats each) in
    `store`, and returns the ids of the free ones."""
    first, last = date(2027, 1, 4), date(2027, 1, 8)
    store.open_capacity("STG", "RT", first, last, "08:30-14:00", 5)
    return [s.id for s in store.slots("STG", "RT", first, last) if s.free]


def timed(job: Callable[[], object]) -> float:
    """Seconds `job` takes."""
    start = time.perf_counter()
    job()
    return time.perf_counter() - start


def timed_opening(store: Any) -> tuple[float, Any, Any]:
    """Seconds the store takes to open the waitlist figure's capacity (W2 assigning all of it
    to the waiting), its plan and its outcome; the store is closed after."""
    plan = store.plan_capacity(OFFICE, PROCEDURE, OPEN_FROM, OPEN_TO, HOURS, EVERY)
    begun = time.perf_counter()
    opened = store.open_capacity(OFFICE, PROCEDURE, OPEN_FROM, OPEN_TO, HOURS, EVERY)
    seconds = time.perf_counter() - begun
    store.close()
    assert opened.created == opened.assigned == plan.slot_count, opened
    return seconds, plan, opened
