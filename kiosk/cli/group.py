"""The `kiosk` group: its options, what every command gets (`Env`), and how it ends.

The contract for scripts, staff and tests (architecture.md, "The command line"). Exit status:
0 done; 1 refused by a rule; 2 bad input or usage; 3 could not do it now (the database is busy,
full, read-only or unreachable: nothing was written, try again). Errors are one line on stderr in
the chosen language, never a traceback, never a password. `--json` prints one JSON document.

The commands live in the other modules of this package; each imports this one and registers
on `cli`."""

from __future__ import annotations

import errno
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NoReturn

import click

from kiosk.i18n import translator
from kiosk.settings import Settings, SettingsError, load_settings
from store.errors import InvalidForm, InvalidInput, Refused, Unavailable
from store.text import LANGUAGES, N_, Message

if TYPE_CHECKING:
    from store import Store
    from store.views import StaffView

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
# Could not do it now; an unexpected error ("internal error") ends with this status too.
EXIT_NOT_NOW = 3
# PostgreSQL's "read-only transaction" (a standby, a read-only role); SQLite's read-only, busy
# and full databases, and an unreachable server, raise OperationalError.
_READ_ONLY_SQLSTATE = "25006"


@dataclass
class Env:
    """What every command gets: the settings, the translation function, a store, and who acts
    (C12: `--staff`, resolved by `kiosk.cli.acting` for the commands that need someone)."""

    settings: Settings
    _store: Store | None = None
    staff_username: str | None = None
    staff: StaffView | None = None
    # The password `staff` logged in with, kept only for `kiosk staff change-password`.
    staff_password: str | None = None
    # What `store()` has checked already: the schema's revision, the training settings.
    _ready: bool = False
    _trusted: bool = False

    @property
    def t(self) -> Callable[[str], str]:
        return translator(self.settings.language)

    def say(self, msgid: str, **params: object) -> str:
        return Message(msgid, params).render(self.t)

    @property
    def database(self) -> str:
        """The database as messages name it: `--db` as given, with any password hidden."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(self.settings.db_url)
        except ArgumentError:  # a plain file path
            return self.settings.db_url
        if url.password is None:
            return self.settings.db_url
        return url.render_as_string(hide_password=True)

    def store(self, *, must_be_ready: bool = True) -> Store:
        """The store, opened once; refuses (exit 2) if the schema was never created."""
        if self._store is None:
            self._store = self.settings.make_store()
            # Issue 15 §5: a damaged file is refused before anything reads or writes it (a new
            # one, which `db upgrade` is about to create, is empty and sound).
            self._store.check_integrity()
        if must_be_ready and not self._ready:
            self._ready = self._store.is_ready()
        if must_be_ready and not self._ready:
            fail(
                self.say(N_("La base de datos no está preparada: ejecute «kiosk db upgrade».")),
                EXIT_BAD_INPUT,
            )
        if must_be_ready and not self._trusted:
            # `db upgrade` dates nothing; `demo` makes a training store
            self._store.require_training(self.settings.training_overrides())
            self._trusted = True
        return self._store

    def close(self) -> None:
        """Release the store's connections (when the command ends)."""
        if self._store is not None:
            self._store.close()


def fail(message: str, status: int) -> NoReturn:
    """One line on stderr (no control character), then the exit status."""
    line = "".join(ch for ch in " ".join(message.split()) if ch.isprintable())
    click.echo(line, err=True)
    raise click.exceptions.Exit(status)


def _not_text(arg: str) -> bool:
    return "\x00" in arg or any("\ud800" <= ch <= "\udfff" for ch in arg)


def _language(args: list[str]) -> str:
    """The language of a message given before the settings are read: `--lang` if it is there."""
    if "--lang" in args[:-1]:
        chosen = args[args.index("--lang") + 1]
        return chosen if chosen in LANGUAGES else "es"
    import os

    chosen = os.environ.get("KIOSK_LANG", "es")
    return chosen if chosen in LANGUAGES else "es"


def _usage_line(error: click.UsageError) -> str:
    """A usage error as one line, with where to find help; a value of thousands of characters
    that click quotes back is shortened to its ends."""
    where = f" ({error.ctx.command_path} --help)" if error.ctx is not None else ""
    words = [
        w if len(w) <= 80 else f"{w[:40]}…{w[-10:]}" for w in error.format_message().split(" ")
    ]
    return f"{' '.join(words)}{where}"


