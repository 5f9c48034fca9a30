"""`kiosk closures add|remove|list`: the days an office is closed (C6). A closure displaces
that day's bookings onto the waitlist (B12); removing it gives the times back (W2). Each acts
as a staff member of the office (C9, C12); adding and removing need a supervisor (the store
checks the role)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kiosk.cli.acting import COUNTER_ROLES, as_staff, office_scope
from kiosk.cli.catalog import change_json
from kiosk.cli.group import Env, cli, emit, json_option, parse_day
from store.text import N_

if TYPE_CHECKING:
    from datetime import date

    from store.views import StaffView


def _day(text: str) -> date:
    day = parse_day("day", text)
    assert day is not None
    return day


@cli.group()
def closures() -> None:
    """Days an office is closed."""


@closures.command("add")
@click.option("--office", help="Office code (default: your office).")
@click.option("--day", required=True)
@click.option("--reason", help="Why the office closes that day.")
@json_option
@as_staff()
def closures_add(
    env: Env, staff: StaffView, office: str | None, day: str, reason: str | None, as_json: bool
) -> None:
    """Close an office for a day; its bookings that day are displaced onto the waitlist (B12)."""
    code = office_scope(env, staff, office)
    change = env.store().add_closure(code, _day(day), reason or "", actor=staff.actor)
    emit(
        change_json(change),
        as_json,
        env.say(
            N_(
                "Oficina {office} cerrada el {day}: horas bloqueadas {times}; reservas "
                "desplazadas a la lista de espera: {displaced}; asignadas: {assigned}."
            ),
            office=code,
            day=_day(day).isoformat(),
            times=change.times,
            displaced=len(change.displaced),
            assigned=change.assigned,
        ),
    )


@closures.command("remove")
@click.option("--office", help="Office code (default: your office).")
@click.option("--day", required=True)
@json_option
@as_staff()
def closures_remove(
    env: Env, staff: StaffView, office: str | None, day: str, as_json: bool
) -> None:
    """Open a closed day again; its times return and waiting people get them (W2)."""
    code = office_scope(env, staff, office)
    change = env.store().remove_closure(code, _day(day), actor=staff.actor)
    emit(
        change_json(change),
        as_json,
        env.say(
            N_(
                "Oficina {office} abierta de nuevo el {day}: horas reabiertas {times}; "
                "asignadas a la lista de espera: {assigned}."
            ),
            office=code,
            day=_day(day).isoformat(),
            times=change.times,
            assigned=change.assigned,
        ),
    )


@closures.command("list")
@click.option("--office", help="Office code (default: your office).")
@click.option("--from", "date_from", help="From this day (default: the office's today).")
@json_option
@as_staff(COUNTER_ROLES)
def closures_list(
    env: Env, staff: StaffView, office: str | None, date_from: str | None, as_json: bool
) -> None:
    """An office's closures from today (or --from) on, in date order."""
    code = office_scope(env, staff, office)
    found = env.store().closures(code, parse_day("from", date_from), actor=staff.actor)
    emit(
        {
            "closures": [
                {"office": c.office, "day": c.day.isoformat(), "reason": c.reason} for c in found
            ]
        },
        as_json,
        "\n".join(f"{c.day.isoformat()} {c.office} {c.reason}" for c in found),
    )
