"""Printing (B7, K3): the system spooler or a folder, each printing a document at most once.

A double press, or a screen that asks twice, must never print twice (K3); a reprint asked for
later from the mailbox (M2) is a new request and prints again. So a printer remembers what it
printed, by document key and content, for a short window."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

DUPLICATE_WINDOW_SECONDS = 30.0


class PrintError(RuntimeError):
    """The document could not be printed; the message says why, for staff."""


@dataclass(frozen=True)
class Printed:
    """What a print request did: where it went, and whether it was a repeat that printed nothing."""

    key: str
    destination: str
    repeated: bool = False


class Printer(Protocol):
    """Something that puts a PDF on paper (or where paper will come from)."""

    def print_pdf(self, key: str, pdf: bytes) -> Printed: ...


class _RecentJobs:
    """K3: the same document (key and bytes) asked for again within the window prints nothing."""

    def __init__(self, window: float, monotonic: Callable[[], float]) -> None:
        self._window = window
        self._monotonic = monotonic
        self._seen: dict[str, tuple[str, float]] = {}

    def is_repeat(self, key: str, pdf: bytes) -> bool:
        digest = hashlib.sha256(pdf).hexdigest()
        now = self._monotonic()
        previous = self._seen.get(key)
        if previous is not None and previous[0] == digest and now - previous[1] < self._window:
            return True
        self._seen[key] = (digest, now)
        return False


def _safe_name(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in key)[:80] or "document"


class FolderPrinter:
    """The default: each document becomes `<key>.pdf` in a folder (a print server can watch it)."""

    def __init__(
        self,
        folder: Path,
        window: float = DUPLICATE_WINDOW_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = folder
        self._recent = _RecentJobs(window, monotonic)

    def print_pdf(self, key: str, pdf: bytes) -> Printed:
        target = self.folder / f"{_safe_name(key)}.pdf"
        if self._recent.is_repeat(key, pdf):
            return Printed(key, str(target), repeated=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a watcher never picks up half a file.
        handle, partial = tempfile.mkstemp(dir=self.folder, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(pdf)
            os.replace(partial, target)
        except OSError as error:
            Path(partial).unlink(missing_ok=True)
            raise PrintError(f"cannot write {target}: {error.strerror}") from None
        return Printed(key, str(target))


class SpoolerPrinter:
    """The system spooler (`lp`), to a named destination or the default printer."""

    def __init__(
        self,
        destination: str | None = None,
        command: str = "lp",
        window: float = DUPLICATE_WINDOW_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.destination = destination
        self.command = command
        self._recent = _RecentJobs(window, monotonic)

    @staticmethod
    def available(command: str = "lp") -> bool:
        return shutil.which(command) is not None

    def print_pdf(self, key: str, pdf: bytes) -> Printed:
        where = self.destination or "default printer"
        if self._recent.is_repeat(key, pdf):
            return Printed(key, where, repeated=True)
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
        return Printed(key, where)


def make_printer(spec: str, folder: Path) -> Printer:
    """`folder` (the default), `lp` or `lp:DESTINATION`; `lp` falls back to the folder when absent."""
    kind, _, destination = spec.partition(":")
    if kind == "lp" and SpoolerPrinter.available():
        return SpoolerPrinter(destination or None)
    if kind not in {"lp", "folder"}:
        raise ValueError(f"unknown printer {spec!r}: use folder, lp or lp:DESTINATION")
    return FolderPrinter(folder)
