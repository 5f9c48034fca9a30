"""`kiosk book`, `verify`, `receipt`, `cancel`, `reschedule` and `rebook`: a booking, by its
verification code (B6–B13). Each acts as a staff member (C12, `kiosk.cli.acting`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.cli.acting import COUNTER_ROLES, as_staff
from kiosk.cli.applicants import applicant_id
from kiosk.cli.group import EXIT_BAD_INPUT, ROW_ID, Env, cli, emit, fail, iso, json_option
from kiosk.i18n import translator
from store.codes import display_code
from store.text import N_

if TYPE_CHECKING:
    from store.views import BookingView, StaffView


def booking_json(b: BookingView) -> dict[str, object]:
    """A booking as the command line shows it (document masked, K6): its status (B12: a
    displaced one says why and its place on the waitlist; B13: a moved one, its new code)."""
    from store.validation import mask_document

    return {
        "code": b.display_code,
        "status": b.status,
        "office": b.office.code,
        "office_name": b.office.name,
        "procedure": b.procedure.code,
        "start": b.start.isoformat(),
        "seat": b.seat,
        "applicant": b.applicant_name,
        "document": mask_document(b.document_type, b.document_number),
        "enrolled_at": iso(b.enrolled_at),
        "cancel_until": iso(b.cancel_until),
        "displaced_reason": b.displaced_reason,
        "waitlist_position": b.waitlist_position,
        "moved_to": None if b.moved_to is None else display_code(b.moved_to),
    }


@cli.command()
@click.option("--applicant", "document", required=True, help="Document number, any usual spelling.")
@click.option("--slot", "slot_id", required=True, type=ROW_ID)
@json_option
@as_staff(COUNTER_ROLES)
def book(env: Env, staff: StaffView, document: str, slot_id: int, as_json: bool) -> None:
    """Book a time for an applicant (hold and confirm at once)."""
    result = env.store().book(applicant_id(env, document), slot_id, actor=staff.actor)
    emit(
        booking_json(result),
        as_json,
        env.say(
            N_("Hora reservada: {start}. Código {code}."),
            start=f"{result.start:%d-%m-%Y %H:%M}",
            code=result.display_code,
        ),
    )


@cli.command()
@click.argument("code")
@json_option
@as_staff(COUNTER_ROLES)
def verify(env: Env, staff: StaffView, code: str, as_json: bool) -> None:
    """Check a verification code (B7)."""
    found = env.store().booking(code, actor=staff.actor)
    lines = [
        f"{found.display_code} {found.status} {found.office.name} {found.start:%d-%m-%Y %H:%M} {found.applicant_name}"
    ]
    if found.status == "displaced":  # B12
        lines.append(
            env.say(
                N_(
                    "La oficina quitó esta hora ({reason}); lugar en la lista de espera: {position}."
                ),
                reason=found.displaced_reason or "-",
                position=found.waitlist_position or "-",
            )
        )
    if found.moved_to is not None:  # B13
        lines.append(
            env.say(N_("Cambiada a la hora de código {code}."), code=display_code(found.moved_to))
        )
    emit(booking_json(found), as_json, "\n".join(lines))


@cli.command()
@click.argument("code")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF file."
)
@click.option("--format", "fmt", type=click.Choice(["a4", "80mm"]), default="a4", show_default=True)
@json_option
@as_staff(COUNTER_ROLES)
def receipt(env: Env, staff: StaffView, code: str, out: Path, fmt: str, as_json: bool) -> None:
    """Write a booking's receipt (B7) as a PDF, in the applicant's language."""
    from receipts import render_pdf
    from receipts.sources import booking_receipt

    store = env.store()
    found = store.booking(code, actor=staff.actor)
    language = store.applicant(found.applicant_id).language
    pdf = render_pdf(booking_receipt(found, language), fmt, translator(language), store.clock.now())
    try:
        out.write_bytes(pdf)
    except OSError as error:
        fail(
            env.say(N_("No se pudo escribir {path}: {reason}"), path=out, reason=error.strerror),
            EXIT_BAD_INPUT,
        )
    emit(
        {"code": found.display_code, "file": str(out), "format": fmt, "bytes": len(pdf)},
        as_json,
        env.say(N_("Comprobante de {code} guardado en {path}."), code=found.display_code, path=out),
    )


@cli.command()
@click.argument("code")
@click.option("--reason", help="Why (needed where the office's policy would not allow it, B9).")
@json_option
@as_staff()
def cancel(env: Env, staff: StaffView, code: str, reason: str | None, as_json: bool) -> None:
    """Cancel a booking (B9); its time goes to the waitlist at once (W2)."""
    result = env.store().cancel(code, reason=reason, actor=staff.actor)
    cancelled = result.booking
    emit(
        {"code": cancelled.display_code, "status": cancelled.status, "assigned": result.assigned},
        as_json,
        env.say(
            N_("Hora {code} anulada; asignadas a la lista de espera: {assigned}."),
            code=cancelled.display_code,
            assigned=result.assigned,
        ),
    )


@cli.command()
@click.argument("code")
@click.option("--slot", "slot_id", required=True, type=ROW_ID, help="The new time.")
@click.option("--reason", help="Why (needed where the office's policy would not allow it, B9).")
@json_option
@as_staff()
def reschedule(
    env: Env, staff: StaffView, code: str, slot_id: int, reason: str | None, as_json: bool
) -> None:
    """Move a booking to another time (B13): the old time is freed only once the new one is
    confirmed, and goes to the waitlist first (W2)."""
    result = env.store().reschedule(code, slot_id, reason=reason, actor=staff.actor)
    moved = result.booking
    emit(
        {
            "code": moved.display_code,
            "previous": result.previous.display_code,
            "start": moved.start.isoformat(),
            "assigned": result.assigned,
        },
        as_json,
        env.say(
            N_("Hora cambiada al {start}. Nuevo código {code} (antes {previous})."),
            start=f"{moved.start:%d-%m-%Y %H:%M}",
            code=moved.display_code,
            previous=result.previous.display_code,
        ),
    )


@cli.command()
@click.argument("code")
@click.option("--slot", "slot_id", type=ROW_ID, help="The time (default: the next free one).")
@json_option
@as_staff()
def rebook(env: Env, staff: StaffView, code: str, slot_id: int | None, as_json: bool) -> None:
    """Book a displaced person a time again (B12); their place on the waitlist closes."""
    result = env.store().rebook(code, slot_id, actor=staff.actor)
    emit(
        booking_json(result),
        as_json,
        env.say(
            N_("Hora reservada: {start}. Código {code}."),
            start=f"{result.start:%d-%m-%Y %H:%M}",
            code=result.display_code,
        ),
    )
