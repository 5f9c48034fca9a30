"""The command line's booking lifecycle and who runs it: C12 (`--staff`), C9 (office scope),
B9 cancel, B13 reschedule, B12 block and closures, C5/C11 the counter's day.

Each test sets its data up through the store (the small catalogue of tests/factories.py) and
then acts through `kiosk …`, as a staff member, at a moment given by `KIOSK_NOW`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from kiosk.cli import cli
from store import Store
from tests.factories import MONDAY, at, form, open_day, training

TODAY = date(2026, 11, 23)  # the fixed clock's Monday (tests/conftest.py)
NOW = "2026-11-23T12:00:00Z"  # 09:00 in Santiago
# username -> (role, office, password)
STAFF = {
    "sup": ("supervisor", "STG", "sup-password-1"),
    "agente": ("agent", "STG", "agente-password-1"),
    "ari": ("agent", "ARI", "ari-password-1"),
    "sup.ari": ("supervisor", "ARI", "sup-ari-password-1"),
    "nacional": ("supervisor", None, "nacional-password-1"),
    "auditora": ("auditor", "STG", "auditora-password-1"),
}


class Kiosk:
    """`kiosk …` against the test database, as a staff member, at a moment."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def __call__(
        self,
        *args: str,
        staff: str | None = "sup",
        password: str | None = None,
        now: str = NOW,
        input: str | None = None,
    ) -> Result:
        env: dict[str, str | None] = {
            "KIOSK_DB": self.db_url,
            "KIOSK_ARGON2_PROFILE": "fast",
            "KIOSK_NOW": now,
            "KIOSK_LANG": "es",
            "KIOSK_STAFF": None,
            # The account's own password unless one is given ("" counts as none).
            "KIOSK_STAFF_PASSWORD": STAFF[staff][2]
            if password is None and staff in STAFF
            else password,
        }
        who = ["--staff", staff] if staff else []
        return CliRunner().invoke(cli, [*args, *who], env=env, input=input)

    def json(self, *args: str, **options: Any) -> Any:
        result = self(*args, "--json", **options)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def refused(result: Result, status: int = 1) -> str:
    """The one line a refusal prints (exit `status`, no traceback)."""
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def office(seeded: Store) -> Store:
    """The test catalogue with staff accounts and two applicants (ids 1 and 2)."""
    for username, (role, office_code, password) in STAFF.items():
        seeded.create_staff(username, "Persona de Prueba", role, password, office_code)
    seeded.register(form(), terms_accepted=True)
    seeded.register(
        form(document_number="P7654321", email="ana@correo.cl", email_confirmation="ana@correo.cl"),
        terms_accepted=True,
    )
    return training(seeded)  # KIOSK_NOW and fast hashing are for training stores only


@pytest.fixture
def kiosk(office: Store, db_url: str) -> Kiosk:
    return Kiosk(db_url)


def _person(store: Store, document: str) -> int:
    return store.applicant_by_document(document).id


def _book(store: Store, document: str, day: date = MONDAY, hhmm: str = "09:00") -> str:
    """Book the time `hhmm` of `day` at STG/RT for a person; returns the code as printed."""
    slot = next(s for s in store.slots("STG", "RT", day, day) if f"{s.start_time:%H:%M}" == hhmm)
    code = store.book(_person(store, document), slot.id).display_code
    assert code is not None
    return code


def _actions(store: Store, action: str) -> list[str]:
    """Who did `action`, newest first (the audit log, C1)."""
    return [e.actor for e in store.audit_log(action)]


# -- C12: who acts --------------------------------------------------------------------------

