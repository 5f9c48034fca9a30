"""`kiosk outbox send` and `kiosk reminders send` (M3, M4) and the mail settings, through a
real SMTP server on loopback; `KIOSK_NOW` moves the backoff as it moves everything else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kiosk.cli import cli
from kiosk.settings import SettingsError, load_settings
from store import Store
from tests.factories import MONDAY, open_day, training
from tests.mailserver import MailServer

NOW = "2026-11-23T12:00:00Z"
SENDER = "Citas Kiosk <citas@extranjeria.gob.cl>"


@pytest.fixture
def office(seeded: Store) -> Store:
    seeded.create_staff("sup", "Paula Supervisora", "supervisor", "sup-password-1", "STG")
    return training(seeded)  # KIOSK_NOW and fast hashing are for training stores only


@pytest.fixture
def server() -> Iterator[MailServer]:
    running = MailServer().start()
    yield running
    running.stop()


def kiosk(db_url: str, *args: str, smtp: str | None = None, now: str = NOW, **env: str) -> Result:
    """`kiosk … --staff sup` with mail sent to `smtp` (off when None)."""
    environment: dict[str, str | None] = {
        "KIOSK_DB": db_url,
        "KIOSK_ARGON2_PROFILE": "fast",
        "KIOSK_NOW": now,
        "KIOSK_LANG": "es",
        "KIOSK_STAFF": "sup",
        "KIOSK_STAFF_PASSWORD": "sup-password-1",
        "KIOSK_SMTP_URL": smtp,
        "KIOSK_MAIL_FROM": SENDER if smtp else None,
        "KIOSK_SMTP_USER": None,
        "KIOSK_SMTP_PASSWORD": None,
        "KIOSK_CONFIG": None,
        **env,
    }
    return CliRunner().invoke(cli, list(args), env=environment)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _register(db_url: str, tmp_path: Path, smtp: str) -> dict[str, Any]:
    person = {
        "document_type": "passport",
        "document_number": "HT998877",
        "document_expiry": "2030-01-01",
        "given_names": "Wyddeline",
        "first_surname": "Désir",
        "second_surname": None,
        "email": "w.desir@correo.cl",
        "email_confirmation": "w.desir@correo.cl",
        "nationality": "HT",
        "birth_date": "1993-09-30",
        "region": "CL-RM",
    }
    path = tmp_path / "person.json"
    path.write_text(json.dumps(person), encoding="utf-8")
    registered: dict[str, Any] = _json(
        kiosk(db_url, "applicant", "register", "--file", str(path), "--json", smtp=smtp)
    )
    return registered


def test_m3_outbox_send_delivers_through_the_configured_server(
    office: Store, db_url: str, tmp_path: Path, server: MailServer
) -> None:
    registered = _register(db_url, tmp_path, server.url)
    open_day(office)
    slot = office.slots("STG", "RT", MONDAY, MONDAY)[0].id
    booked = _json(
        kiosk(
            db_url,
            "book",
            "--applicant",
            "HT998877",
            "--slot",
            str(slot),
            "--json",
            smtp=server.url,
        )
    )
    assert _json(kiosk(db_url, "outbox", "send", "--json", smtp=server.url)) == {
        "sent": 2,
        "failed": 0,
        "pending": 0,
    }
    subjects = [str(r.message["Subject"]) for r in server.received]
    assert subjects[0] == "Registro completado"
    assert subjects[1].startswith("Hora reservada: Residencia temporal, 30-11-2026")
    assert str(server.received[0].message["From"]) == SENDER
    assert booked["code"] in server.received[1].message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert registered["temporary_password"] not in server.received[0].raw.decode()
    # C12: the audit log names who sent them.
    assert [e.actor for e in office.audit_log("outbox.sent")] == ["staff:sup"]
    # Nothing more is due: a second run sends nothing and says so.
    assert _json(kiosk(db_url, "outbox", "send", "--json", smtp=server.url)) == {
        "sent": 0,
        "failed": 0,
        "pending": 0,
    }
    assert len(server.received) == 2


def test_m3_a_dead_server_exits_0_with_the_counts_and_backoff_follows_kiosk_now(
    office: Store, db_url: str, tmp_path: Path
) -> None:
    server = MailServer()  # not started: nothing answers
    _register(db_url, tmp_path, server.url)
    down = kiosk(db_url, "outbox", "send", "--json", smtp=server.url)
    assert down.exit_code == 0, down.output
    assert json.loads(down.stdout) == {"sent": 0, "failed": 1, "pending": 1}
    server.start()
    try:
        soon = kiosk(
            db_url, "outbox", "send", "--json", smtp=server.url, now="2026-11-23T12:01:00Z"
        )
        assert json.loads(soon.stdout) == {"sent": 0, "failed": 0, "pending": 1}
        later = kiosk(
            db_url, "outbox", "send", "--json", smtp=server.url, now="2026-11-23T12:02:00Z"
        )
        assert json.loads(later.stdout) == {"sent": 1, "failed": 0, "pending": 0}
    finally:
        server.stop()
    assert len(server.received) == 1
    text = kiosk(db_url, "outbox", "send", smtp=server.url, now="2026-11-23T12:03:00Z")
    assert text.exit_code == 0 and text.stdout.strip() == "Enviados: 0. Fallidos: 0. Pendientes: 0."


def test_m3_outbox_send_without_mail_configured_says_what_to_set(
    office: Store, db_url: str
) -> None:
    result = kiosk(db_url, "outbox", "send", "--json")
    assert result.exit_code == 2
    assert "KIOSK_SMTP_URL" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_m4_reminders_send_twice_gives_one_reminder_per_booking(office: Store, db_url: str) -> None:
    from tests.factories import form

    people = [
        office.register(
            form(
                document_number=f"P00{n}4321",
                email=f"r{n}@correo.cl",
                email_confirmation=f"r{n}@correo.cl",
            ),
            terms_accepted=True,
        ).applicant.id
        for n in range(2)
    ]
    open_day(office)
    for person, slot in zip(people, office.slots("STG", "RT", MONDAY, MONDAY), strict=True):
        office.book(person, slot.id)
    day = MONDAY.isoformat()
    assert _json(kiosk(db_url, "reminders", "send", "--day", day, "--json")) == {"reminded": 2}
    assert _json(kiosk(db_url, "reminders", "send", "--day", day, "--json")) == {"reminded": 0}
    for person in people:
        assert [n.kind for n in office.notices(person)].count("reminder") == 1
    assert {e.actor for e in office.audit_log("booking.reminded")} == {"staff:sup"}
    bad = kiosk(db_url, "reminders", "send", "--day", "30-13-2026")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


@pytest.mark.parametrize(
    ("variables", "says"),
    [
        ({"KIOSK_SMTP_URL": "http://mail.example.org"}, "smtp://"),
        ({"KIOSK_SMTP_URL": "smtp://"}, "names no server"),
        ({"KIOSK_SMTP_URL": "smtp://mail.example.org:99999"}, "not a valid address"),
        ({"KIOSK_SMTP_URL": "smtp://mail.example.org?tls=yes"}, "only starttls=1"),
        ({"KIOSK_SMTP_URL": "smtps://mail.example.org?starttls=1"}, "drop starttls=1"),
        ({"KIOSK_SMTP_URL": "smtp://ana:secreto@mail.example.org"}, "KIOSK_SMTP_USER"),
        ({"KIOSK_MAIL_FROM": ""}, "KIOSK_MAIL_FROM is needed"),
        ({"KIOSK_MAIL_FROM": "not an address"}, "KIOSK_MAIL_FROM must be one e-mail address"),
        ({"KIOSK_SMTP_USER": "ana"}, "go together"),
    ],
)
def test_m3_a_broken_mail_setting_is_one_sentence_and_nothing_starts(
    office: Store, db_url: str, variables: dict[str, str], says: str
) -> None:
    environment = {"KIOSK_SMTP_URL": "smtp://mail.example.org:587?starttls=1", **variables}
    for args in ([], ["counter"], ["outbox", "send"]):
        result = kiosk(db_url, *args, smtp="smtp://unused", **environment)
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0], lines
        assert "Traceback" not in result.output and "secreto" not in result.output


def test_m3_the_smtp_password_is_never_read_from_a_file(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        'smtp_url = "smtp://mail.example.org"\nmail_from = "citas@x.cl"\n'
        'smtp_user = "ana"\nsmtp_password = "secreto"\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError, match="KIOSK_SMTP_PASSWORD"):
        load_settings({"KIOSK_CONFIG": str(config), "KIOSK_DB": "sqlite:///x.db"})
    config.write_text(
        'smtp_url = "smtp://mail.example.org"\nmail_from = "citas@x.cl"\nsmtp_user = "ana"\n',
        encoding="utf-8",
    )
    settings = load_settings(
        {
            "KIOSK_CONFIG": str(config),
            "KIOSK_DB": "sqlite:///x.db",
            "KIOSK_SMTP_PASSWORD": "secreto",
        }
    )
    assert settings.smtp is not None and settings.smtp.user == "ana"
    assert settings.smtp.password == "secreto" and "secreto" not in settings.smtp.describe()


@pytest.mark.parametrize(
    ("url", "host", "port", "tls", "starttls"),
    [
        ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, False, False),
        ("smtp://mail.example.org", "mail.example.org", 25, False, False),
        ("smtp://mail.example.org:587?starttls=1", "mail.example.org", 587, False, True),
        ("smtps://mail.example.org", "mail.example.org", 465, True, False),
    ],
)
def test_m3_the_three_kinds_of_smtp_url(
    url: str, host: str, port: int, tls: bool, starttls: bool, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    settings = load_settings(
        {"KIOSK_DB": db, "KIOSK_SMTP_URL": url, "KIOSK_MAIL_FROM": "citas@x.cl"}
    )
    assert settings.mail_enabled and settings.smtp is not None
    assert (settings.smtp.host, settings.smtp.port) == (host, port)
    assert (settings.smtp.tls, settings.smtp.starttls) == (tls, starttls)
    assert settings.make_store().config.mail_enabled
    assert not load_settings({"KIOSK_DB": db}).mail_enabled
