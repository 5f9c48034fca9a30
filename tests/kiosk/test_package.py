"""A package that installs anywhere: the built wheel, installed alone into a fresh venv, starts
the kiosk in English with its stylesheet.

The sdist is built and the wheel from it, as pip builds from an sdist (a wheel built straight from
the source tree could carry stale files from build/), with the uv of this venv and the build
requirements at the lock's pins. The wheel goes into a new venv with only its own dependencies
(the lock's pins as constraints); no source tree on the path, no editable install. uv runs from
its cache alone first, and fetches only what the cache lacks (a first run on a machine)."""

from __future__ import annotations

import gettext
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
UV = Path(sys.executable).with_name("uv")
# What uv says when --offline meets a package its cache does not hold.
CACHE_MISS = "network was disabled"
IN_WHEEL = (
    "kiosk/i18n/en/LC_MESSAGES/kiosk.mo",
    "kiosk/kiosk.tcss",
    "kiosk/display.tcss",  # the call display's (Q4)
    "screens/counter/counter.tcss",
    "citas_kiosk-0.1.0.dist-info/licenses/LICENSE",
)

# Run by the fresh venv's python, outside the repository: the installed `kiosk` command, whose
# App.run hands the app over instead of taking the terminal; then the app runs headless.
START = """
import asyncio, json, sys
from importlib.metadata import entry_points

from textual.app import App
from textual.widgets import Button, Static

apps = []
App.run = lambda app, *args, **kwargs: apps.append(app)
(command,) = entry_points(group="console_scripts", name="kiosk")
sys.argv = ["kiosk", "--db", sys.argv[1], "--lang", "en"]
try:
    command.load()()
except SystemExit as end:
    assert end.code in (0, None), end.code
(app,) = apps


async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if type(app.screen).__name__ == "WelcomeScreen":
                break
        screen = app.screen
        report = {
            "screen": type(screen).__name__,
            "kiosk": sys.modules["kiosk"].__file__,
            "texts": [str(w.label) for w in screen.query(Button)]
            + [str(w.render()) for w in screen.query(Static)],
            "page_padding": list(screen.query_one(".page").styles.padding),
            "button_width": screen.query_one("#welcome-actions Button").outer_size.width,
        }
        # The database is opened, migrated and given the demo in a worker after the first paint;
        # `app.store` waits for that (or does it, on a machine too busy to have started it).
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        app.store
    print(json.dumps(report))


asyncio.run(main())
"""


def uv(*args: str | Path) -> None:
    """uv from its cache alone; online only for what the cache lacks."""
    command = [str(UV), *map(str, args)]
    done = subprocess.run(
        command, env={**os.environ, "UV_OFFLINE": "1"}, capture_output=True, text=True
    )
    if done.returncode and CACHE_MISS in done.stderr:
        done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stderr}"


@pytest.mark.slow
def test_the_wheel_installs_alone_and_starts_the_kiosk_in_english(tmp_path: Path) -> None:
    assert UV.exists(), f"no uv beside {sys.executable}: `make test` installs it (dev extra)"
    dist = tmp_path / "dist"
    uv("build", "--quiet", "--out-dir", dist, "-b", LOCK, "--require-build-hashes", ROOT)
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert set(IN_WHEEL) <= names, sorted(set(IN_WHEEL) - names)
        assert archive.read("kiosk/kiosk.tcss") == (ROOT / "kiosk.tcss").read_bytes()
        mo = archive.read("kiosk/i18n/en/LC_MESSAGES/kiosk.mo")
    english = gettext.GNUTranslations(io.BytesIO(mo))
    assert english.gettext("Reservar hora") == "Book an appointment"

    venv = tmp_path / "venv"
    uv("venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    uv("pip", "install", "--quiet", "--python", python, "--constraints", LOCK, wheel)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "start.py").write_text(START, encoding="utf-8")
    database = tmp_path / "kiosk.db"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "PYTHON"))},
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "KIOSK_RECEIPTS_DIR": str(tmp_path / "receipts"),
        "KIOSK_PRINTER": "folder",
        "KIOSK_ARGON2_PROFILE": "fast",
        "TEXTUAL_ANIMATIONS": "none",
    }
    started = subprocess.run(
        [str(python), "start.py", str(database)],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    report = json.loads(started.stdout.splitlines()[-1])

    assert Path(report["kiosk"]).is_relative_to(venv), report["kiosk"]
    assert report["screen"] == "WelcomeScreen"
    assert "Book an appointment" in report["texts"]
    assert "Reservar hora" not in report["texts"]
    # kiosk.tcss in effect: `.page { padding: 1 2 }` and `#welcome-actions Button { width: 40 }`.
    assert report["page_padding"] == [1, 2, 1, 2]
    assert report["button_width"] == 40
    # The first start migrated the database (migrations from the wheel) and loaded the demo.
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        assert sum(db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables) > 100
