"""Starting the applicant kiosk and the counter desk: what `kiosk` and `kiosk counter` do once
their options are read.

Kept apart from the command line's click group (kiosk/cli/group.py) so that a plain `kiosk`,
read by `kiosk.cli.plain_start`, starts without click (issue 19: click is some 9 ms of a start
budgeted at 1.3 times a bare Textual app's). The apps and the store are imported only here and
only when a kiosk starts: `kiosk` draws its first screen before SQLAlchemy is loaded."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.settings import SettingsError

if TYPE_CHECKING:
    from kiosk.settings import Settings
    from receipts.printer import Printer
    from store import Store
    from store.clock import Clock

log = logging.getLogger("kiosk.printing")


def prepare_database(store: Store) -> bool:
    """An empty database is migrated and filled with the demo; returns True if it was loaded."""
    if not store.is_ready():
        store.upgrade()
    if store.is_empty():
        store.load_demo()
        return True
    return False


def opener(settings: Settings) -> Callable[[Clock], Store]:
    """Opens the store for the app (with the app's clock) and prepares the database."""

    def open_store(clock: Clock) -> Store:
        store: Store = settings.make_store(clock)
        prepare_database(store)
        return store

    return open_store


def start_logging_and_printer(settings: Settings) -> Printer:
    """K7: the log file first (so a refusal is in it too), then the printer: `lp` without the
    `lp` command refuses to start (one line, exit 2) instead of keeping receipts on disk."""
    from kiosk.logs import start_logging

    start_logging(settings)
    try:
        return settings.make_printer()
    except SettingsError as error:
        log.error("printer not usable: %s", error)
        raise


def refuse_training_settings_on_a_real_store(settings: Settings) -> None:
    """Issue 15 §2: `KIOSK_NOW` or fast hashing on a real store stops the kiosk before it
    starts (one line, exit 1); an empty database becomes the demo's training store."""
    overrides = settings.training_overrides()
    if not overrides:
        return
    store = settings.make_store()
    try:
        if store.is_ready() and not store.is_empty():
            store.require_training(overrides)
    finally:
        store.close()


def run_app(settings: Settings, *, counter: bool = False) -> None:
    """The applicant kiosk (or, with `counter`, the counter desk) on the settings' database:
    migrated and filled with the demo on first start, in a worker, while the first screen is
    already up.

    Python's cycle collector is off while the app starts, until its first screen is up (the app
    turns it on again `OPEN_STORE_AFTER` after it mounted): a start makes some fifty thousand
    objects that stay, and the collector ran through them dozens of times before the first
    frame to find next to nothing (issue 19)."""
    gc.disable()
    try:
        from kiosk.app import make_app

        printer = start_logging_and_printer(settings)
        refuse_training_settings_on_a_real_store(settings)
        make_app(settings, opener(settings), printer, counter=counter).run()
    finally:
        gc.enable()
