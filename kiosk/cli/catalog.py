"""`kiosk catalog` and `kiosk slots list|open`: what can be booked where, and its times."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kiosk.cli.group import Env, cli, emit, iso, json_option, parse_day, pass_env
from store.text import N_

if TYPE_CHECKING:
    from store.views import Catalog, OfferingView, SlotView


def offering_json(o: OfferingView) -> dict[str, object]:
    """One procedure of an office: bookable, its next free time, how many wait."""
    return {
        "code": o.procedure_code,
        "bookable": o.bookable,
        "next_free": iso(o.next_free),
        "waiting": o.waiting,
    }


def catalog_json(cat: Catalog, language: str) -> dict[str, object]:
    """Regions, offices (with their procedures) and procedures (with documents to bring)."""
    english = language == "en"
    offerings: dict[str, list[dict[str, object]]] = {}
    for o in cat.offerings:
        offerings.setdefault(o.office.code, []).append(offering_json(o))
    return {
        "regions": [{"code": r.code, "name": r.name} for r in cat.regions],
        "offices": [
            {
                "code": o.code,
                "name": o.name,
                "region": o.region,
                "address": o.address,
                "procedures": offerings.get(o.code, []),
            }
            for o in cat.offices
        ],
        "procedures": [
            {
                "code": p.code,
                "name": p.name_en if english else p.name,
                "documents": list(p.documents_en if english else p.documents),
            }
            for p in cat.procedures
        ],
    }


def slot_json(s: SlotView) -> dict[str, object]:
    """A time with its seats and how many are free."""
    return {
        "id": s.id,
        "start": s.start.isoformat(),
        "seats": s.seats,
        "free": s.free,
        "blocked": s.blocked,
    }


@cli.command()
@json_option
@pass_env
def catalog(env: Env, as_json: bool) -> None:
    """Regions, offices and procedures (with documents to bring)."""
    cat = env.store().catalog()
    text = "\n".join(f"{o.code:5} {o.name} — {o.address}" for o in cat.offices)
    emit(catalog_json(cat, env.settings.language), as_json, text)


@cli.group()
def slots() -> None:
    """Appointment times."""


@slots.command("list")
@click.option("--office", required=True)
@click.option("--procedure", required=True)
@click.option("--from", "date_from")
@click.option("--to", "date_to")
@json_option
@pass_env
def slots_list(
    env: Env, office: str, procedure: str, date_from: str | None, date_to: str | None, as_json: bool
) -> None:
    """The times of an office and procedure, with free seats."""
    found = env.store().slots(
        office, procedure, parse_day("from", date_from), parse_day("to", date_to)
    )
    emit(
        {"slots": [slot_json(s) for s in found]},
        as_json,
        "\n".join(f"{s.id:7} {s.start:%Y-%m-%d %H:%M} {s.free}/{s.seats}" for s in found),
    )


@slots.command("open")
@click.option("--office", required=True)
@click.option("--procedure", required=True)
@click.option("--from", "date_from", required=True)
@click.option("--to", "date_to", required=True)
@click.option("--hours", required=True, help="09:00-13:00, or several separated by commas.")
@click.option("--every", required=True, type=int, help="Minutes between times.")
@click.option("--seats", default=1, show_default=True, type=int)
@json_option
@pass_env
def slots_open(
    env: Env,
    office: str,
    procedure: str,
    date_from: str,
    date_to: str,
    hours: str,
    every: int,
    seats: int,
    as_json: bool,
) -> None:
    """Open capacity (C6); waiting applicants are assigned at once (W2)."""
    start, end = parse_day("from", date_from), parse_day("to", date_to)
    assert start and end
    result = env.store().open_capacity(office, procedure, start, end, hours, every, seats)
    data = {
        "created": result.created,
        "assigned": result.assigned,
        "skipped": [{"date": s.day.isoformat(), "reason": s.reason} for s in result.skipped],
    }
    emit(
        data,
        as_json,
        env.say(
            N_("Horas creadas: {created}; asignadas a la lista de espera: {assigned}."),
            created=result.created,
            assigned=result.assigned,
        ),
    )
