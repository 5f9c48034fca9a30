"""Fixtures of the store tests: two offline offices and a central store (O3, O4)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import Store
from store.bundle import CENTRAL
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from tests.conftest import NOW
from tests.store.bundle_sites import Site, make_site


@pytest.fixture
def central(store: Store) -> Site:
    return make_site(store, CENTRAL)


@pytest.fixture
def offices(tmp_path: Path, sqlite_template: Path) -> Iterator[dict[str, Site]]:
    sites = {}
    for code in ("STG", "VAP"):
        path = tmp_path / f"{code.lower()}.db"
        shutil.copy(sqlite_template, path)
        store = Store(
            f"sqlite:///{path}", clock=FixedClock(NOW), passwords=Passwords(fast_hasher())
        )
        sites[code] = make_site(store, code)
    yield sites
    for site in sites.values():
        site.store.close()
