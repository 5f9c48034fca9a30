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

Issue 19 (start): `import kiosk.cli` imports no command module and not click; the group is
made (`cli`, with `apps`) when first asked for, and imports the other command modules
(`command_modules`) whenever a command is looked up (a subcommand, `--help`), so every command
is there when one is asked for. A plain `kiosk` (`plain_start`: the group's own options, each
once) starts the applicant kiosk without click at all; whatever goes wrong then is answered by
the group, as for every command."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from kiosk.cli.group import KioskGroup, cli

__all__ = ["cli", "main", "plain_start"]

COMMAND_MODULES = tuple(
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

# The group's own options (kiosk/cli/group.py) and the names its callback gets them by.
PLAIN_OPTIONS = {"--db": "db_url", "--lang": "lang", "--staff": "staff_username"}


def _group() -> KioskGroup:
    """The `kiosk` group, with `kiosk` and `kiosk counter` registered and its command modules
    named (imported at the first look-up)."""
    from kiosk.cli import apps  # noqa: F401 (registers `kiosk` and `kiosk counter`)
    from kiosk.cli.group import cli

    cli.command_modules = COMMAND_MODULES
    return cli


def __getattr__(name: str) -> object:
    if name == "cli":
        return _group()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def plain_start(args: list[str]) -> dict[str, str | None] | None:
    """The group's options as its callback gets them, when `args` are `kiosk`'s plain start:
    only `--db`, `--lang` and `--staff`, each at most once (`--db URL` or `--db=URL`), with a
    value click reads the same way (text, not empty, not like an option) and a language the
    group knows. Anything else (a command, `--help`, a usage error, shell completion): None,
    and click reads it."""
    from kiosk.settings import LANGUAGES

    if "_KIOSK_COMPLETE" in os.environ:
        return None
    found: dict[str, str | None] = dict.fromkeys(PLAIN_OPTIONS.values())
    given = iter(args)
    for arg in given:
        option, equals, value = arg.partition("=")
        if option not in PLAIN_OPTIONS or found[PLAIN_OPTIONS[option]] is not None:
            return None
        if not equals:
            value = next(given, "")
        if not value or value.startswith("-") or not _text(value):
            return None
        found[PLAIN_OPTIONS[option]] = value
    if found["lang"] is not None and found["lang"] not in LANGUAGES:
        return None
    return found


def _text(value: str) -> bool:
    """What the group takes as text (KioskGroup.make_context refuses the rest)."""
    return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)


def main() -> None:
    """Entry point of the `kiosk` script."""
    options = plain_start(sys.argv[1:])
    if options is None:
        sys.exit(_group().main(prog_name="kiosk", standalone_mode=True))
    try:
        from kiosk.settings import load_settings
        from kiosk.start import run_app

        run_app(load_settings(db=options["db_url"], language=options["lang"]))
    except SystemExit:
        raise
    except BaseException as error:  # answered by the group, as click answers any command
        _answer(error)
    sys.exit(0)  # as the group ends


def _answer(error: BaseException) -> NoReturn:
    """What went wrong in a plain start, answered as the group answers every command (one line,
    the exit status; "Aborted!" for an interrupt): the group reads the same arguments and meets
    the same error where the start would have run."""
    group = _group()

    def meet(_env: object) -> None:
        raise error

    group.no_command = meet
    sys.exit(group.main(prog_name="kiosk", standalone_mode=True))
