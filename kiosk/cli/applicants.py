"""`kiosk applicant register` and `kiosk mailbox`: applicant accounts and their notices."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from kiosk.cli.acting import COUNTER_ROLES, as_staff
from kiosk.cli.group import EXIT_BAD_INPUT, Env, cli, emit, fail, iso, json_option, read_json_file
from store.codes import display_code
from store.text import N_, localised

if TYPE_CHECKING:
    from store.views import NoticeView, Registration, StaffView


def applicant_id(env: Env, document: str) -> int:
    """The account of a document number, in any usual spelling (refused if there is none)."""
    return int(env.store().applicant_by_document(document).id)


def registration_json(registration: Registration) -> dict[str, object]:
    """The new account, with its temporary password (shown once, A8)."""
    a = registration.applicant
    return {
        "id": a.id,
        "temporary_password": registration.temporary_password,
        "document_type": a.document_type,
        "document_number": a.document_number,
        "email": a.email,
        "name": a.full_name,
        "region": a.region,
    }


def notice_json(n: NoticeView, t: Callable[[str], str], language: str) -> dict[str, object]:
    """A notice in the chosen language."""
    return {
        "kind": n.kind,
        "subject": localised(n.subject, language).render(t),
        "body": localised(n.body, language).render(t),
        "created_at": n.created_at.isoformat(),
        "read_at": iso(n.read_at),
        "booking": None if n.booking_code is None else display_code(n.booking_code),
    }


@cli.group()
def applicant() -> None:
    """Applicant accounts."""


@applicant.command("register")
@click.option("--file", "path", required=True, help="A JSON file of at most 1 MB.")
@json_option
@as_staff(COUNTER_ROLES)
def applicant_register(env: Env, staff: StaffView, path: str, as_json: bool) -> None:
    """Register an applicant from a JSON file (terms accepted by whoever runs this)."""
    from store.forms import ApplicantForm

    data = read_json_file(env, path)
    if not isinstance(data, dict):
        fail(
            env.say(N_("El archivo debe contener un objeto JSON con los datos de la persona.")),
            EXIT_BAD_INPUT,
        )
    registration = env.store().register(
        ApplicantForm.from_mapping(data), terms_accepted=True, actor=staff.actor
    )
    emit(
        registration_json(registration),
        as_json,
        env.say(
            N_("Registro completado. Contraseña temporal: {password}"),
            password=registration.temporary_password,
        ),
    )


@cli.command()
@click.option("--applicant", "document", required=True)
@json_option
@as_staff(COUNTER_ROLES)
def mailbox(env: Env, staff: StaffView, document: str, as_json: bool) -> None:
    """An applicant's notices (M1, M2), newest first."""
    notices = env.store().notices(applicant_id(env, document), actor=staff.actor)
    emit(
        {"notices": [notice_json(n, env.t, env.settings.language) for n in notices]},
        as_json,
        "\n".join(f"{n.created_at:%Y-%m-%d %H:%M} {n.subject.render(env.t)}" for n in notices),
    )
