"""W7, C1 on PostgreSQL (issue 15 §3): a deployment where the kiosks connect as a role that may
only INSERT and SELECT the audit log, while another role owns the tables and runs the
migrations (`kiosk db upgrade --app-role`). The application's role then works as usual and
can neither delete, change, truncate nor switch off the log's trigger."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from store import Store, db
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from store.errors import InvalidInput
from tests.conftest import NOW, PG_URL, new_pg_database
from tests.factories import applicants, first_free, open_day, seed_catalog

pytestmark = pytest.mark.skipif(not PG_URL, reason="KIOSK_TEST_PG_URL is not set")


def _url(role: str, database: str) -> str:
    assert PG_URL is not None
    server = PG_URL.rsplit("/", 1)[0].split("://", 1)[1].split("@", 1)[1]
    return f"postgresql+psycopg://{role}@{server}/{database}"


@pytest.fixture
def deployment(worker_id: str) -> Iterator[tuple[str, str, str]]:
    """An owner role with its own database, and an application role that may log in: the
    owner's URL, the application's URL and the application role's name."""
    suffix = f"{worker_id}_{os.getpid()}"
    owner, app, name = f"kiosk_owner_{suffix}", f"kiosk_app_{suffix}", f"kiosk_roles_{suffix}"
    admin = sa.create_engine(PG_URL or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for role in (owner, app):
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
            connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
    try:
        with new_pg_database(name, owner=owner):
            yield _url(owner, name), _url(app, name), app
    finally:
        with admin.connect() as connection:
            for role in (app, owner):
                connection.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        admin.dispose()


def test_w7_the_application_role_appends_and_reads_the_log_only(
    deployment: tuple[str, str, str],
) -> None:
    owner_url, app_url, app_role = deployment
    owner = Store(owner_url)
    owner.upgrade(app_role=app_role)
    owner.close()

    store = Store(app_url, clock=FixedClock(NOW), passwords=Passwords(fast_hasher()))
    assert store.is_ready()
    seed_catalog(store)
    open_day(store, seats=2)
    for person in applicants(store, 2):
        store.book(person, first_free(store))
    verdict = store.verify_audit()
    assert verdict.ok and verdict.events >= 3

    refused = [
        "DELETE FROM audit_events",
        "UPDATE audit_events SET action = 'x'",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
        "SET session_replication_role = replica",
        "DROP TABLE audit_events",
        "UPDATE alembic_version SET version_num = '0001'",
    ]
    for statement in refused:
        with pytest.raises(sa.exc.DBAPIError) as error, store.database.engine.begin() as c:
            c.exec_driver_sql(statement)
        assert error.value.orig is not None
        assert getattr(error.value.orig, "sqlstate", None) in {"42501", "42P01"}, statement
    assert store.verify_audit().ok
    store.close()


def test_w7_the_grants_are_given_again_by_every_upgrade(deployment: tuple[str, str, str]) -> None:
    """An upgrade that changes nothing still leaves the application's role as it should be."""
    owner_url, app_url, app_role = deployment
    owner = Store(owner_url)
    owner.upgrade(app_role=app_role)
    with owner.database.engine.begin() as connection:
        connection.exec_driver_sql(f"GRANT DELETE ON audit_events TO {app_role}")
    owner.upgrade(app_role=app_role)
    owner.close()
    store = Store(app_url)
    with pytest.raises(sa.exc.DBAPIError), store.database.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_events")
    store.close()


@pytest.mark.parametrize(
    ("role", "says"),
    [("Kiosk-App", "minúsculas"), ("kiosk_nobody_has_this_role", "No existe el rol")],
)
def test_w7_a_role_that_cannot_be_given_is_refused_before_anything_is_migrated(
    deployment: tuple[str, str, str], role: str, says: str
) -> None:
    owner = Store(deployment[0])
    with pytest.raises(InvalidInput) as refused:
        owner.upgrade(app_role=role)
    assert says in refused.value.render(lambda s: s)
    assert db.current_revision(owner.database) is None
    owner.close()
