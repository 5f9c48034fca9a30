"""`kiosk` and `kiosk counter`: the applicant kiosk and the counter desk (Textual apps).

The apps and the store are imported only when a command starts them: `kiosk` draws its first
screen before SQLAlchemy is loaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.cli.group import Env, cli, pass_env
from kiosk.settings import Settings

if TYPE_CHECKING:
    from store import Store
    from store.clock import Clock


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


@cli.when_no_command
def start_kiosk(env: Env) -> None:
    """`kiosk` with no command: the applicant kiosk on this database (migrated and filled with
    the demo on first start, in a worker, while the welcome screen is already up)."""
    from kiosk.app import make_app

    make_app(env.settings, opener(env.settings), env.settings.make_printer()).run()


@cli.command()
@pass_env
def counter(env: Env) -> None:
    """The counter-staff desk (TUI): staff log in with their own account."""
    from kiosk.app import make_app

    make_app(env.settings, opener(env.settings), env.settings.make_printer(), counter=True).run()