# Every command and group of `kiosk`, with arguments that parse; those that need no one:
PUBLIC: dict[str, tuple[str, ...]] = {
    "": (),
    "counter": (),
    "db upgrade": (),
    "demo": (),
    "catalog": (),
    "catalog export": ("--out", "catalogue"),  # public data
    "slots list": ("--office", "STG", "--procedure", "RT"),
    "queue take": ("--office", "STG", "--procedure", "RD"),  # the kiosk's act (Q2)
    "queue list": ("--office", "STG"),  # numbers only
    # Q4: the call display (numbers and counters only), and it or the kiosk in a browser. They
    # run until stopped: like "" and "counter", no test here starts them (test_cli_display).
    "display": ("--office", "STG"),
    "serve display": ("--office", "STG", "--port", "8765"),
    "serve kiosk": ("--port", "8765"),
}
RANGE = ("--office", "STG", "--procedure", "RT", "--from", "2026-11-30", "--to", "2026-11-30")
WITH_STAFF: dict[str, tuple[str, ...]] = {
    "catalog load": ("catalogue",),  # no one only on a store with no staff (test_cli_catalog)
    "applicant register": ("--file", "person.json"),
    "book": ("--applicant", "P1234567", "--slot", "1"),
    "verify": ("ABCD-EFGH",),
    "receipt": ("ABCD-EFGH", "--out", "r.pdf"),
    "mailbox": ("--applicant", "P1234567"),
    "cancel": ("ABCD-EFGH",),
    "reschedule": ("ABCD-EFGH", "--slot", "1"),
    "rebook": ("ABCD-EFGH",),
    "waitlist enrol": ("--applicant", "P1234567", "--office", "STG", "--procedure", "RT"),
    "waitlist withdraw": ("--applicant", "P1234567", "--office", "STG", "--procedure", "RT"),
    "waitlist list": ("--office", "STG", "--procedure", "RT"),
    "slots open": (*RANGE, "--hours", "09:00-10:00", "--every", "30"),
    "slots block": (*RANGE, "--hours", "09:00-10:00", "--reason", "x"),
    "slots unblock": (*RANGE, "--hours", "09:00-10:00"),
    "closures add": ("--office", "STG", "--day", "2026-11-30", "--reason", "x"),
    "closures remove": ("--office", "STG", "--day", "2026-11-30"),
    "closures list": ("--office", "STG"),
    "agenda": ("--office", "STG"),
    "agenda close-day": ("--office", "STG", "--day", "2026-11-23"),
    "checkin": ("ABCD-EFGH",),
    "attended": ("ABCD-EFGH",),
    "missed": ("ABCD-EFGH",),
    "outbox send": (),
    "reminders send": ("--day", "2026-11-30"),
    "staff add": ("--username", "nuevo", "--full-name", "Nuevo Agente", "--role", "agent"),
    "staff list": (),
    "staff deactivate": ("agente",),
    "staff unlock": ("agente",),
    "staff reset-password": ("agente",),
    "staff change-password": (),
    "audit verify": (),
    "export": ("--office", "STG", "--out", "b.bundle"),
    "import": ("b.bundle",),
    "conflicts list": (),
    "conflicts resolve": ("1", "--keep", "local"),
    "queue call": ("--office", "STG", "--counter", "1"),
    "queue recall": ("1", "--office", "STG"),
    "queue absent": ("1", "--office", "STG"),
    "queue finish": ("1", "--office", "STG"),
    "queue transfer": ("1", "--office", "STG", "--procedure", "RT"),
}


def _command_paths(group: click.Group, prefix: str = "") -> set[str]:
    """Every command of `kiosk`, by the words that call it (a group that runs alone counts)."""
    found = set()
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        path = f"{prefix} {name}".strip()
        if isinstance(command, click.Group):
            found |= _command_paths(command, path)
            if command.invoke_without_command:
                found.add(path)
        else:
            found.add(path)
    return found


def test_c12_every_command_is_public_or_acts_as_someone() -> None:
    """A new command must say which it is (and get a line in WITH_STAFF below)."""
    assert _command_paths(cli) | {""} == set(PUBLIC) | set(WITH_STAFF)


