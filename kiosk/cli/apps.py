"""`kiosk` and `kiosk counter`: the applicant kiosk and the counter desk (Textual apps).

How they start is `kiosk.start`'s, which a plain `kiosk` also reaches without click."""

from __future__ import annotations

from kiosk.cli.group import Env, cli, pass_env
from kiosk.start import run_app


@cli.when_no_command
def start_kiosk(env: Env) -> None:
    """`kiosk` with no command: the applicant kiosk on this database (migrated and filled with
    the demo on first start, in a worker, while the welcome screen is already up)."""
    run_app(env.settings)


@cli.command()
@pass_env
def counter(env: Env) -> None:
    """The counter-staff desk (TUI): staff log in with their own account."""
    run_app(env.settings, counter=True)
