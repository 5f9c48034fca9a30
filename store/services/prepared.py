"""Statements of the hot paths, compiled once and run on the driver's own cursor (issue 19).

A statement is written once, in SQLAlchemy Core, and compiled once per database into the
driver's SQL: its placeholders, the constants of its `IN` lists, how each parameter is bound
(an aware moment becomes naive UTC in the spelling SQLite stores and compares) and how each
column read comes back (the same types the ORM gives). Each run then costs what the driver
costs: measured here, 27 µs a statement on SQLite against 45 µs through
`Connection.exec_driver_sql` and 65 µs through `Connection.execute` of a cached statement. A
booking sends ten of them.

The unit of work stays SQLAlchemy's: the statements run on the connection of its session, in
its transaction. A driver's error is raised as SQLAlchemy raises it (`DBAPIError` and its
kinds, with `connection_invalidated` when the connection was lost), so that
`Database.write` retries and refuses as it does for every other statement; the engine's
cursor events are fired around each run for whoever listens (`bench/statements.py`)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from store.db import on_driver


@dataclass(frozen=True)
class _Form:
    """A statement as one database's driver takes it."""

    sql: str
    order: tuple[str, ...] | None  # the parameters' order (positional drivers), else named
    constants: dict[str, Any]  # the values the statement carries itself (its IN lists)
    binders: tuple[tuple[str, Callable[[Any], Any]], ...]  # parameters that need converting
    converting: tuple[tuple[int, Callable[[Any], Any]], ...]  # columns read that need it
    row: Callable[..., tuple[Any, ...]]  # a row read, its columns by name too (`row.seats`)


class Prepared:
    """One statement of a hot path; `build` makes it in Core for a database (called once per
    database; most statements are the same on every one)."""

    def __init__(self, build: Callable[[sa.Dialect], sa.Executable]) -> None:
        self._build = build
        self._forms: dict[str, _Form] = {}

    def _form(self, dialect: sa.Dialect) -> _Form:
        form = self._forms.get(dialect.name)
        if form is None:
            form = self._forms[dialect.name] = _compile(self._build(dialect), dialect)
        return form

    def bind(
        self, target: sa.Connection | sa.Engine, params: Mapping[str, Any] | None = None
    ) -> tuple[str, Any]:
        """The statement's SQL for the database of `target` (a connection, or an engine: to bind
        before a transaction begins), and its parameters as the driver takes them."""
        form = self._form(target.dialect)
        values = {**form.constants, **(params or {})}
        for name, bind in form.binders:
            values[name] = bind(values[name])
        arguments: Any = tuple(values[n] for n in form.order) if form.order is not None else values
        return form.sql, arguments

    def run(
        self,
        connection: sa.Connection,
        params: Mapping[str, Any] | None = None,
        *,
        bound: tuple[str, Any] | None = None,
    ) -> Any:
        """Run the statement in the connection's transaction (with `params`, or as `bind` bound
        it before); the driver's cursor."""
        sql, arguments = bound or self.bind(connection, params)
        if not connection.in_transaction():
            connection.begin()  # as `Connection.execute` begins one (SQLite: BEGIN IMMEDIATE)
        return on_driver(connection, sql, arguments)

    def first(
        self,
        connection: sa.Connection,
        params: Mapping[str, Any] | None = None,
        *,
        bound: tuple[str, Any] | None = None,
    ) -> Any:
        """The first row (each column as the ORM would type it), or None."""
        cursor = self.run(connection, params, bound=bound)
        row = cursor.fetchone()
        cursor.close()
        return None if row is None else _read(self._form(connection.dialect), row)

    def all(self, connection: sa.Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Every row (each column as the ORM would type it)."""
        cursor = self.run(connection, params)
        rows = cursor.fetchall()
        cursor.close()
        form = self._form(connection.dialect)
        return [_read(form, row) for row in rows]

    def count(self, connection: sa.Connection, params: Mapping[str, Any] | None = None) -> int:
        """Run a write; the number of rows it changed."""
        cursor = self.run(connection, params)
        changed = int(cursor.rowcount)
        cursor.close()
        return changed


def _read(form: _Form, row: Sequence[Any]) -> Any:
    if form.converting:
        values = list(row)
        for index, reader in form.converting:
            if values[index] is not None:
                values[index] = reader(values[index])
        row = values
    return form.row._make(row)  # type: ignore[attr-defined]


def _compile(statement: sa.Executable, dialect: sa.Dialect) -> _Form:
    # The statement's own values (`status IN ('held', …)`) are written into its SQL: SQLite
    # uses a partial index only when the value is in the statement, and plans each constant
    # better (a booking's first read took 115 µs with them as parameters, 15 µs without).
    inlined: Any = visitors.replacement_traverse(cast(Any, statement), {}, _inline)
    compiled = inlined.compile(dialect=dialect)
    own = {name for name, bind in compiled.binds.items() if bind.required}  # given at each run
    # The columns an INSERT or UPDATE leaves out but which have a default in Python: a
    # constant is sent with the statement; one made per row (a uuid) would be made once.
    defaults: dict[str, Any] = {}
    for column in [*compiled.insert_prefetch, *compiled.update_prefetch]:
        made = column.default if compiled.isinsert else column.onupdate
        if made is None or not made.is_scalar:
            raise ValueError(f"a prepared statement cannot make {column.key} for each run")
        defaults[column.key] = made.arg
    # What is left of the statement's own values after `_inline` (an INSERT's defaults).
    expanded = compiled.construct_expanded_state(dict.fromkeys(own))
    binders = []
    constants = {}
    for name, given in expanded.parameters.items():
        value = defaults.get(name, given)
        bind = compiled.binds.get(name)
        process = _binder(bind.type if bind is not None else sa.types.NULLTYPE, dialect)
        if name in own:
            if process is not None:
                binders.append((name, process))
        else:
            constants[name] = value if process is None else process(value)
    converting = []
    keys = []
    for index, column in enumerate(getattr(inlined, "exported_columns", ())):  # read or returned
        reader = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if reader is not None:
            converting.append((index, reader))
        keys.append(str(column.key))
    order = tuple(expanded.positiontup) if dialect.positional and expanded.positiontup else None
    row = namedtuple("Row", keys, rename=True)  # type: ignore[misc]
    return _Form(expanded.statement, order, constants, tuple(binders), tuple(converting), row)


def _inline(element: Any, **_: Any) -> BindParameter[Any] | None:
    if isinstance(element, BindParameter) and not element.required and element.callable is None:
        return element.render_literal_execute()
    return None


def _binder(type_: Any, dialect: sa.Dialect) -> Callable[[Any], Any] | None:
    return type_.dialect_impl(dialect).bind_processor(dialect)
