"""The `kiosk` command line: every command, its JSON, and its exit codes (0 / 1 / 2 / 3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kiosk.cli import cli
from tests.conftest import DemoTemplates

NOW = "2026-11-23T12:00:00Z"
# The demo's supervisor of Santiago (store/data/demo_staff.csv): who runs the commands (C12).
STAFF, STAFF_PASSWORD = "supervisora", "supervisora-demo-2026"
# `kiosk …` with these arguments, run in-process against the test database.
Kiosk = Callable[..., Result]


@pytest.fixture
def kiosk(db_url: str) -> Kiosk:
    """Run `kiosk --staff supervisora …` against a fresh database at a fixed moment (the
    commands that need no one ignore who runs them; tests/kiosk/test_cli_lifecycle.py checks
    C12 itself)."""
    env = {
        "KIOSK_DB": db_url,
        "KIOSK_ARGON2_PROFILE": "fast",
        "KIOSK_NOW": NOW,
        "KIOSK_LANG": "es",
        "KIOSK_STAFF": None,
        "KIOSK_STAFF_PASSWORD": STAFF_PASSWORD,
    }

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--staff", STAFF, *args], env=env, catch_exceptions=False)

    return run


@pytest.fixture
def demo(kiosk: Kiosk, db_url: str, demo_templates: DemoTemplates) -> Kiosk:
    """The demo's store: made by `kiosk demo` in the worker's first such test, a copy after."""

    def run_demo() -> None:
        result = kiosk("demo", "--today", "2026-11-23")
        assert result.exit_code == 0, result.output

    demo_templates.fill(db_url, run_demo)
    return kiosk


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _staff_reads(db_url: str) -> list[tuple[str, str]]:
    """C1: (action, actor) of every staff read of a person's data, oldest first."""
    import sqlalchemy as sa
    from sqlmodel import col

    from store.models import AuditEvent

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(col(AuditEvent.action), col(AuditEvent.actor))
                .where(col(AuditEvent.action).like("%.viewed"))
                .order_by(col(AuditEvent.id))
            ).all()
    finally:
        engine.dispose()
    return [(action, actor) for action, actor in rows]


def _applicant_file(tmp_path: Path, **changes: object) -> str:
    data: dict[str, object] = {
        "document_type": "cedula",
        "document_number": "12.345.678-5",
        "document_expiry": "2030-01-01",
        "given_names": "Wyddeline Ñusta",
        "first_surname": "Désir",
        "second_surname": None,
        "email": "W.Desir@Correo.cl",
        "email_confirmation": "w.desir@correo.cl",
        "nationality": "HT",
        "birth_date": "1993-09-30",
        "region": "CL-RM",
    }
    data.update(changes)
    path = tmp_path / "applicant.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_o1_commands_refuse_an_unprepared_database_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "new.db"), "catalog", "--json"])
    assert result.exit_code == 2 and "kiosk db upgrade" in result.stderr
    assert (
        CliRunner().invoke(cli, ["--db", str(tmp_path / "new.db"), "db", "upgrade"]).exit_code == 0
    )


def test_exit_3_when_the_database_cannot_be_used_nothing_written(tmp_path: Path) -> None:
    env = {"KIOSK_ARGON2_PROFILE": "fast", "KIOSK_NOW": NOW, "KIOSK_LANG": "es"}

    def run(db: str, *args: str) -> Result:
        result = CliRunner().invoke(cli, ["--db", db, *args], env=env)
        assert result.exit_code == 3, result.output
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.output and "internal error" not in result.stderr
        return result

    unreachable = tmp_path / "absent" / "kiosk.db"
    for args in (("db", "upgrade"), ("demo",), ("catalog", "--json")):
        assert "No se pudo usar la base de datos" in run(str(unreachable), *args).stderr
    assert not unreachable.parent.exists()
    path = tmp_path / "kiosk.db"
    assert CliRunner().invoke(cli, ["--db", str(path), "db", "upgrade"], env=env).exit_code == 0
    read_only = run(f"sqlite:///file:{path}?mode=ro&uri=true", "demo")
    assert "readonly" in read_only.stderr
    real = {"KIOSK_NOW": None, "KIOSK_ARGON2_PROFILE": None}  # a real store: no training settings
    after = CliRunner().invoke(cli, ["--db", str(path), "catalog", "--json"], env=real)
    assert json.loads(after.stdout)["offices"] == []
    server = run("postgresql://kiosk:s3cret@127.0.0.1:1/kiosk", "catalog")
    assert "s3cret" not in server.stderr and "127.0.0.1" in server.stderr


