"""Printing (K3): a double press prints once; a later reprint (M2) prints again."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from receipts.printer import FolderPrinter, PrintError, SpoolerPrinter, make_printer


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_k3_folder_printer_prints_a_double_press_once(tmp_path: Path) -> None:
    ticker = Ticker()
    printer = FolderPrinter(tmp_path / "out", window=30, monotonic=ticker)
    first = printer.print_pdf("booking-ABCD2345", b"%PDF-1 one")
    target = Path(first.destination)
    assert target.read_bytes() == b"%PDF-1 one" and not first.repeated
    target.unlink()  # a print server took it
    ticker.now = 1
    again = printer.print_pdf("booking-ABCD2345", b"%PDF-1 one")
    assert again.repeated and not target.exists()
    ticker.now = 45  # M2: a reprint asked for later prints again
    assert not printer.print_pdf("booking-ABCD2345", b"%PDF-1 one").repeated
    assert target.exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["booking-ABCD2345.pdf"]


def test_k3_a_different_document_under_the_same_key_prints(tmp_path: Path) -> None:
    printer = FolderPrinter(tmp_path)
    printer.print_pdf("notice-1", b"a")
    assert not printer.print_pdf("notice-1", b"b").repeated
    assert (tmp_path / "notice-1.pdf").read_bytes() == b"b"


def test_keys_cannot_escape_the_folder(tmp_path: Path) -> None:
    printed = FolderPrinter(tmp_path / "out").print_pdf("../../etc/passwd", b"x")
    assert Path(printed.destination).parent == tmp_path / "out"


def _fake_lp(tmp_path: Path, status: int = 0) -> tuple[str, Path]:
    log = tmp_path / "spooled"
    script = tmp_path / "lp"
    script.write_text(f'#!/bin/sh\ncat >> "{log}"\necho "$@" >> "{log}.args"\nexit {status}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), log


def test_k3_spooler_sends_each_document_once(tmp_path: Path) -> None:
    command, log = _fake_lp(tmp_path)
    printer = SpoolerPrinter("kiosk-roll", command=command)
    assert not printer.print_pdf("booking-X", b"PDF").repeated
    assert printer.print_pdf("booking-X", b"PDF").repeated
    assert log.read_bytes() == b"PDF"
    assert "-d kiosk-roll" in (tmp_path / "spooled.args").read_text()


def test_spooler_failure_is_reported(tmp_path: Path) -> None:
    command, _log = _fake_lp(tmp_path, status=1)
    with pytest.raises(PrintError):
        SpoolerPrinter(command=command).print_pdf("k", b"PDF")


def test_make_printer_defaults_to_the_folder(tmp_path: Path) -> None:
    assert isinstance(make_printer("folder", tmp_path), FolderPrinter)
    with pytest.raises(ValueError):
        make_printer("fax", tmp_path)
