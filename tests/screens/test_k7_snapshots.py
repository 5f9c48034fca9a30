"""Snapshots of "Registro completado" with the training folder printer (A8, K7): the password
on screen and the plain notice that no slip was printed or kept, at 120×40 and 80×24."""

from __future__ import annotations

from typing import Any

import pytest

from screens.registered import RegisteredScreen
from tests.screens.conftest import settle

SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])


async def _registered(pilot: Any) -> None:
    await pilot.app.push_screen(RegisteredScreen("Tmp-Clave-8xQ2", "w.desir@correo.cl"))
    await settle(pilot)


@SIZES
def test_k7_registered_with_the_training_printer(
    snap_compare: Any, make_kiosk: Any, size: tuple[int, int]
) -> None:
    """A8, K7: the training printer keeps no slip; the screen says to write the password down."""
    assert snap_compare(make_kiosk(), terminal_size=size, run_before=_registered)
