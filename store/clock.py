"""Clocks: the only place the store learns what time it is.

Everything that needs "now" takes a `Clock`, so tests are deterministic and the command line
can be pinned to a date for training (`KIOSK_NOW`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until told to move (tests, training, `KIOSK_NOW`)."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 12, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.current = self.current.astimezone(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        """Move the clock forward by a `timedelta(**delta)`."""
        self.current += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        """Put the clock at an aware moment."""
        self.current = moment.astimezone(UTC)


def local_today(clock: Clock, time_zone: str) -> date:
    """Today's date in an office's time zone."""
    return clock.now().astimezone(ZoneInfo(time_zone)).date()