def test_demo_has_everything_the_issue_promises(demo: Kiosk) -> None:
    catalog = _json(demo("catalog", "--json"))
    assert len(catalog["regions"]) == 16
    assert len(catalog["offices"]) >= 20 and len(catalog["procedures"]) >= 8
    assert {o["region"] for o in catalog["offices"]} == {r["code"] for r in catalog["regions"]}
    assert sum(o["region"] == "CL-RM" for o in catalog["offices"]) >= 3
    full = [
        (o["code"], p["code"])
        for o in catalog["offices"]
        for p in o["procedures"]
        if p["bookable"] and p["next_free"] is None and p["waiting"] > 0
    ]
    assert ("STG", "RD") in full
    assert all(p["documents"] for p in catalog["procedures"])
    again = demo("demo")
    assert again.exit_code == 1 and "\n" not in again.stderr.strip()


def test_b5_slots_list_and_open(demo: Kiosk) -> None:
    listed = _json(
        demo(
            "slots",
            "list",
            "--office",
            "ARI",
            "--procedure",
            "RT",
            "--from",
            "2026-11-24",
            "--to",
            "2026-11-24",
            "--json",
        )
    )
    assert listed["slots"] and set(listed["slots"][0]) >= {"id", "start", "seats", "free"}
    opened = _json(
        demo(
            "slots",
            "open",
            "--office",
            "STG",
            "--procedure",
            "RD",
            "--from",
            "2027-01-04",
            "--to",
            "2027-01-08",
            "--hours",
            "09:00-10:00",
            "--every",
            "30",
            "--json",
        )
    )
    assert opened["created"] == 10 and opened["assigned"] == 5
    assert _json(demo("waitlist", "list", "--office", "STG", "--procedure", "RD", "--json")) == {
        "entries": []
    }


def test_a8_register_book_verify_mailbox(demo: Kiosk, tmp_path: Path, db_url: str) -> None:
    registered = _json(demo("applicant", "register", "--file", _applicant_file(tmp_path), "--json"))
    assert (
        registered["document_number"] == "12345678-5"
        and len(registered["temporary_password"]) >= 10
    )
    assert registered["email"] == "w.desir@correo.cl"
    slot = _json(demo("slots", "list", "--office", "STG", "--procedure", "RT", "--json"))["slots"][
        0
    ]["id"]
    booked = _json(demo("book", "--applicant", "12.345.678-5", "--slot", str(slot), "--json"))
    assert (
        set(booked) >= {"code", "office", "procedure", "start"}
        and booked["document"] == "12.3**.***-5"
    )
    verified = _json(demo("verify", booked["code"].lower(), "--json"))
    assert (
        verified["code"] == booked["code"]
        and verified["applicant"] == "Wyddeline Ñusta Désir Désir"
    )
    mailbox = _json(demo("mailbox", "--applicant", "123456785", "--json"))
    assert [n["kind"] for n in mailbox["notices"]] == ["booking", "credentials"]
    assert set(mailbox["notices"][0]) >= {"kind", "subject", "created_at", "read_at"}
    english = _json(demo("--lang", "en", "mailbox", "--applicant", "123456785", "--json"))
    assert english["notices"][0]["subject"].startswith("Appointment booked")
    # K4: Kreyòl too, the procedure's name in it (the notice keeps every language's name).
    kreyol = _json(demo("--lang", "ht", "mailbox", "--applicant", "123456785", "--json"))
    subject = kreyol["notices"][0]["subject"]
    assert subject.startswith("Randevou") and "Demann rezidans tanporè" in subject, subject
    # C1: what the staff member read of the person is in the audit log, under their name.
    assert _staff_reads(db_url)[-4:] == [
        ("booking.viewed", "staff:supervisora"),
        ("mailbox.viewed", "staff:supervisora"),
        ("mailbox.viewed", "staff:supervisora"),
        ("mailbox.viewed", "staff:supervisora"),
    ]


