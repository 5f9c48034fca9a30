"""Engines, sessions and the schema, for SQLite and PostgreSQL alike.

SQLite (O1): WAL so readers never wait for the writer; `busy_timeout` so a writer waits its
turn instead of failing; `foreign_keys=ON` (off by default in SQLite); `synchronous=FULL`
because a confirmed booking is a promise to a person, and WAL with NORMAL may lose the last
commits on power loss. Every write transaction starts with `BEGIN IMMEDIATE`, taking the write
lock before it reads, so read-check-write is never raced. Reads use a plain `BEGIN`.

PostgreSQL (O2): read committed, with row locks taken by the services (`FOR NO KEY UPDATE` on
the office/procedure row serialises capacity and waitlist work; the conditional UPDATE on a
slot serialises its seats). Deadlocks and serialisation failures are retried.

K7: the SQLite file holds people's data, so it is created 0600 (readable by the kiosk's user
alone) before SQLite opens it; SQLite gives its `-wal` and `-shm` files the database file's
mode, and any of the three found wider (a database made by an older version) is narrowed.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000
_RETRIES = 8
_MIGRATIONS = Path(__file__).parent / "migrations"
PRIVATE_FILE = 0o600
# The database file and those SQLite makes beside it (WAL, shared memory, rollback journal).
_SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def normalize_url(url_or_path: str) -> str:
    """A database URL from a URL or a plain file path (`office.db` -> `sqlite:///…/office.db`)."""
    if "://" in url_or_path:
        if url_or_path.startswith("postgresql://"):
            return "postgresql+psycopg://" + url_or_path.removeprefix("postgresql://")
        return url_or_path
    return f"sqlite:///{Path(url_or_path).expanduser().resolve()}"


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, or None (in memory, or a `file:` URI left to SQLite)."""
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _create_private(path: Path) -> None:
    """K7: make the database file 0600 before SQLite creates it with the umask's mode."""
    # No such folder, no right to write: SQLite's own error will say it better.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))


def keep_private(path: Path) -> None:
    """K7: the database file and its -wal, -shm and -journal files are 0600."""
    for suffix in _SQLITE_FILES:
        part = path.with_name(path.name + suffix)
        try:
            if part.stat().st_mode & 0o777 != PRIVATE_FILE:
                os.chmod(part, PRIVATE_FILE)
        except OSError:
            continue  # not there (yet), or not ours to change


def _sqlite_engine(url: str, *, begin: str) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    path = sqlite_file(url)
    if path is not None:
        _create_private(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
        if path is not None:
            keep_private(path)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def _is_retryable(error: DBAPIError) -> bool:
    code = getattr(error.orig, "sqlstate", None)
    if code in {"40001", "40P01", "55P03"}:  # serialisation failure, deadlock, lock timeout
        return True
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text


class Database:
    """The engines of one store and the two kinds of unit of work: read and write."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self._write_engine = _sqlite_engine(self.url, begin="BEGIN IMMEDIATE")
            self._read_engine = _sqlite_engine(self.url, begin="BEGIN")
        else:
            self._write_engine = sa.create_engine(self.url, pool_pre_ping=True)
            self._read_engine = self._write_engine

    @property
    def engine(self) -> Engine:
        """The engine that writes (migrations, bulk tools)."""
        return self._write_engine

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work; on SQLite it never takes the write lock."""
        with Session(self._read_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one write transaction: all of it commits, or none of it.

        Retried from the start when the database reports a deadlock or a busy lock, which is
        safe because nothing is committed until `work` returns."""
        for attempt in range(_RETRIES):
            try:
                with Session(self._write_engine, expire_on_commit=False) as session:
                    with session.begin():
                        result = work(session)
                    return result
            except (OperationalError, DBAPIError) as error:
                if attempt == _RETRIES - 1 or not _is_retryable(error):
                    raise
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._write_engine.dispose()
        if self._read_engine is not self._write_engine:
            self._read_engine.dispose()


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For Alembic: skip the full-text search objects of migration 0002 (their names hold
    `_fts`), which the models do not describe."""
    return not (type_ in ("table", "index") and name is not None and "_fts" in name)


def alembic_config(connection: sa.Connection | None = None) -> Any:
    """Alembic's configuration for the migrations shipped inside this package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(database: Database) -> None:
    """Create or migrate the schema to the newest revision (`kiosk db upgrade`)."""
    from alembic import command

    with database.engine.connect() as connection:
        command.upgrade(alembic_config(connection), "head")
        connection.commit()


def current_revision(database: Database) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
