"""Dates and times as people in Chile read them, and office wall clocks."""

from __future__ import annotations

from datetime import date, datetime, time
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
