"""Q4: the waiting room's call display. It shows a call made at a counter within two polls (on
SQLite and PostgreSQL), the newest large and the ones before it below, numbers and counters
only; its words turn between Spanish, English and Kreyòl; a store that cannot be read is one
calm line and the display keeps reading. Snapshots at 120×40 and 80×24.

The display reads the store on its own timer, which is the thing under test: the tests give it
a short interval and wait (bounded) until what it read is on the screen."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Digits, Static

import tests.screens.conftest as screens_conftest
from kiosk.display import DisplayApp, make_display_app
from kiosk.settings import Settings
from screens.display import DisplayScreen
from store import Store
from store.views import Actor, ApplicantView
from tests.conftest import NOW
from tests.factories import at
from tests.store.test_queue_display import TODAY, walk_in

SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
FAST = 0.05  # seconds between two reads, in the tests that wait for one
NEVER = 3600.0  # an interval that does not come during a test


def display_app(
    store: Store, *, poll: float = FAST, turn: float = NEVER, language: str = "es"
) -> DisplayApp:
    """The call display of STG on `store`, reading every `poll` s, turning every `turn` s."""
    office = next(o for o in store.catalog().offices if o.code == "STG")
    settings = Settings(db_url=store.url, language=language, now=NOW)
    return make_display_app(settings, store, office, poll_seconds=poll, turn_seconds=turn)


@pytest.fixture
def agent(kiosk_store: Store) -> Actor:
    """STG takes walk-ins for RD; an agent of STG."""
    walk_in(kiosk_store, "STG", "RD")
    return kiosk_store.create_staff("agente.q4", "Agente", "agent", "clave-segura-1", "STG").actor


def text_of(app: DisplayApp) -> str:
    """What the display shows, as plain text: every line of text, and the large digits' values
    (drawn in box characters, so read from the widgets)."""
    lines = [str(w.render()) for w in app.screen.query(Static)]
    lines += [f"digits:{d.value}" for d in app.screen.query(Digits)]
    return "\n".join(lines)


async def shown(pilot: Pilot[None], *texts: str, within: float = 5.0) -> float:
    """Seconds until every one of `texts` is on the display (fails after `within`)."""
    assert isinstance(pilot.app, DisplayApp)
    start = time.monotonic()
    while not all(t in text_of(pilot.app) for t in texts):
        waited = time.monotonic() - start
        assert waited < within, f"not shown after {within} s: {texts}\n{text_of(pilot.app)}"
        await pilot.pause(0.01)
    return time.monotonic() - start


def _take_and_call(store: Store, agent: Actor, counters: list[int]) -> None:
    """A walk-in number for each counter, each called there in turn."""
    for counter in counters:
        store.queue_take("STG", "RD")
        store.queue_call("STG", counter, actor=agent)


async def test_q4_a_call_at_a_counter_shows_large_with_the_earlier_ones_below(
    kiosk_store: Store, agent: Actor
) -> None:
    app = display_app(kiosk_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, "Todavía no hay llamados hoy")
        _take_and_call(kiosk_store, agent, [3])
        await shown(pilot, "digits:1\ndigits:3", "Número 1: al mesón 3.")
        kiosk_store.queue_finish("STG", 1, actor=agent)
        _take_and_call(kiosk_store, agent, [4])
        await shown(pilot, "digits:2\ndigits:4", "Llamados anteriores\nNúmero 1: al mesón 3.")
        screen = app.screen
        assert isinstance(screen, DisplayScreen)
        assert [(c.number, c.counter) for c in screen.calls or []] == [(2, 4), (1, 3)]
        assert screen.query_one("#display-now").has_class("-new")  # the new call stands out


async def test_q4_a_recall_comes_back_to_the_top(
    kiosk_store: Store, agent: Actor, clock: Any
) -> None:
    _take_and_call(kiosk_store, agent, [3, 4])
    app = display_app(kiosk_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, "digits:2\ndigits:4")
        clock.advance(minutes=2)
        kiosk_store.queue_recall("STG", 1, actor=agent)
        await shown(pilot, "digits:1\ndigits:3", "Llamados anteriores\nNúmero 2: al mesón 4.")


async def test_q4_numbers_and_counters_only_never_a_name_or_a_code(
    kiosk_store: Store, agent: Actor, registered: ApplicantView, clock: Any
) -> None:
    """The person checked in with their booking's code; the display shows their number only."""
    kiosk_store.open_capacity("STG", "RT", TODAY, TODAY, "09:00-10:00", 30)
    slot = next(s.id for s in kiosk_store.slots("STG", "RT", TODAY, TODAY) if s.free)
    booking = kiosk_store.book(registered.id, slot)
    assert booking.code is not None
    kiosk_store.queue_check_in("STG", booking.code)
    app = display_app(kiosk_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, "Todavía no hay llamados hoy")
        assert kiosk_store.queue_call("STG", 2, actor=agent).code == booking.code
        await shown(pilot, "digits:1\ndigits:2")
        everything = text_of(app) + app.export_screenshot()
        for private in (
            *registered.given_names.split(),
            registered.first_surname,
            registered.document_number,
            booking.code,
            booking.display_code or booking.code,
        ):
            assert private not in everything
        assert "Número 1: al mesón 2." in everything


