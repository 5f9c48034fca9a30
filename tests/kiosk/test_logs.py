"""K7: the kiosk's log file: private (0600 in a 0700 folder), rotating, started by `kiosk` and
`kiosk counter` (never at import), and a misconfigured `lp` is a refusal there and on stderr."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.logs import LOG_FILE, start_logging, stop_logging
from kiosk.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def no_handler_left() -> Iterator[None]:
    yield
    stop_logging()


@pytest.fixture
def wide_umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.mark.usefixtures("wide_umask")
def test_k7_the_log_file_is_0600_in_a_0700_folder_and_rotates(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "log"
    path = start_logging(Settings(db_url="sqlite://", log_dir=folder), max_bytes=2000, backups=2)
    assert path == folder / LOG_FILE
    log = logging.getLogger("kiosk.screens")
    for n in range(200):
        log.error("store call failed %03d %s", n, "x" * 40)
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]  # rotated, two kept
    assert _mode(folder) == 0o700
    assert all(_mode(folder / name) == 0o600 for name in files)
    assert all((folder / name).stat().st_size <= 2000 for name in files)
    assert "store call failed 199" in path.read_text(encoding="utf-8")


@pytest.mark.usefixtures("wide_umask")
def test_k7_a_log_folder_and_file_left_open_are_narrowed(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    folder.mkdir()
    folder.chmod(0o755)
    (folder / LOG_FILE).write_text("older\n")
    (folder / LOG_FILE).chmod(0o644)
    path = start_logging(Settings(db_url="sqlite://", log_dir=folder))
    logging.getLogger("kiosk.printing").error("printing booking-ABCD2345 failed: lp: jammed")
    assert _mode(folder) == 0o700 and _mode(path) == 0o600
    assert path.read_text(encoding="utf-8").startswith("older\n")


def test_k7_starting_twice_logs_each_record_once(tmp_path: Path) -> None:
    settings = Settings(db_url="sqlite://", log_dir=tmp_path)
    start_logging(settings)
    path = start_logging(settings)
    logging.getLogger("kiosk.screens").error("once")
    assert path.read_text(encoding="utf-8").count("once") == 1


def test_k7_importing_the_kiosk_starts_no_log() -> None:
    """Set up when `kiosk` or `kiosk counter` starts, not at import (nor its logging.handlers)."""
    probe = (
        "import logging, sys, kiosk.app, kiosk.cli;"
        "print(len(logging.getLogger('kiosk').handlers), 'logging.handlers' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["0", "False"]


def test_k7_lp_missing_refuses_to_start_the_kiosk_with_one_line_and_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.app

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("the kiosk started without a printer")

    monkeypatch.setattr(kiosk.app, "make_app", started)
    empty = tmp_path / "bin"
    empty.mkdir()
    env: dict[str, str | None] = {
        "PATH": str(empty),
        "KIOSK_PRINTER": "lp",
        "KIOSK_LOG_DIR": str(tmp_path / "log"),
        "KIOSK_DB": f"sqlite:///{tmp_path / 'kiosk.db'}",
        "KIOSK_CONFIG": None,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    for command in ([], ["counter"]):
        result = CliRunner().invoke(cli, command, env=env)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            "KIOSK_PRINTER is lp, but the lp command was not found: install the CUPS client "
            "(cups-client), or set KIOSK_PRINTER=folder for training\n"
        )
    logged = (tmp_path / "log" / LOG_FILE).read_text(encoding="utf-8")
    assert logged.count("ERROR kiosk.printing: printer not usable: KIOSK_PRINTER is lp") == 2
