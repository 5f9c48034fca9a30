"""The writers of one SQLite file take turns, in every process, and sync the WAL after theirs.

SQLite lets one writer at a time hold its write lock; a writer that finds it taken is put to
sleep by SQLite's busy handler for 1, 2, 5, 10, 15, 20, 25… ms before it looks again, whether
the lock came free a microsecond later or not. In a release burst (8 processes booking at
once) the lock was free while writers slept: 650 bookings a second, against 800 with turns.

So a write (`Database.write`) first takes its turn: an exclusive `flock` on a file beside the
database (`-turn`, holding nothing, 0600 as the database), the kernel waking a waiting writer
the moment the one before lets go; then `BEGIN IMMEDIATE` finds SQLite's lock free. The turn
only orders the writers; SQLite's lock still guards the data (a writer that takes no turn, the
`sqlite3` shell, a migration, is waited for by SQLite's busy handler as before). A process
that dies holding its turn gives it back with its open files.

The writer gives its turn back as soon as it has committed, and only then waits for the disk:
its transaction runs with `synchronous=NORMAL` (the commit writes the WAL, no sync) and the
writer syncs the WAL itself (`sync`) before the write returns. What a write reports done is on
disk by then, as with `synchronous=FULL` (the WAL is written in order, so the sync keeps every
commit before it too; a WAL restarted meanwhile was checkpointed and the database synced
first), but the next writer does not wait for that disk: 800 bookings a second → 940.

A turn is waited for no longer than the write's budget: `flock` itself cannot be told a time,
so the waiting is done by a thread of the database's own while the writer waits for it with
the budget; a writer that gives up leaves it to that thread to let the turn go the moment it
comes."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not a POSIX system: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

SUFFIX = "-turn"
# The data of a file to disk (fsync where the system has no fdatasync: macOS).
_sync_data = getattr(os, "fdatasync", os.fsync)


class Turns:
    """The turns of the writers of one SQLite file, for one process's `Database`."""

    def __init__(self, path: Path) -> None:
        if fcntl is None:
            raise OSError("no flock on this system")
        # SQLite names the WAL after the database file with its links resolved; every process
        # takes its turn on the same file, whatever path it was given.
        real = os.path.realpath(path)
        self._wal = f"{real}-wal"
        self._wal_fd: int | None = None  # kept open: an error writing it back is told to it
        self._wal_file: tuple[int, int] | None = None  # (device, inode) of the WAL it opened
        self._fd = os.open(f"{real}{SUFFIX}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        # One thread of this process at a time: a turn is held by the open file, not a thread.
        # Released by whoever ends the turn: the writer, or the waiter for a writer that gave up.
        self._ours = threading.Lock()
        self._asked = threading.Condition()
        self._waiting: _Wait | None = None  # what the waiter thread is asked to wait for
        self._waiter: threading.Thread | None = None
        self._closed = False

    def take(self, timeout: float) -> bool:
        """Wait for this writer's turn `timeout` seconds at most in all; whether it came."""
        deadline = time.monotonic() + timeout
        if not self._ours.acquire(timeout=max(0.0, timeout)):
            return False
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        except BaseException:
            self._ours.release()
            raise
        wait = _Wait()
        with self._asked:
            if self._waiter is None:
                self._waiter = threading.Thread(
                    target=self._wait_for_turns, name="sqlite-writer-turns", daemon=True
                )
                self._waiter.start()
            self._waiting = wait
            self._asked.notify()
        try:
            came = wait.came.wait(max(0.0, deadline - time.monotonic()))
        except BaseException:  # interrupted (Ctrl-C): the turn is not kept for no one
            if not wait.give_up() and wait.error is None:
                self.give_back()
            raise
        if not came and wait.give_up():
            return False  # the waiter lets the turn go, and `_ours`, when it comes
        if wait.error is not None:  # `_ours` released by the waiter
            raise wait.error
        return True

    def give_back(self) -> None:
        """End the turn taken by `take`."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._ours.release()

    def sync(self) -> None:
        """Put the WAL on disk, with every commit written to it so far (after a write whose
        transaction ran with `synchronous=NORMAL`), and, the first time for a new WAL file,
        the folder's entry of it (as SQLite does for a file it made). No WAL: the last
        connection closed has checkpointed it into the database, synced, and removed it."""
        try:
            found = os.stat(self._wal)
        except FileNotFoundError:
            return
        new = self._wal_file != (found.st_dev, found.st_ino)
        if new:
            try:
                fd = os.open(self._wal, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                return
            if self._wal_fd is not None:
                os.close(self._wal_fd)
            self._wal_fd, self._wal_file = fd, (found.st_dev, found.st_ino)
        assert self._wal_fd is not None
        _sync_data(self._wal_fd)
        if new:
            folder = os.open(os.path.dirname(self._wal), os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

    def close(self, timeout: float) -> None:
        """Close the files and stop the waiter thread, once no writer of ours has or waits for
        a turn (`timeout` seconds at most; past it all is left open rather than closed under a
        turn, whose file number another file could then be given). No turn is taken after."""
        if self._closed or not self._ours.acquire(timeout=timeout):
            return
        with self._asked:
            self._closed = True
            self._asked.notify()
        for fd in (self._fd, self._wal_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _wait_for_turns(self) -> None:
        while True:
            with self._asked:
                while self._waiting is None and not self._closed:
                    self._asked.wait()
                wait, self._waiting = self._waiting, None
            if wait is None:  # closed, and no writer waits
                return
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except OSError as error:
                wait.fail(error)
                self._ours.release()
                continue
            if not wait.grant():  # its writer gave up meanwhile
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                self._ours.release()


class _Wait:
    """One writer's wait for its turn, between the writer and the waiter thread."""

    def __init__(self) -> None:
        self.came = threading.Event()
        self._settled = threading.Lock()
        self._given_up = False
        self.error: OSError | None = None

    def grant(self) -> bool:
        """The turn came; False when the writer had given up (the turn is not its own)."""
        with self._settled:
            if self._given_up:
                return False
            self.came.set()
            return True

    def fail(self, error: OSError) -> None:
        """The wait failed (the system refused the lock): the writer is told, if it waits."""
        with self._settled:
            self.error = error
            self.came.set()

    def give_up(self) -> bool:
        """The writer's budget ran out; False when the turn (or its failure) came after all."""
        with self._settled:
            if self.came.is_set():
                return False
            self._given_up = True
            return True
