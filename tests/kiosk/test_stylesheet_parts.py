"""Issue 19 (start): the applicant kiosk reads kiosk.tcss in two parts, the welcome screen's
rules before its first frame and the others after it (kiosk/app.py, LATER_RULES). The welcome
screen looks the same with either; every other screen and dialog is shown with all of them,
however soon it comes; the counter desk reads the whole file at start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

import kiosk.app
from kiosk.app import CSS_FILE, LATER_RULES, KioskApp, make_app
from kiosk.settings import load_settings
from receipts.printer import FolderPrinter

if TYPE_CHECKING:
    from store import Store


class _Store:  # what the app asks of the store it opens
    def is_training(self) -> bool:
        return False


def _kiosk(tmp_path: Path, *, counter: bool = False) -> KioskApp:
    settings = load_settings({}, db=str(tmp_path / "kiosk.db"))
    opened = cast("Store", _Store())
    return make_app(
        settings,
        lambda _clock: opened,
        FolderPrinter(tmp_path),
        counter=counter,
        watch_idle=False,
        blink=False,
    )


def _selectors(app: KioskApp) -> set[str]:
    return {rule.selectors for rule in app.stylesheet.rules}


def test_the_file_says_where_the_later_rules_begin() -> None:
    first, mark, later = CSS_FILE.read_text(encoding="utf-8").partition(LATER_RULES)
    assert mark and "#welcome-actions Button" in first and ".dialog" in later


async def test_the_welcome_screen_looks_the_same_before_and_after_the_later_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kiosk.app, "OPEN_STORE_AFTER", 60.0)  # no store, no later rules yet
    app = _kiosk(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert ".dialog" not in _selectors(app)
        first_frame = app.export_screenshot()
        app._add_later_rules()
        await pilot.pause()
        assert ".dialog" in _selectors(app)
        assert app.export_screenshot() == first_frame


async def test_the_later_rules_come_once_the_welcome_screen_is_up(tmp_path: Path) -> None:
    app = _kiosk(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(kiosk.app.OPEN_STORE_AFTER + 0.2)
        assert ".dialog" in _selectors(app)


async def test_a_dialog_shown_at_once_has_every_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kiosk.app, "OPEN_STORE_AFTER", 60.0)
    app = _kiosk(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f12")  # K2: the staff exit, before the store is even opened
        await pilot.pause()
        dialog = app.screen.query_one(".dialog")
        assert dialog.styles.width is not None and dialog.styles.width.value == 70


async def test_the_counter_desk_reads_the_whole_file_at_start(tmp_path: Path) -> None:
    app = _kiosk(tmp_path, counter=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert ".dialog" in _selectors(app)
