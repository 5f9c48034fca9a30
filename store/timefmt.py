"""Dates and times as people in Chile read them, and office wall clocks."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def fmt_date(day: date) -> str:
    """25-11-2026."""
    return day.strftime("%d-%m-%Y")


def fmt_time(moment: time | datetime) -> str:
    """09:30."""
    return moment.strftime("%H:%M")


def office_moment(day: date, start: time, time_zone: str) -> datetime:
    """An office's wall-clock time as an aware datetime in its own zone."""
    return datetime.combine(day, start, tzinfo=ZoneInfo(time_zone))


def in_zone(moment: datetime, time_zone: str) -> datetime:
    """An aware moment seen on a given zone's wall clock."""
    return moment.astimezone(ZoneInfo(time_zone))


def utc_offsets(time_zone: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """A zone's offsets from UTC, in seconds, between two aware moments: the one in force at
    `start`, then each change with the moment it took effect (so the database can put many
    moments on the zone's wall clock at once). Zones change at whole seconds, at most once a
    day."""
    zone = ZoneInfo(time_zone)

    def offset(second: int) -> int:
        shift = datetime.fromtimestamp(second, UTC).astimezone(zone).utcoffset()
        return int(shift.total_seconds()) if shift is not None else 0

    first, last = math.floor(start.timestamp()), math.ceil(end.timestamp())
    changes = [(first, offset(first))]
    second = first
    while second < last:
        later = min(second + 86_400, last)
        if offset(later) != changes[-1][1]:
            before, after = second, later  # the change is in (before, after]: halve it
            while after - before > 1:
                middle = (before + after) // 2
                if offset(middle) == changes[-1][1]:
                    before = middle
                else:
                    after = middle
            changes.append((after, offset(after)))
        second = later
    return [(datetime.fromtimestamp(at, UTC), shift) for at, shift in changes]
