"""`kiosk book`, `kiosk verify` and `kiosk receipt`: a booking, by its verification code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.cli.applicants import applicant_id
from kiosk.cli.group import EXIT_BAD_INPUT, Env, cli, emit, fail, iso, json_option, pass_env
from kiosk.i18n import translator
from store.text import N_

if TYPE_CHECKING:
    from store.views import BookingView


def booking_json(b: BookingView) -> dict[str, object]:
    """A booking as the command line shows it (document masked, K6)."""
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
    }


@cli.command()
@click.option("--applicant", "document", required=True, help="Document number, any usual spelling.")
@click.option("--slot", "slot_id", required=True, type=int)
@json_option
@pass_env
def book(env: Env, document: str, slot_id: int, as_json: bool) -> None:
    """Book a time for an applicant (hold and confirm at once)."""
    result = env.store().book(applicant_id(env, document), slot_id)
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
@pass_env
def verify(env: Env, code: str, as_json: bool) -> None:
    """Check a verification code (B7)."""
    found = env.store().booking(code)
    emit(
        booking_json(found),
        as_json,
        f"{found.display_code} {found.status} {found.office.name} {found.start:%d-%m-%Y %H:%M} {found.applicant_name}",
    )


@cli.command()
@click.argument("code")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF file."
)
@click.option("--format", "fmt", type=click.Choice(["a4", "80mm"]), default="a4", show_default=True)
@json_option
@pass_env
def receipt(env: Env, code: str, out: Path, fmt: str, as_json: bool) -> None:
    """Write a booking's receipt (B7) as a PDF, in the applicant's language."""
    from receipts import render_pdf
    from receipts.sources import booking_receipt

    store = env.store()
    found = store.booking(code)
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
