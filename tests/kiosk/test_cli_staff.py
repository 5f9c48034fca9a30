"""`kiosk staff …` (C10): supervisors administer their office's accounts through the command
line, as themselves (C12); JSON and exit statuses on both databases; a temporary password
runs nothing but `kiosk staff change-password`."""

from __future__ import annotations

import pytest

from store import Store
from store.credentials import TEMPORARY_ALPHABET
from tests.kiosk.test_cli_lifecycle import Kiosk, refused
from tests.kiosk.test_cli_lifecycle import kiosk as kiosk
from tests.kiosk.test_cli_lifecycle import office as office

ADD = ("staff", "add", "--username", "Nuevo", "--full-name", "Nuevo Agente Díaz", "--role")


def test_c10_add_prints_the_temporary_password_once_and_list_shows_the_state(
    kiosk: Kiosk, office: Store
) -> None:
    added = kiosk.json(*ADD, "agent")
    password = added.pop("temporary_password")
    assert len(password) >= 10 and set(password) <= set(TEMPORARY_ALPHABET)
    assert added == {
        "username": "nuevo",
        "full_name": "Nuevo Agente Díaz",
        "role": "agent",
        "office": "STG",
        "state": "active",
        "locked_until": None,
        "must_change_password": True,
    }
    listed = {a["username"]: a for a in kiosk.json("staff", "list")["staff"]}
    assert set(listed) == {"sup", "agente", "auditora", "nuevo"}
    assert "temporary_password" not in listed["nuevo"]
    assert office.audit_log("staff.created")[0].actor == "staff:sup"
    text = kiosk(*ADD, "auditor", "--username", "otra")
    assert text.exit_code == 0 and "Contraseña temporal de otra:" in text.stdout


def test_c10_a_temporary_password_runs_nothing_but_change_password(
    kiosk: Kiosk, office: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = kiosk.json(*ADD, "agent")["temporary_password"]
    line = refused(kiosk("agenda", "--office", "STG", staff="nuevo", password=password))
    assert "temporal" in line and "kiosk staff change-password" in line
    monkeypatch.setenv("KIOSK_STAFF_NEW_PASSWORD", password)
    refused(kiosk("staff", "change-password", staff="nuevo", password=password), 2)
    monkeypatch.setenv("KIOSK_STAFF_NEW_PASSWORD", "mi-clave-nueva-1")
    changed = kiosk.json("staff", "change-password", staff="nuevo", password=password)
    assert changed["must_change_password"] is False
    monkeypatch.delenv("KIOSK_STAFF_NEW_PASSWORD")
    refused(kiosk("agenda", "--office", "STG", staff="nuevo", password=password))
    assert kiosk.json("agenda", "--office", "STG", staff="nuevo", password="mi-clave-nueva-1")


def test_c10_reset_forces_a_change_and_unlock_clears_a_lockout(kiosk: Kiosk, office: Store) -> None:
    for _ in range(5):
        line = refused(kiosk("staff", "list", staff="agente", password="equivocada"))
    assert "bloqueada hasta las 09:15" in line  # A11, for a known account
    assert kiosk.json("staff", "list")["staff"][0]["state"] in ("active", "locked")
    states = {a["username"]: a for a in kiosk.json("staff", "list")["staff"]}
    assert states["agente"]["state"] == "locked" and states["agente"]["locked_until"]
    assert kiosk.json("staff", "unlock", "agente")["state"] == "active"
    assert kiosk("agenda", "--office", "STG", staff="agente").exit_code == 0
    reset = kiosk.json("staff", "reset-password", "agente")
    assert reset["must_change_password"] is True
    refused(kiosk("agenda", "--office", "STG", staff="agente"))  # the old password is gone
    line = refused(
        kiosk("agenda", "--office", "STG", staff="agente", password=reset["temporary_password"])
    )
    assert "temporal" in line
    assert [e.actor for e in office.audit_log("staff.password_reset")] == ["staff:sup"]


def test_c10_a_deactivated_agent_cannot_log_in_and_reads_like_an_unknown_one(
    kiosk: Kiosk, office: Store
) -> None:
    assert kiosk.json("staff", "deactivate", "agente")["state"] == "deactivated"
    gone = refused(kiosk("agenda", "--office", "STG", staff="agente"))
    unknown = refused(kiosk("agenda", "--office", "STG", staff="nadie", password="x-y-z-1234"))
    assert gone == unknown == "Usuario o contraseña incorrectos."
    assert "desactivada" in refused(kiosk("staff", "deactivate", "agente", "--json"))
    assert refused(kiosk("staff", "deactivate", "sup"))  # not one's own account


def test_c10_scope_roles_and_exit_statuses(kiosk: Kiosk, office: Store) -> None:
    # A supervisor of STG administers nothing of ARI's; the national supervisor does.
    line = refused(kiosk("staff", "reset-password", "ari"))
    assert line == "Su cuenta actúa solo para la oficina STG."
    refused(kiosk("staff", "list", "--office", "ARI"))
    refused(kiosk(*ADD, "agent", "--office", "ARI"))
    ari = kiosk.json("staff", "list", "--office", "ARI", staff="nacional")["staff"]
    assert {a["username"] for a in ari} == {"ari", "sup.ari"}
    assert len(kiosk.json("staff", "list", staff="nacional")["staff"]) == 6
    assert kiosk.json("staff", "unlock", "ari", staff="nacional")["office"] == "ARI"
    # Agents and auditors administer nothing.
    for who in ("agente", "auditora"):
        assert "supervisor" in refused(kiosk("staff", "list", staff=who))
        refused(kiosk("staff", "unlock", "sup", staff=who))
    # Bad input is 2: an unknown role, a user name with spaces, an agent with no office.
    refused(kiosk(*ADD, "jefe"), 2)
    refused(
        kiosk("staff", "add", "--username", "con espacio", "--full-name", "X Y", "--role", "agent"),
        2,
    )
    refused(kiosk(*ADD, "agent", staff="nacional"), 2)
    refused(kiosk("staff", "add", "--full-name", "X", "--role", "agent"), 2)
    # Refused by a rule is 1: a taken name, an unknown account.
    refused(kiosk(*ADD, "agent", "--username", "agente"))
    refused(kiosk("staff", "unlock", "nadie"))
