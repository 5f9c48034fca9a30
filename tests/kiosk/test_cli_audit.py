"""`kiosk audit verify` (W7, C1; issue 15 §3) and `kiosk db upgrade --app-role`: the verdict as
one JSON document, exit 1 with one line when a link is broken; who may ask (C12)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from store import Store
from tests.kiosk.test_cli_lifecycle import Kiosk, refused
from tests.kiosk.test_cli_lifecycle import kiosk as kiosk
from tests.kiosk.test_cli_lifecycle import office as office


def test_w7_verify_walks_the_whole_log(kiosk: Kiosk, office: Store) -> None:
    events = len(office.audit_log(limit=10_000))
    found = kiosk.json("audit", "verify", staff="auditora")
    assert found["ok"] is True and found["events"] >= events > 0
    assert len(found["head"]) == 64
    line = kiosk("audit", "verify", staff="sup")
    assert line.exit_code == 0 and "íntegro" in line.stdout


def test_w7_a_broken_link_exits_1_with_the_event_named(kiosk: Kiosk, office: Store) -> None:
    engine = office.database.engine
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        else:
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        connection.exec_driver_sql("UPDATE audit_events SET subject = 'x' WHERE id = 2")
    result = kiosk("audit", "verify", "--json", staff="auditora")
    assert json.loads(result.stdout) == {
        "events": office.verify_audit().events,
        "ok": False,
        "broken_at": 2,
        "problem": "changed",
    }
    assert "evento 2 fue modificado" in refused(result)
    english = kiosk("--lang", "en", "audit", "verify", staff="auditora")
    assert "event 2 was changed" in refused(english)


def test_c12_an_agent_may_not_verify_the_log(kiosk: Kiosk) -> None:
    assert "no tiene permiso" in refused(kiosk("audit", "verify", staff="agente"))


def test_w7_app_role_is_for_postgresql_only(kiosk: Kiosk, office: Store) -> None:
    result = kiosk("db", "upgrade", "--app-role", "kiosk_app", staff=None)
    if office.database.is_sqlite:
        assert "Solo PostgreSQL" in refused(result, 2)
    else:
        assert "No existe el rol kiosk_app" in refused(result, 2)
    with office.database.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
