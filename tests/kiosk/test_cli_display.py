"""`kiosk display` and `kiosk serve display|kiosk` (Q4): an unknown office is bad input (exit 2,
one line); `serve` runs this same Python's `-m kiosk …` for each browser, listens on 127.0.0.1
unless told otherwise, and says on start that textual-serve has no authentication of its own.
The apps themselves run until stopped: tests/screens/test_display.py drives the display,
tests/kiosk/test_serve_browser.py serves it to a real browser."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kiosk.test_cli_lifecycle import Kiosk, kiosk, office, refused

__all__ = ["kiosk", "office"]  # the fixtures, shared with the lifecycle's tests


class FakeServer:
    """textual_serve.server.Server as `kiosk serve` builds it, without listening."""

    made: list[FakeServer] = []

    def __init__(self, command: str, host: str, port: int, title: str) -> None:
        self.command, self.host, self.port, self.title = command, host, port, title
        self.environment = dict(os.environ)  # what each browser's app would inherit
        FakeServer.made.append(self)

    def serve(self) -> None:
        """Returns at once (the real one serves until Ctrl+C)."""


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> list[FakeServer]:
    import textual_serve.server

    FakeServer.made = []
    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    return FakeServer.made


@pytest.mark.parametrize(
    "args",
    [
        ("display", "--office", "XYZ"),
        ("serve", "display", "--office", "XYZ", "--port", "8765"),
    ],
    ids=["display", "serve display"],
)
def test_q4_an_unknown_office_is_one_sentence_and_exit_2(
    kiosk: Kiosk, args: tuple[str, ...]
) -> None:
    line = refused(kiosk(*args, staff=None), status=2)
    assert line == "No existe una oficina con el código XYZ."


def test_q4_a_port_out_of_range_is_bad_input(kiosk: Kiosk) -> None:
    for port in ("0", "65536", "http"):
        refused(kiosk("serve", "kiosk", "--port", port, staff=None), status=2)


def test_q4_serve_display_runs_this_python_on_localhost_and_says_there_is_no_login(
    kiosk: Kiosk, fake_server: list[FakeServer], db_url: str
) -> None:
    result = kiosk("serve", "display", "--office", "stg", "--port", "8765", staff=None)
    assert result.exit_code == 0, result.output
    (server,) = fake_server
    assert server.host == "127.0.0.1" and server.port == 8765
    assert server.command == shlex.join(
        [sys.executable, "-m", "kiosk", "display", "--office", "STG"]
    )
    assert server.title == "Citas Kiosk · Oficina STG"
    # The database and the language reach each browser's display by the environment, so a
    # PostgreSQL password never shows on a command line.
    assert server.environment["KIOSK_DB"] == db_url and db_url not in server.command
    assert (
        "Sirviendo Citas Kiosk · Oficina STG en http://127.0.0.1:8765/ con textual-serve, que no "
        "tiene autenticación propia" in result.stdout
    )
    assert result.stderr == ""


def test_q4_serve_kiosk_elsewhere_than_localhost_warns(
    kiosk: Kiosk, fake_server: list[FakeServer]
) -> None:
    result = kiosk(
        "--lang", "en", "serve", "kiosk", "--port", "8080", "--host", "0.0.0.0", staff=None
    )
    assert result.exit_code == 0, result.output
    (server,) = fake_server
    assert (server.command, server.host) == (shlex.join([sys.executable, "-m", "kiosk"]), "0.0.0.0")
    assert server.environment["KIOSK_LANG"] == "en"
    assert "which has no authentication of its own" in result.stdout
    assert result.stderr.strip() == (
        "Warning: 0.0.0.0 is not localhost; the application is open to the network, with no "
        "password in the way."
    )


def test_q4_a_port_already_taken_is_one_line_and_exit_3(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "KIOSK_DB": str(tmp_path / "k.db"), "KIOSK_LANG": "es"}
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", "serve", "kiosk", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"No se pudo escuchar en 127.0.0.1:{port}:")
    assert "Traceback" not in done.stderr + done.stdout
