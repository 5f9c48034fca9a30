"""Issue 15 §2b: a real store, not only the demo. `kiosk catalog export` writes the catalogue as
plain data files; `kiosk catalog load` adds and updates it from them on any store, in one
transaction, as a national supervisor (or no one, while the store has no staff yet); loading
twice changes nothing. A production store is `db upgrade` + the first `staff add` +
`catalog load`: no people, no training flag, and registration works on it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from kiosk.cli import cli
from store import Store
from store.models import Applicant, Office, Region
from tests.factories import form

REAL = {  # a real store: the real clock and hashing, nobody named unless a test says so
    "KIOSK_NOW": None,
    "KIOSK_ARGON2_PROFILE": None,
    "KIOSK_LANG": "es",
    "KIOSK_STAFF": None,
    "KIOSK_STAFF_PASSWORD": None,
    "KIOSK_STAFF_NEW_PASSWORD": None,
    "KIOSK_CONFIG": None,
}


def run(db: str, *args: str, **env: str | None) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], env={**REAL, **env})


def ok(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if result.stdout.strip().startswith("{") else None


def one_line(result: Result, status: int) -> str:
    assert result.exit_code == status, result.output
    (line,) = result.stderr.strip().splitlines()
    return line


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's catalogue, exported from a training store."""
    folder = tmp_path_factory.mktemp("catalog")
    db = str(folder / "demo.db")
    training = {"KIOSK_NOW": "2026-11-23T12:00:00Z", "KIOSK_ARGON2_PROFILE": "fast"}
    ok(run(db, "db", "upgrade", **training))
    ok(run(db, "demo", **training))
    ok(run(db, "catalog", "export", "--out", str(folder / "files"), "--json"))
    return folder / "files"


def _counts(db_url: str) -> tuple[int, int, int]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in (Region, Office, Applicant)
            )
    finally:
        engine.dispose()


def test_a_new_store_is_set_up_from_the_files_and_a_second_load_changes_nothing(
    db_url: str, demo_files: Path, tmp_path: Path
) -> None:
    loaded = ok(run(db_url, "catalog", "load", str(demo_files), "--json"))["loaded"]
    assert loaded["regions"] == {"added": 16, "changed": 0}
    assert loaded["offices"]["added"] == 24 and loaded["offerings"]["added"] == 216
    again = ok(run(db_url, "catalog", "load", str(demo_files), "--json"))["loaded"]
    assert all(c == {"added": 0, "changed": 0} for c in again.values())
    ok(run(db_url, "catalog", "export", "--out", str(tmp_path / "again")))
    for name in ("regions", "offices", "procedures", "documents", "offerings"):
        first = (demo_files / f"{name}.csv").read_text(encoding="utf-8")
        assert (tmp_path / "again" / f"{name}.csv").read_text(encoding="utf-8") == first, name
    assert _counts(db_url) == (16, 24, 0)  # no people
    store = Store(db_url)
    try:
        assert not store.is_training()
        # Registration works on it (it said "No existe la región CL-RM" before).
        assert store.register(form(), terms_accepted=True).applicant.id
    finally:
        store.close()


def test_a_changed_file_updates_only_what_changed(
    db_url: str, demo_files: Path, tmp_path: Path
) -> None:
    ok(run(db_url, "catalog", "load", str(demo_files)))
    changed = tmp_path / "changed"
    shutil.copytree(demo_files, changed)
    offices = (changed / "offices.csv").read_text(encoding="utf-8").splitlines()
    offices[1] = offices[1].replace(",15", ",20")  # Arica's grace: 15 -> 20 minutes
    (changed / "offices.csv").write_text("\n".join(offices) + "\n", encoding="utf-8")
    loaded = ok(run(db_url, "catalog", "load", str(changed), "--json"))["loaded"]
    assert loaded["offices"] == {"added": 0, "changed": 1}
    assert sum(c["added"] + c["changed"] for c in loaded.values()) == 1


