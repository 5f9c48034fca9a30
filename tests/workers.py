"""Worker processes for the concurrency and crash tests (run as `python -m tests.workers`).

Each worker opens its own Store on the shared database, as a separate kiosk would."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime

from store import Store
from store.clock import FixedClock
from store.errors import Refused


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


COMMANDS: dict[str, Callable[..., dict[str, int]]] = {"book": book, "open": open_capacity}

if __name__ == "__main__":
    command, arguments = sys.argv[1], json.loads(sys.argv[2])
    result = COMMANDS[command](*arguments)
    print(json.dumps(result), flush=True)