def test_w1_waitlist_enrol_list_withdraw(demo: Kiosk, tmp_path: Path, db_url: str) -> None:
    demo("applicant", "register", "--file", _applicant_file(tmp_path), "--json")
    entry = _json(
        demo(
            "waitlist",
            "enrol",
            "--applicant",
            "12345678-5",
            "--office",
            "STG",
            "--procedure",
            "RD",
            "--json",
        )
    )
    assert entry["position"] == 6 and entry["enrolled_at"].startswith("2026-11-23T12:00")
    listed = _json(demo("waitlist", "list", "--office", "STG", "--procedure", "RD", "--json"))[
        "entries"
    ]
    assert [e["position"] for e in listed] == [1, 2, 3, 4, 5, 6] and listed[-1][
        "applicant"
    ] == "12345678-5"
    assert _staff_reads(db_url)[-1] == ("waitlist.viewed", "staff:supervisora")  # C1
    assert (
        demo(
            "waitlist",
            "withdraw",
            "--applicant",
            "12345678-5",
            "--office",
            "STG",
            "--procedure",
            "RD",
        ).exit_code
        == 0
    )
    refused = demo(
        "waitlist", "withdraw", "--applicant", "12345678-5", "--office", "STG", "--procedure", "RD"
    )
    assert refused.exit_code == 1


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (("book", "--applicant", "AX9981234", "--slot", "999999"), 1),
        (("verify", "ZZZZ-ZZZZ"), 1),
        (
            (
                "waitlist",
                "enrol",
                "--applicant",
                "AX9981234",
                "--office",
                "ARI",
                "--procedure",
                "RT",
            ),
            1,
        ),
        (("waitlist", "enrol", "--applicant", "nadie", "--office", "STG", "--procedure", "RD"), 1),
        (("slots", "list", "--office", "NOPE", "--procedure", "RT"), 1),
        (
            (
                "slots",
                "open",
                "--office",
                "STG",
                "--procedure",
                "RT",
                "--from",
                "2027-02-30",
                "--to",
                "2027-03-01",
                "--hours",
                "09:00-10:00",
                "--every",
                "30",
            ),
            2,
        ),
        (
            (
                "slots",
                "open",
                "--office",
                "STG",
                "--procedure",
                "RT",
                "--from",
                "2027-03-01",
                "--to",
                "2027-03-01",
                "--hours",
                "nueve",
                "--every",
                "30",
            ),
            2,
        ),
        (("book", "--applicant", "AX9981234", "--slot", "uno"), 2),
        (("slots", "list"), 2),
        (("nonsense",), 2),
    ],
)
def test_exit_codes_and_one_line_errors(demo: Kiosk, args: tuple[str, ...], status: int) -> None:
    result = demo(*args)
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    if status == 1:
        assert len(result.stderr.strip().splitlines()) == 1


def test_a2_bad_applicant_file_is_refused_and_nothing_written(demo: Kiosk, tmp_path: Path) -> None:
    bad = demo(
        "applicant",
        "register",
        "--file",
        _applicant_file(tmp_path, email="no-es-correo", birth_date="31-02-1990"),
    )
    assert bad.exit_code == 2
    assert "Correo electrónico" in bad.stderr and "Fecha de nacimiento" in bad.stderr
    mismatch = _applicant_file(tmp_path, email_confirmation="otra@correo.cl")
    # The field is named as the registration screen names it (store.forms.FIELD_LABELS).
    assert demo("applicant", "register", "--file", mismatch).stderr.startswith(
        "Repita el correo electrónico: "
    )
    assert (
        demo("mailbox", "--applicant", "12345678-5").exit_code == 1
    )  # no such account: nothing was written
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert demo("applicant", "register", "--file", str(tmp_path / "broken.json")).exit_code == 2
    assert demo("applicant", "register", "--file", str(tmp_path / "absent.json")).exit_code == 2
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    assert demo("applicant", "register", "--file", str(tmp_path / "list.json")).exit_code == 2
    english = CliRunner().invoke(cli, ["--lang", "en", "--db", "x", "slots", "list"])
    assert english.exit_code == 2


def test_b7_receipt_command_writes_the_booking_pdf(demo: Kiosk, tmp_path: Path) -> None:
    from pypdf import PdfReader

    _json(demo("applicant", "register", "--file", _applicant_file(tmp_path), "--json"))
    slot = _json(demo("slots", "list", "--office", "STG", "--procedure", "RT", "--json"))["slots"][
        0
    ]["id"]
    code = _json(demo("book", "--applicant", "123456785", "--slot", str(slot), "--json"))["code"]
    out = tmp_path / "receipt.pdf"
    written = _json(demo("receipt", code, "--out", str(out), "--format", "80mm", "--json"))
    assert written["file"] == str(out) and written["format"] == "80mm"
    text = "".join(PdfReader(out).pages[0].extract_text().split())
    assert code in text and "WyddelineÑusta" in text and "12345678" not in text
    missing = demo("receipt", "ZZZZ-ZZZZ", "--out", str(tmp_path / "x.pdf"))
    assert missing.exit_code == 1 and not (tmp_path / "x.pdf").exists()
    assert demo("receipt", code, "--out", str(out), "--format", "letter").exit_code == 2