def _untranslated(msgid: str) -> str:
    return msgid


def field_label(field: str, t: Callable[[str], str]) -> str:
    """A field's name as the forms show it (`store.forms.FIELD_LABELS`), else the field itself."""
    # Imported here for speed only: store.forms pulls in the phone and RUT validators, which
    # `kiosk` should not load before its first screen.
    from store.forms import FIELD_LABELS

    return t(FIELD_LABELS[field]) if field in FIELD_LABELS else field


class KioskGroup(click.Group):
    """Turns every refusal and bad input into one clear line and the right exit status, and
    runs what `kiosk` alone does (registered by `when_no_command`)."""

    no_command: Callable[[Env], None] | None = None
    # The modules that register the group's commands (named by kiosk.cli), imported whenever
    # a command is looked up (at once after the first time): `kiosk` alone starts without
    # them (issue 19).
    command_modules: tuple[str, ...] = ()

    def load_commands(self) -> None:
        """Every command registered."""
        for module in self.command_modules:
            importlib.import_module(module)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.load_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self.load_commands()
        return super().get_command(ctx, cmd_name)

    def when_no_command(self, start: Callable[[Env], None]) -> Callable[[Env], None]:
        """Register what runs when no command is given (the applicant kiosk)."""
        self.no_command = start
        return start

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """`kiosk`'s own options: a usage error is one line too (exit 2). An argument that is
        not text (bytes that are not UTF-8, which Python keeps as lone surrogates; a NUL) is
        refused here, before it can reach a file name, a message or the database."""
        if parent is None and any(_not_text(arg) for arg in args):
            fail(
                Message(N_("Un argumento no es texto válido (UTF-8): escríbalo de nuevo.")).render(
                    translator(_language(args))
                ),
                EXIT_BAD_INPUT,
            )
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            fail(_usage_line(error), EXIT_BAD_INPUT)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:  # a command's arguments, an unknown command
            fail(_usage_line(error), EXIT_BAD_INPUT)
        except SettingsError as error:
            fail(str(error), EXIT_BAD_INPUT)
        except InvalidForm as error:
            t = _translation(ctx)
            parts = [f"{field_label(f, t)}: {m.render(t)}" for f, m in error.errors.items()]
            fail(" ".join(parts), EXIT_BAD_INPUT)
        except InvalidInput as error:
            t = _translation(ctx)
            fail(f"{field_label(error.field, t)}: {error.render(t)}", EXIT_BAD_INPUT)
        except Refused as error:
            fail(error.render(_translation(ctx)), EXIT_REFUSED)
        except Unavailable as error:  # busy past the bounded wait: nothing written
            fail(error.render(_translation(ctx)), EXIT_NOT_NOW)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as error:  # a path given on the command line (--out, DIR, …)
            path = str(error.filename or "")
            path = path if len(path) <= 80 else f"{path[:40]}…{path[-20:]}"
            line = Message(
                N_("No se pudo usar el archivo {path}: {reason}"),
                {"path": path, "reason": error.strerror or type(error).__name__},
            ).render(_translation(ctx))
            # A full or failing disk may work later; a wrong path will not.
            full = error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO)
            fail(line, EXIT_NOT_NOW if full else EXIT_BAD_INPUT)
        except Exception as error:
            env = ctx.find_object(Env)
            for reason, msgid, status in (
                (
                    database_damaged(error),
                    N_("{url} no es una base de datos SQLite sana: {reason}"),
                    EXIT_BAD_INPUT,
                ),
                (
                    database_unusable(error),
                    N_("No se pudo usar la base de datos {url}: {reason}"),
                    EXIT_NOT_NOW,
                ),
            ):
                if reason is not None and env is not None:
                    fail(env.say(msgid, url=env.database, reason=reason), status)
            fail(f"internal error: {type(error).__name__}: {error}", EXIT_NOT_NOW)


def database_damaged(error: Exception) -> str | None:
    """SQLite's reason when the file is not a database or is damaged (random bytes, a text
    file, a truncated or corrupted database): bad input, not a passing failure."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError) or not isinstance(error.orig, sqlite3.DatabaseError):
        return None
    text = str(error.orig)
    damaged = ("file is not a database", "malformed", "corrupt")
    if isinstance(error.orig, sqlite3.OperationalError) and not any(d in text for d in damaged):
        return None
    return next(iter(text.splitlines()), type(error.orig).__name__)


def database_unusable(error: Exception) -> str | None:
    """The database's own reason (its first line) when it could not be used now (busy, full,
    read-only, unreachable), else None. A write transaction that fails so is rolled back."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if not isinstance(error, DBAPIError):
        return None
    if isinstance(error, OperationalError) or (
        getattr(error.orig, "sqlstate", None) == _READ_ONLY_SQLSTATE
    ):
        return next(iter(str(error.orig).splitlines()), type(error.orig).__name__)
    return None


