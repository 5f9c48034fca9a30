"""O4: a process killed (kill -9) in the middle of importing a busy office day leaves all or
nothing: either every row of the bundle is in the central store, or none is, and importing it
again afterwards completes."""

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

from bench import data
from store import Store
from store.demo import DATA
from store.models import Applicant, Booking, Notice, Slot

ROOT = Path(__file__).resolve().parents[2]
KEY = "santiago-key-0123456789"
PASSWORD = "clave-propia-2026"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def busy_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """STG's store, a copy of the demo after a day of 2 000 bookings and 5 000 notices, exported
    whole for the central store."""
    office = data.store_for(data.copy_of(data.office_day(), f"crash-{os.getpid()}.db"))
    path = tmp_path_factory.mktemp("bundle") / "stg.bundle"
    actor = office.login_staff("nacional", "nacional-demo-2026").actor
    office.export_bundle(path, office="STG", store_code="STG", key=KEY.encode(), actor=actor)
    office.close()
    return path


def _counts(store: Store) -> tuple[int, ...]:
    with store.database.reading() as session:
        if store.database.is_sqlite:
            assert session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        return tuple(
            session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in (Applicant, Slot, Booking, Notice)
        )


@pytest.mark.parametrize("delay", [0.2, 1.5])
def test_o4_kill_during_an_import_leaves_all_or_nothing(
    store: Store, busy_bundle: Path, delay: float
) -> None:
    store.load_catalog(DATA / "catalog")
    store.create_staff("nacional", "Supervisora Nacional", "supervisor", PASSWORD, None)
    before = _counts(store)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.workers",
            "import_bundle",
            json.dumps([store.url, str(busy_bundle), KEY, "nacional", PASSWORD]),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "importing"
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)

    found = _counts(store)
    nothing = found == before  # (the worker's login is written either way)
    # Then the import runs whole (the first time, or as a no-op when the kill came too late).
    result = store.import_bundle(
        busy_bundle,
        store_code="CENTRAL",
        trust={"STG": KEY.encode()},
        actor=store.login_staff("nacional", PASSWORD).actor,
    )
    full = _counts(store)
    assert full[2] >= 2000 and full[3] >= 5000
    if nothing:
        assert result["bookings"]["inserted"] == full[2]
    else:  # it had committed: every row was already there
        assert found == full and result["bookings"]["inserted"] == 0
    print(f"kill after {delay}s: import {'rolled back' if nothing else 'committed'}")
