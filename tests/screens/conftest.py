"""A kiosk on a small seeded SQLite store with a fixed clock, and helpers for Pilot tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from kiosk.app import KioskApp, make_app
from kiosk.settings import Settings
from receipts.printer import FolderPrinter
from store import Store
from store.credentials import Passwords, fast_hasher
from tests.conftest import NOW
from tests.factories import form, open_day, seed_catalog

PASSWORD = "clave-segura-2026"


class Ticker:
    """A monotonic clock moved by hand, for the idle guard (K1)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def kiosk_store(tmp_path: Path, sqlite_template: Path, clock: Any) -> Iterator[Store]:
    """STG offers RT (two free times on Monday 30 November) and RD (no times: full)."""
    import shutil

    target = tmp_path / "kiosk.db"
    shutil.copy(sqlite_template, target)
    store = Store(f"sqlite:///{target}", clock=clock, passwords=Passwords(fast_hasher()))
    seed_catalog(store)
    open_day(store, "STG", "RT")
    yield store
    store.close()


@pytest.fixture
def registered(kiosk_store: Store) -> Any:
    """An applicant whose password is already their own."""
    registration = kiosk_store.register(
        form(given_names="Wyddeline Ñusta", first_surname="Désir", second_surname="Saint-Fleur"),
        terms_accepted=True,
    )
    kiosk_store.change_password(
        registration.applicant.id, registration.temporary_password, PASSWORD
    )
    return registration.applicant


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def make_kiosk(kiosk_store: Store, tmp_path: Path, ticker: Ticker) -> Callable[..., KioskApp]:
    """A kiosk app on the test store; its receipts land in tmp_path/receipts."""

    def build(language: str = "es", idle_seconds: int = 90) -> KioskApp:
        settings = Settings(
            db_url=kiosk_store.url, language=language, idle_seconds=idle_seconds, now=NOW
        )
        return make_app(
            settings,
            kiosk_store,
            FolderPrinter(tmp_path / "receipts"),
            monotonic=ticker,
            watch_idle=False,
            blink=False,
        )

    return build


def screen_text(app: Any) -> str:
    """Everything the current screen shows, as plain text (static text and list options)."""
    from textual.widgets import OptionList, Static

    lines = [str(w.render()) for w in app.screen.query(Static)]
    for options in app.screen.query(OptionList):
        lines += [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    return "\n".join(lines)


async def settle(pilot: Any) -> None:
    """Let workers finish and the screen redraw (Textual switches screens after 50 ms)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)


async def log_in(pilot: Any, identifier: str, password: str = PASSWORD) -> None:
    await tap(pilot, "#login")
    await settle(pilot)
    await pilot.press(*identifier, "enter", *password, "enter")
    await settle(pilot)


async def to_registration_form(pilot: Any) -> None:
    """From the welcome screen: "Reservar hora", accept the terms, on to the empty form."""
    await tap(pilot, "#book")
    await settle(pilot)
    await tap(pilot, "#accept")
    await tap(pilot, "#continue")
    await settle(pilot)


async def tap(pilot: Any, selector: str) -> None:
    """One tap on a widget, scrolled into view first (as a finger would scroll to it)."""
    widget = pilot.app.screen.query_one(selector)
    widget.scroll_visible(animate=False, immediate=True)
    await pilot.pause()
    await pilot.click(widget)
    await pilot.pause()


STAFF_PASSWORD = "clave-del-meson-1"


@pytest.fixture
def staff_accounts(kiosk_store: Store) -> dict[str, Any]:
    """An agent, a supervisor and an auditor of the Santiago office."""
    return {
        role: kiosk_store.create_staff(name, full, role, STAFF_PASSWORD, "STG")
        for role, name, full in (
            ("agent", "agente", "Camila Rojas Tapia"),
            ("supervisor", "super", "Patricio Núñez Soto"),
            ("auditor", "auditor", "Ingrid Salas Vera"),
        )
    }


@pytest.fixture
def make_counter(
    kiosk_store: Store, tmp_path: Path, ticker: Ticker, staff_accounts: dict[str, Any]
) -> Callable[..., KioskApp]:
    """A counter desk on the test store; CSV exports land in tmp_path/exports."""

    def build(language: str = "es", idle_seconds: int = 600) -> KioskApp:
        settings = Settings(
            db_url=kiosk_store.url,
            language=language,
            counter_idle_seconds=idle_seconds,
            now=NOW,
            exports_dir=tmp_path / "exports",
        )
        return make_app(
            settings,
            kiosk_store,
            FolderPrinter(tmp_path / "receipts"),
            counter=True,
            monotonic=ticker,
            watch_idle=False,
            blink=False,
        )

    return build


async def staff_log_in(pilot: Any, username: str, password: str = STAFF_PASSWORD) -> None:
    await pilot.press(*username, "enter", *password, "enter")
    await settle(pilot)


async def staff_at(pilot: Any, username: str, *buttons: str) -> None:
    """From a fresh counter: log in as `username`, then tap each desk or screen button."""
    await settle(pilot)
    await staff_log_in(pilot, username)
    for button in buttons:
        await tap(pilot, button)
        await settle(pilot)


@pytest.fixture
def fixed_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Verification codes are random; snapshots need the same one every run."""
    import random

    from store import codes

    chooser = random.Random(2026)
    monkeypatch.setattr(codes.secrets, "choice", chooser.choice)  # temporary passwords too
    monkeypatch.setattr(codes.secrets, "token_bytes", chooser.randbytes)