def _translation(ctx: click.Context) -> Callable[[str], str]:
    env = ctx.find_object(Env)
    return env.t if env is not None else _untranslated


# Issue 15 §5: what `--file` reads at most (an applicant's data is a few hundred bytes).
MAX_FILE_BYTES = 1_000_000


def read_json_file(env: Env, path: str) -> object:
    """A `--file` as JSON: only a regular file of at most MAX_FILE_BYTES (never a device, a
    FIFO or a folder, which would read forever or block), valid UTF-8 and JSON of a sane depth;
    anything else is one line, exit 2."""
    import errno
    import json
    import os
    import stat

    def refuse(reason: str) -> NoReturn:
        fail(
            env.say(N_("No se pudo leer el archivo {path}: {reason}"), path=path, reason=reason),
            EXIT_BAD_INPUT,
        )

    try:
        # Non-blocking: opening a FIFO for reading would wait for a writer.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        reasons = {
            errno.ENOENT: N_("no existe"),
            errno.EACCES: N_("no tiene permiso para leerlo"),
            errno.EISDIR: N_("es una carpeta"),
        }
        refuse(env.say(reasons[error.errno]) if error.errno in reasons else str(error.strerror))
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        os.close(handle)
        refuse(
            env.say(
                N_("es una carpeta") if stat.S_ISDIR(info.st_mode) else N_("no es un archivo común")
            )
        )
    too_big = info.st_size > MAX_FILE_BYTES
    try:
        with os.fdopen(handle, "rb") as file:
            # A file that grows while it is read is stopped one byte past the limit.
            raw = b"" if too_big else file.read(MAX_FILE_BYTES + 1)
    except OSError as error:  # /proc files that will not be read, a disk that fails
        refuse(str(error.strerror or type(error).__name__))
    if too_big or len(raw) > MAX_FILE_BYTES:
        refuse(env.say(N_("es demasiado grande (máximo {size} KB)"), size=MAX_FILE_BYTES // 1000))
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        refuse(env.say(N_("no está en UTF-8")))
    except (ValueError, RecursionError):  # not JSON, a number of thousands of digits, [[[[…
        refuse(env.say(N_("no es JSON válido")))


def emit(data: Mapping[str, object], as_json: bool, text: str) -> None:
    """One JSON document with --json, else a short human line."""
    import json  # not at the top: `kiosk` alone prints nothing and starts sooner without it

    click.echo(json.dumps(data, ensure_ascii=False, default=str) if as_json else text)


def iso(moment: datetime | None) -> str | None:
    """A moment in JSON: ISO 8601, or null."""
    return None if moment is None else moment.isoformat()


def parse_day(field: str, text: str | None) -> date | None:
    """A `--from`/`--to`/`--today` option as a date (bad input names the field, exit 2)."""
    from store.validation import parse_date

    return None if text is None else parse_date(field, text)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
# A row id as typed (`--slot`): a whole number the database can hold, else bad input (exit 2).
# A row's id: PostgreSQL's `integer` (SQLite's are wider), so a larger one is bad input.
ROW_ID = click.IntRange(1, 2**31 - 1)
pass_env = click.make_pass_decorator(Env)


@click.group(cls=KioskGroup, invoke_without_command=True)
@click.option("--db", "db_url", help="Database URL or SQLite file (default: $KIOSK_DB).")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of messages.")
@click.option(
    "--staff",
    "staff_username",
    metavar="USERNAME",
    help="Who acts (default: $KIOSK_STAFF); password from $KIOSK_STAFF_PASSWORD, else asked.",
)
@click.pass_context
def cli(
    ctx: click.Context, db_url: str | None, lang: str | None, staff_username: str | None
) -> None:
    """Citas Kiosk: immigration appointments at the kiosk and the counter."""
    ctx.obj = Env(load_settings(db=db_url, language=lang), staff_username=staff_username)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None and cli.no_command is not None:
        cli.no_command(ctx.obj)
