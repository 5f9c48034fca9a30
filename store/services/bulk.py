"""Many rows into one table in one statement (issue 19): the rows travel as one JSON parameter
and the database unpacks them (`INSERT … SELECT` over SQLite's `json_each`, PostgreSQL's
`json_array_elements`), in the order given; on PostgreSQL, COPY_FROM rows or more go by COPY.

Each value is first put through its column's own bind processing (an aware moment becomes
naive UTC in the very spelling SQLite stores and compares), so a row written here reads back
exactly as one written by an ordinary INSERT. An executemany of thousands of rows spends most
of its time binding them one by one in Python, and on PostgreSQL in one round trip per batch."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from store.db import driver_error
from store.services.prepared import Prepared


def insert_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows` (dicts with the same keys, column names of `table`) in one statement."""
    if not rows:
        return
    first = rows[0].keys()
    if any(row.keys() != first for row in rows):
        raise ValueError("every row of one bulk insert names the same columns")
    made = _left_to_make(table, tuple(first))
    if made:  # INSERT … SELECT would call a column's default function once for all rows
        rows = [{**row, **{c.name: c.default.arg(None) for c in made}} for row in rows]  # type: ignore[union-attr]
    names = tuple(rows[0])
    if len(rows) == 1:  # one notice, one audit event: a plain INSERT is cheaper
        _one_row(table, names).run(connection, {f"v_{name}": rows[0][name] for name in names})
        return
    if connection.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _copy(connection, table, names, rows)
        return
    statement, processors = _statement(connection.dialect, table, names)
    packed = json.dumps(
        [
            [process(row[name]) for name, process in zip(names, processors, strict=True)]
            for row in rows
        ],
        ensure_ascii=False,
        default=_plain,
    )
    connection.execute(statement, {"rows": packed})


# PostgreSQL takes this many rows or more by COPY: a capacity opening's 10 032 times and its
# 10 032 audit events went in 0.28 s and 0.20 s by INSERT … SELECT over their JSON.
COPY_FROM = 200


def _copy(
    connection: sa.Connection,
    table: sa.Table,
    names: tuple[str, ...],
    rows: Sequence[dict[str, Any]],
) -> None:
    """PostgreSQL: rows by COPY, in the order given, in the connection's transaction; each
    value through its column's bind processing, as the INSERT's; the table's triggers fire as
    for an INSERT, and a value its column refuses is refused the same way."""
    dialect = connection.dialect
    # A column left out takes its default from Python as an INSERT's does (COPY knows only
    # the database's own defaults).
    constant = {
        c.name: c.default.arg  # type: ignore[attr-defined]
        for c in table.c
        if c.name not in names and c.default is not None and c.default.is_scalar
    }
    columns = (*names, *constant)
    processors = [_processor(table.c[name].type, dialect) for name in columns]
    quote = dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in columns)}) FROM STDIN"
    driver: Any = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                values = [*(row[n] for n in names), *constant.values()]
                copy.write_row([p(v) for v, p in zip(values, processors, strict=True)])
    except dialect.loaded_dbapi.Error as error:
        raise driver_error(connection, None, sql, (), error) from error


_STATEMENTS: dict[tuple[str, sa.Table, tuple[str, ...]], tuple[sa.Insert, list[Any]]] = {}


def _statement(
    dialect: sa.Dialect, table: sa.Table, names: tuple[str, ...]
) -> tuple[sa.Insert, list[Callable[[Any], Any]]]:
    """The INSERT … SELECT for these columns, and each column's bind processing: built once
    per process (a booking writes its notice and its audit event through here)."""
    key = (dialect.name, table, names)
    if key not in _STATEMENTS:
        columns = [table.c[name] for name in names]
        packed = sa.bindparam("rows", type_=sa.Text)
        values: list[sa.ColumnElement[Any]]
        if dialect.name == "postgresql":
            source = (
                sa.func.json_array_elements(sa.cast(packed, sa.JSON))
                .table_valued("value", with_ordinality="position")
                .render_derived()
            )
            # Cast to the column's type without its length: a text too long for its column is
            # then refused by the column, as an ordinary INSERT's is, not cut by the cast.
            values = [
                sa.cast(source.c.value.op("->>")(i), _unbounded(column.type))
                for i, column in enumerate(columns)
            ]
            position = source.c.position
        else:
            source = sa.func.json_each(packed).table_valued("value", "key")
            values = [
                sa.func.json_extract(source.c.value, f"$[{i}]", type_=column.type)
                for i, column in enumerate(columns)
            ]
            position = source.c.key
        statement = sa.insert(table).from_select(
            list(names), sa.select(*values).select_from(source).order_by(position)
        )
        _STATEMENTS[key] = statement, [_processor(column.type, dialect) for column in columns]
    return _STATEMENTS[key]


_ONE_ROW: dict[tuple[sa.Table, tuple[str, ...]], Prepared] = {}


def _one_row(table: sa.Table, names: tuple[str, ...]) -> Prepared:
    """The plain INSERT of one row of these columns, compiled once per database."""
    key = (table, names)
    if key not in _ONE_ROW:
        values = {name: sa.bindparam(f"v_{name}", type_=table.c[name].type) for name in names}
        _ONE_ROW[key] = Prepared(lambda _: sa.insert(table).values(values))
    return _ONE_ROW[key]


@functools.lru_cache(maxsize=256)
def _left_to_make(table: sa.Table, names: tuple[str, ...]) -> tuple[sa.Column[Any], ...]:
    """The columns these rows leave out whose default is made per row (a uuid)."""
    return tuple(c for c in table.c if c.name not in names and _made_per_row(c))


def _made_per_row(column: sa.Column[Any]) -> bool:
    default = column.default
    return default is not None and bool(getattr(default, "is_callable", False))


def _unbounded(type_: Any) -> Any:
    impl = getattr(type_, "impl", type_)
    return sa.String() if isinstance(impl, sa.String) and impl.length else type_


def _processor(type_: Any, dialect: sa.Dialect) -> Callable[[Any], Any]:
    process = type_.dialect_impl(dialect).bind_processor(dialect)  # the dialect's own spelling
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


def _plain(value: Any) -> Any:
    """What a driver takes natively but JSON does not (PostgreSQL's moments), as text the
    database reads back to the same value."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} in a bulk insert")


def new_uuid(dialect: sa.Dialect) -> sa.ColumnElement[str]:
    """A fresh random uuid (version 4, as `uuid.uuid4()` spells it) for each row of a
    statement, made by the database."""
    if dialect.name == "postgresql":
        return sa.cast(sa.func.gen_random_uuid(), sa.String)
    hexes = [sa.func.lower(sa.func.hex(sa.func.randomblob(n))) for n in (4, 2, 2, 2, 6)]
    variant = sa.func.substr("89ab", 1 + sa.func.abs(sa.func.random()) % 4, 1)
    return (
        hexes[0] + "-" + hexes[1] + "-4" + sa.func.substr(hexes[2], 2) + "-" + variant
        + sa.func.substr(hexes[3], 2) + "-" + hexes[4]
    )  # fmt: skip
