"""A kiosk on a small seeded SQLite store with a fixed clock, and helpers for Pilot tests.

Tests wait for work, not for time: `settle` returns when no worker runs, no store call waits
for its result and every message has been handled; `Outcomes` collects the outcome messages the
screens post, so a journey test can check each step as well as the screen it led to."""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import textual._wait as textual_wait
import textual.screen as textual_screen
from textual.message import Message
from textual.pilot import Pilot
from textual.worker import WorkerFailed, WorkerState

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from kiosk.app import CounterApp, KioskApp, make_app
from kiosk.settings import Settings
from receipts.printer import FolderPrinter
from screens.base import KioskScreen, Outcome
from store import Store
from store.credentials import Passwords, fast_hasher
from store.views import ApplicantView, StaffView
from tests.conftest import NOW
from tests.factories import form, open_day, seed_catalog

# Pilot's own waits are guesses by the clock: after every key `pilot.press` sleeps in slices of
# 20 ms until one slice passes with under 1 ms of CPU (twice a key), and a screen redraws at most
# every 1/60 s. The tests wait for the work itself (`settle`: workers, store calls, messages,
# animations; `at_rest`: the same picture three rounds running), so the slices can be 2 ms and
# a redraw due at once: the screen tests ran in 4.5 instead of 10.4 minutes on 2 cores, the
# same tests passing (issue 19).
textual_wait.SLEEP_GRANULARITY = 0.002
textual_wait.SLEEP_IDLE = 0.0002
textual_screen.UPDATE_PERIOD = 0.001  # type: ignore[misc]  # Final; read when a screen makes its timer

PASSWORD = "clave-segura-2026"
OutcomeT = TypeVar("OutcomeT", bound=Outcome)
KioskPilot = Pilot[None]


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
def registered(kiosk_store: Store) -> ApplicantView:
    """An applicant whose password is already their own."""
    registration = kiosk_store.register(
        form(given_names="Wyddeline Ñusta", first_surname="Désir", second_surname="Saint-Fleur"),
        terms_accepted=True,
    )
    kiosk_store.change_password(
        registration.applicant.id, registration.temporary_password, PASSWORD
    )
    return registration.applicant


