"""Snapshots of the office's staff screen and its dialogs at 120×40 and 80×24 (C10). Fixed
clock, fixed temporary passwords, no blink, no animation."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from store import Store
from store.errors import Refused
from tests.screens.conftest import settle, staff_at
from tests.screens.test_counter_snapshots import _tables_laid_out

pytestmark = pytest.mark.usefixtures("fixed_codes")
SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])


@pytest.fixture
def office_staff(kiosk_store: Store, staff_accounts: dict[str, Any]) -> None:
    """The agent locked out (A11), a new auditor with a temporary password, one deactivated."""
    for _ in range(5):
        with contextlib.suppress(Refused):
            kiosk_store.login_staff("agente", "equivocada")
    sup = staff_accounts["supervisor"].actor
    kiosk_store.add_staff("revisora", "Marta Ibáñez Castro", "auditor", actor=sup)
    kiosk_store.add_staff("exagente", "Luis Pérez Mora", "agent", actor=sup)
    kiosk_store.deactivate_staff("exagente", actor=sup)


def _staff_screen(*keys: str) -> Any:
    async def run(pilot: Any) -> None:
        await staff_at(pilot, "super", "#staff")
        await _tables_laid_out(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await _tables_laid_out(pilot)

    return run


@SIZES
def test_staff_screen(
    snap_compare: Any, make_counter: Any, office_staff: None, size: tuple[int, int]
) -> None:
    """C10: name, user, role, office and state (locked until when, temporary, deactivated);
    the locked agent chosen, "Desbloquear" offered."""
    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_staff_screen("down", "enter")
    )


@SIZES
def test_new_staff_dialog(
    snap_compare: Any, make_counter: Any, office_staff: None, size: tuple[int, int]
) -> None:
    """C10: user name, full name and role for a new account of the office."""
    assert snap_compare(
        make_counter(),
        terminal_size=size,
        run_before=_staff_screen("down", "enter", "left", "enter"),
    )


@SIZES
def test_temporary_password_dialog(
    snap_compare: Any, make_counter: Any, office_staff: None, size: tuple[int, int]
) -> None:
    """C10: the reset password, shown once."""
    assert snap_compare(
        make_counter(),
        terminal_size=size,
        run_before=_staff_screen("down", "enter", "right", "enter", "enter"),
    )


@SIZES
def test_deactivate_staff_dialog(
    snap_compare: Any, make_counter: Any, office_staff: None, size: tuple[int, int]
) -> None:
    """C10: the confirmation before an account is deactivated (the safe answer focused)."""
    assert snap_compare(
        make_counter(),
        terminal_size=size,
        run_before=_staff_screen("down", "enter", "right", "right", "enter"),
    )


@SIZES
def test_staff_password_change(
    snap_compare: Any,
    make_counter: Any,
    kiosk_store: Store,
    staff_accounts: dict[str, Any],
    size: tuple[int, int],
) -> None:
    """C10: a login with a temporary password asks for a new one before the desk opens."""
    temporary = kiosk_store.reset_staff_password(
        "agente", actor=staff_accounts["supervisor"].actor
    ).temporary_password

    async def run(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press(*"agente", "enter", *temporary, "enter")
        await settle(pilot)

    assert snap_compare(make_counter(), terminal_size=size, run_before=run)
