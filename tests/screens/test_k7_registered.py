"""K7 on the "Registro completado" screen (A8): the credentials slip goes to the spooler and
nothing stays; the training folder printer keeps no slip, and the screen says so plainly; a
printer that `lp` rejects is said on screen and written to the log, as a store call that
broke is."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, Static
from textual.worker import WorkerFailed

from kiosk.app import KioskApp, make_app
from kiosk.logs import LOG_FILE, start_logging, stop_logging
from kiosk.settings import Settings
from receipts.printer import make_printer
from screens.registered import RegisteredScreen
from store import Store
from tests.conftest import NOW
from tests.screens.conftest import Ticker, settle, tap

PASSWORD = "Tmp-Clave-8xQ2"
WITHHELD_ES = (
    "Esta impresora de práctica no imprime ni guarda la hoja con su contraseña. "
    "Anote la contraseña ahora o pida ayuda en el mesón de atención."
)
WITHHELD_EN = (
    "This training printer does not print or keep the slip with your password. "
    "Write the password down now, or ask for help at the counter."
)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR points at an empty folder of the test's own, so anything left there is seen."""
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    return scratch


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = start_logging(Settings(db_url="sqlite://", log_dir=tmp_path / "log"))
    yield path
    stop_logging()


def _lp_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """A fake `lp` first on PATH; it records each job's argv and standard input in spool/."""
    bin_dir, spool = tmp_path / "bin", tmp_path / "spool"
    bin_dir.mkdir()
    spool.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(f'#!/bin/sh\nSPOOL="{spool}"\n{script}')
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return spool


@pytest.fixture
def kiosk_with(kiosk_store: Store, ticker: Ticker, tmp_path: Path) -> Callable[[str], KioskApp]:
    """A kiosk on the test store whose printer is made from a KIOSK_PRINTER value."""

    def build(printer: str) -> KioskApp:
        settings = Settings(db_url=kiosk_store.url, now=NOW, printer=printer)
        return make_app(
            settings,
            kiosk_store,
            make_printer(printer, tmp_path / "receipts"),
            monotonic=ticker,
            watch_idle=False,
            blink=False,
        )

    return build


def _text(app: KioskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_k7_the_training_printer_keeps_no_slip_and_the_screen_says_so(
    kiosk_with: Callable[[str], KioskApp], tmp_path: Path, private_tmp: Path
) -> None:
    app = kiosk_with("folder")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(RegisteredScreen(PASSWORD, "ana@correo.cl"))
        await settle(pilot)
        assert _text(app, "#temporary-password") == PASSWORD  # A8: shown once, on screen
        assert _text(app, "#print-status") == WITHHELD_ES
        assert "anótela ahora" in _text(app, "#password-lead")
        assert "también sale impresa" not in _text(app, "#password-lead")
        assert app.screen.query_one("#print-status").has_class("warning-box")
        assert app.screen.query_one("#print", Button).disabled  # nothing to print again
        await pilot.press("f2")  # K4: the notice survives the language switch
        await settle(pilot)
        assert _text(app, "#print-status") == WITHHELD_EN
        assert "write it down now" in _text(app, "#password-lead")
        assert _text(app, "#temporary-password") == PASSWORD
    receipts = tmp_path / "receipts"
    assert not receipts.exists() or list(receipts.iterdir()) == []  # K7: no slip on disk
    assert list(private_tmp.iterdir()) == []


RECORDING_LP = """n=$(ls "$SPOOL" | grep -c args)
echo "$@" > "$SPOOL/$n.args"
cat > "$SPOOL/$n.pdf"
"""


async def test_k7_with_lp_the_slip_is_printed_and_nothing_stays_on_disk(
    kiosk_with: Callable[[str], KioskApp],
    tmp_path: Path,
    private_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spool = _lp_on_path(tmp_path, monkeypatch, RECORDING_LP)
    app = kiosk_with("lp:kiosk-roll")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(RegisteredScreen(PASSWORD, "ana@correo.cl"))
        await settle(pilot)
        assert _text(app, "#print-status") == "Comprobante impreso. Retírelo de la impresora."
        assert "también sale impresa" in _text(app, "#password-lead")
        assert not app.screen.query_one("#print", Button).disabled
    args = (spool / "0.args").read_text().split()
    assert (
        args[:1] == ["-t"]
        and args[1].startswith("credentials-")
        and args[2:]
        == [
            "-d",
            "kiosk-roll",
        ]
    )
    assert (spool / "0.pdf").read_bytes().startswith(b"%PDF")
    assert list(private_tmp.iterdir()) == []  # K7: nothing left in the temporary directory
    assert not (tmp_path / "receipts").exists()


async def test_k7_a_printer_lp_rejects_is_said_on_screen_and_logged(
    kiosk_with: Callable[[str], KioskApp],
    tmp_path: Path,
    log_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _lp_on_path(
        tmp_path,
        monkeypatch,
        'cat > /dev/null\necho "lp: The printer or class does not exist." >&2\nexit 1\n',
    )
    app = kiosk_with("lp:no-such-roll")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(RegisteredScreen(PASSWORD, "ana@correo.cl"))
        with contextlib.suppress(WorkerFailed):  # the print worker's end is the screen's
            await app.workers.wait_for_complete()
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert said == ["No se pudo imprimir; pida ayuda en el mesón de atención."]
        assert _text(app, "#temporary-password") == PASSWORD  # still there to write down
    logged = log_file.read_text(encoding="utf-8")
    assert "ERROR kiosk.printing: printing credentials-" in logged
    assert "lp: The printer or class does not exist." in logged
    assert PASSWORD not in logged


async def test_k7_a_store_call_that_breaks_is_written_to_the_log_file(
    kiosk_with: Callable[[str], KioskApp],
    kiosk_store: Store,
    log_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(identifier: str, password: str) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(kiosk_store, "login", broken)
    app = kiosk_with("folder")
    async with app.run_test(size=(120, 40)) as pilot:
        await tap(pilot, "#login")
        await settle(pilot)
        await pilot.press(*"ana@correo.cl", "enter", *"secreta-123", "enter")
        await settle(pilot)
    logged = log_file.read_text(encoding="utf-8")
    assert "ERROR kiosk.screens: store call failed" in logged
    assert "RuntimeError: disk on fire" in logged and "secreta-123" not in logged
    assert log_file.name == LOG_FILE
