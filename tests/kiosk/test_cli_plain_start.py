"""Issue 19 (start): a plain `kiosk` (the group's own options, each at most once) is read
without click (some 9 ms of the start) and starts the applicant kiosk exactly as `kiosk` through
the click group does; anything else is click's to read; whatever goes wrong in a plain start is
answered as the group answers it (one line, the exit status)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.app import OPEN_STORE_AFTER, make_app
from kiosk.cli import PLAIN_OPTIONS, cli, plain_start
from kiosk.settings import load_settings
from receipts.printer import FolderPrinter

if TYPE_CHECKING:
    from store import Store

ROOT = Path(__file__).resolve().parents[2]

# Words a command line is made of: the group's options in both spellings, values a kiosk is
# started with, and what must go to click (a command, --help, a language it does not know, a
# value like an option, an empty one, an option it does not have, text that is not text).
WORDS = [
    *PLAIN_OPTIONS,
    "--db=k.db",
    "--lang=en",
    "--lang=xx",
    "--staff=ana",
    "--db=",
    "es",
    "en",
    "ht",
    "fr",
    "k.db",
    "sqlite:////var/lib/kiosk/kiosk.db",
    "/home/josé/kiosk.db",
    "a=b",
    "",
    "-",
    "--",
    "-x",
    "--help",
    "--dbx",
    "--DB",
    "book",
    "counter",
    "\udc80",
    "k\x00.db",
]


# An option with a value, mostly; now and then a word alone.
PIECES = st.one_of(
    st.tuples(st.sampled_from(sorted(PLAIN_OPTIONS)), st.sampled_from(WORDS)).map(list),
    st.sampled_from(WORDS).map(lambda word: [word]),
)


@given(st.lists(PIECES, max_size=4).map(lambda pieces: [w for piece in pieces for w in piece]))
def test_a_plain_start_reads_its_options_as_click_does(args: list[str]) -> None:
    plain = plain_start(args)
    if plain is not None:
        context = cli.make_context("kiosk", list(args))
        assert context.params == plain


def test_what_a_plain_start_is() -> None:
    nothing = {"db_url": None, "lang": None, "staff_username": None}
    assert plain_start([]) == nothing
    assert plain_start(["--db", "k.db", "--lang=en", "--staff", "ana"]) == {
        "db_url": "k.db",
        "lang": "en",
        "staff_username": "ana",
    }
    assert plain_start(["--db=a=b"]) == {**nothing, "db_url": "a=b"}
    for clicks in (
        ["--help"],
        ["counter"],
        ["--db", "a", "--db", "b"],
        ["--lang", "fr"],
        ["--db"],
        ["--db", "--lang", "en"],
        ["--db", ""],
        ["--db", "\udc80"],
    ):
        assert plain_start(clicks) is None, clicks


# Run by a fresh interpreter: `kiosk` as its script runs it, with App.run telling what it was
# given to run instead of taking the terminal (or failing, as an app can).
PROBE = """
import gc, sys
from textual.app import App

how = sys.argv[1]

def run(app, *args, **kwargs):
    if how == "fails":
        raise RuntimeError("the terminal went away")
    if how == "interrupted":
        raise KeyboardInterrupt
    settings = app.settings
    print(type(app).__name__, settings.db_url, settings.language, "click" in sys.modules)
    print("collecting", gc.isenabled())

App.run = run
import kiosk.cli

sys.argv = ["kiosk", *sys.argv[2:]]
try:
    kiosk.cli.main()
finally:
    print("collecting", gc.isenabled())
"""


def _kiosk(
    how: str, args: list[str], tmp_path: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return subprocess.run(
        [sys.executable, "-c", PROBE, how, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={
            **clean,
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "KIOSK_LOG_DIR": str(tmp_path / "log"),
            "KIOSK_RECEIPTS_DIR": str(tmp_path / "receipts"),
            **env,
        },
    )


def test_a_plain_kiosk_starts_without_click_the_app_click_would_start(tmp_path: Path) -> None:
    database = str(tmp_path / "kiosk.db")
    plain = _kiosk("shows", ["--db", database, "--lang", "en"], tmp_path)
    # Given twice, --db is click's to read (the last one counts): the same start, through it.
    through_click = _kiosk("shows", ["--db", "x", "--db", database, "--lang", "en"], tmp_path)
    assert plain.returncode == through_click.returncode == 0, plain.stderr + through_click.stderr
    # Python's cycle collector is off while the app starts, and on again after it.
    assert plain.stdout == f"KioskApp {database} en False\ncollecting False\ncollecting True\n"
    assert through_click.stdout == (
        f"KioskApp {database} en True\ncollecting False\ncollecting True\n"
    )


async def test_the_kiosk_turns_the_cycle_collector_on_again_once_it_has_started(
    tmp_path: Path,
) -> None:
    """Issue 19: kiosk.start turns it off for the start; the app, once its first screen is up
    (when it opens the store), turns it on."""

    class AStore:  # what the app asks of the store it opens
        def is_training(self) -> bool:
            return False

    settings = load_settings({}, db=str(tmp_path / "kiosk.db"))
    opened = cast("Store", AStore())
    app = make_app(settings, lambda _clock: opened, FolderPrinter(tmp_path), watch_idle=False)
    gc.disable()
    try:
        async with app.run_test() as pilot:
            assert not gc.isenabled()
            await pilot.pause(OPEN_STORE_AFTER + 0.2)
            assert gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("how", "env"),
    [
        ("shows", {"KIOSK_PRINTER": "spooler"}),  # a bad setting: exit 2
        ("shows", {"KIOSK_IDLE_SECONDS": "many"}),
        ("fails", {}),  # the app fails: "internal error", exit 3
        ("interrupted", {}),  # Ctrl+C from outside: "Aborted!", exit 1
    ],
)
def test_what_goes_wrong_in_a_plain_start_is_answered_as_the_group_answers_it(
    tmp_path: Path, how: str, env: dict[str, str]
) -> None:
    database = str(tmp_path / "kiosk.db")
    plain = _kiosk(how, ["--db", database], tmp_path, **env)
    through_click = _kiosk(how, ["--db", "x", "--db", database], tmp_path, **env)
    assert plain.returncode != 0
    assert (plain.returncode, plain.stdout, plain.stderr) == (
        through_click.returncode,
        through_click.stdout,
        through_click.stderr,
    )
