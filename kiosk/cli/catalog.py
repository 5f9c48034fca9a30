"""`kiosk catalog` and `kiosk slots list|open|block|unblock`: what can be booked where, and its
times. Reading is public; opening, blocking and unblocking act as a supervisor of the office
(C6, C9, C12)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kiosk.cli.acting import as_staff, office_scope, staff_option, staff_or_setup
from kiosk.cli.group import Env, cli, emit, iso, json_option, parse_day, pass_env
from store.text import N_

if TYPE_CHECKING:
    from store.views import CapacityChange, Catalog, OfferingView, SlotView, StaffView

F = TypeVar("F", bound=Callable[..., Any])


def offering_json(o: OfferingView) -> dict[str, object]:
    """One procedure of an office: bookable, its next free time, how many wait."""
    return {
        "code": o.procedure_code,
        "bookable": o.bookable,
        "next_free": iso(o.next_free),
        "waiting": o.waiting,
        "walk_in": o.walk_in,
    }


def catalog_json(cat: Catalog, language: str) -> dict[str, object]:
    """Regions, offices (with their procedures) and procedures (with documents to bring)."""
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
                "call_window_minutes": o.call_window_minutes,
                "max_calls": o.max_calls,
                "procedures": offerings.get(o.code, []),
            }
            for o in cat.offices
        ],
        "procedures": [
            {
                "code": p.code,
                "name": p.name_in(language),
                "documents": list(p.documents_in(language)),
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


@cli.group(invoke_without_command=True)
@json_option
@pass_env
@click.pass_context
def catalog(ctx: click.Context, env: Env, as_json: bool) -> None:
    """Regions, offices and procedures (with documents to bring); `export` and `load` as
    plain data files."""
    if ctx.invoked_subcommand is not None:
        return
    cat = env.store().catalog()
    text = "\n".join(f"{o.code:5} {o.name} — {o.address}" for o in cat.offices)
    emit(catalog_json(cat, env.settings.language), as_json, text)


@catalog.command("export")
@click.option("--out", "folder", required=True, type=click.Path(file_okay=False, path_type=Path))
@json_option
@pass_env
def catalog_export(env: Env, folder: Path, as_json: bool) -> None:
    """Write the catalogue as five CSV files (regions, offices, procedures, documents,
    offerings) into a folder; public data, so no one needs to be named."""
    rows = env.store().export_catalog(folder)
    emit(
        {"folder": str(folder), "rows": rows},
        as_json,
        env.say(N_("Catálogo escrito en {folder}."), folder=str(folder)),
    )


@catalog.command("load")
@click.argument("folder", type=click.Path(path_type=Path))
@json_option
@staff_option
@pass_env
def catalog_load(env: Env, folder: Path, as_json: bool) -> None:
    """Add and update the catalogue from such files, in one transaction; a national
    supervisor (no one on a new store with no staff yet). Loading twice changes nothing."""
    counts = env.store().load_catalog(folder, actor=staff_or_setup(env))
    added = sum(c["added"] for c in counts.values())
    changed = sum(c["changed"] for c in counts.values())
    emit(
        {"loaded": counts},
        as_json,
        env.say(
            N_("Catálogo cargado: {added} filas nuevas, {changed} cambiadas."),
            added=added,
            changed=changed,
        ),
    )


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
@as_staff()
def slots_open(
    env: Env,
    staff: StaffView,
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
    office = office_scope(env, staff, office)
    start, end = parse_day("from", date_from), parse_day("to", date_to)
    assert start and end
    result = env.store().open_capacity(
        office, procedure, start, end, hours, every, seats, actor=staff.actor
    )
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


def change_json(change: CapacityChange) -> dict[str, object]:
    """C6, B12, W2: how many times changed, the bookings displaced, how many were assigned."""
    return {
        "times": change.times,
        "displaced": [b.display_code for b in change.displaced],
        "assigned": change.assigned,
    }


def range_options(command: F) -> F:
    """The times of `slots block|unblock`: an office and procedure, days and hours."""
    for option in reversed(
        (
            click.option("--office", required=True),
            click.option("--procedure", required=True),
            click.option("--from", "date_from", required=True),
            click.option("--to", "date_to", required=True),
            click.option("--hours", required=True, help="09:00-13:00, or several with commas."),
        )
    ):
        command = option(command)
    return command


@slots.command("block")
@range_options
@click.option("--reason", help="Why the times close (an absence, training…).")
@json_option
@as_staff()
def slots_block(
    env: Env,
    staff: StaffView,
    office: str,
    procedure: str,
    date_from: str,
    date_to: str,
    hours: str,
    reason: str | None,
    as_json: bool,
) -> None:
    """Close times (C6); their bookings are displaced onto the waitlist, never dropped (B12)."""
    office = office_scope(env, staff, office)
    start, end = parse_day("from", date_from), parse_day("to", date_to)
    assert start and end
    change = env.store().block_slots(
        office, procedure, start, end, hours, reason or "", actor=staff.actor
    )
    emit(
        change_json(change),
        as_json,
        env.say(
            N_(
                "Horas bloqueadas: {times}; reservas desplazadas a la lista de espera: "
                "{displaced}; asignadas: {assigned}."
            ),
            times=change.times,
            displaced=len(change.displaced),
            assigned=change.assigned,
        ),
    )


@slots.command("unblock")
@range_options
@json_option
@as_staff()
def slots_unblock(
    env: Env,
    staff: StaffView,
    office: str,
    procedure: str,
    date_from: str,
    date_to: str,
    hours: str,
    as_json: bool,
) -> None:
    """Reopen blocked times (C6); waiting people get them at once (W2)."""
    office = office_scope(env, staff, office)
    start, end = parse_day("from", date_from), parse_day("to", date_to)
    assert start and end
    change = env.store().unblock_slots(office, procedure, start, end, hours, actor=staff.actor)
    emit(
        change_json(change),
        as_json,
        env.say(
            N_("Horas reabiertas: {times}; asignadas a la lista de espera: {assigned}."),
            times=change.times,
            assigned=change.assigned,
        ),
    )
