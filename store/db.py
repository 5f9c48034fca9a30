"""Engines, sessions and the schema, for SQLite and PostgreSQL alike.

SQLite (O1): WAL so readers never wait for the writer; `busy_timeout` so a writer waits its
turn instead of failing; `foreign_keys=ON` (off by default in SQLite). Every write transaction
starts with `BEGIN IMMEDIATE`, taking the write lock before it reads, so read-check-write is
never raced. Reads use a plain `BEGIN`; a look (`Database.peek`) none. A confirmed booking is a
promise to a person, and WAL with NORMAL alone may lose the last commits on power loss: the
writes of `Database.write` take turns (store/turns.py) and sync the WAL themselves after their
turn, before they return (`synchronous=NORMAL` for their transactions); any other commit syncs
under the lock (`synchronous=FULL`).

PostgreSQL (O2): read committed, with row locks taken by the services (`FOR NO KEY UPDATE` on
the office/procedure row serialises capacity and waitlist work; the conditional UPDATE on a
slot serialises its seats). Deadlocks and serialisation failures are retried.

K7: the SQLite file holds people's data, so it is created 0600 (readable by the kiosk's user
alone) before SQLite opens it; SQLite gives its `-wal` and `-shm` files the database file's
mode, the writers' `-turn` file is made 0600, and any of them found wider (a database made by
an older version) is narrowed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import random
import re
import select
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from store.errors import InvalidInput, Unavailable
from store.text import N_, Message
from store.turns import Turns

T = TypeVar("T")
# Issue 15 §4: a write waits for other writers this long in all, across its retries, then gives
# up with nothing written (a kiosk never freezes for minutes; the command line exits 3).
WRITE_WAIT_MS = 10_000
# What SQLite waits for a lock when no write set its own budget (reads wait for no writer).
BUSY_TIMEOUT_MS = WRITE_WAIT_MS
_RETRIES = 8
_budget = threading.local()  # the wait left to the write running on this thread, in ms
_MIGRATIONS = Path(__file__).parent / "migrations"
PRIVATE_FILE = 0o600
# The database file and those SQLite makes beside it (WAL, shared memory, rollback journal).
_SQLITE_FILES = ("", "-wal", "-shm", "-journal", "-turn")


# The databases this product runs on, as SQLAlchemy names their drivers.
_DRIVERS = {"sqlite": "sqlite", "sqlite+pysqlite": "sqlite", "postgresql+psycopg": "postgresql"}
# What a SQLite URL may say besides its file: SQLite's own URI parameters.
_SQLITE_QUERY = {"mode": {"ro", "rw", "rwc"}, "uri": {"true"}, "cache": {"shared", "private"}}


def _bad_url(url: str) -> InvalidInput:
    return InvalidInput(
        "db",
        N_(
            "«{url}» no es una base de datos que este programa use: indique un archivo SQLite "
            "o una dirección postgresql://usuario@servidor/base."
        ),
        {"url": url},
    )


def normalize_url(url_or_path: str) -> str:
    """A database URL from a URL or a plain file path (`office.db` -> `sqlite:///…/office.db`).

    Issue 15 §5: anything else is refused (InvalidInput, before any connection): another
    database or scheme, a URL that does not parse, a control character, an unknown SQLite
    parameter. `?mode=ro` is honoured: the file is opened read-only (SQLite's URI form)."""
    if any(not ch.isprintable() for ch in url_or_path) or not url_or_path.strip():
        raise _bad_url("".join(ch for ch in url_or_path if ch.isprintable()))
    if "://" not in url_or_path:  # a file, perhaps with SQLite's parameters (`office.db?mode=ro`)
        path, mark, options = url_or_path.partition("?")
        url_or_path = f"sqlite:///{Path(path).expanduser().resolve()}{mark}{options}"
        if not mark:
            return url_or_path
    given = _hidden(url_or_path)
    if url_or_path.startswith("postgresql://"):
        url_or_path = "postgresql+psycopg://" + url_or_path.removeprefix("postgresql://")
    try:
        url = sa.engine.make_url(url_or_path)
        _ = url.port  # a port that is not a number fails here, not at the first connection
    except (sa.exc.ArgumentError, ValueError, TypeError):
        raise _bad_url(given) from None
    backend = _DRIVERS.get(url.drivername)
    if backend is None:
        raise _bad_url(given)
    if backend == "postgresql":
        return url_or_path
    query = dict(url.query)
    for key, value in query.items():
        if key not in _SQLITE_QUERY or value not in _SQLITE_QUERY[key]:
            raise _bad_url(given)
    if query and query.get("uri") != "true":  # ?mode=ro on a plain path: SQLite's URI form
        file = Path(url.database or "").expanduser().resolve()
        options = "&".join(f"{k}={v}" for k, v in query.items())
        return f"sqlite:///file:{file}?{options}&uri=true"
    return url_or_path


def _hidden(text: str) -> str:
    """A URL's password hidden, even in one that does not parse (`user:secret@host`)."""
    scheme, _, rest = text.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return text
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


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


# The audit chain's hash (store/services/audit_chain.py), which SQLite has no function for:
# given to every connection under this name, so that one statement chains an event.
SQLITE_SHA256 = "kiosk_sha256"


def sha256_hex(text: str) -> str:
    """SHA-256 of `text` in UTF-8, in hexadecimal (the audit chain's, C1)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _sqlite_sha256(text: str | None) -> str | None:
    return None if text is None else sha256_hex(text)


_BEGIN_WRITE = "BEGIN IMMEDIATE"


def _sqlite_engine(url: str, *, begin: str) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    path = sqlite_file(url)
    if path is not None:
        _create_private(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
        record.info.update(wal=str(mode).lower() == "wal", synchronous="FULL")
        dbapi_connection.create_function(SQLITE_SHA256, 1, _sqlite_sha256, deterministic=True)
        if path is not None:
            keep_private(path)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Said to SQLite straight through the driver, and only what differs from what this
        # connection was last told (a booking's two statements before its first: 60 µs).
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # `Database.peek`: each statement a transaction by itself, no BEGIN
        pooled = connection.connection
        turns = getattr(_budget, "turns", None) if begin == _BEGIN_WRITE else None
        # A write that takes its turn syncs the WAL after giving it back (store/turns.py);
        # any other write's commit syncs it (FULL), in WAL mode or not.
        synchronous = "NORMAL" if turns is not None and pooled.info.get("wal") else "FULL"
        if pooled.info.get("synchronous") != synchronous:
            on_driver(connection, f"PRAGMA synchronous={synchronous}").close()
            pooled.info["synchronous"] = synchronous
        # A write waits for the lock only what its budget has left; anything else the default.
        wait = max(1, int(getattr(_budget, "ms", None) or BUSY_TIMEOUT_MS))
        if turns is not None:  # a write of `Database.write`: its turn first
            begun = time.monotonic()
            if not turns.take(wait / 1000):
                raise _busy()
            _budget.held = turns
            _budget.unsynced = turns if synchronous == "NORMAL" else None
            waited = int((time.monotonic() - begun) * 1000)
            if waited > 50:  # what is left for SQLite's own lock (said again only then)
                wait = max(1, wait - waited)
        if pooled.info.get("busy_timeout") != wait:
            on_driver(connection, f"PRAGMA busy_timeout={wait}").close()
            pooled.info["busy_timeout"] = wait
        on_driver(connection, begin).close()

    return engine


def _postgres_engine(url: str) -> Engine:
    # No ping before each use (a round trip, 0.14 ms of every transaction): a connection the
    # server closed is found at its first statement, and the unit of work runs once more on a
    # new one (`Database.read`, `Database.write`).
    engine = sa.create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # C12: a write waits for others' locks WRITE_WAIT_MS at most, then says so (exit 3).
        # Set once per connection; a retry sets what is left of it for its own transaction.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {WRITE_WAIT_MS}")
        dbapi_connection.commit()

    return engine


def on_driver(connection: sa.Connection, statement: str, parameters: Any = ()) -> Any:
    """Send one statement straight to the driver on the connection (in its transaction, if
    one is open); the driver's cursor. Whoever listens to the engine's cursor events hears
    of it (bench/statements.py); a driver's error is raised as SQLAlchemy raises its own."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    observed = bool(connection.dispatch.after_cursor_execute)
    if observed:
        connection.dispatch.before_cursor_execute(
            connection, cursor, statement, parameters, None, False
        )
    try:
        cursor.execute(statement, parameters)
    except connection.dialect.loaded_dbapi.Error as error:
        raise driver_error(connection, cursor, statement, parameters, error) from error
    if observed:
        connection.dispatch.after_cursor_execute(
            connection, cursor, statement, parameters, None, False
        )
    return cursor


_WITH_COMMIT = "kiosk.with_commit"
_IN_TURN = "kiosk.in_turn"  # a session of `Database.write` whose writer takes turns


def send_with_commit(session: Session, statement: str, parameters: Any) -> None:
    """PostgreSQL: the unit of work's last statement, sent with its COMMIT in one round trip
    (psycopg's pipeline) once the work is done. A lock it takes is then held for the time the
    server takes, and no longer: the audit chain's turn, which every audited write takes, was
    held over two round trips by each writer, and a release burst's clients queued behind
    whichever was waiting for its turn on a busy CPU. Nothing may be written after it."""
    session.info[_WITH_COMMIT] = (statement, parameters)


def _commit_with(session: Session, statement: str, parameters: Any) -> None:
    connection = _nothing_pending(session)
    try:
        _with_commit(connection, [(statement, parameters)]).close()
    except connection.dialect.loaded_dbapi.Error as error:
        raise driver_error(connection, None, "COMMIT", (), error) from error


def _nothing_pending(session: Session) -> sa.Connection:
    """The session's connection, once the ORM has nothing left to write: a unit of work
    whose last statements go with its COMMIT may write nothing after them."""
    session.flush()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a unit of work changed rows after its last statements")
    return session.connection()


def _with_commit(connection: sa.Connection, statements: Sequence[tuple[str, Any]]) -> Any:
    """`statements` and the COMMIT in one round trip (psycopg's pipeline); the last one's
    cursor. A driver's error is the caller's to raise as SQLAlchemy's."""
    driver: Any = connection.connection.driver_connection
    with driver.pipeline():
        cursors = [on_driver(connection, sql, parameters) for sql, parameters in statements]
        driver.commit()
    for cursor in cursors[:-1]:
        cursor.close()
    return cursors[-1]


_SENT_ALL = "kiosk.sent_all"
_MADE = "kiosk.one_trip"  # a connection's own: the functions `commit_in_one_trip` made on it


def commit_in_one_trip(
    session: Session, statements: Sequence[tuple[str, Any]]
) -> list[list[dict[str, Any]]]:
    """PostgreSQL: the whole unit of work, `statements` (each as `Prepared.bind` spells it)
    and its COMMIT, in one round trip. The statements are the body of a function of the
    connection's own (`pg_temp`, made on its first use and kept while it lives), called
    once with every statement's parameters: the server runs them one after another as if
    each had been sent alone, each seeing what the one before it wrote and, under READ
    COMMITTED, what others committed until it began, so that a lock one statement takes
    guards what the next ones read; and it plans each once per connection, as it does a
    prepared statement. Each statement's rows, as JSON objects (empty for those that return
    none). An error of any of them leaves nothing written and is raised as SQLAlchemy raises
    its own. Nothing may be written after it: the session's own commit finds the transaction
    ended. Where the connection is lost on its way, whether it committed is unknown
    (`Database.write` says so rather than running the work again).

    Sent one by one in psycopg's pipeline instead, a booking's five statements cost the
    client 0.3 ms of Python more, and the server a round of the protocol each; the pipeline
    around the one call and its COMMIT cost 0.1 ms more than the call by itself."""
    connection = _nothing_pending(session)
    name, ddl = _one_trip_function(tuple(sql for sql, _ in statements))
    made: set[str] = connection.connection.info.setdefault(_MADE, set())
    arguments = json.dumps([parameters for _, parameters in statements], default=str)
    driver: Any = connection.connection.driver_connection
    call = f"SELECT kiosk_statement, kiosk_row FROM pg_temp.{name}(%(arguments)s::jsonb)"
    idle = driver.info.transaction_status.name == "IDLE"
    if idle and _said_something(driver):
        # A pooled connection the server ended meanwhile (a restart, an administrator) has
        # said so: found now, by a statement that writes nothing, the work runs once more on
        # a new connection. Found by the call, whether it committed would be unknown.
        on_driver(connection, "SELECT 1").close()
    try:
        if idle:
            # Nothing sent yet: the call is a transaction by itself (autocommit), without
            # the BEGIN and the COMMIT around it.
            driver.autocommit = True
            try:
                if name not in made:
                    on_driver(connection, ddl, None).close()
                session.info[_SENT_ALL] = True
                cursor = on_driver(connection, call, {"arguments": arguments})
            finally:
                with contextlib.suppress(connection.dialect.loaded_dbapi.Error):
                    driver.autocommit = False
        else:  # a transaction begun (a retry's lock_timeout): the call with its COMMIT
            session.info[_SENT_ALL] = True
            made_now = [] if name in made else [(ddl, None)]
            cursor = _with_commit(connection, [*made_now, (call, {"arguments": arguments})])
        rows = cursor.fetchall()
        cursor.close()
    except connection.dialect.loaded_dbapi.Error as error:
        raise driver_error(connection, None, "COMMIT", (), error) from error
    made.add(name)
    results: list[list[dict[str, Any]]] = [[] for _ in statements]
    for number, row in rows:
        results[number].append(row)
    return results


def _said_something(driver: Any) -> bool:
    """Whether the server has sent anything to a connection that is waiting for nothing (an
    idle connection hears only of its end here: this store neither LISTENs nor sends
    asynchronously), found without a round trip."""
    readable, _, _ = select.select([driver.fileno()], [], [], 0)
    return bool(readable)


def _as_argument(number: int, found: re.Match[str]) -> str:
    """`%%` as `%`; `%(name)s` as that parameter of the statement `number` in the function's
    argument (as text: every parameter carries its cast)."""
    return "%" if found[0] == "%%" else f"(kiosk_params->{number}->>'{found[1]}')"


@functools.lru_cache(maxsize=32)
def _one_trip_function(statements: tuple[str, ...]) -> tuple[str, str]:
    """The name and the CREATE of `commit_in_one_trip`'s function for `statements` (in the
    psycopg dialect's SQL): each placeholder becomes its value in the function's one
    argument (a JSON array of each statement's parameters), each statement that returns rows
    returns them numbered."""
    lines = []
    for number, statement in enumerate(statements):
        sql = re.sub(r"%%|%\((\w+)\)s", functools.partial(_as_argument, number), statement)
        if sql.lstrip().upper().startswith("SELECT"):
            lines.append(f"RETURN QUERY SELECT {number}, to_jsonb(r) FROM ({sql}) AS r;")
        elif re.search(r"\bRETURNING\b", sql):
            lines.append(f"RETURN QUERY WITH r AS ({sql}) SELECT {number}, to_jsonb(r) FROM r;")
        else:
            lines.append(f"{sql};")
    body = "BEGIN\n" + "\n".join(lines) + "\nEND"
    name = "kiosk_one_trip_" + hashlib.sha256(body.encode()).hexdigest()[:20]
    return name, (
        f"CREATE OR REPLACE FUNCTION pg_temp.{name}(kiosk_params jsonb) RETURNS TABLE "
        f"(kiosk_statement integer, kiosk_row jsonb) LANGUAGE plpgsql AS $kiosk$\n{body}\n$kiosk$"
    )


def driver_error(
    connection: sa.Connection, cursor: Any, statement: str, parameters: Any, error: Any
) -> sa.exc.StatementError:
    """An error of the driver's, for a statement sent to it straight, as SQLAlchemy raises it
    for its own (`DBAPIError` and its kinds, `connection_invalidated` when the connection was
    lost, which is then let go of), so that `Database.write` retries and refuses alike."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    wrapped = sa.exc.DBAPIError.instance(
        statement,
        parameters,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=lost,
        dialect=dialect,
    )
    if lost:
        connection.invalidate(wrapped)
    return wrapped


def _give_back_turn() -> None:
    """End the writer's turn this thread's write took, if it took one (store/turns.py)."""
    held, _budget.held = getattr(_budget, "held", None), None
    if held is not None:
        held.give_back()


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """The next writer's turn the moment the commit is done (before the session closes)."""
    if session.info.get(_IN_TURN):
        _give_back_turn()


def _sync_after_turn() -> None:
    """Sync the WAL after a write that gave its turn back unsynced (store/turns.py); a
    failure leaves it unknown whether the write is on disk."""
    turns, _budget.unsynced = getattr(_budget, "unsynced", None), None
    if turns is None:
        return
    try:
        turns.sync()
    except OSError as error:
        raise _lost_at_commit() from error


def _is_lock_wait(error: DBAPIError) -> bool:
    """The database waited for another writer's lock until the wait's budget ran out."""
    if getattr(error.orig, "sqlstate", None) == "55P03":  # lock_not_available (lock_timeout)
        return True
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _is_retryable(error: DBAPIError) -> bool:
    """A serialisation failure, a deadlock or a lock wait: the same work may simply run again."""
    return getattr(error.orig, "sqlstate", None) in {"40001", "40P01"} or _is_lock_wait(error)


def _busy() -> Exception:
    return Unavailable(
        Message(N_("El sistema está ocupado; no se guardó nada; intente de nuevo en un momento."))
    )


def _lost_at_commit() -> Exception:
    return Unavailable(
        Message(
            N_(
                "Se perdió la conexión con la base de datos al guardar: revise si quedó hecho "
                "antes de repetirlo."
            )
        )
    )


# RETURNING (which SQLAlchemy uses) needs SQLite 3.35, W2's UPDATE … FROM 3.33, window
# functions 3.25; the bulk inserts' json_each needs the JSON1 functions (built in since 3.38,
# compiled in by most builds before).
SQLITE_NEEDED = (3, 35, 0)


def require_sqlite(version: tuple[int, int, int] | None = None, *, json: bool = True) -> None:
    """Refuse, in one sentence, a Python whose SQLite library is older than the store needs."""
    import sqlite3

    found = version or sqlite3.sqlite_version_info
    if version is None:
        with contextlib.closing(sqlite3.connect(":memory:")) as probe:
            try:
                probe.execute("SELECT json_array_length('[]')")
            except sqlite3.OperationalError:
                json = False
    if tuple(found) < SQLITE_NEEDED or not json:
        raise RuntimeError(
            f"This Python's SQLite library is {'.'.join(map(str, found))}"
            + ("" if json else ", without its JSON functions")
            + f"; the kiosk needs {'.'.join(map(str, SQLITE_NEEDED))} or newer with them"
            " (a newer Python build, or PostgreSQL through KIOSK_DB)."
        )


class Database:
    """The engines of one store and the two kinds of unit of work: read and write."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            require_sqlite()
            self._write_engine = _sqlite_engine(self.url, begin=_BEGIN_WRITE)
            self._read_engine = _sqlite_engine(self.url, begin="BEGIN")
        else:
            self._write_engine = _postgres_engine(self.url)
            self._read_engine = self._write_engine
        # PostgreSQL: `peek`'s connection, in autocommit, kept between looks (taking one from
        # the pool and setting it to autocommit and back cost a look 40 µs more); a thread
        # that finds it in use by another takes one from the pool.
        self._peeking = threading.Lock()
        self._peek_connection: sa.Connection | None = None
        # SQLite: writers of the file take turns, in every process (store/turns.py).
        self._turns: Turns | None = None
        path = sqlite_file(self.url) if self.is_sqlite else None
        if path is not None:
            try:
                self._turns = Turns(path)
            except OSError:  # no flock here, a folder not ours to write: SQLite's waits alone
                self._turns = None

    @property
    def engine(self) -> Engine:
        """The engine that writes (migrations, bulk tools)."""
        return self._write_engine

    @property
    def read_engine(self) -> Engine:
        """The engine that reads: on SQLite it never takes (or waits for) the write lock."""
        return self._read_engine

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work; on SQLite it never takes the write lock."""
        with Session(self._read_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def read(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a read-only unit of work; once more on a new connection when the one
        it had was found lost (a pooled connection the server closed meanwhile: a restart, a
        failover), which is how a connection is checked, instead of a ping before each use."""
        try:
            with self.reading() as session:
                return work(session)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        with self.reading() as session:
            return work(session)

    def peek(self, work: Callable[[sa.Connection], T]) -> T:
        """Run `work`, one statement or two, outside any transaction of ours: on PostgreSQL a
        connection in autocommit, where a statement costs one round trip (no BEGIN, no
        COMMIT). What it reads may be out of date when acted on: decide on it only what a
        write would decide again under its locks. Once more on a new connection when the one
        it had was found lost, as `read`."""
        for attempt in range(2):
            try:
                if not self._peeking.acquire(blocking=False):
                    with self._read_engine.connect() as connection:
                        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                        return work(connection)
                try:
                    if self._peek_connection is None:
                        self._peek_connection = self._read_engine.connect().execution_options(
                            isolation_level="AUTOCOMMIT"
                        )
                    return work(self._peek_connection)
                except BaseException:
                    self._close_peek_connection()  # whatever it was left in, not kept
                    raise
                finally:
                    self._peeking.release()
            except DBAPIError as error:
                if not error.connection_invalidated or attempt:
                    raise
        raise AssertionError("unreachable")

    def _close_peek_connection(self) -> None:
        connection, self._peek_connection = self._peek_connection, None
        if connection is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                connection.close()

    def write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one write transaction: all of it commits, or none of it.

        Retried from the start when the database reports a deadlock or a busy lock, which is
        safe because nothing is committed until `work` returns, and once (PostgreSQL) when the
        connection was lost before the commit was sent. All the waiting for locks together is
        bounded by WRITE_WAIT_MS; past it, or when a lost connection leaves the commit unknown,
        `Unavailable` is raised (nothing was written, or the person is told to check)."""
        deadline = time.monotonic() + WRITE_WAIT_MS / 1000
        reconnected = False
        for attempt in range(_RETRIES):
            left_ms = (deadline - time.monotonic()) * 1000
            if left_ms <= 0:
                raise _busy()
            committing = False
            try:
                _budget.ms, _budget.turns = left_ms, self._turns
                with Session(self._write_engine, expire_on_commit=False) as session:
                    session.info[_IN_TURN] = self._turns is not None
                    with session.begin():
                        if not self.is_sqlite and left_ms < WRITE_WAIT_MS - 50:
                            # A retry waits only what is left (the first, all of it: every
                            # connection's own setting, `_postgres_engine`).
                            session.execute(sa.text(f"SET LOCAL lock_timeout = {int(left_ms)}"))
                        result = work(session)
                        committing = True
                        last = session.info.pop(_WITH_COMMIT, None)
                        if last is not None:
                            _commit_with(session, *last)
                    _give_back_turn()  # committed: the next writer's turn (if not given yet)
                _sync_after_turn()  # on disk before the write returns
                return result
            except (OperationalError, DBAPIError) as error:
                if error.connection_invalidated and not self.is_sqlite:
                    if committing or session.info.get(_SENT_ALL):
                        raise _lost_at_commit() from error
                    if reconnected:
                        raise
                    reconnected = True  # rolled back for sure: the same work once more
                    continue
                if _is_lock_wait(error) and time.monotonic() >= deadline - 0.05:
                    raise _busy() from error
                if attempt == _RETRIES - 1 or not _is_retryable(error):
                    raise
                _give_back_turn()  # not kept while this writer waits to try again
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
            finally:
                _budget.ms = _budget.turns = _budget.unsynced = None
                _give_back_turn()
        raise _busy()

    def dispose(self) -> None:
        """Close every pooled connection (and `peek`'s)."""
        with self._peeking:
            self._close_peek_connection()
        turns, self._turns = self._turns, None  # writes after this take no turn
        if turns is not None:
            turns.close(WRITE_WAIT_MS / 1000)
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
    """Create or migrate the schema to the newest revision (`kiosk db upgrade`). A database
    that is neither empty nor this product's is refused, untouched (issue 15 §5)."""
    from alembic import command
    from alembic.script import ScriptDirectory

    with database.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        revision = None
        if "alembic_version" in tables:
            revision = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            ).scalar()
        known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        foreign = (tables - {"alembic_version"} and revision is None) or (
            revision is not None and revision not in known
        )
        if foreign:
            raise InvalidInput(
                "db",
                N_(
                    "Esta base de datos tiene tablas de otra aplicación (o de una versión más "
                    "nueva): no se cambió nada; use una base vacía o una de Citas Kiosk."
                ),
            )
        connection.rollback()
        command.upgrade(alembic_config(connection), "head")
        connection.commit()


def check_integrity(database: Database) -> None:
    """SQLite's own check of the file (`PRAGMA quick_check`); a damaged one is refused with its
    first complaint (PostgreSQL checks its pages itself)."""
    if not database.is_sqlite:
        return
    with database.read_engine.connect() as connection:
        found = connection.exec_driver_sql("PRAGMA quick_check(1)").scalar()
    if found != "ok":
        raise InvalidInput(
            "db",
            N_(
                "La base de datos está dañada ({problem}): no se escribió nada; restáurela "
                "desde un respaldo."
            ),
            {"problem": str(found)},
        )


# A PostgreSQL role name as `--app-role` takes it: a plain identifier, never quoted.
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def check_app_role(database: Database, role: str) -> None:
    """Refuse (InvalidInput) an `--app-role` that cannot be given: on SQLite, a name that is
    not a plain identifier, a role PostgreSQL does not know."""
    if database.is_sqlite:
        raise InvalidInput(
            "app_role",
            N_("Solo PostgreSQL tiene roles: en SQLite protege el archivo su dueño en el sistema."),
        )
    if not _ROLE_NAME.fullmatch(role):
        raise InvalidInput(
            "app_role",
            N_("Escriba el nombre del rol en minúsculas, letras, números y «_» (máximo 63)."),
        )
    with database.engine.connect() as connection:
        known = connection.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
    if known is None:
        raise InvalidInput(
            "app_role",
            N_("No existe el rol {role}: créelo antes (CREATE ROLE {role} LOGIN)."),
            {"role": role},
        )


def grant_app_role(database: Database, role: str) -> None:
    """PostgreSQL (W7, C1): the role the application connects as may read and write every table
    of the schema, but only INSERT and SELECT the audit log, and only read the schema's
    revision. Run by the owner of the tables (the role that runs the migrations), after each
    upgrade; the owner alone may then alter, truncate or disable a trigger of the log."""
    check_app_role(database, role)
    statements = [
        "GRANT USAGE ON SCHEMA {schema} TO {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        "REVOKE ALL ON audit_events FROM {role}",
        "GRANT SELECT, INSERT ON audit_events TO {role}",
        "REVOKE ALL ON audit_head FROM {role}",
        "GRANT SELECT, UPDATE ON audit_head TO {role}",
        "REVOKE ALL ON alembic_version FROM {role}",
        "GRANT SELECT ON alembic_version TO {role}",
    ]
    with database.engine.begin() as connection:
        schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
        quoted = connection.dialect.identifier_preparer.quote_identifier(schema)
        for statement in statements:
            connection.exec_driver_sql(statement.format(schema=quoted, role=role))


def current_revision(database: Database) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with database.read_engine.connect() as connection:  # a read: never waits for a writer
        return MigrationContext.configure(connection).get_current_revision()
