"""The `kiosk` command: the contract for scripts, staff and tests (architecture.md).

`group` holds the `kiosk` group, its settings and its exit statuses; each other module holds
one family of commands and registers it on the group when imported:

- `apps`: `kiosk` (the applicant kiosk) and `kiosk counter`
- `display`: `kiosk display` (the waiting room's call display, Q4) and `kiosk serve
  display|kiosk` (either in a web browser, through textual-serve)
- `database`: `kiosk db upgrade` and `kiosk demo`
- `catalog`: `kiosk catalog` and `kiosk slots list|open|block|unblock`
- `applicants`: `kiosk applicant register` and `kiosk mailbox`
- `closures`: `kiosk closures add|remove|list`
- `bookings`: `kiosk book`, `verify`, `receipt`, `cancel`, `reschedule` and `rebook`
- `waitlist`: `kiosk waitlist enrol|list|withdraw`
- `agenda`: `kiosk agenda [close-day]` and `kiosk checkin|attended|missed`
- `mail`: `kiosk outbox send` and `kiosk reminders send`
- `audit`: `kiosk audit verify` (the audit log's hash chain, W7)
- `staff`: `kiosk staff add|list|deactivate|unlock|reset-password|change-password` (C10)
- `bundles`: `kiosk export`, `kiosk import` and `kiosk conflicts list|resolve` (O3, O4)
- `queue`: `kiosk queue take|call|recall|absent|finish|transfer|list` (Q1-Q5)

`acting` is who runs a command (C12: `--staff`) and for which office (C9).

Issue 19 (start): only `apps` is imported here, so `kiosk` alone starts the applicant kiosk
without the other command modules; the group imports them (`command_modules`) whenever a
command is looked up (a subcommand, `--help`), so every command is there when one is asked for."""

from __future__ import annotations

import sys

from kiosk.cli import apps  # noqa: F401 (registers `kiosk` and `kiosk counter`)
from kiosk.cli.group import cli

__all__ = ["cli", "main"]

cli.command_modules = tuple(
    f"kiosk.cli.{name}"
    for name in (
        "database",
        "catalog",
        "closures",
        "applicants",
        "bookings",
        "waitlist",
        "agenda",
        "mail",
        "staff",
        "audit",
        "bundles",
        "queue",
        "display",
    )
)


def main() -> None:
    """Entry point of the `kiosk` script."""
    sys.exit(cli.main(prog_name="kiosk", standalone_mode=True))
