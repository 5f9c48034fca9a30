"""Q4 in a real web browser: `kiosk serve display` (textual-serve) read by the system's Chromium,
headless, driven by selenium. A number taken and called through the command line shows on the
page within a few seconds.

How the page is read: textual-serve draws the terminal with xterm.js on a canvas (its WebGL and
canvas renderers), so the page's DOM holds no text at all (`body.text` is empty), and the
terminal object lives inside the bundle's closure. A script run before the page's own (CDP
`Page.addScriptToEvaluateOnNewDocument`) catches the object when textual-serve stores it as
`this.terminal`, and the test reads xterm's buffer, row by row (`buffer.active.getLine(i)
.translateToString()`): what the browser has been sent and is drawing. The screenshot (PNG) is
saved as `display.png` in the test's tmp_path, and its path printed.

Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian's `chromium` and `chromium-driver`;
.ci/run installs them); without them the test is skipped, saying so."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kiosk.cli import cli

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
NOW = "2026-11-23T12:00:00Z"  # Monday 09:00 in Santiago: the demo's today
# The demo's agent at STG (kiosk demo prints the accounts).
AGENT, AGENT_PASSWORD = "agente", "agente-demo-2026"
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, 'terminal', {
      value, writable: true, configurable: true, enumerable: true,
    });
    if (value && value.buffer && value.options) { window.__kioskTerminal = value; }
  },
});
"""
READ_TERMINAL = """
const terminal = window.__kioskTerminal;
if (!terminal) { return null; }
const buffer = terminal.buffer.active, rows = [];
for (let i = 0; i < terminal.rows; i++) {
  const line = buffer.getLine(i);
  rows.push(line ? line.translateToString(true) : '');
}
return rows.join('\\n');
"""


def _browser_or_skip() -> None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.skip(
            f"no {' and no '.join(missing)}: install Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; .ci/run does it as root) to run the "
            "call display in a real browser"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    """A demo SQLite store (a training store: fixed clock, fast hashing), as `kiosk demo`
    makes it; the environment every `kiosk` of the test runs with."""
    env = {
        "KIOSK_DB": str(tmp_path / "demo.db"),
        "KIOSK_NOW": NOW,
        "KIOSK_ARGON2_PROFILE": "fast",
        "KIOSK_LANG": "es",
        "KIOSK_LOG_DIR": str(tmp_path / "logs"),
    }
    for args in (["db", "upgrade"], ["demo", "--today", "2026-11-23"]):
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
    return env


@pytest.fixture
def served(demo_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`kiosk serve display --office STG` on a free port of 127.0.0.1: its URL and its output.
    It runs in its own process group, ended whole at the end (each browser's display is a
    child of the server)."""
    port = _free_port()
    output = tmp_path / "serve.out"
    with output.open("wb") as sink:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "serve",
                "display",
                "--office",
                "STG",
                "--port",
                str(port),
            ],
            env={**os.environ, **demo_env},
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert server.poll() is None, output.read_text(encoding="utf-8", errors="replace")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "kiosk serve did not listen within 20 s"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/", output
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-quic",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1280,800",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
        yield driver
    finally:
        driver.quit()


def _page_shows(driver: Any, text: str, within: float) -> float:
    """Seconds until the terminal in the page shows `text` (fails after `within`)."""
    start = time.monotonic()
    while True:
        shown = driver.execute_script(READ_TERMINAL) or ""
        if text in shown:
            return time.monotonic() - start
        assert time.monotonic() - start < within, f"{text!r} not in the page:\n{shown}"
        time.sleep(0.1)


def _kiosk(env: dict[str, str], *args: str, password: str | None = None) -> str:
    result = CliRunner().invoke(
        cli, list(args), env={**env, "KIOSK_STAFF_PASSWORD": password} if password else env
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_q4_a_call_through_the_command_line_shows_in_the_browser(
    served: tuple[str, Path], browser: Any, demo_env: dict[str, str], tmp_path: Path
) -> None:
    url, output = served
    browser.get(url)
    _page_shows(browser, "Todavía no hay llamados hoy", within=20)  # connected, first read
    # Drawn on a canvas: the DOM has the page's title dialog, none of the terminal's text.
    assert "Todavía no hay" not in browser.find_element("tag name", "body").text
    assert "Oficina Santiago Centro" in browser.execute_script(READ_TERMINAL)
    _kiosk(demo_env, "queue", "take", "--office", "STG", "--procedure", "CR")
    called = _kiosk(
        demo_env,
        "queue",
        "call",
        "--office",
        "STG",
        "--counter",
        "2",
        "--staff",
        AGENT,
        password=AGENT_PASSWORD,
    )
    assert called.strip() == "Número 1: al mesón 2."
    waited = _page_shows(browser, "Número 1: al mesón 2.", within=5)
    assert waited < 5
    screenshot = tmp_path / "display.png"
    assert browser.save_screenshot(str(screenshot))
    print(f"\nthe call display in Chromium, {waited:.1f} s after the call: {screenshot}")
    said = output.read_text(encoding="utf-8")
    assert "no tiene autenticación propia" in said and "http://127.0.0.1:" in said
