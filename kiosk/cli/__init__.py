"""The `kiosk` command: the contract for scripts, staff and tests (architecture.md).

`group` holds the `kiosk` group, its settings and its exit statuses; each other module holds
one family of commands and registers it on the group when imported here:

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

`acting` is who runs a command (C12: `--staff`) and for which office (C9)."""

from __future__ import annotations

import sys

from kiosk.cli import (
    agenda,
    applicants,
    apps,
    audit,
    bookings,
    bundles,
    catalog,
    closures,
    database,
    display,
    mail,
    queue,
    staff,
    waitlist,
)
from kiosk.cli.group import cli

__all__ = ["cli", "main"]

# The command modules register their commands on `cli` as they are imported.
COMMANDS = (
    apps,
    database,
    catalog,
    closures,
    applicants,
    bookings,
    waitlist,
    agenda,
    mail,
    staff,
    audit,
    bundles,
    queue,
    display,
)


def main() -> None:
    """Entry point of the `kiosk` script."""
    sys.exit(cli.main(prog_name="kiosk", standalone_mode=True))