async def test_q4_the_words_turn_between_spanish_english_and_kreyol(
    kiosk_store: Store, agent: Actor
) -> None:
    _take_and_call(kiosk_store, agent, [3])
    app = display_app(kiosk_store, turn=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, "Llamados de hoy", "Número 1: al mesón 3.", "[Español]")
        await shown(pilot, "Today's calls", "Number 1: to counter 3.", "[English]")
        await shown(pilot, "Apèl jodi a", "Nimewo 1: nan kontwa 3.", "[Kreyòl]")
        await shown(pilot, "Llamados de hoy", "[Español]")
        assert "digits:1\ndigits:3" in text_of(app)  # the numbers stay through every language


async def test_q4_a_store_that_cannot_be_read_is_one_calm_line_and_reading_goes_on(
    kiosk_store: Store, agent: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy.exc

    _take_and_call(kiosk_store, agent, [3])
    read = kiosk_store.queue_recent_calls
    down = {"now": True}

    def unreachable(office: str, limit: int = 6) -> Any:
        if down["now"]:
            raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("database is locked"))
        return read(office, limit)

    monkeypatch.setattr(kiosk_store, "queue_recent_calls", unreachable)
    app = display_app(kiosk_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, "No se pueden leer los llamados en este momento")
        assert "Traceback" not in app.export_screenshot()
        assert "locked" not in text_of(app) and "OperationalError" not in text_of(app)
        assert app.is_running
        down["now"] = False
        await shown(pilot, "digits:1\ndigits:3")
        assert "No se pueden leer" not in text_of(app)
        down["now"] = True  # fails again: the last calls stay up, with the calm line
        await shown(pilot, "No se pueden leer los llamados en este momento", "digits:1")


@pytest.fixture
def seeded_agent(seeded: Store, clock: Any) -> Actor:
    clock.set(at(TODAY, 9))
    walk_in(seeded, "STG", "RD")
    return seeded.create_staff("agente.q4", "Agente", "agent", "clave-segura-1", "STG").actor


async def test_q4_a_call_shows_within_two_reads_a_second_apart_on_each_database(
    seeded: Store, seeded_agent: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the real interval (one read a second), on SQLite and on PostgreSQL: a call shows
    by the second read that began after it, so within two seconds however busy the machine
    (counted in reads, not timed: the test waits for the display's own work)."""
    reads = 0
    read = seeded.queue_recent_calls

    def counted(office: str, limit: int = 6) -> Any:
        nonlocal reads
        reads += 1
        return read(office, limit)

    monkeypatch.setattr(seeded, "queue_recent_calls", counted)
    app = display_app(seeded, poll=1.0)
    assert app.poll_seconds == 1.0
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, "Todavía no hay llamados hoy")
        for number, counter in ((1, 2), (2, 5)):
            seeded.queue_take("STG", "RD")
            seeded.queue_call("STG", counter, actor=seeded_agent)
            before = reads
            await shown(pilot, f"Número {number}: al mesón {counter}.", within=30.0)
            assert reads - before <= 2


# -- snapshots ------------------------------------------------------------------------------


@pytest.fixture
def snap_compare(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The screens' snapshot comparison (taken at rest), with "at rest" as the display knows
    it: its first read shown and no worker running (the screens' `settle` knows the kiosk)."""

    async def settle(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        for _ in range(500):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(screen, DisplayScreen) and screen.calls is not None:
                return
        raise AssertionError("the display never read the store")

    monkeypatch.setattr(screens_conftest, "settle", settle)
    yield snap_compare


@SIZES
def test_calls(snap_compare: Any, kiosk_store: Store, agent: Actor, size: tuple[int, int]) -> None:
    """Q4: number 4 just called to counter 1, large; 3, 2 and 1 below; the office on top;
    Español marked among the three languages at the foot."""
    _take_and_call(kiosk_store, agent, [2, 5, 3])
    for number in (1, 2, 3):
        kiosk_store.queue_finish("STG", number, actor=agent)
    _take_and_call(kiosk_store, agent, [1])
    assert snap_compare(display_app(kiosk_store, poll=NEVER), terminal_size=size)


@SIZES
def test_no_calls_yet(
    snap_compare: Any, kiosk_store: Store, agent: Actor, size: tuple[int, int]
) -> None:
    """Q4: before the first call, a dash and "wait for your number on this screen"."""
    assert snap_compare(display_app(kiosk_store, poll=NEVER), terminal_size=size)
