"""Issue 19: rows written in one statement (`bulk.insert_rows`) are stored exactly as an
ordinary INSERT stores them: the same spelling of every moment, day, clock time, flag and
empty value, byte for byte as the database keeps them (SQLite compares moments as text), in
the order given; and the uuids the database makes are version-4 uuids as Python spells them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from store import Store
from store.db import require_sqlite
from store.models import AuditEvent, Slot
from store.services import bulk
from store.services.bulk import insert_rows, new_uuid

MOMENT = datetime(2026, 11, 30, 12, 30, 5, 120, tzinfo=UTC)


@pytest.fixture(params=["statement", "copy"], autouse=True)
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test both ways in: one INSERT … SELECT, and (PostgreSQL) COPY from the first row."""
    if request.param == "copy":
        monkeypatch.setattr(bulk, "COPY_FROM", 1)
    return str(request.param)


def _slot(n: int) -> dict[str, object]:
    return {
        "uuid": f"slot-{n}",
        "office_id": 1,
        "procedure_id": 1,
        "day": date(2026, 11, 30),
        "start_time": time(9, n % 60),
        "starts_at": MOMENT,
        "seats": 3,
        "taken": 0,
        "blocked": n % 2 == 1,
        "block_reason": None if n % 2 == 0 else "cierre «ñ»",
        "created_at": MOMENT,
    }


def _stored(connection: sa.Connection, table: str, key: str, value: str) -> tuple[object, ...]:
    """A row as the database keeps it, read without any type processing (not its id or its
    change number, which differ by design)."""
    row = connection.exec_driver_sql(f"SELECT * FROM {table} WHERE {key} = '{value}'").one()
    return tuple(v for k, v in row._mapping.items() if k not in ("id", "sync_seq", key))


def test_bulk_rows_are_stored_as_an_ordinary_insert_stores_them(seeded: Store) -> None:
    table = Slot.__table__  # type: ignore[attr-defined]
    rows = [_slot(n) for n in (0, 1, 2)]
    with seeded.database._write_engine.begin() as connection:
        connection.execute(sa.insert(table), rows)
        ordinary = [_stored(connection, "slots", "uuid", f"slot-{n}") for n in (0, 1, 2)]
        connection.execute(sa.delete(table))
        insert_rows(connection, table, rows)
        assert [_stored(connection, "slots", "uuid", f"slot-{n}") for n in (0, 1, 2)] == ordinary
        order = connection.exec_driver_sql("SELECT uuid FROM slots ORDER BY id").scalars()
        assert list(order) == ["slot-0", "slot-1", "slot-2"]
        read = connection.execute(sa.select(table).where(table.c.uuid == "slot-1")).one()
        assert (read.starts_at, read.start_time, read.blocked) == (MOMENT, time(9, 1), True)
        connection.rollback()


def test_a_column_left_out_gets_its_default_as_an_ordinary_insert_gives_it(
    seeded: Store,
) -> None:
    """`seats` and `taken` have their defaults in Python (1, 0), `sync_seq` in the database."""
    table = Slot.__table__  # type: ignore[attr-defined]
    rows = [{k: v for k, v in _slot(n).items() if k not in ("seats", "taken")} for n in (0, 1)]
    with seeded.database._write_engine.begin() as connection:
        connection.execute(sa.insert(table), rows)
        ordinary = [_stored(connection, "slots", "uuid", f"slot-{n}") for n in (0, 1)]
        connection.execute(sa.delete(table))
        insert_rows(connection, table, rows)
        assert [_stored(connection, "slots", "uuid", f"slot-{n}") for n in (0, 1)] == ordinary
        assert connection.execute(sa.select(table.c.seats, table.c.taken)).all() == [(1, 0)] * 2
        connection.rollback()


def test_bulk_audit_rows_keep_their_moment_to_the_microsecond(seeded: Store) -> None:
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    event = {
        "at": MOMENT,
        "actor": "system",
        "action": "test",
        "details": '{"a": "ü"}',
        "prev_hash": "0" * 64,
        "origin": None,
        "origin_hash": None,
    }
    with seeded.database._write_engine.begin() as connection:
        connection.execute(sa.insert(table), [{**event, "subject": "one", "hash": "1" * 64}])
        insert_rows(connection, table, [{**event, "subject": "two", "hash": "2" * 64}])
        one = _stored(connection, "audit_events", "subject", "one")
        two = _stored(connection, "audit_events", "subject", "two")
        assert [v for v in one if v != "1" * 64] == [v for v in two if v != "2" * 64]
        connection.rollback()


def test_the_database_makes_version_4_uuids(seeded: Store) -> None:
    with seeded.database._write_engine.connect() as connection:
        made = [connection.scalar(sa.select(new_uuid(connection.dialect))) for _ in range(50)]
    assert len(set(made)) == 50
    for text in made:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)


def test_bulk_rows_meet_the_columns_as_an_ordinary_insert_does(seeded: Store) -> None:
    """A text longer than its column is refused by PostgreSQL and kept whole by SQLite, by
    both kinds of INSERT (a cast must not cut it: the audit chain hashes the whole text); a
    column left out gets its default made for each row (a uuid each, not one for all)."""
    table = Slot.__table__  # type: ignore[attr-defined]
    too_long = {**_slot(0), "block_reason": "x" * 250}  # the column holds 200
    outcomes: list[int | str] = []
    for write in (
        lambda c: c.execute(sa.insert(table), [too_long, _slot(1)]),
        lambda c: insert_rows(c, table, [too_long, _slot(1)]),
    ):
        with seeded.database._write_engine.connect() as connection:
            try:
                write(connection)
                stored = connection.execute(
                    sa.select(table.c.block_reason).where(table.c.uuid == "slot-0")
                ).scalar_one()
                outcomes.append(len(stored))
            except sa.exc.DataError:
                outcomes.append("refused")
            connection.rollback()
    assert (
        outcomes[0]
        == outcomes[1]
        == ("refused" if seeded.database.url.startswith("postgresql") else 250)
    )
    with seeded.database._write_engine.begin() as connection:
        rows = [{k: v for k, v in _slot(n).items() if k != "uuid"} for n in (0, 1, 2)]
        insert_rows(connection, table, rows)
        made = connection.execute(sa.select(table.c.uuid)).scalars().all()
        assert len(set(made)) == 3 and all(uuid.UUID(u).version == 4 for u in made)
        connection.rollback()


def test_an_sqlite_library_too_old_for_the_store_is_named() -> None:
    with pytest.raises(RuntimeError, match=r"SQLite library is 3\.31\.1; the kiosk needs 3\.35"):
        require_sqlite((3, 31, 1))
    with pytest.raises(RuntimeError, match="without its JSON functions"):
        require_sqlite((3, 40, 1), json=False)
    require_sqlite((3, 35, 0))
    require_sqlite()  # this machine's
