"""Printing (K3): a double press prints once; a later reprint (M2) prints again.

K7: nothing personal stays on disk: `lp` gets each PDF on its standard input and leaves no
file here; the training folder keeps its files 0600 in a 0700 folder and never a credentials
slip; `lp` without the `lp` command is refused, never quietly turned into the folder."""

from __future__ import annotations

import dataclasses
import os
import stat
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.i18n import translator
from kiosk.settings import Settings, SettingsError
from receipts import BookingReceipt, render_pdf
from receipts.printer import (
    FolderPrinter,
    PrintError,
    PrinterSetupError,
    SpoolerPrinter,
    job_of,
    make_printer,
)
from receipts.sources import credentials_slip

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


def test_k3_two_people_s_slips_of_the_same_second_both_print(tmp_path: Path) -> None:
    """Issue 15 §6: slip keys named only the second; on a stood-still clock (a training store)
    or two registrations in one second, the second person's slip was taken for a double press
    of the first and never printed. A reprint of one slip is still the same document."""
    command, _log = _fake_lp(tmp_path)
    ticker = Ticker()
    printer = SpoolerPrinter(command=command, window=30, monotonic=ticker)
    moment = datetime(2026, 11, 23, 12, tzinfo=UTC)
    first, second = (
        credentials_slip("K7QM2XRT9P", moment, "es"),
        credentials_slip("P9TRX2MQ7K", moment, "es"),
    )
    assert first.key != second.key and "K7QM2XRT9P" not in first.key
    for slip in (first, second):
        pdf = render_pdf(slip, "80mm", translator("es"), moment)
        assert not printer.print_pdf(slip.key, pdf, job=job_of(slip, "80mm")).repeated
    again = render_pdf(first, "80mm", translator("es"), moment)
    assert printer.print_pdf(first.key, again, job=job_of(first, "80mm")).repeated
    assert len(_lp_jobs(tmp_path)) == 2


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


# -- K7: nothing personal stays on the kiosk's disk ------------------------------------------

SLIP = credentials_slip("Tmp-Clave-8xQ2", PRESSED_AT, "es")


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR points at an empty folder of the test's own, so anything left there is seen."""
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile caches the folder it chose
    assert tempfile.gettempdir() == str(scratch)
    return scratch


def _lp_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """A fake `lp` first on PATH; what it receives is recorded in tmp_path/spool/."""
    bin_dir, spool = tmp_path / "bin", tmp_path / "spool"
    bin_dir.mkdir()
    spool.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(f'#!/bin/sh\nSPOOL="{spool}"\n{script}')
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return spool


# Each job: its command line in N.args, its standard input in N.pdf.
RECORDING_LP = """n=$(ls "$SPOOL" | grep -c args)
echo "$@" > "$SPOOL/$n.args"
cat > "$SPOOL/$n.pdf"
echo "request id is kiosk-roll-$n (1 file(s))"
"""