# Run in a fresh process: which command modules `import kiosk.cli` loads, the commands its
# group lists then, and the commands listed once every module of the package is imported.
_LAZY = """
import importlib, json, pkgutil, sys
import click
import kiosk.cli
from kiosk.cli import cli
loaded = sorted(m for m in sys.modules if m.startswith("kiosk.cli."))
listed = cli.list_commands(click.Context(cli))
for module in pkgutil.iter_modules(kiosk.cli.__path__):
    importlib.import_module(f"kiosk.cli.{module.name}")
print(json.dumps([loaded, listed, cli.list_commands(click.Context(cli))]))
"""


def test_kiosk_alone_loads_no_command_module_and_a_lookup_finds_every_command() -> None:
    """Issue 19 (start): `kiosk` draws its first screen without importing the command modules
    it does not run; the first look-up (a subcommand, `--help`) imports them all, so none is
    missing from the group when one is asked for in a fresh process."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _LAZY], capture_output=True, text=True, check=True, timeout=60
    )
    loaded, listed, everything = json.loads(done.stdout)
    assert loaded == ["kiosk.cli.apps", "kiosk.cli.group"]
    assert listed == everything
    assert {"book", "queue", "serve", "staff", "counter", "db"} <= set(listed)


@pytest.mark.parametrize("path", sorted(WITH_STAFF))
def test_c12_without_a_staff_member_nothing_runs(kiosk: Kiosk, path: str) -> None:
    line = refused(kiosk(*path.split(), *WITH_STAFF[path], staff=None))
    assert "--staff" in line and "KIOSK_STAFF" in line


def test_c12_public_commands_need_no_one(kiosk: Kiosk) -> None:
    assert kiosk.json("catalog", staff=None)["offices"]
    assert kiosk.json("slots", "list", *PUBLIC["slots list"], staff=None) == {"slots": []}


def test_c12_missing_or_wrong_credentials_exit_1_and_nothing_written(
    kiosk: Kiosk, office: Store
) -> None:
    open_day(office)
    code = _book(office, "P1234567")
    no_password = refused(kiosk("cancel", code, staff="sup", password=""))
    assert "KIOSK_STAFF_PASSWORD" in no_password
    wrong = refused(kiosk("cancel", code, staff="sup", password="not-the-password"))
    assert "not-the-password" not in wrong and "contraseña" in wrong
    refused(kiosk("cancel", code, staff="nadie", password="whatever-1"))
    # Nothing happened to the booking, and the audit log has no cancellation.
    assert office.booking(code).status == "confirmed"
    assert _actions(office, "booking.cancelled") == []
    assert kiosk.json("cancel", code, staff="sup")["status"] == "cancelled"
    assert _actions(office, "booking.cancelled") == ["staff:sup"]


def test_c12_the_password_is_asked_without_echo_on_a_terminal(
    kiosk: Kiosk, office: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.cli.acting as acting

    monkeypatch.setattr(acting, "_terminal", lambda: True)
    open_day(office)
    code = _book(office, "P1234567")
    asked = kiosk("verify", code, "--json", staff="sup", password="", input="sup-password-1\n")
    assert asked.exit_code == 0, asked.output
    assert "Contraseña de sup" in asked.stderr and "sup-password-1" not in asked.output
    assert json.loads(asked.stdout)["code"] == code
    wrong = kiosk("verify", code, staff="sup", password="", input="wrong-password\n")
    assert wrong.exit_code == 1 and "wrong-password" not in wrong.output


def test_c12_the_audit_log_names_the_staff_member(kiosk: Kiosk, office: Store) -> None:
    opened = kiosk.json("slots", "open", *RANGE, "--hours", "09:00-10:00", "--every", "30")
    assert opened["created"] == 2
    assert _actions(office, "capacity.opened")[:1] == ["staff:sup"]
    slot = office.slots("STG", "RT", MONDAY, MONDAY)[0].id
    booked = kiosk.json("book", "--applicant", "P1234567", "--slot", str(slot), staff="agente")
    assert _actions(office, "booking.confirmed") == ["staff:agente"]
    assert booked["status"] == "confirmed"


def test_c1_an_auditor_reads_no_one_s_file(kiosk: Kiosk, office: Store) -> None:
    open_day(office)
    code = _book(office, "P1234567")
    assert "agent, supervisor" in refused(kiosk("verify", code, staff="auditora"))
    refused(kiosk("cancel", code, staff="auditora"))
    assert office.booking(code).status == "confirmed"


# -- B9, B13: cancel and reschedule ---------------------------------------------------------


def test_b9_cancel_hands_the_time_to_the_waitlist(kiosk: Kiosk, office: Store) -> None:
    open_day(office, hours="09:00-09:30")  # one time, soon taken
    code = _book(office, "P1234567")
    waiting = _person(office, "P7654321")
    office.enrol(waiting, "STG", "RT")
    cancelled = kiosk.json("cancel", code, "--reason", "a pedido de la persona", staff="agente")
    assert cancelled == {"code": code, "status": "cancelled", "assigned": 1}
    assert [b.status for b in office.bookings_of(waiting)] == ["confirmed"]
    assert kiosk.json("verify", code)["status"] == "cancelled"
    # Cancelled already: refused, with the rule's reason.
    assert "ya no está activa" in refused(kiosk("cancel", code))


def test_b9_staff_outside_the_policy_give_a_reason(kiosk: Kiosk, office: Store) -> None:
    open_day(office, day=date(2026, 11, 24))
    code = _book(office, "P1234567", day=date(2026, 11, 24))  # tomorrow 09:00
    later = "2026-11-23T13:00:00Z"  # 10:00 today: less than the office's 24 hours before
    assert "motivo" in refused(kiosk("cancel", code, now=later), status=2)
    assert office.booking(code).status == "confirmed"
    cancelled = kiosk.json("cancel", code, "--reason", "enfermedad", now=later)
    assert cancelled["status"] == "cancelled"
    assert '"reason": "enfermedad"' in office.audit_log("booking.cancelled")[0].details


def test_b13_reschedule_moves_the_booking_in_one_step(kiosk: Kiosk, office: Store) -> None:
    open_day(office)  # 09:00 and 09:30
    code = _book(office, "P1234567")
    other = _book(office, "P7654321", hhmm="09:30")
    later = [s for s in office.slots("STG", "RT", MONDAY, MONDAY) if s.free == 0][1].id
    refused(kiosk("reschedule", code, "--slot", str(later)))  # taken by the other person
    assert office.booking(code).status == "confirmed"
    kiosk.json("cancel", other)
    moved = kiosk.json("reschedule", code, "--slot", str(later), staff="agente")
    assert moved["previous"] == code and moved["code"] != code
    assert moved["start"].startswith("2026-11-30T09:30") and moved["assigned"] == 0
    before = kiosk.json("verify", code)
    assert before["status"] == "moved" and before["moved_to"] == moved["code"]
    assert kiosk.json("verify", moved["code"])["status"] == "confirmed"
    assert _actions(office, "booking.moved") == ["staff:agente"]


# -- B12, C6: blocks and closures -----------------------------------------------------------


def test_b12_block_displaces_and_verify_says_so(kiosk: Kiosk, office: Store) -> None:
    open_day(office)
    code = _book(office, "P1234567")
    block = (*RANGE, "--hours", "09:00-10:00")
    refused(kiosk("slots", "block", *block, "--reason", "capacitación", staff="agente"))
    assert office.booking(code).status == "confirmed"
    assert "motivo" in refused(kiosk("slots", "block", *block), status=2)
    blocked = kiosk.json("slots", "block", *block, "--reason", "capacitación")
    assert blocked == {"times": 2, "displaced": [code], "assigned": 0}
    shown = kiosk.json("verify", code)
    assert shown["status"] == "displaced" and shown["waitlist_position"] == 1
    assert shown["displaced_reason"] == "capacitación"
    assert "(capacitación); lugar en la lista de espera: 1." in kiosk("verify", code).stdout
    assert _actions(office, "capacity.blocked") == ["staff:sup"]
    reopened = kiosk.json("slots", "unblock", *block)
    assert reopened == {"times": 2, "displaced": [], "assigned": 1}
    assert kiosk.json("verify", code)["waitlist_position"] is None
    newest = office.bookings_of(_person(office, "P1234567"))[0]
    assert newest.status == "confirmed" and newest.code != code.replace("-", "")


def test_b12_rebook_a_displaced_person_who_left_the_list(kiosk: Kiosk, office: Store) -> None:
    open_day(office)
    code = _book(office, "P1234567")
    person = _person(office, "P1234567")
    kiosk.json("slots", "block", *RANGE, "--hours", "09:00-10:00", "--reason", "corte de luz")
    office.withdraw(person, "STG", "RT")  # they left the list; new times stay free
    open_day(office, day=date(2026, 12, 1))
    assert "no fue desplazada" in refused(
        kiosk("rebook", _book(office, "P7654321", date(2026, 12, 1)))
    )
    rebooked = kiosk.json("rebook", code, staff="agente")
    assert rebooked["status"] == "confirmed" and rebooked["code"] != code
    assert rebooked["start"].startswith("2026-12-01T09:30")
    assert _actions(office, "booking.rebooked") == ["staff:agente"]


def test_c6_closures_add_list_remove(kiosk: Kiosk, office: Store) -> None:
    open_day(office)
    code = _book(office, "P1234567")
    day = ("--office", "STG", "--day", "30-11-2026")
    refused(kiosk("closures", "add", *day, "--reason", "feriado local", staff="agente"))
    added = kiosk.json("closures", "add", *day, "--reason", "feriado local")
    assert added == {"times": 2, "displaced": [code], "assigned": 0}
    assert "ya está cerrada" in refused(kiosk("closures", "add", *day, "--reason", "otra vez"))
    listed = kiosk.json("closures", "list", staff="agente")  # their own office by default
    assert listed == {
        "closures": [{"office": "STG", "day": "2026-11-30", "reason": "feriado local"}]
    }
    assert kiosk.json("verify", code)["status"] == "displaced"
    removed = kiosk.json("closures", "remove", *day)
    assert removed == {"times": 2, "displaced": [], "assigned": 1}
    assert kiosk.json("closures", "list", "--office", "STG") == {"closures": []}
    refused(kiosk("closures", "remove", *day))
    assert _actions(office, "closure.added") == ["staff:sup"]


# -- C5, C11: the counter's day -------------------------------------------------------------


def _today(office: Store, hours: str = "10:00-11:00") -> list[str]:
    """Times today at STG/RT (10:00 and 10:30 by default), one booked by each applicant."""
    open_day(office, day=TODAY, hours=hours)
    return [
        _book(office, "P1234567", day=TODAY, hhmm=hours[:5]),
        _book(office, "P7654321", day=TODAY, hhmm=f"{hours[:2]}:30"),
    ]


def _moment(hh: int, mm: int) -> str:
    return at(TODAY, hh, mm).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_c5_agenda_checkin_attended(kiosk: Kiosk, office: Store) -> None:
    first, second = _today(office)
    agenda = kiosk.json("agenda", staff="agente")
    assert agenda["office"] == "STG" and agenda["day"] == "2026-11-23"
    rows = agenda["appointments"]
    assert [(r["code"], r["start"], r["status"]) for r in rows] == [
        (first, "10:00", "confirmed"),
        (second, "10:30", "confirmed"),
    ]
    assert rows[0]["document"] != "P1234567" and rows[0]["missable_at"].startswith(
        "2026-11-23T13:15"
    )
    assert "llegada" in refused(kiosk("attended", first, staff="agente"))
    assert kiosk.json("checkin", "P1234567", staff="agente")["status"] == "checked_in"
    assert kiosk.json("attended", first, staff="agente")["status"] == "attended"
    assert _actions(office, "booking.attended") == ["staff:agente"]
    assert kiosk.json("agenda", "--office", "stg", "--day", "2026-11-30")["appointments"] == []


def test_c11_missed_only_after_the_grace_and_undone(kiosk: Kiosk, office: Store) -> None:
    first, _second = _today(office)
    early = refused(kiosk("missed", first, staff="agente", now=_moment(10, 14)))
    assert "15 minutos" in early and "10:15" in early
    assert office.booking(first).status == "confirmed"
    missed = kiosk.json("missed", first, staff="agente", now=_moment(10, 15))
    assert missed["status"] == "missed"
    undone = kiosk.json("missed", first, "--undo", staff="agente", now=_moment(10, 20))
    assert undone["status"] == "confirmed"
    assert "no está marcada" in refused(kiosk("missed", first, "--undo", now=_moment(10, 21)))
    assert _actions(office, "booking.missed_undone") == ["staff:agente"]


def test_c11_close_day_marks_the_rest_missed(kiosk: Kiosk, office: Store) -> None:
    first, second = _today(office)
    close = ("agenda", "close-day", "--day", "2026-11-23")
    refused(kiosk(*close, staff="agente", now=_moment(10, 40)))  # supervisors only
    assert refused(kiosk(*close[:3], "2026-11-24"), status=2)  # not a day still to come
    closed = kiosk.json(*close, now=_moment(10, 40))
    assert closed == {"day": "2026-11-23", "marked": 1, "left": 1}
    assert office.booking(first).status == "missed" and office.booking(second).status == "confirmed"
    assert kiosk.json(*close, now=_moment(10, 45))["marked"] == 1
    assert office.booking(second).status == "missed"


# -- C9: office scope -----------------------------------------------------------------------


def test_c9_staff_act_for_their_own_office_only(kiosk: Kiosk, office: Store) -> None:
    first, _second = _today(office)
    line = refused(kiosk("agenda", "--office", "STG", staff="ari"))
    assert "ARI" in line
    refused(kiosk("checkin", first, "--office", "STG", staff="ari"))
    refused(kiosk("checkin", first, staff="ari"))  # their office by default: not this booking
    assert office.booking(first).status == "confirmed"
    refused(
        kiosk("slots", "open", *RANGE, "--hours", "09:00-10:00", "--every", "30", staff="sup.ari")
    )
    refused(
        kiosk(
            "closures",
            "add",
            "--office",
            "STG",
            "--day",
            "2026-11-30",
            "--reason",
            "x",
            staff="sup.ari",
        )
    )
    refused(kiosk("closures", "list", "--office", "STG", staff="sup.ari"))
    assert office.slots("STG", "RT", MONDAY, MONDAY) == [] and office.closures("STG") == []
    # A national supervisor acts for every office, and says which.
    assert refused(kiosk("agenda", staff="nacional"), status=2)
    assert (
        kiosk.json("checkin", first, "--office", "STG", staff="nacional")["status"] == "checked_in"
    )
    added = kiosk.json(
        "closures",
        "add",
        "--office",
        "ARI",
        "--day",
        "2026-12-01",
        "--reason",
        "x",
        staff="nacional",
    )
    assert added["times"] == 0


# -- never a traceback ----------------------------------------------------------------------


@pytest.mark.parametrize("slot", ["99999999999999999999999", "0", "-3", "uno"])
def test_a_slot_id_out_of_range_is_bad_input(kiosk: Kiosk, slot: str) -> None:
    refused(kiosk("book", "--applicant", "P1234567", "--slot", slot), status=2)
