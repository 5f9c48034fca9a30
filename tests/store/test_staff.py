"""C10: supervisors administer the staff accounts of their office (a national supervisor, of
every office); a created or reset account has a temporary password changed at first use (A9
for staff); login failures read the same, and cost the same argon2 work, whether the account
exists or not (staff and applicants)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from store import Store
from store.clock import FixedClock
from store.credentials import TEMPORARY_ALPHABET, Passwords
from store.errors import InvalidInput, NotFound, Refused
from store.views import StaffView
from tests.factories import form

PASSWORD = "clave-propia-2026"


@pytest.fixture
def desk(seeded: Store) -> dict[str, StaffView]:
    """Supervisors of Santiago (STG) and Arica (ARI), a national one, an agent and an auditor."""
    return {
        name: seeded.create_staff(name, f"Persona {role} {office or ''}", role, PASSWORD, office)
        for name, role, office in (
            ("sup", "supervisor", "STG"),
            ("sup.ari", "supervisor", "ARI"),
            ("nacional", "supervisor", None),
            ("agente", "agent", "STG"),
            ("auditora", "auditor", "STG"),
        )
    }


def _refusal(call: Any, *args: Any, **kwargs: Any) -> Refused:
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return refused.value


def test_c10_a_new_account_has_a_temporary_password_and_the_creator_in_the_audit_log(
    seeded: Store, desk: dict[str, StaffView]
) -> None:
    issued = seeded.add_staff("Nuevo.Agente", "Nuevo Agente Díaz", "agent", actor=desk["sup"].actor)
    password = issued.temporary_password
    assert len(password) >= 10 and set(password) <= set(TEMPORARY_ALPHABET)
    assert (issued.staff.username, issued.staff.office) == ("nuevo.agente", "STG")
    assert issued.staff.must_change_password
    assert seeded.login_staff("nuevo.agente", password).must_change_password
    event = seeded.audit_log("staff.created")[0]
    assert (event.actor, event.subject) == ("staff:sup", "nuevo.agente")
    listed = {a.username for a in seeded.staff_accounts(actor=desk["sup"].actor)}
    assert listed == {"sup", "agente", "auditora", "nuevo.agente"}


def test_c10_a_deactivated_agent_cannot_log_in(seeded: Store, desk: dict[str, StaffView]) -> None:
    assert seeded.login_staff("agente", PASSWORD).role == "agent"
    gone = seeded.deactivate_staff("agente", actor=desk["sup"].actor)
    assert not gone.active
    refused = _refusal(seeded.login_staff, "agente", PASSWORD)
    unknown = _refusal(seeded.login_staff, "nadie", PASSWORD)
    assert refused.render() == unknown.render() == "Usuario o contraseña incorrectos."
    assert seeded.audit_log("staff.deactivated")[0].actor == "staff:sup"
    # Nobody deactivates their own account; a deactivated one is not reset or unlocked.
    assert _refusal(seeded.deactivate_staff, "sup", actor=desk["sup"].actor).code == "own_account"
    for call in (seeded.reset_staff_password, seeded.unlock_staff):
        assert _refusal(call, "agente", actor=desk["sup"].actor).code == "deactivated"


def test_c10_a_reset_password_forces_a_change(seeded: Store, desk: dict[str, StaffView]) -> None:
    issued = seeded.reset_staff_password("agente", actor=desk["sup"].actor)
    assert _refusal(seeded.login_staff, "agente", PASSWORD).code == "bad_credentials"
    agent = seeded.login_staff("agente", issued.temporary_password)
    assert agent.must_change_password
    # Until it is changed, the store does nothing for this account that needs its role.
    refused = _refusal(seeded.send_reminders, actor=agent.actor)
    assert refused.code == "password_change_required"
    temporary = issued.temporary_password
    for new in ("corta", temporary):
        with pytest.raises(InvalidInput):
            seeded.change_staff_password(temporary, new, actor=agent.actor)
    with pytest.raises(InvalidInput):
        seeded.change_staff_password("no-es-la-actual", "otra-clave-2026", actor=agent.actor)
    changed = seeded.change_staff_password(temporary, "otra-clave-2026", actor=agent.actor)
    assert not changed.must_change_password
    assert not seeded.login_staff("agente", "otra-clave-2026").must_change_password
    assert seeded.send_reminders(actor=agent.actor) == 0
    assert [e.actor for e in seeded.audit_log("staff.password_reset")] == ["staff:sup"]
    assert [e.actor for e in seeded.audit_log("staff.password_changed")] == ["staff:agente"]


def test_c10_unlock_clears_a_lockout(
    seeded: Store, desk: dict[str, StaffView], clock: FixedClock
) -> None:
    for _ in range(5):
        last = _refusal(seeded.login_staff, "agente", "equivocada")
    assert last.code == "locked" and "09:15" in last.render()  # A11 says until when
    assert _refusal(seeded.login_staff, "agente", PASSWORD).code == "locked"
    listed = {a.username: a for a in seeded.staff_accounts(actor=desk["sup"].actor)}
    assert listed["agente"].locked_at(clock.now())
    seeded.unlock_staff("agente", actor=desk["sup"].actor)
    assert seeded.login_staff("agente", PASSWORD).username == "agente"
    event = seeded.audit_log("staff.unlocked")[0]
    assert event.actor == "staff:sup" and '"was_locked": true' in event.details


def test_c10_a_supervisor_of_stg_cannot_administer_aris_staff_the_national_one_can(
    seeded: Store, desk: dict[str, StaffView]
) -> None:
    stg = desk["sup"].actor
    ari = seeded.add_staff("agente.ari", "Agente de Arica", "agent", actor=desk["sup.ari"].actor)
    assert ari.staff.office == "ARI"
    for call in (seeded.deactivate_staff, seeded.unlock_staff, seeded.reset_staff_password):
        assert _refusal(call, "agente.ari", actor=stg).code == "other_office"
    assert _refusal(seeded.staff_accounts, "ARI", actor=stg).code == "other_office"
    refused = _refusal(seeded.add_staff, "otro", "Otro Agente", "agent", "ARI", actor=stg)
    assert refused.render() == "Su cuenta actúa solo para la oficina STG."
    national = desk["nacional"].actor
    assert {a.username for a in seeded.staff_accounts("ARI", actor=national)} == {
        "sup.ari",
        "agente.ari",
    }
    assert len(seeded.staff_accounts(actor=national)) == 6  # every office, and the national
    seeded.reset_staff_password("agente.ari", actor=national)
    seeded.add_staff("otro", "Otro Agente", "agent", "ARI", actor=national)
    # A national account needs no office, but an agent serves at one.
    assert seeded.add_staff("revisora", "Revisora", "auditor", actor=national).staff.office is None
    with pytest.raises(InvalidInput) as no_office:
        seeded.add_staff("suelto", "Agente Suelto", "agent", actor=national)
    assert no_office.value.field == "office"
    with pytest.raises(NotFound):
        seeded.unlock_staff("nadie", actor=national)


@pytest.mark.parametrize("who", ["agente", "auditora"])
def test_c10_agents_and_auditors_cannot_administer(
    seeded: Store, desk: dict[str, StaffView], who: str
) -> None:
    actor = desk[who].actor
    for refused in (
        _refusal(seeded.add_staff, "otro", "Otro", "agent", actor=actor),
        _refusal(seeded.staff_accounts, actor=actor),
        _refusal(seeded.deactivate_staff, "sup", actor=actor),
        _refusal(seeded.unlock_staff, "sup", actor=actor),
        _refusal(seeded.reset_staff_password, "sup", actor=actor),
    ):
        assert refused.code == "not_allowed"
    assert seeded.audit_log("staff.password_reset") == []


def test_c10_unknown_user_and_wrong_password_read_the_same(
    seeded: Store, desk: dict[str, StaffView]
) -> None:
    """The desk and the kiosk each say one sentence for both, with no count of tries left."""
    wrong = _refusal(seeded.login_staff, "agente", "equivocada")
    unknown = _refusal(seeded.login_staff, "nadie", "equivocada")
    assert (wrong.rule, wrong.code, wrong.message) == (unknown.rule, unknown.code, unknown.message)
    assert "intentos" not in wrong.render()
    registration = seeded.register(form(), terms_accepted=True)
    wrong = _refusal(seeded.login, "jose@correo.cl", "equivocada")
    unknown = _refusal(seeded.login, "nadie@correo.cl", "equivocada")
    by_document = _refusal(seeded.login, "X0000000", "equivocada")
    assert wrong.message == unknown.message == by_document.message
    assert (wrong.rule, wrong.code) == (unknown.rule, unknown.code)
    assert "intentos" not in wrong.render() and "registrarse" not in wrong.render()
    # Unknown names never lock (there is nothing to lock); a known account does, and says so.
    for _ in range(6):
        assert _refusal(seeded.login, "nadie@correo.cl", "x").code == "bad_credentials"
    for _ in range(4):
        _refusal(seeded.login, "jose@correo.cl", "x")
    assert _refusal(seeded.login, "jose@correo.cl", "x").code == "locked"
    assert registration.applicant.email == "jose@correo.cl"
    # Every failure is audited, never with what was typed.
    typed = [e.subject for e in seeded.audit_log("staff.login_failed")]
    assert typed == ["unknown", "agente"]


def test_c10_an_unknown_account_costs_one_argon2_verification_like_a_known_one(
    seeded: Store, desk: dict[str, StaffView], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing is not asserted (docs/store.md has the figures); the work is: one verification
    against a hash of the same parameters, whether the account exists or not."""
    checked: list[str] = []
    verify = Passwords.verify

    def counting(self: Passwords, stored_hash: str, password: str) -> bool:
        checked.append(stored_hash.rsplit("$", 2)[0])  # algorithm, version and parameters
        return verify(self, stored_hash, password)

    monkeypatch.setattr(Passwords, "verify", counting)
    seeded.register(form(), terms_accepted=True)
    for login, name in (
        (seeded.login_staff, "agente"),
        (seeded.login_staff, "nadie"),
        (seeded.login, "jose@correo.cl"),
        (seeded.login, "nadie@correo.cl"),
    ):
        checked.clear()
        _refusal(login, name, "equivocada")
        assert len(checked) == 1, name
        known = checked[0]
        assert known.startswith("$argon2id$v=19$m=")
    parameters = set()
    for name in ("agente", "nadie"):
        checked.clear()
        _refusal(seeded.login_staff, name, "equivocada")
        parameters.add(checked[0])
    assert len(parameters) == 1


def test_2b_first_accounts_created_at_once_make_exactly_one(store: Store) -> None:
    """Four set-up scripts on a new store at the same moment, each making "the first account"
    without credentials: one succeeds, the other three are refused (they would otherwise all
    see an empty staff table on PostgreSQL)."""
    from tests.workers import results, spawn

    processes = [spawn("first_staff", store.url, f"jefa{n}") for n in range(4)]
    assert sum(r["created"] for r in results(processes)) == 1
    with store.database.reading() as session:
        assert session.execute(sa.text("SELECT count(*) FROM staff")).scalar_one() == 1
