"""K8: in assisted mode every screen says who is being served and by whom, and what the agent
opens on the person's behalf is not the person's acknowledgement of receipt (M1)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from kiosk.app import CounterApp
from screens.home import HomeScreen
from screens.mailbox import MailboxScreen
from screens.receipt import ReceiptScreen
from store import Store
from store.views import ApplicantView
from tests.screens.conftest import KioskPilot, settle, staff_at, tap
from tests.screens.test_counter import MakeCounter, _assist
from tests.screens.test_counter_snapshots import SIZES, _as, _open_file, counter_day

__all__ = ["counter_day"]  # the fixture, shared with the counter's snapshots

BANNER = "Atendiendo a Wyddeline Ñusta Désir Saint-Fleur · agente Camila Rojas Tapia"


def _banner(app: CounterApp) -> str:
    """The top bar of the screen on top (under a dialog, the screen it sits on)."""
    screen = next(s for s in reversed(app.screen_stack) if s.query("#top-title"))
    return str(screen.query_one("#top-title", Static).render())


async def _step(pilot: KioskPilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def test_k8_the_banner_names_the_person_and_the_agent_on_every_step_of_a_booking(
    make_counter: MakeCounter, registered: ApplicantView
) -> None:
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente")
        assert "Atendiendo" not in _banner(app)  # the desk itself: nobody is being served
        await _assist(pilot, registered)
        assert isinstance(app.screen, HomeScreen)
        seen = [type(app.screen).__name__]
        assert BANNER in _banner(app)
        await tap(pilot, "#book")
        await settle(pilot)
        for keys in (("enter",), ("enter",), ("enter",), ("enter",)):
            assert BANNER in _banner(app), type(app.screen).__name__
            seen.append(type(app.screen).__name__)
            await _step(pilot, *keys)
        assert isinstance(app.screen, ReceiptScreen)
        assert BANNER in _banner(app)
        seen.append("ReceiptScreen")
        assert seen[:4] == ["HomeScreen", "ProcedureScreen", "OfficeScreen", "SlotsScreen"]
        await _step(pilot, "f2")  # the banner follows the language too
        assert "Serving Wyddeline Ñusta Désir Saint-Fleur" in _banner(app)
        await _step(pilot, "f10")
        assert "Atendiendo" not in _banner(app) and "Serving" not in _banner(app)


async def test_k8_a_registration_at_the_desk_says_it_is_assisted(make_counter: MakeCounter) -> None:
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente", "#register")
        assert "Modo asistido: registro de una persona nueva · agente Camila Rojas Tapia" in (
            _banner(app)
        )


async def test_k8_a_notice_opened_in_assisted_mode_stays_unread_and_is_audited(
    make_counter: MakeCounter, registered: ApplicantView, kiosk_store: Store
) -> None:
    unread = kiosk_store.unread_count(registered.id)
    assert unread >= 1
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "agente")
        await _assist(pilot, registered)
        await tap(pilot, "#mailbox")
        await settle(pilot)
        assert isinstance(app.screen, MailboxScreen)
        assert BANNER in _banner(app)
        await _step(pilot, "enter")  # the first notice, opened by the agent
        assert app.screen.opened is not None
    assert kiosk_store.unread_count(registered.id) == unread
    assert all(n.read_at is None for n in kiosk_store.notices(registered.id))
    (read,) = kiosk_store.audit_log("notice.read_by_staff")
    assert read.actor == "staff:agente"
    (listed,) = kiosk_store.audit_log("mailbox.viewed")  # C1: the agent looked at the mailbox
    assert (
        listed.actor == "staff:agente"
        and listed.subject_label is not None
        and registered.full_name in listed.subject_label.render()
    )
    # The person's own opening is still their acknowledgement.
    notice = kiosk_store.notices(registered.id)[0]
    assert kiosk_store.open_notice(registered.id, notice.id).read_at is not None


@SIZES
@pytest.mark.usefixtures("fixed_codes")
def test_k8_assisted_home_snapshot(
    snap_compare: Any, make_counter: Any, counter_day: Any, size: tuple[int, int]
) -> None:
    """K8: the person's home in assisted mode, "Atendiendo a … · agente …" under the title."""

    async def assist(pilot: Any) -> None:
        await _open_file(pilot)
        await tap(pilot, "#assist")
        await settle(pilot)

    assert snap_compare(
        make_counter(), terminal_size=size, run_before=_as("agente", "#search", then=assist)
    )
