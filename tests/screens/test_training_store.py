"""Issue 15 §2: every screen of a training store (made by `kiosk demo`) says so in its top
bar, in words ("CAPACITACIÓN"), in the kiosk's language; a real store's screens never do."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from store import Store
from tests.factories import training
from tests.screens.conftest import settle
from tests.screens.test_snapshots import SIZES, _to_terms


def _training_label(app: Any) -> str | None:
    """The top bar's training label as shown, or None where it is hidden."""
    label = app.screen.query_one("#top-training", Static)
    return str(label.render()).strip() if label.display else None


async def test_every_screen_of_a_training_store_says_so(
    make_kiosk: Any, kiosk_store: Store
) -> None:
    training(kiosk_store)
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _training_label(app) == "CAPACITACIÓN"
        await _to_terms(pilot)  # a screen drawn after the store opened
        assert _training_label(app) == "CAPACITACIÓN"
        await pilot.press("f2")
        await settle(pilot)
        assert _training_label(app) == "TRAINING"


async def test_a_real_store_never_shows_the_label(make_kiosk: Any) -> None:
    app = make_kiosk()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _training_label(app) is None
        await _to_terms(pilot)
        assert _training_label(app) is None


@SIZES
def test_welcome_of_a_training_store(
    snap_compare: Any, make_kiosk: Any, kiosk_store: Store, size: tuple[int, int]
) -> None:
    training(kiosk_store)

    async def opened(pilot: Any) -> None:
        await settle(pilot)

    assert snap_compare(make_kiosk(), terminal_size=size, run_before=opened)


async def test_the_label_comes_when_the_store_opens_in_the_background(
    kiosk_store: Store, tmp_path: Any
) -> None:
    """`kiosk` draws its first screen before the store is open; the label follows."""
    from kiosk.app import make_app
    from kiosk.settings import Settings
    from receipts.printer import FolderPrinter

    training(kiosk_store)
    settings = Settings(db_url=kiosk_store.url, now=None)
    app = make_app(settings, lambda _clock: kiosk_store, FolderPrinter(tmp_path), watch_idle=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):  # until the worker that opens the store has run
            if app.has_class("-training"):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert _training_label(app) == "CAPACITACIÓN"
