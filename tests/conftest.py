"""Shared fixtures: a migrated database per test, on SQLite and (when reachable) PostgreSQL.

SQLite: one migrated template file per session, copied for each test.
PostgreSQL (`KIOSK_TEST_PG_URL`): one database per xdist worker, migrated once, emptied with
TRUNCATE before each test.

A test that needs the demo's store (`kiosk demo`) gets a copy of the one the first such test
of the worker made with the real command (`DemoTemplates`): the demo takes seconds, a copy a
tenth of one."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
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
def database_tag(worker_id: str) -> str:
    """This worker's part of the names of the databases it makes on the server: the worker and
    its process, so that two test runs at once on one server never drop each other's."""
    return f"{worker_id}_{os.getpid()}"


@pytest.fixture(scope="session")
def pg_database(database_tag: str) -> Iterator[str]:
    with new_pg_database(f"kiosk_test_{database_tag}") as url:
        store = Store(url)
        store.upgrade()
        store.close()
        yield url


def _truncate(url: str) -> None:
    """Every table as a migration leaves it: empty, but the audit log's head (migration 0015),
    which holds the hash before the first event."""
    from sqlmodel import SQLModel

    from store.services.audit_chain import GENESIS

    engine = sa.create_engine(url)
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables if t.name != "audit_head")
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        connection.execute(sa.text("UPDATE audit_head SET hash = :g"), {"g": GENESIS})
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


class DemoTemplates:
    """The demo's store, made once per worker and backend by the real `kiosk demo` and copied
    for each later test that asks for it: SQLite by the backup API, PostgreSQL as a database
    made from a template database."""

    def __init__(self, folder: Path, database_tag: str) -> None:
        self.file = folder / "demo.db"
        self.database = f"kiosk_demo_{database_tag}"
        self.made: set[str] = set()

    def fill(self, db_url: str, run_demo: Callable[[], None]) -> None:
        """The empty, migrated `db_url` (the `db_url` fixture's) becomes the demo's store."""
        if db_url.startswith("sqlite:///"):
            target = Path(db_url.removeprefix("sqlite:///"))
            if "sqlite" in self.made:
                _sqlite_copy(self.file, target)
            else:
                run_demo()
                _sqlite_copy(target, self.file)
                self.made.add("sqlite")
            return
        name = db_url.rsplit("/", 1)[1]
        if "postgresql" in self.made:
            self._pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", name)
            self._pg(f"CREATE DATABASE {name} TEMPLATE {self.database}", self.database)
        else:
            run_demo()
            self._pg(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)", self.database)
            self._pg(f"CREATE DATABASE {self.database} TEMPLATE {name}", name)
            self.made.add("postgresql")

    @staticmethod
    def _pg(statement: str, source: str) -> None:
        """One statement as the server's user; nobody stays connected to `source` (a template
        database is copied only while nobody is)."""
        assert PG_URL
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": source},
                )
                connection.exec_driver_sql(statement)
        finally:
            admin.dispose()

    def close(self) -> None:
        if "postgresql" in self.made:
            self._pg(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)", self.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as read, closing(sqlite3.connect(target)) as write:
        read.backup(write)


@pytest.fixture(scope="session")
def demo_templates(
    tmp_path_factory: pytest.TempPathFactory, database_tag: str
) -> Iterator[DemoTemplates]:
    templates = DemoTemplates(tmp_path_factory.mktemp("demo"), database_tag)
    yield templates
    templates.close()


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
def empty_url(request: pytest.FixtureRequest, tmp_path: Path, database_tag: str) -> Iterator[str]:
    """A database with no schema at all, of each backend (PostgreSQL: made for the test);
    parametrise it indirectly with BACKENDS."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    with new_pg_database(f"kiosk_empty_{database_tag}") as url:
        yield url
