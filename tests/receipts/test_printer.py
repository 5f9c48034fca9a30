"""Printing (K3): a double press prints once; a later reprint (M2) prints again."""

from __future__ import annotations

import dataclasses
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.i18n import translator
from receipts import BookingReceipt, render_pdf
from receipts.printer import FolderPrinter, PrintError, SpoolerPrinter, job_of, make_printer

PRESSED_AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
RECEIPT = BookingReceipt(
    code="ABCD2345",
    applicant_name="Wyddeline Désir Saint-Fleur",
    document_masked="22.3**.***-6",
    procedure="Residencia temporal",
    office_name="Oficina Santiago Centro",
    office_address="San Antonio 580, Santiago",
    start=datetime(2026, 11, 30, 9, 30, tzinfo=ZoneInfo("America/Santiago")),
    documents=("Pasaporte vigente",),
)


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


def _press(receipt: BookingReceipt, seconds: float, fmt: str = "80mm") -> bytes:
    """The PDF a press `seconds` after the first one draws: it carries the moment it was drawn."""
    moment = PRESSED_AT + timedelta(seconds=seconds)
    return render_pdf(receipt, fmt, translator(receipt.language), moment)


def test_k3_two_presses_a_second_apart_print_once_though_their_bytes_differ(
    tmp_path: Path,
) -> None:
    ticker = Ticker()
    printer = FolderPrinter(tmp_path, window=30, monotonic=ticker)
    first, second = _press(RECEIPT, 0), _press(RECEIPT, 1)
    assert first != second  # the creation time is in the bytes

    assert not printer.print_pdf(RECEIPT.key, first, job=job_of(RECEIPT, "80mm")).repeated
    ticker.now = 1
    again = printer.print_pdf(RECEIPT.key, second, job=job_of(RECEIPT, "80mm"))

    assert again.repeated
    assert [p.name for p in tmp_path.iterdir()] == ["booking-ABCD2345.pdf"]
    assert (tmp_path / "booking-ABCD2345.pdf").read_bytes() == first  # not printed over

    ticker.now = 31  # M2: asked for again after the window, it is a reprint
    assert not printer.print_pdf(
        RECEIPT.key, _press(RECEIPT, 31), job=job_of(RECEIPT, "80mm")
    ).repeated
    assert (tmp_path / "booking-ABCD2345.pdf").read_bytes() == _press(RECEIPT, 31)


def test_k3_a_different_document_within_the_window_prints(tmp_path: Path) -> None:
    ticker = Ticker()
    printer = FolderPrinter(tmp_path, window=30, monotonic=ticker)
    other = dataclasses.replace(RECEIPT, code="WXYZ6789")
    english = dataclasses.replace(RECEIPT, language="en")

    printer.print_pdf(RECEIPT.key, _press(RECEIPT, 0), job=job_of(RECEIPT, "80mm"))
    ticker.now = 1
    assert not printer.print_pdf(other.key, _press(other, 1), job=job_of(other, "80mm")).repeated
    ticker.now = 2  # the same booking, asked for in English: a different printout
    english_pdf = _press(english, 2)
    assert not printer.print_pdf(english.key, english_pdf, job=job_of(english, "80mm")).repeated

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "booking-ABCD2345.pdf",
        "booking-WXYZ6789.pdf",
    ]
    assert (tmp_path / "booking-ABCD2345.pdf").read_bytes() == english_pdf


def test_keys_cannot_escape_the_folder(tmp_path: Path) -> None:
    printed = FolderPrinter(tmp_path / "out").print_pdf("../../etc/passwd", b"x")
    assert Path(printed.destination).parent == tmp_path / "out"


def _fake_lp(tmp_path: Path, status: int = 0) -> tuple[str, Path]:
    log = tmp_path / "spooled"
    script = tmp_path / "lp"
    script.write_text(f'#!/bin/sh\ncat >> "{log}"\necho "$@" >> "{log}.args"\nexit {status}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), log


def _lp_jobs(tmp_path: Path) -> list[str]:
    """The `lp` command lines the fake spooler received, one per job."""
    args = tmp_path / "spooled.args"
    return args.read_text().splitlines() if args.exists() else []


def test_k3_spooler_sends_each_document_once(tmp_path: Path) -> None:
    command, log = _fake_lp(tmp_path)
    ticker = Ticker()
    printer = SpoolerPrinter("kiosk-roll", command=command, window=30, monotonic=ticker)
    first, second = _press(RECEIPT, 0), _press(RECEIPT, 1)
    assert first != second

    assert not printer.print_pdf(RECEIPT.key, first, job=job_of(RECEIPT, "80mm")).repeated
    ticker.now = 1
    assert printer.print_pdf(RECEIPT.key, second, job=job_of(RECEIPT, "80mm")).repeated

    assert _lp_jobs(tmp_path) == ["-t booking-ABCD2345 -d kiosk-roll"]
    assert log.read_bytes() == first
    ticker.now = 31  # M2: a reprint later is a new job
    assert not printer.print_pdf(RECEIPT.key, second, job=job_of(RECEIPT, "80mm")).repeated
    assert len(_lp_jobs(tmp_path)) == 2


def test_k3_spooler_sends_a_different_document(tmp_path: Path) -> None:
    command, _log = _fake_lp(tmp_path)
    printer = SpoolerPrinter(command=command)
    other = dataclasses.replace(RECEIPT, code="WXYZ6789")
    printer.print_pdf(RECEIPT.key, _press(RECEIPT, 0), job=job_of(RECEIPT, "80mm"))
    assert not printer.print_pdf(other.key, _press(other, 1), job=job_of(other, "80mm")).repeated
    assert _lp_jobs(tmp_path) == ["-t booking-ABCD2345", "-t booking-WXYZ6789"]


def test_k3_a_print_that_failed_is_not_a_repeat(tmp_path: Path) -> None:
    """Pressing again after the printer jammed prints: only a print that went out is remembered."""
    jammed = tmp_path / "jammed"
    jammed.mkdir()
    printer = SpoolerPrinter(command=_fake_lp(jammed, status=1)[0])
    with pytest.raises(PrintError):
        printer.print_pdf(RECEIPT.key, _press(RECEIPT, 0), job=job_of(RECEIPT, "80mm"))
    printer.command, _log = _fake_lp(tmp_path)
    assert not printer.print_pdf(
        RECEIPT.key, _press(RECEIPT, 1), job=job_of(RECEIPT, "80mm")
    ).repeated
    assert len(_lp_jobs(tmp_path)) == 1


def test_spooler_failure_is_reported(tmp_path: Path) -> None:
    command, _log = _fake_lp(tmp_path, status=1)
    with pytest.raises(PrintError):
        SpoolerPrinter(command=command).print_pdf("k", b"PDF")


def test_make_printer_defaults_to_the_folder(tmp_path: Path) -> None:
    assert isinstance(make_printer("folder", tmp_path), FolderPrinter)
    with pytest.raises(ValueError):
        make_printer("fax", tmp_path)