@pytest.fixture(autouse=True)
def no_press_effect(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pressed button stays "active" for 0.2 s and ignores taps meanwhile: a timer, which
    would make a test's second tap (and a snapshot's colours) depend on how fast it ran."""
    from textual.widgets import Button

    created = Button.__init__

    def without_effect(self: Button, *args: Any, **kwargs: Any) -> None:
        created(self, *args, **kwargs)
        self.active_effect_duration = 0

    monkeypatch.setattr(Button, "__init__", without_effect)


async def at_rest(pilot: KioskPilot) -> None:
    """Until the screen draws the same picture three rounds running: a snapshot is taken of a
    screen at rest, never of one still laying out (a slow machine lays out in more rounds)."""
    app = pilot.app
    same, last = 0, ""
    for _ in range(200):
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()
        picture = app.export_screenshot()
        same = same + 1 if picture == last else 0
        if same == 2:
            return
        last = picture
    raise AssertionError("the screen never came to rest")


@pytest.fixture
def snap_compare(snap_compare: Any) -> Any:
    """The snapshot plugin's comparison, taken once the screen is at rest (see `at_rest`)."""

    def compare(app: Any, *args: Any, run_before: Any = None, **kwargs: Any) -> bool:
        async def before(pilot: KioskPilot) -> None:
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            await at_rest(pilot)

        return bool(snap_compare(app, *args, run_before=before, **kwargs))

    return compare


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def make_kiosk(kiosk_store: Store, tmp_path: Path, ticker: Ticker) -> Callable[..., KioskApp]:
    """A kiosk app on the test store; its receipts land in tmp_path/receipts."""

    def build(language: str = "es", idle_seconds: int = 90, office: str | None = None) -> KioskApp:
        settings = Settings(
            db_url=kiosk_store.url,
            language=language,
            idle_seconds=idle_seconds,
            now=NOW,
            office=office,
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


def screen_text(app: KioskApp) -> str:
    """Everything the current screen shows, as plain text (static text and list options)."""
    from textual.widgets import OptionList, Static

    lines = [str(w.render()) for w in app.screen.query(Static)]
    for options in app.screen.query(OptionList):
        lines += [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    return "\n".join(lines)


def _busy(app: KioskApp) -> bool:
    """A worker still running, or a store call whose result the screen has not taken yet."""
    if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        return True
    return any(isinstance(s, KioskScreen) and s.busy for s in app.screen_stack)


def _animating(app: KioskApp) -> bool:
    """An animation (a scroll into view, say) is running or waits to start."""
    return not app.animator._complete_event.is_set()


async def settle(pilot: KioskPilot) -> None:
    """Wait until the app has nothing left to do after a key press or a tap: every worker done,
    every store call's result taken, every message handled, and the same screen on top for two
    whole rounds (a finished step pushes the next screen, which may start its own work; what a
    handled message asks for later, a focus after a redraw in another language, is handled in
    the round after)."""
    app = pilot.app
    assert isinstance(app, KioskApp)
    quiet = 0
    while quiet < 2:
        screen = app.screen
        # A store call that fails is the screen's to handle (its refusal, its dialog), and the
        # test then checks the screen: a worker's failure is no reason to stop waiting.
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await app.animator.wait_until_complete()  # a scroll into view, say
        await pilot.pause()
        calm = app.screen is screen and not _busy(app) and not _animating(app)
        quiet = quiet + 1 if calm else 0


class Outcomes(list[Outcome]):
    """Every outcome message the screens posted, in order: pass it to `run_test` as its
    `message_hook`. (A message is seen by the screen and again by the app; it is kept once.)"""

    def __call__(self, message: Message) -> None:
        if isinstance(message, Outcome) and not any(seen is message for seen in self):
            self.append(message)

    def last(self, kind: type[OutcomeT]) -> OutcomeT:
        """The newest outcome, which must be a `kind`."""
        assert self, "no screen has finished a step"
        newest = self[-1]
        assert isinstance(newest, kind), f"expected {kind.__qualname__}, got {newest!r}"
        return newest

    def kinds(self) -> list[str]:
        """The outcomes' names, e.g. "LoginScreen.LoggedIn"."""
        return [type(outcome).__qualname__ for outcome in self]


@pytest.fixture
def outcomes() -> Outcomes:
    return Outcomes()


async def log_in(pilot: KioskPilot, identifier: str, password: str = PASSWORD) -> None:
    await tap(pilot, "#login")
    await settle(pilot)
    await pilot.press(*identifier, "enter", *password, "enter")
    await settle(pilot)


async def to_registration_form(pilot: KioskPilot) -> None:
    """From the welcome screen: "Reservar hora", accept the terms, on to the empty form."""
    await tap(pilot, "#book")
    await settle(pilot)
    await tap(pilot, "#accept")
    await tap(pilot, "#continue")
    await settle(pilot)


async def tap(pilot: KioskPilot, selector: str) -> None:
    """One tap on a widget, scrolled into view first (as a finger would scroll to it)."""
    widget = pilot.app.screen.query_one(selector)
    widget.scroll_visible(animate=False, immediate=True)
    await pilot.pause()
    await pilot.click(widget)
    await pilot.pause()


STAFF_PASSWORD = "clave-del-meson-1"


@pytest.fixture
def staff_accounts(kiosk_store: Store) -> dict[str, StaffView]:
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
    kiosk_store: Store, tmp_path: Path, ticker: Ticker, staff_accounts: dict[str, StaffView]
) -> Callable[..., CounterApp]:
    """A counter desk on the test store; CSV exports land in tmp_path/exports."""

    def build(language: str = "es", idle_seconds: int = 600) -> CounterApp:
        settings = Settings(
            db_url=kiosk_store.url,
            language=language,
            counter_idle_seconds=idle_seconds,
            now=NOW,
            exports_dir=tmp_path / "exports",
        )
        app = make_app(
            settings,
            kiosk_store,
            FolderPrinter(tmp_path / "receipts"),
            counter=True,
            monotonic=ticker,
            watch_idle=False,
            blink=False,
        )
        assert isinstance(app, CounterApp)
        return app

    return build


async def staff_log_in(pilot: KioskPilot, username: str, password: str = STAFF_PASSWORD) -> None:
    await pilot.press(*username, "enter", *password, "enter")
    await settle(pilot)


async def staff_at(pilot: KioskPilot, username: str, *buttons: str) -> None:
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
    # The rows' public ids too: they are audit subjects, so the chain's hashes (which the
    # audit screen shows) depend on them.
    import uuid

    from store import models

    ids = random.Random(2027)
    monkeypatch.setattr(
        models.uuid_module, "uuid4", lambda: uuid.UUID(int=ids.getrandbits(128), version=4)
    )
