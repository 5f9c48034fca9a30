"""A process killed (kill -9) in the middle of opening capacity leaves all or nothing (W2, C6).

The opening creates the times, assigns them to the waiting list and writes the notices and
audit events in one transaction; whatever moment the kill lands, afterwards the database is
consistent: no time without its assignment, no assignment without its booking and notice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col

from store import Store
from store.models import Booking, Notice, Slot, WaitlistEntry
from tests.factories import applicants, enrol_directly

ROOT = Path(__file__).resolve().parents[2]
WAITING = 600
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.3, 0.6])
def test_w2_kill_during_capacity_opening_leaves_all_or_nothing(seeded: Store, delay: float) -> None:
    enrol_directly(seeded, applicants(seeded, WAITING))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.workers",
            "open",
            json.dumps([seeded.url, "STG", "RT", "2026-11-30", "2027-02-26", "09:00-14:00"]),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "opening"
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)

    with seeded.database.reading() as session:
        if seeded.database.is_sqlite:
            assert session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        slots = session.scalar(sa.select(sa.func.count()).select_from(Slot)) or 0
        assigned = (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(WaitlistEntry)
                .where(col(WaitlistEntry.status) == "assigned")
            )
            or 0
        )
        bookings = (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(Booking)
                .where(col(Booking.waitlist_entry_id).is_not(None))
            )
            or 0
        )
        notices = (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(Notice)
                .where(col(Notice.kind) == "assignment")
            )
            or 0
        )
        taken = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(col(Slot.taken)), 0))) or 0
    # All or nothing: either the opening committed whole, or not a trace of it.
    assert (slots == 0 and assigned == 0) or (slots > WAITING and assigned == WAITING), (
        slots,
        assigned,
    )
    assert assigned == bookings == notices == taken
    # The database stays usable: opening again (or for the first time) completes.
    from datetime import date

    result = seeded.open_capacity(
        "STG", "RT", date(2027, 3, 1), date(2027, 3, 5), "09:00-10:00", 30, 1
    )
    assert result.created == 10
    assert result.assigned == min(10, WAITING - assigned)
    print(f"kill after {delay}s: opening {'committed' if assigned else 'rolled back'}")
