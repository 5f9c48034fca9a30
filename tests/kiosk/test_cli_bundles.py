"""`kiosk export`, `kiosk import`, `kiosk conflicts` (O3, O4): the contract of the command line.
Exit 0 done, 1 refused by a rule, 2 bad input (a bad bundle, a missing key or store name), with
one line on stderr and nothing written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kiosk.cli import cli
from store import Store
from store.bundle import CENTRAL
from store.clock import FixedClock
from store.credentials import Passwords, fast_hasher
from tests.conftest import NOW
from tests.store.bundle_sites import KEYS, PASSWORD, Site, dump, make_site, offline_day

ROOT = Path(__file__).resolve().parents[2]
# What a command's own login writes (the password's rehash, the login's audit event and with
# it the log's newest hash).
LOGIN = ("staff", "audit_events", "audit_head")


@pytest.fixture
def sites(db_url: str, tmp_path: Path, sqlite_template: Path) -> Iterator[dict[str, Site]]:
    """STG and VAP on SQLite files, the central store on each backend."""
    found = {}
    for code in ("STG", "VAP"):
        path = tmp_path / f"{code.lower()}.db"
        shutil.copy(sqlite_template, path)
        found[code] = f"sqlite:///{path}"
    found[CENTRAL] = db_url
    made = {
        code: make_site(Store(url, clock=FixedClock(NOW), passwords=Passwords(fast_hasher())), code)
        for code, url in found.items()
    }
    (tmp_path / "central-trust.toml").write_text(
        f'STG = "{KEYS["STG"].decode()}"\nVAP = "{KEYS["VAP"].decode()}"\n', encoding="utf-8"
    )
    (tmp_path / "office-trust.toml").write_text(
        f'CENTRAL = "{KEYS[CENTRAL].decode()}"\n', encoding="utf-8"
    )
    yield made
    for site in made.values():
        site.store.close()


def kiosk(
    site: Site, folder: Path, *args: str, staff: str | None = None, **env: str | None
) -> Result:
    trust = "central-trust.toml" if site.code == CENTRAL else "office-trust.toml"
    settings: dict[str, str | None] = {
        "KIOSK_DB": site.store.url,
        "KIOSK_LANG": "es",
        "KIOSK_STAFF": None,
        "KIOSK_STAFF_PASSWORD": PASSWORD,
        "KIOSK_STORE_CODE": site.code,
        "KIOSK_BUNDLE_KEY": KEYS[site.code].decode(),
        "KIOSK_BUNDLE_TRUST": str(folder / trust),
        **env,
    }
    who = staff or site.supervisor.username
    return CliRunner().invoke(cli, [*args, "--staff", who], env=settings)


def one_line(result: Result, status: int) -> str:
    assert result.exit_code == status, (result.exit_code, result.output, result.stderr)
    line = result.stderr.strip()
    assert line and "\n" not in line and "Traceback" not in line
    return line


def test_o4_export_and_import_through_the_command_line(
    sites: dict[str, Site], tmp_path: Path
) -> None:
    offline_day(sites)
    stg, central = sites["STG"], sites[CENTRAL]
    bundle = tmp_path / "stg.bundle"
    before = dump(stg.store, LOGIN)
    done = kiosk(stg, tmp_path, "export", "--office", "STG", "--out", str(bundle), "--json")
    assert done.exit_code == 0, done.stderr
    written = json.loads(done.stdout)
    assert written["to"] == CENTRAL and written["rows"]["bookings"] == 1
    assert dump(stg.store, LOGIN) == before  # exporting is read only
    # Anyone can open a bundle with sqlite-utils and see what an office sent.
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "sqlite-utils"), "tables", str(bundle), "--counts"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"table": "bookings", "count": 1' in shown.stdout and "manifest" in shown.stdout

    taken = kiosk(central, tmp_path, "import", str(bundle), "--json")
    assert taken.exit_code == 0, taken.stderr
    counts = json.loads(taken.stdout)
    assert counts["bookings"] == {"inserted": 1, "updated": 0, "unchanged": 0, "conflicts": 0}
    again = json.loads(kiosk(central, tmp_path, "import", str(bundle), "--json").stdout)
    assert all(c["inserted"] == c["updated"] == c["conflicts"] == 0 for c in again.values())
    listed = kiosk(central, tmp_path, "conflicts", "list", "--json")
    assert listed.exit_code == 0 and json.loads(listed.stdout) == {"conflicts": []}


def test_o4_bad_bundles_and_missing_settings_exit_2_with_nothing_written(
    sites: dict[str, Site], tmp_path: Path
) -> None:
    offline_day(sites)
    stg, central = sites["STG"], sites[CENTRAL]
    bundle = tmp_path / "stg.bundle"
    assert kiosk(stg, tmp_path, "export", "--office", "STG", "--out", str(bundle)).exit_code == 0
    data = bundle.read_bytes()
    changed = tmp_path / "changed.bundle"
    changed.write_bytes(data[:5000] + bytes([data[5000] ^ 0xFF]) + data[5001:])
    before = dump(central.store, LOGIN)
    assert "modific" in one_line(kiosk(central, tmp_path, "import", str(changed)), 2)
    assert "no es un paquete" in one_line(
        kiosk(central, tmp_path, "import", stg.store.url.removeprefix("sqlite:///")), 2
    )
    assert "KIOSK_BUNDLE_TRUST" in one_line(
        kiosk(central, tmp_path, "import", str(bundle), KIOSK_BUNDLE_TRUST=None), 2
    )
    assert "KIOSK_STORE_CODE" in one_line(
        kiosk(central, tmp_path, "import", str(bundle), KIOSK_STORE_CODE=None), 2
    )
    assert dump(central.store, LOGIN) == before
    # No key, no bundle: never an unsigned one.
    unsigned = tmp_path / "unsigned.bundle"
    line = one_line(
        kiosk(
            stg,
            tmp_path,
            "export",
            "--office",
            "STG",
            "--out",
            str(unsigned),
            KIOSK_BUNDLE_KEY=None,
        ),
        2,
    )
    assert "KIOSK_BUNDLE_KEY" in line and not unsigned.exists()
    # An office's store exports its own office only (O3), and an agent exports nothing (C9).
    assert "STG" in one_line(
        kiosk(stg, tmp_path, "export", "--office", "VAP", "--out", str(unsigned)), 1
    )
    agent = stg.agent
    assert agent is not None
    one_line(
        kiosk(
            stg, tmp_path, "export", "--office", "STG", "--out", str(unsigned), staff=agent.username
        ),
        1,
    )
    assert not unsigned.exists()