def test_k7_lp_leaves_no_file_behind_after_a_receipt_and_a_credentials_slip(
    tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = _lp_on_path(tmp_path, monkeypatch, RECORDING_LP)
    folder = tmp_path / "receipts"
    printer = make_printer("lp:kiosk-roll", folder)
    assert isinstance(printer, SpoolerPrinter) and printer.command == "lp"  # found on PATH
    receipt, slip = _press(RECEIPT, 0), render_pdf(SLIP, "80mm", translator("es"), PRESSED_AT)

    for document, pdf in ((RECEIPT, receipt), (SLIP, slip)):
        printed = printer.print_pdf(document.key, pdf, job=job_of(document, "80mm"))
        assert not printed.repeated and not printed.withheld

    assert (spool / "0.args").read_text().split() == ["-t", RECEIPT.key, "-d", "kiosk-roll"]
    assert (spool / "1.args").read_text().split() == ["-t", SLIP.key, "-d", "kiosk-roll"]
    assert (spool / "0.pdf").read_bytes() == receipt  # on its standard input, whole
    assert (spool / "1.pdf").read_bytes() == slip
    assert "Tmp-Clave-8xQ2" not in (spool / "1.args").read_text()  # the title names no password
    assert list(private_tmp.iterdir()) == []  # nothing left in the temporary directory
    assert not folder.exists()  # and no folder printer behind its back


def test_k7_a_printer_lp_rejects_is_a_print_error_with_its_reason(
    tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lp_on_path(
        tmp_path,
        monkeypatch,
        'cat > /dev/null\necho "lp: The printer or class does not exist." >&2\nexit 1\n',
    )
    printer = make_printer("lp:no-such-roll", tmp_path / "receipts")
    with pytest.raises(PrintError, match="The printer or class does not exist"):
        printer.print_pdf(RECEIPT.key, _press(RECEIPT, 0))
    assert list(private_tmp.iterdir()) == []


def test_k7_lp_missing_is_refused_not_turned_into_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(PrinterSetupError, match="the lp command was not found"):
        make_printer("lp", tmp_path / "receipts")
    settings = Settings(db_url="sqlite://", printer="lp:kiosk-roll", receipts_dir=tmp_path)
    with pytest.raises(SettingsError) as refused:
        settings.make_printer()
    assert str(refused.value) == (
        "KIOSK_PRINTER is lp:kiosk-roll, but the lp command was not found: install the CUPS "
        "client (cups-client), or set KIOSK_PRINTER=folder for training"
    )
    assert list(tmp_path.iterdir()) == [empty]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def wide_umask() -> Iterator[None]:
    """The usual umask (0o022): files and folders made the ordinary way are world-readable."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.mark.usefixtures("wide_umask")
def test_k7_training_folder_keeps_receipts_0600_in_a_0700_folder(tmp_path: Path) -> None:
    folder = tmp_path / "made" / "receipts"
    printed = FolderPrinter(folder).print_pdf(RECEIPT.key, _press(RECEIPT, 0))
    assert _mode(folder) == 0o700
    assert _mode(Path(printed.destination)) == 0o600
    assert [p.name for p in folder.iterdir()] == ["booking-ABCD2345.pdf"]


@pytest.mark.usefixtures("wide_umask")
def test_k7_a_training_folder_that_was_open_is_narrowed_with_its_files(tmp_path: Path) -> None:
    """The choice: an existing folder with wider modes is fixed (0700, its PDFs 0600)."""
    folder = tmp_path / "receipts"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    old = folder / "booking-OLD23456.pdf"
    old.write_bytes(b"%PDF-1 old")
    old.chmod(0o644)
    printed = FolderPrinter(folder).print_pdf(RECEIPT.key, _press(RECEIPT, 0))
    assert _mode(folder) == 0o700
    assert _mode(old) == 0o600 and _mode(Path(printed.destination)) == 0o600


def test_k7_a_training_folder_that_cannot_be_made_private_refuses_to_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "receipts"
    folder.mkdir()
    folder.chmod(0o755)

    def not_yours(path: object, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", not_yours)
    with pytest.raises(PrintError, match=r"cannot keep .* private"):
        FolderPrinter(folder).print_pdf(RECEIPT.key, _press(RECEIPT, 0))
    assert list(folder.iterdir()) == []


def test_k7_training_folder_never_keeps_a_credentials_slip(
    tmp_path: Path, private_tmp: Path
) -> None:
    folder = tmp_path / "receipts"
    printer = FolderPrinter(folder)
    slip = render_pdf(SLIP, "80mm", translator("es"), PRESSED_AT)
    withheld = printer.print_pdf(SLIP.key, slip, job=job_of(SLIP, "80mm"))
    assert withheld.withheld and not withheld.repeated
    printer.print_pdf(RECEIPT.key, _press(RECEIPT, 0), job=job_of(RECEIPT, "80mm"))
    assert [p.name for p in folder.iterdir()] == ["booking-ABCD2345.pdf"]  # the receipt only
    assert list(private_tmp.iterdir()) == []
