"""Shared fixtures: a migrated database per test, on SQLite and (when reachable) PostgreSQL.

SQLite: one migrated template file per session, copied for each test.
PostgreSQL (`KIOSK_TEST_PG_URL`): one database per xdist worker, migrated once, emptied with
TRUNCATE before each test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from store import Store
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher

PG_URL = os.environ.get("KIOSK_TEST_PG_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
# Monday 23 November 2026, 09:00 in Santiago.
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    store = Store(str(path))
    store.upgrade()
    store.close()
    return path


@contextmanager
def new_pg_database(name: str, owner: str | None = None) -> Iterator[str]:
    """A PostgreSQL database made for the time of the block (dropped first if a killed run left
    it behind); its URL as the test server's user."""
    if not PG_URL:
        pytest.skip("KIOSK_TEST_PG_URL is not set")
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {name}" + (f" OWNER {owner}" if owner else ""))
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database(worker_id: str) -> Iterator[str]:
    with new_pg_database(f"kiosk_test_{worker_id}") as url:
        store = Store(url)
        store.upgrade()
        store.close()
        yield url


def _truncate(url: str) -> None:
    from sqlmodel import SQLModel

    engine = sa.create_engine(url)
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A freshly migrated, empty database of each backend."""
    if request.param == "sqlite":
        target = tmp_path / "kiosk.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("pg_database")
    _truncate(url)
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(db_url: str, clock: FixedClock) -> Iterator[Store]:
    """An empty store with a fixed clock and cheap password hashing."""
    s = Store(db_url, clock=clock, passwords=Passwords(fast_hasher()))
    yield s
    s.close()


@pytest.fixture
def seeded(store: Store) -> Store:
    """A store with the small test catalogue of tests/factories.py."""
    from tests.factories import seed_catalog

    seed_catalog(store)
    return store


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, tmp_path: Path, worker_id: str) -> Iterator[str]:
    """A database with no schema at all, of each backend (PostgreSQL: made for the test);
    parametrise it indirectly with BACKENDS."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    with new_pg_database(f"kiosk_empty_{worker_id}") as url:
        yield url
