"""Printing (B7, K3, K7): the system spooler or a training folder, each printing a document once.

K7: nothing personal stays on the kiosk's disk. The spooler gets each PDF on its standard input,
so no file is ever written here; the folder printer is for training only, keeps its files
readable by the kiosk's own user alone (0600 in a 0700 folder) and never keeps a credentials
slip, which holds a password.

A double press, or a screen that asks twice, must never print twice (K3); a reprint asked for
later from the mailbox (M2) is a new request and prints again. So a printer remembers what it
printed for a short window: by what the document is (its kind and code, the job), never by its
bytes, which carry the moment they were drawn and so differ between two presses."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from receipts.documents import Document

DUPLICATE_WINDOW_SECONDS = 30.0


class PrintError(RuntimeError):
    """The document could not be printed; the message says why, for staff."""


class PrinterSetupError(ValueError):
    """The printer setting cannot work on this machine (say, `lp` is not installed)."""


# K7: a document whose key starts so holds a secret (the temporary password, A8).
SECRET_KEY_PREFIXES = ("credentials-",)


def holds_secret(key: str) -> bool:
    """K7: whether the document named `key` carries a password (a credentials slip)."""
    return key.startswith(SECRET_KEY_PREFIXES)


@dataclass(frozen=True)
class Printed:
    """What a print request did: where it went, and whether it was a repeat that printed nothing."""

    key: str
    destination: str
    repeated: bool = False
    # K7: the training folder printer does not keep a credentials slip: nothing was printed.
    withheld: bool = False


class Printer(Protocol):
    """Something that puts a PDF on paper (or where paper will come from)."""

    def print_pdf(self, key: str, pdf: bytes, job: str | None = None) -> Printed:
        """Print `pdf`, named `key`; `job` says what it is (default: the key) for K3."""
        ...


def job_of(document: Document, fmt: str) -> str:
    """What printing `document` on `fmt` paper is, for K3: its kind and code (its key), its
    language and the paper. Never its bytes: the PDF carries the moment it was drawn, so two
    presses a second apart make different bytes of the same receipt."""
    return f"{document.key}/{document.language}/{fmt}"


class _RecentJobs:
    """K3: the same job asked for again within the window prints nothing.

    A job is what is printed (a document's kind and code, its language and paper), so two presses
    a second apart repeat even though each PDF carries its own creation time. A job that failed
    is forgotten, so pressing again after a jam prints."""

    def __init__(self, window: float, monotonic: Callable[[], float]) -> None:
        self._window = window
        self._monotonic = monotonic
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()  # print requests run in workers

    def is_repeat(self, job: str) -> bool:
        with self._lock:
            now = self._monotonic()
            self._seen = {k: t for k, t in self._seen.items() if now - t < self._window}
            if job in self._seen:
                return True
            self._seen[job] = now
            return False

    def forget(self, job: str) -> None:
        with self._lock:
            self._seen.pop(job, None)


def _safe_name(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in key)[:80] or "document"


class _PrintsOnce(ABC):
    """What both printers share: a repeated job prints nothing (K3). Each printer says where a
    document goes (`_where`) and how it gets there (`_send`)."""

    def __init__(self, window: float, monotonic: Callable[[], float]) -> None:
        self._recent = _RecentJobs(window, monotonic)

    @abstractmethod
    def _where(self, key: str) -> str: ...

    @abstractmethod
    def _send(self, key: str, pdf: bytes) -> None: ...

    def print_pdf(self, key: str, pdf: bytes, job: str | None = None) -> Printed:
        """Print `pdf`, named `key`; `job` says what it is (default: the key) for K3."""
        job = job or key
        where = self._where(key)
        if self._recent.is_repeat(job):
            return Printed(key, where, repeated=True)
        try:
            self._send(key, pdf)
        except BaseException:
            self._recent.forget(job)
            raise
        return Printed(key, where)


PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


class FolderPrinter(_PrintsOnce):
    """Training only: each document becomes `<key>.pdf` in a folder, nothing goes on paper.

    K7: the folder is made 0700 and each file 0600, readable by the kiosk's user alone; a folder
    that already exists with wider modes is narrowed (and the PDFs in it), or printing refuses
    when that cannot be done. A credentials slip is never written: it holds a password, and a
    training folder is no place for one (`Printed.withheld` says so to the screen)."""

    def __init__(
        self,
        folder: Path,
        window: float = DUPLICATE_WINDOW_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window, monotonic)
        self.folder = folder

    def _where(self, key: str) -> str:
        return str(self.folder / f"{_safe_name(key)}.pdf")

    def print_pdf(self, key: str, pdf: bytes, job: str | None = None) -> Printed:
        """K7: a credentials slip is withheld (never written); anything else as any printer."""
        if holds_secret(key):
            return Printed(key, self._where(key), withheld=True)
        return super().print_pdf(key, pdf, job)

    def _private_folder(self) -> None:
        """K7: the folder exists and is 0700, and so are its PDFs 0600; else PrintError."""
        try:
            self.folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
            if self.folder.stat().st_mode & 0o777 != PRIVATE_FOLDER:
                os.chmod(self.folder, PRIVATE_FOLDER)
                for kept in self.folder.glob("*.pdf"):
                    os.chmod(kept, PRIVATE_FILE)
        except OSError as error:
            raise PrintError(
                f"cannot keep {self.folder} private (mode 0700): {error.strerror}"
            ) from None

    def _send(self, key: str, pdf: bytes) -> None:
        target = Path(self._where(key))
        self._private_folder()
        # Written aside then renamed: a watcher never picks up half a file. mkstemp makes
        # the file 0600 whatever the umask (K7).
        handle, partial = tempfile.mkstemp(dir=self.folder, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(pdf)
            os.replace(partial, target)
        except OSError as error:
            Path(partial).unlink(missing_ok=True)
            raise PrintError(f"cannot write {target}: {error.strerror}") from None


class SpoolerPrinter(_PrintsOnce):
    """The system spooler (`lp`), to a named destination or the default printer.

    K7: the PDF goes to `lp` on its standard input, so it is never written to a file here; the
    spooler removes its own copy once printed."""

    def __init__(
        self,
        destination: str | None = None,
        command: str = "lp",
        window: float = DUPLICATE_WINDOW_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window, monotonic)
        self.destination = destination
        self.command = command

    @staticmethod
    def available(command: str = "lp") -> bool:
        return shutil.which(command) is not None

    def _where(self, key: str) -> str:
        return self.destination or "default printer"

    def _send(self, key: str, pdf: bytes) -> None:
        # The title names the document's kind and code, never a password (see CredentialsSlip).
        argv = [self.command, "-t", _safe_name(key)]
        if self.destination:
            argv += ["-d", self.destination]
        try:
            done = subprocess.run(argv, input=pdf, capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PrintError(f"{self.command}: {error}") from None
        if done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            raise PrintError(f"{self.command}: {reason}")


def make_printer(spec: str, folder: Path) -> Printer:
    """`folder` (training), `lp` or `lp:DESTINATION`.

    `lp` without the `lp` command is refused (PrinterSetupError), never quietly turned into
    the folder: receipts would pile up on the kiosk's disk instead of coming out (K7)."""
    kind, _, destination = spec.partition(":")
    if kind == "lp":
        if not SpoolerPrinter.available():
            raise PrinterSetupError(
                "the lp command was not found: install the CUPS client (cups-client), or set "
                "KIOSK_PRINTER=folder for training"
            )
        return SpoolerPrinter(destination or None)
    if kind != "folder":
        raise ValueError(f"unknown printer {spec!r}: use folder, lp or lp:DESTINATION")
    return FolderPrinter(folder)
