"""K7: the kiosk's log: store and printing failures, in a rotating file only its user can read.

The screens log under `kiosk.*` (`kiosk.screens` for a store call that broke, `kiosk.printing`
for a printer that refused); without a handler those records went nowhere. `start_logging`,
called once when the kiosk or the counter desk starts (never at import), sends them to
`kiosk.log` in the user log directory (`KIOSK_LOG_DIR` overrides it): 1 MB a file, five old
files kept, each 0600 in a 0700 folder.

What is logged never holds a password or a full document number: no screen logs one, and what
a database error carries of the person's data is cut from every record before it is written:
the bound parameters SQLAlchemy prints under `[parameters: …]` (what was typed, a password's
hash) and PostgreSQL's `DETAIL:` lines (`Key (document_number)=(P1234567) already exists`)."""

from __future__ import annotations

import logging
import os
import re
from io import TextIOWrapper
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.settings import Settings

LOGGER = "kiosk"
LOG_FILE = "kiosk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# SQLAlchemy's error text: "[SQL: …]\n[parameters: (…)]"; the parameters are the person's data.
_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\n|$)", re.DOTALL)
# PostgreSQL's detail of a constraint violation quotes the row's values.
_DETAIL = re.compile(r"^(\s*)DETAIL:.*$", re.MULTILINE)


class RedactingFormatter(logging.Formatter):
    """A formatter that cuts what a database error quotes of the data from the whole record."""

    def format(self, record: logging.LogRecord) -> str:
        text = _PARAMETERS.sub("[parameters: hidden]", super().format(record))
        return _DETAIL.sub(r"\1DETAIL: hidden", text)


def _private_handler(path: Path, max_bytes: int, backups: int) -> logging.Handler:
    """A RotatingFileHandler whose every file (the current one, each after a rotation) is 0600."""
    # Imported here: logging.handlers pulls in socket and pickle, not needed for the first screen.
    from logging.handlers import RotatingFileHandler

    class PrivateRotatingFileHandler(RotatingFileHandler):
        def _open(self) -> TextIOWrapper:
            descriptor = os.open(
                self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE
            )
            os.fchmod(descriptor, PRIVATE_FILE)  # a file left by an older version, too
            return os.fdopen(descriptor, "a", encoding=self.encoding, errors=self.errors)

    return PrivateRotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )


def start_logging(
    settings: Settings, *, max_bytes: int = MAX_BYTES, backups: int = BACKUPS
) -> Path:
    """K7: send what the `kiosk` loggers report (warnings and errors) to the private rotating log file.

    Called once per process; a second call (a test, a restart in the same process) replaces
    the handler instead of adding another. Returns the log file's path."""
    from kiosk.settings import SettingsError

    folder = settings.logs()
    path = folder / LOG_FILE
    try:
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        if folder.stat().st_mode & 0o777 != PRIVATE_FOLDER:
            os.chmod(folder, PRIVATE_FOLDER)
        handler = _private_handler(path, max_bytes, backups)
    except OSError as error:
        raise SettingsError(
            f"cannot write the log file {path} ({error.strerror}): set KIOSK_LOG_DIR to a "
            "folder the kiosk's user can write"
        ) from None
    handler.setFormatter(RedactingFormatter(FORMAT))
    stop_logging()
    logging.getLogger(LOGGER).addHandler(handler)
    return path


def stop_logging() -> None:
    """Close and remove the handler `start_logging` added (if any)."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if isinstance(handler.formatter, RedactingFormatter):
            logger.removeHandler(handler)
            handler.close()
