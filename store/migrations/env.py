"""Alembic environment: the models' metadata, batch mode for SQLite, FTS tables ignored."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on the metadata)

config = context.config
target_metadata = SQLModel.metadata


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Skip the full-text search tables sqlite-utils manages itself."""
    return not (type_ == "table" and name is not None and "_fts" in name)


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through store.db.upgrade()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
