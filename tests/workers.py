"""Worker processes for the concurrency and crash tests (run as `python -m tests.workers`).

Each worker opens its own Store on the shared database, as a separate kiosk would."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from store import Store
from store.clock import FixedClock
from store.errors import Refused
from store.views import SYSTEM

ROOT = Path(__file__).resolve().parents[1]


def book(url: str, people: list[int], slots: list[int], seed: int) -> dict[str, int]:
    """Each person tries the times in a random order until one books or all are full."""
    store = Store(url, clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)))
    rng = random.Random(seed)
    booked = refused = 0
    for person in people:
        order = slots[:]
        rng.shuffle(order)
        for slot in order:
            try:
                store.book(person, slot)
                booked += 1
                break
            except Refused:
                continue
        else:
            refused += 1
    store.close()
    return {"booked": booked, "refused": refused}


def book_each(url: str, pairs: list[list[int]]) -> dict[str, int]:
    """Each (person, time) tried once, in order, from a line on stdin ("go", sent by the test
    once every worker said "ready": so that the processes' tries overlap); the answers
    counted by rule."""
    store = Store(url, clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)))
    store.catalog()  # connected and warm
    print("ready", flush=True)
    sys.stdin.readline()
    answers: dict[str, int] = {}
    for person, slot in pairs:
        try:
            store.book(person, slot)
            answer = "booked"
        except Refused as refusal:
            answer = refusal.rule
        answers[answer] = answers.get(answer, 0) + 1
    store.close()
    return answers


def open_capacity(
    url: str, office: str, procedure: str, day_from: str, day_to: str, hours: str
) -> dict[str, int]:
    store = Store(url, clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)))
    store.catalog()  # connect and import everything first, so a kill lands in the opening itself
    print("opening", flush=True)
    result = store.open_capacity(
        office, procedure, date.fromisoformat(day_from), date.fromisoformat(day_to), hours, 10, 1
    )
    store.close()
    return {"created": result.created, "assigned": result.assigned}


def churn(url: str, people: list[int], day: str, rounds: int, seed: int) -> dict[str, int]:
    """B9, B12, B13, C6 at once: random books, cancels, moves, blocks, unblocks, closures and
    enrolments by one process among several; refusals are legitimate outcomes."""
    from datetime import timedelta

    from store.errors import InvalidInput, NotFound

    clock = FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))
    store = Store(url, clock=clock)
    rng = random.Random(seed)
    when = date.fromisoformat(day)
    done = refused = 0
    for _ in range(rounds):
        clock.advance(seconds=1)
        person = rng.choice(people)
        slots = [s.id for s in store.slots("STG", "RT", when, when)]
        first = rng.randrange(4)
        hours = f"{9 + first // 2:02d}:{30 * (first % 2):02d}-{9 + (first + 1) // 2:02d}:{30 * ((first + 1) % 2):02d}"
        try:
            match rng.randrange(12):
                case 0 | 1 | 2 | 7 | 8:
                    store.book(person, rng.choice(slots))
                case 9:
                    mine = [b for b in store.bookings_of(person) if b.status == "confirmed"]
                    if mine:
                        store.cancel(mine[0].code or "", applicant_id=person)
                case 3 | 10:
                    mine = [b for b in store.bookings_of(person) if b.status == "confirmed"]
                    if mine:
                        held = store.hold(person, rng.choice(slots), replacing=mine[0].code)
                        store.confirm(person, held.id, replacing=mine[0].code)
                case 4:
                    store.block_slots("STG", "RT", when, when, hours, "Ausencia")
                case 5:
                    store.unblock_slots("STG", "RT", when, when, "09:00-11:00")
                case 6:
                    if rng.random() < 0.5:
                        store.add_closure("STG", when + timedelta(days=rng.randrange(2)), "Cierre")
                    else:
                        store.remove_closure("STG", when + timedelta(days=rng.randrange(2)))
                case 11:
                    store.enrol(person, "STG", "RT")
            done += 1
        except (Refused, NotFound, InvalidInput):
            refused += 1
    store.close()
    return {"done": done, "refused": refused}


def cross(url: str, people: list[int], day: str, rounds: int, seed: int) -> dict[str, int]:
    """W2 across two offices at once: each person holds at one office, then changes to the
    other (the first hold gives way and its office's queue is served), confirms, releases,
    cancels or joins a waitlist. Processes that cross in opposite directions take the two
    offices' locks in one order, so none deadlocks."""
    clock = FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))
    store = Store(url, clock=clock)
    rng = random.Random(seed)
    when = date.fromisoformat(day)
    offices = ["STG", "VAP"] if seed % 2 == 0 else ["VAP", "STG"]
    done = refused = 0
    for _ in range(rounds):
        clock.advance(seconds=1)
        person = rng.choice(people)
        try:
            # Whoever has a booking or a place gives it up first, so people keep moving.
            for booking in store.bookings_of(person):
                if booking.status == "confirmed":
                    store.cancel(booking.code or "", applicant_id=person)
                elif booking.status == "held":
                    store.release_hold(person, booking.id)
            for entry in store.waitlist_entries_of(person):
                if entry.status == "waiting":
                    store.withdraw(person, entry.office, "RT")
            first, second = (store.slots(o, "RT", when, when) for o in offices)
            held = store.hold(person, rng.choice(first).id)
            match rng.randrange(5):
                case 0 | 1:
                    held = store.hold(person, rng.choice(second).id)
                    store.confirm(person, held.id)
                case 2:
                    store.hold(person, rng.choice(second).id)
                case 3:
                    store.release_hold(person, held.id)
                case 4:
                    store.enrol(person, offices[1], "RT")
            done += 1
        except Refused:
            refused += 1
    store.close()
    return {"done": done, "refused": refused}


