"""Issue 15 §5: Hypothesis over every command of `kiosk` (the C12 lists of test_cli_lifecycle),
with every option each command declares, given values an attacker or a failing machine would
give: any text (control characters, lone surrogates, right-to-left marks), numbers far past
any range, dates of year 1 and 9999, real codes and documents, paths to devices, FIFOs and
folders, options that do not exist. Each run must keep the contract:

- the exit status is 0, 1, 2 or 3, never "internal error";
- a refusal is exactly one line on stderr, and stderr never holds a control character;
- a refusal changes nothing in the database (besides who logged in and counted tries, see
  test_cli_inputs.RECORDED_TRIES).

`make test` runs a sample (KIOSK_FUZZ_EXAMPLES, 300 by default); `make fuzz` runs 10,000
and prints the figures."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.cli import cli
from store import Store
from tests.factories import open_day
from tests.kiosk.test_cli_inputs import fingerprint
from tests.kiosk.test_cli_lifecycle import NOW, PUBLIC, STAFF, WITH_STAFF, _command_paths

EXAMPLES = int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "300"))
# The applications (they take the terminal) and what would lock the acting account out of
# the rest of the run (its own password, its own account) are left out.
SKIPPED = {
    "",
    "counter",
    "display",
    "serve display",
    "serve kiosk",
    "demo",
    "staff change-password",
}
COMMANDS = sorted((set(PUBLIC) | set(WITH_STAFF)) - SKIPPED)
FIGURES: Counter[str] = Counter()


def _command(path: str) -> click.Command:
    command: click.Command = cli
    for word in path.split():
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), word)
        assert found is not None, path
        command = found
    return command


@pytest.fixture(scope="module", autouse=True)
def figures(request: pytest.FixtureRequest) -> Iterator[None]:
    """The run's figures at its end, for `make fuzz` (and its note): runs and exits by status."""
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None and FIGURES:
        with capture.global_and_fixture_disabled():
            print(f"\nfuzz figures: {dict(sorted(FIGURES.items()))}")


@pytest.fixture(scope="module", autouse=True)
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The run's own working folder: a relative `--out` or DIR lands there, never in the
    checkout."""
    before = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    yield
    os.chdir(before)


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Paths a --file, --out or DIR may be given: nothing there, a folder, a FIFO, a device."""
    root = tmp_path_factory.mktemp("fuzz")
    fifo = root / "fifo"
    os.mkfifo(fifo)
    (root / "person.json").write_text('{"given_names": "Ana"}', encoding="utf-8")
    return {
        "absent": str(root / "absent" / "x.json"),
        "folder": str(root),
        "fifo": str(fifo),
        "json": str(root / "person.json"),
        "out": str(root / "out.pdf"),
    }


def values(places: dict[str, str]) -> st.SearchStrategy[str]:
    """One option's value: mostly plausible, often hostile."""
    plausible = st.sampled_from(
        [
            "STG",
            "VAP",
            "RT",
            "RD",
            "P1234567",
            "P7654321",
            "2026-11-30",
            "30-11-2026",
            "09:00-10:00",
            "30",
            "1",
            "2",
            "agente",
            "ari",
            "ABCD-EFGH",
            "agent",
            "a4",
            "80mm",
        ]
    )
    hostile = st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "2147483648",
            "9223372036854775808",
            "9" * 400,
            "0001-01-01",
            "9999-12-30",
            "31-02-2026",
            "25:00-26:00",
            "\x1b]0;owned\x07",
            "\u202eSTG",
            "' OR 1=1 --",
            "[" * 300,
            "/dev/zero",
            "/dev/full",
            "/proc/self/mem",
            *places.values(),
        ]
    )
    anything = st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\x00\x1b\x07"),
        max_size=40,
    )
    return st.one_of(plausible, plausible, hostile, anything)


@st.composite
def invocations(draw: st.DrawFn, places: dict[str, str]) -> list[str]:
    """A command, some of its options (each with a value unless it is a flag), sometimes its
    arguments, sometimes an option it does not have."""
    path = draw(st.sampled_from(COMMANDS))
    command = _command(path)
    args = path.split()
    value = values(places)
    for param in command.params:
        if param.name in ("staff",) or not draw(st.booleans()):
            continue
        if isinstance(param, click.Option):
            name = param.opts[0]
            if param.is_flag:
                args.append(name)
            else:
                args += [name, draw(value)]
        else:
            args += [draw(value) for _ in range(param.nargs if param.nargs > 0 else 1)]
    if draw(st.integers(0, 9)) == 0:
        args.append(draw(st.sampled_from(["--bogus", "--json=1", "-x", "--", "extra"])))
    return args


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One training store for the whole run (SQLite: the contract does not depend on the
    database, and test_cli_inputs runs each class on both)."""
    from store.clock import FixedClock
    from store.credentials import Passwords, fast_hasher
    from tests.conftest import NOW as CLOCK
    from tests.factories import form, seed_catalog, training

    path = tmp_path_factory.mktemp("fuzzdb") / "kiosk.db"
    store = Store(str(path), clock=FixedClock(CLOCK), passwords=Passwords(fast_hasher()))
    store.upgrade()
    seed_catalog(store)
    open_day(store, seats=3)
    for username, (role, office_code, password) in STAFF.items():
        store.create_staff(username, "Persona de Prueba", role, password, office_code)
    store.register(form(), terms_accepted=True)
    training(store)
    yield store
    store.close()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_command_keeps_the_contract_for_any_input(
    fuzz_store: Store, places: dict[str, str], data: Any
) -> None:
    args = data.draw(invocations(places))
    language = data.draw(st.sampled_from(["es", "en"]))
    before = fingerprint(fuzz_store)
    env = {
        "KIOSK_DB": fuzz_store.url,
        "KIOSK_ARGON2_PROFILE": "fast",
        "KIOSK_NOW": NOW,
        "KIOSK_LANG": language,
        "KIOSK_STAFF": "nacional",
        "KIOSK_STAFF_PASSWORD": STAFF["nacional"][2],
        "KIOSK_STAFF_NEW_PASSWORD": None,
    }
    result = CliRunner().invoke(cli, args, env=env)
    FIGURES[f"exit {result.exit_code}"] += 1
    FIGURES["runs"] += 1
    assert result.exit_code in (0, 1, 2, 3), (args, result.output)
    assert "internal error" not in result.stderr and "Traceback" not in result.output, (
        args,
        result.stderr,
    )
    assert all(ch.isprintable() or ch == "\n" for ch in result.stderr), (args, result.stderr)
    if result.exit_code != 0:
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        assert fingerprint(fuzz_store) == before, (args, result.stderr)


def test_the_sample_reaches_every_command() -> None:
    """Every command `kiosk` has, but the applications and what would lock the acting account
    out, is in the fuzzer's list: a new command is fuzzed as soon as it exists."""
    assert set(COMMANDS) == _command_paths(cli) - SKIPPED
