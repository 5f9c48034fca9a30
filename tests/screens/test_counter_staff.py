"""C10 at the counter desk, walked with Pilot: a supervisor administers the office's staff with
the arrows and Enter alone (K5); a temporary password is replaced before the desk opens; a
failed login reads the same whether the account exists or not."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from textual.widgets import DataTable, Static

from kiosk.app import CounterApp
from screens.counter.desk import DeskScreen
from screens.counter.login import StaffLoginScreen, StaffPasswordScreen
from screens.counter.staff import StaffScreen
from screens.dialogs.staff_account import NewStaffDialog, TemporaryPasswordDialog
from store import Store
from store.errors import Refused
from store.views import StaffView
from tests.screens.conftest import (
    STAFF_PASSWORD,
    Outcomes,
    screen_text,
    settle,
    staff_at,
    staff_log_in,
)

MakeCounter = Callable[..., CounterApp]


def _rows(app: CounterApp) -> list[list[str]]:
    table = app.screen.query_one("#staff", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_c10_k5_a_supervisor_creates_resets_unlocks_and_deactivates_by_keys(
    make_counter: MakeCounter, kiosk_store: Store, staff_accounts: dict[str, StaffView]
) -> None:
    for _ in range(5):  # the agent is locked out (A11)
        with contextlib.suppress(Refused):
            kiosk_store.login_staff("agente", "equivocada")
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await staff_log_in(pilot, "super")
        # The desk by keys: the staff button is the ninth of the grid.
        assert isinstance(app.screen, DeskScreen)
        while app.screen.focused is not None and app.screen.focused.id != "staff":
            await pilot.press("right")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StaffScreen)
        assert [r[1] for r in _rows(app)] == ["agente", "auditor", "super"]
        assert _rows(app)[0][3] == "Bloqueada hasta las 09:15"
        # Unlock: the first row, Enter, the first action that applies is "Desbloquear".
        await pilot.press("down", "enter")
        assert app.screen.focused is not None and app.screen.focused.id == "unlock"
        await pilot.press("enter")
        await settle(pilot)
        assert "Cuenta agente desbloqueada." in screen_text(app)
        assert _rows(app)[0][3] == "Activa"
        # Reset: right to "Nueva contraseña temporal", Enter, confirm, the password once.
        await pilot.press("up", "enter")
        assert app.screen.focused is not None and app.screen.focused.id == "reset-password"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # "Sí, dar una nueva" has the focus
        await settle(pilot)
        assert isinstance(app.screen, TemporaryPasswordDialog)
        temporary = str(app.screen.query_one("#temporary-password", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert kiosk_store.login_staff("agente", temporary).must_change_password
        assert _rows(app)[0][3] == "Activa (contraseña temporal)"
        # Create: left to "Crear una cuenta"; type, Enter, type, Enter, arrows for the role.
        await pilot.press("up", "enter", "left", "enter")
        await settle(pilot)
        assert isinstance(app.screen, NewStaffDialog)
        await pilot.press(*"nueva.agente", "enter", *"Nueva Agente Díaz", "enter")
        await pilot.press("down", "up", "enter")  # arrows over the roles; Enter takes Agente
        assert app.screen.focused is not None and app.screen.focused.id == "create"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TemporaryPasswordDialog)
        created = str(app.screen.query_one("#temporary-password", Static).render())
        assert len(created) >= 10
        await pilot.press("enter")
        await settle(pilot)
        assert "nueva.agente" in [r[1] for r in _rows(app)]
        # Deactivate the agent: her row, Enter, right twice, Enter, then the warning's yes.
        await pilot.press("up")
        screen = app.screen
        assert isinstance(screen, StaffScreen)
        table = screen.query_one("#staff", DataTable)
        while screen.chosen != "agente":
            await pilot.press("up")
        await pilot.press("enter", "right", "right")
        assert app.screen.focused is not None and app.screen.focused.id == "deactivate"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("right", "enter")  # the safe "Volver" has the focus first
        await settle(pilot)
        assert "Cuenta agente desactivada." in screen_text(app)
        assert table.row_count == 4
    new = kiosk_store.login_staff("nueva.agente", created)
    assert (new.role, new.office, new.must_change_password) == ("agent", "STG", True)
    actors = {
        action: [e.actor for e in kiosk_store.audit_log(action)]
        for action in ("staff.unlocked", "staff.password_reset", "staff.deactivated")
    }
    assert actors == {a: ["staff:super"] for a in actors}
    assert kiosk_store.audit_log("staff.created")[0].actor == "staff:super"


async def test_c10_a_reset_password_is_replaced_before_the_desk_opens(
    make_counter: MakeCounter,
    kiosk_store: Store,
    staff_accounts: dict[str, StaffView],
    outcomes: Outcomes,
) -> None:
    temporary = kiosk_store.reset_staff_password(
        "agente", actor=staff_accounts["supervisor"].actor
    ).temporary_password
    app = make_counter()
    async with app.run_test(size=(120, 40), message_hook=outcomes) as pilot:
        await settle(pilot)
        await staff_log_in(pilot, "agente", temporary)
        assert isinstance(app.screen, StaffPasswordScreen)
        assert app.staff is None  # no desk yet
        await pilot.press(*"corta", "enter", *"corta", "enter")
        await settle(pilot)
        assert "al menos 8 caracteres" in screen_text(app)
        await pilot.press(*temporary, "enter", *temporary, "enter")
        await settle(pilot)
        assert "distinta de la contraseña temporal" in screen_text(app)
        await pilot.press(*"mi-clave-2026", "enter", *"mi-clave-2026", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert outcomes.kinds() == [
            "StaffLoginScreen.LoggedIn",
            "StaffPasswordScreen.PasswordChanged",
        ]
    assert not kiosk_store.login_staff("agente", "mi-clave-2026").must_change_password


async def test_c10_a_deactivated_agent_cannot_log_in_and_failures_read_the_same(
    make_counter: MakeCounter, kiosk_store: Store, staff_accounts: dict[str, StaffView]
) -> None:
    app = make_counter()
    said = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for username, password in (("agente", "equivocada"), ("nadie", "equivocada")):
            await pilot.press(*username, "enter", *password, "enter")
            await settle(pilot)
            said.append(str(app.screen.query_one("#login-error", Static).render()))
            app.screen.query_one("#username").value = ""  # type: ignore[attr-defined]
            app.screen.query_one("#username").focus()
        kiosk_store.deactivate_staff("agente", actor=staff_accounts["supervisor"].actor)
        await pilot.press(*"agente", "enter", *STAFF_PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen)
        said.append(str(app.screen.query_one("#login-error", Static).render()))
    assert said == ["Usuario o contraseña incorrectos."] * 3


async def test_c10_agents_and_auditors_have_no_staff_screen(
    make_counter: MakeCounter, kiosk_store: Store
) -> None:
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente")
        assert not app.screen.query("#staff")
        app.push_screen(StaffScreen())
        await settle(pilot)
        assert "Su cuenta no tiene permiso para esta pantalla." in screen_text(app)