@pytest.mark.parametrize(
    ("file", "line", "change", "says"),
    [
        ("offices.csv", 3, ("America/Santiago", "Mars/Base"), "offices.csv, línea 3"),
        ("offices.csv", 2, (",08:30,", ",8.30,"), "HH:MM"),
        ("offices.csv", 4, (",hours_before,", ",sometimes,"), "cancel_policy"),
        ("procedures.csv", 2, (",30", ",0"), "minutes"),
        ("offerings.csv", 5, (",yes", ",maybe"), "bookable"),
        ("regions.csv", 1, ("time_zone", "zone"), "primera línea"),
        ("offices.csv", 2, (",10,3", ",0,3"), "línea 2: «call_window_minutes» debe ser un número"),
        ("offices.csv", 3, (",10,3", ",10,tres"), "línea 3: «max_calls» debe ser un número"),
        ("offices.csv", 4, (",10,3", ",10,-1"), "«max_calls» debe ser un número entero entre 1"),
    ],
)
def test_a_bad_line_is_one_sentence_and_nothing_is_written(
    db_url: str,
    demo_files: Path,
    tmp_path: Path,
    file: str,
    line: int,
    change: tuple[str, str],
    says: str,
) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(demo_files, bad)
    lines = (bad / file).read_text(encoding="utf-8").splitlines()
    assert change[0] in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(change[0], change[1], 1)
    (bad / file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    said = one_line(run(db_url, "catalog", "load", str(bad)), 2)
    assert says in said, said
    assert _counts(db_url) == (0, 0, 0)  # the regions before the bad line are not kept either


def test_q3_an_office_s_call_window_and_calls_before_absent_come_from_its_line(
    db_url: str, demo_files: Path, tmp_path: Path
) -> None:
    """Optional columns: STG's line sets 15 minutes and 4 calls; a line left empty, or a file
    without the columns, means 10 minutes and 3 calls. `catalog --json` shows both per office
    (besides its keys of before)."""
    header, *lines = (demo_files / "offices.csv").read_text(encoding="utf-8").splitlines()
    assert header.endswith(",grace_minutes,call_window_minutes,max_calls")
    set_stg = tmp_path / "set"
    shutil.copytree(demo_files, set_stg)
    lines = [
        line.removesuffix(",10,3") + (",15,4" if line.startswith("STG,") else ",,")
        for line in lines
    ]
    (set_stg / "offices.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    ok(run(db_url, "catalog", "load", str(set_stg)))
    offices = {o["code"]: o for o in ok(run(db_url, "catalog", "--json"))["offices"]}
    assert {k: offices["STG"][k] for k in ("call_window_minutes", "max_calls")} == {
        "call_window_minutes": 15,
        "max_calls": 4,
    }
    assert (offices["ARI"]["call_window_minutes"], offices["ARI"]["max_calls"]) == (10, 3)
    assert set(offices["ARI"]) == {
        "code",
        "name",
        "region",
        "address",
        "call_window_minutes",
        "max_calls",
        "procedures",
    }
    without = tmp_path / "without"
    shutil.copytree(demo_files, without)
    (without / "offices.csv").write_text(
        "\n".join(
            [header.removesuffix(",call_window_minutes,max_calls")]
            + [line.removesuffix(",15,4").removesuffix(",,") for line in lines]
        )
        + "\n",
        encoding="utf-8",
    )
    assert ok(run(db_url, "catalog", "load", str(without), "--json"))["loaded"]["offices"] == {
        "added": 0,
        "changed": 1,  # STG, back to 10 and 3
    }
    stg = next(o for o in ok(run(db_url, "catalog", "--json"))["offices"] if o["code"] == "STG")
    assert (stg["call_window_minutes"], stg["max_calls"]) == (10, 3)


def test_only_regular_files_of_bounded_size_are_read(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    (folder / "regions.csv").mkdir(parents=True)
    assert "5 MB" in one_line(run(db_url, "catalog", "load", str(folder)), 2)
    assert "carpeta" in one_line(run(db_url, "catalog", "load", str(tmp_path / "none")), 2)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "regions.csv" in one_line(run(db_url, "catalog", "load", str(empty)), 2)


def test_who_may_load_once_staff_exist(db_url: str, demo_files: Path) -> None:
    """The first account of a new store needs no one and is a national supervisor; from then
    on the catalogue is loaded by a national supervisor only (C9, C12)."""
    line = one_line(
        run(db_url, "staff", "add", "--username", "x", "--full-name", "X", "--role", "agent"), 1
    )
    assert "supervisor nacional" in line
    first = ok(
        run(
            db_url,
            "staff",
            "add",
            "--username",
            "jefa",
            "--full-name",
            "Ana Jefa Nacional",
            "--role",
            "supervisor",
            "--json",
        )
    )
    assert first["office"] is None and first["must_change_password"]
    assert "--staff" in one_line(
        run(db_url, "staff", "add", "--username", "y", "--full-name", "Y", "--role", "supervisor"),
        1,
    )
    assert "--staff" in one_line(run(db_url, "catalog", "load", str(demo_files)), 1)
    as_jefa = {"KIOSK_STAFF": "jefa", "KIOSK_STAFF_PASSWORD": first["temporary_password"]}
    ok(
        run(
            db_url,
            "staff",
            "change-password",
            **as_jefa,
            KIOSK_STAFF_NEW_PASSWORD="jefa-nacional-2026",
        )
    )
    as_jefa["KIOSK_STAFF_PASSWORD"] = "jefa-nacional-2026"
    ok(run(db_url, "catalog", "load", str(demo_files), **as_jefa))
    made = ok(
        run(
            db_url,
            "staff",
            "add",
            "--username",
            "sup.stg",
            "--full-name",
            "Paula Soto",
            "--role",
            "supervisor",
            "--office",
            "STG",
            "--json",
            **as_jefa,
        )
    )
    as_stg = {"KIOSK_STAFF": "sup.stg", "KIOSK_STAFF_PASSWORD": made["temporary_password"]}
    ok(run(db_url, "staff", "change-password", **as_stg, KIOSK_STAFF_NEW_PASSWORD="paula-stg-2026"))
    as_stg["KIOSK_STAFF_PASSWORD"] = "paula-stg-2026"
    assert "nacional" in one_line(run(db_url, "catalog", "load", str(demo_files), **as_stg), 1)
    store = Store(db_url)
    try:
        (event,) = store.audit_log("catalog.loaded")
        assert event.actor == "staff:jefa"  # the first load (no staff yet) changed nothing later
    finally:
        store.close()
