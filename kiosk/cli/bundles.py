"""`kiosk export`, `kiosk import` and `kiosk conflicts list|resolve`: offices and the central
store exchange signed bundles (O3, O4), and staff choose between two stores' contact data.

This store's name is `KIOSK_STORE_CODE` (an office code, or CENTRAL); it signs with
`KIOSK_BUNDLE_KEY` and takes bundles from the stores in the TOML file `KIOSK_BUNDLE_TRUST`
(`CODE = "key"`). Exporting and importing act as a supervisor of the office the bundle is about,
or a national supervisor (C9, C12)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.cli.acting import as_staff
from kiosk.cli.group import ROW_ID, Env, cli, emit, iso, json_option
from store.text import N_

if TYPE_CHECKING:
    from store.views import StaffView, SyncConflictView


@cli.command("export")
@click.option("--office", required=True, help="The office the bundle is about (its code).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "everything", is_flag=True, help="Everything, not only what is new.")
@json_option
@as_staff()
def export_bundle(
    env: Env, acting: StaffView, office: str, out: Path, everything: bool, as_json: bool
) -> None:
    """Write a signed bundle: an office's store, its own day for CENTRAL; the central store,
    what that office needs from everyone else. Nothing in the database changes."""
    from store.bundle import bundle_key

    key = bundle_key(env.settings.bundle_key)
    done = env.store().export_bundle(
        out,
        office=office,
        store_code=env.settings.store_code,
        key=key,
        everything=everything,
        actor=acting.actor,
    )
    rows = sum(done.rows.values())
    emit(
        {
            "file": done.path,
            "bytes": done.size,
            "store": done.store,
            "to": done.to,
            "rows": dict(done.rows),
            "since": done.since,
            "upto": done.upto,
        },
        as_json,
        env.say(
            N_("Paquete para {to} escrito en {file} (filas: {rows}; bytes: {size})."),
            to=done.to,
            file=done.path,
            rows=rows,
            size=done.size,
        ),
    )


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@as_staff()
def import_bundle(env: Env, acting: StaffView, file: Path, as_json: bool) -> None:
    """Check a bundle whole (signature, seal, checksums) and merge it in one transaction:
    all or nothing; importing it again changes nothing."""
    from store.bundle import trusted_keys

    counts = env.store().import_bundle(
        file,
        store_code=env.settings.store_code,
        trust=trusted_keys(env.settings.bundle_trust),
        actor=acting.actor,
    )
    total = {k: sum(c[k] for c in counts.values()) for k in ("inserted", "updated", "conflicts")}
    emit(
        counts,
        as_json,
        env.say(
            N_(
                "Paquete importado. Filas nuevas: {inserted}; actualizadas: {updated}; "
                "conflictos para revisar: {conflicts}."
            ),
            **total,
        ),
    )


def conflict_json(c: SyncConflictView) -> dict[str, object]:
    return {
        "id": c.id,
        "applicant_id": c.applicant_id,
        "name": c.applicant_name,
        "field": c.field,
        "local": c.local_value,
        "incoming": c.incoming_value,
        "current": c.current_value,
        "source": c.source,
        "found_at": iso(c.found_at),
        "resolved_at": iso(c.resolved_at),
        "kept": c.kept,
    }


@cli.group()
def conflicts() -> None:
    """Contact data two stores hold differently (O4)."""


@conflicts.command("list")
@click.option("--all", "everything", is_flag=True, help="Resolved ones too.")
@json_option
@as_staff()
def conflicts_list(env: Env, acting: StaffView, everything: bool, as_json: bool) -> None:
    """The conflicts waiting for staff, oldest first."""
    found = env.store().sync_conflicts(actor=acting.actor, include_resolved=everything)
    emit(
        {"conflicts": [conflict_json(c) for c in found]},
        as_json,
        "\n".join(
            f"{c.id:5} {c.applicant_name}: {c.field} {c.local_value} | {c.incoming_value} ({c.source})"
            for c in found
        ),
    )


@conflicts.command("resolve")
@click.argument("conflict_id", type=ROW_ID)
@click.option("--keep", type=click.Choice(["local", "incoming"]), required=True)
@json_option
@as_staff()
def conflicts_resolve(
    env: Env, acting: StaffView, conflict_id: int, keep: str, as_json: bool
) -> None:
    """Keep this store's value (`local`) or the other store's (`incoming`)."""
    done = env.store().resolve_conflict(conflict_id, keep, actor=acting.actor)
    emit(
        conflict_json(done),
        as_json,
        env.say(N_("Conflicto {id} resuelto."), id=done.id),
    )