def send_mail(url: str, smtp_url: str) -> dict[str, int]:
    """M3: one run of the sender, as `kiosk outbox send` or a counter desk would do it."""
    from kiosk.i18n import translator
    from store.mail import SmtpMailer, parse_sender, parse_smtp_url

    store = Store(url, clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)), mail_enabled=True)
    mailer = SmtpMailer(parse_smtp_url(smtp_url), parse_sender("citas@extranjeria.gob.cl"))
    print("sending", flush=True)
    run = store.deliver_outbox(mailer, translator, batch=5)
    store.close()
    return {"sent": run.sent, "failed": run.failed, "pending": run.pending}


def book_timed(url: str, person: int, slot: int) -> dict[str, int]:
    """B6 + B7 once, timed from the store call to its return (milliseconds)."""
    import time

    store = Store(url, clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)), mail_enabled=True)
    store.catalog()  # connected and imported before the clock starts
    started = time.perf_counter()
    store.book(person, slot)
    elapsed = time.perf_counter() - started
    store.close()
    return {"milliseconds": round(elapsed * 1000)}


def remind(url: str, day: str) -> dict[str, int]:
    """M4: one run of the day-before reminders."""
    store = Store(url, clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)), mail_enabled=True)
    store.catalog()
    print("reminding", flush=True)
    count = store.send_reminders(date.fromisoformat(day))
    store.close()
    return {"reminded": count}


def audit_writes(url: str, username: str, password: str, searches: int) -> dict[str, int]:
    """W7: a staff member's searches, each a short transaction that writes one audit event and
    locks no row, so nothing but the chain's own lock orders them against other processes."""
    store = Store(url, clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)))
    actor = store.login_staff(username, password).actor
    for n in range(searches):
        store.find_applicants(f"persona {n}", actor=actor)
    store.close()
    return {"searched": searches}


def first_staff(url: str, username: str) -> dict[str, int]:
    """Issue 15 §2b: the first account of a new store, created by no one (as `kiosk staff add`
    without --staff); refused once another process made one."""
    store = Store(url)
    try:
        store.add_staff(username, "Primera Cuenta", "supervisor", None, actor=SYSTEM)
    except Refused:
        return {"created": 0}
    finally:
        store.close()
    return {"created": 1}


def spawn(command: str, *arguments: object) -> subprocess.Popen[str]:
    """Start `python -m tests.workers COMMAND ARGUMENTS` in the repository, as a separate kiosk."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.workers", command, json.dumps(arguments)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_together(processes: list[subprocess.Popen[str]]) -> None:
    """Once every worker has said it is ready, tell them all to go."""
    for process in processes:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "ready", line + (process.stderr.read() if process.stderr else "")
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


def results(processes: list[subprocess.Popen[str]]) -> list[dict[str, int]]:
    """Each worker's JSON result (its last line), once it has ended well."""
    found = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        found.append(json.loads(out.splitlines()[-1]))
    return found


def import_bundle(url: str, path: str, key: str, username: str, password: str) -> dict[str, int]:
    """O4: the central store imports an office's bundle (killed in the middle by the test)."""
    store = Store(url, clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)))
    actor = store.login_staff(username, password).actor
    print("importing", flush=True)
    counts = store.import_bundle(
        Path(path), store_code="CENTRAL", trust={"STG": key.encode()}, actor=actor
    )
    store.close()
    return {table: c["inserted"] for table, c in counts.items()}


def call_queue(url: str, username: str, password: str, counter: int) -> dict[str, int]:
    """Q3: one counter calls and serves the next person until nobody is waiting; the numbers
    it called, each with its counter."""
    store = Store(url, clock=FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)))
    actor = store.login_staff(username, password).actor
    called: dict[str, int] = {}
    while True:
        try:
            call = store.queue_call("STG", counter, actor=actor)
        except Refused as refusal:
            assert refusal.code == "nobody_waiting", refusal.code
            break
        assert str(call.number) not in called
        called[str(call.number)] = counter
        store.queue_finish("STG", call.number, actor=actor)
    store.close()
    return called


COMMANDS: dict[str, Callable[..., dict[str, int]]] = {
    "book": book,
    "book_each": book_each,
    "open": open_capacity,
    "churn": churn,
    "cross": cross,
    "send_mail": send_mail,
    "book_timed": book_timed,
    "remind": remind,
    "audit_writes": audit_writes,
    "first_staff": first_staff,
    "import_bundle": import_bundle,
    "call_queue": call_queue,
}

if __name__ == "__main__":
    command, arguments = sys.argv[1], json.loads(sys.argv[2])
    result = COMMANDS[command](*arguments)
    print(json.dumps(result), flush=True)
