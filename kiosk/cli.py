"""The `kiosk` command: the contract for scripts, staff and tests (architecture.md).

Exit status: 0 done; 1 refused by a rule; 2 bad input or usage. Errors are one line on
stderr in the chosen language, never a traceback. `--json` prints one JSON document."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from kiosk.i18n import translator
from kiosk.settings import Settings, SettingsError, load_settings
from store.text import N_, Message

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2


@dataclass
class Env:
    """What every command gets: the settings, the translation function and a store."""

    settings: Settings
    _store: Any = None

    @property
    def t(self) -> Callable[[str], str]:
        return translator(self.settings.language)

    def say(self, msgid: str, **params: Any) -> str:
        return Message(msgid, params).render(self.t)

    def store(self, *, must_be_ready: bool = True) -> Any:
        """The store, opened once; refuses (exit 2) if the schema was never created."""
        if self._store is None:
            self._store = self.settings.make_store()
        if must_be_ready and not self._store.is_ready():
            fail(
                self.say(N_("La base de datos no está preparada: ejecute «kiosk db upgrade».")),
                EXIT_BAD_INPUT,
            )
        return self._store


def fail(message: str, status: int) -> NoReturn:
    """One line on stderr, then the exit status."""
    click.echo(" ".join(message.split()), err=True)
    raise click.exceptions.Exit(status)


def _field_label(env: Env, field: str) -> str:
    labels = {
        "document_type": N_("Tipo de documento"),
        "document_number": N_("Número de documento"),
        "document_expiry": N_("Vencimiento del documento"),
        "given_names": N_("Nombres"),
        "first_surname": N_("Primer apellido"),
        "second_surname": N_("Segundo apellido"),
        "email": N_("Correo electrónico"),
        "email_confirmation": N_("Confirmación del correo"),
        "nationality": N_("Nacionalidad"),
        "birth_date": N_("Fecha de nacimiento"),
        "phone": N_("Teléfono móvil"),
        "region": N_("Región"),
        "language": N_("Idioma"),
        "from": N_("Desde"),
        "to": N_("Hasta"),
        "today": N_("Fecha"),
        "hours": N_("Horario"),
        "every": N_("Intervalo"),
        "seats": N_("Cupos por hora"),
    }
    return env.t(labels[field]) if field in labels else field


class KioskGroup(click.Group):
    """Turns every refusal and bad input into one clear line and the right exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        from store.errors import InvalidForm, InvalidInput, Refused

        try:
            return super().invoke(ctx)
        except SettingsError as error:
            fail(str(error), EXIT_BAD_INPUT)
        except InvalidForm as error:
            env = ctx.find_object(Env)
            t = env.t if env else (lambda s: s)
            parts = [
                f"{_field_label(env, f) if env else f}: {m.render(t)}"
                for f, m in error.errors.items()
            ]
            fail(" ".join(parts), EXIT_BAD_INPUT)
        except InvalidInput as error:
            env = ctx.find_object(Env)
            label = _field_label(env, error.field) if env else error.field
            fail(f"{label}: {error.render(env.t if env else None)}", EXIT_BAD_INPUT)
        except Refused as error:
            env = ctx.find_object(Env)
            fail(error.render(env.t if env else None), EXIT_REFUSED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:
            from sqlalchemy.exc import OperationalError

            env = ctx.find_object(Env)
            if isinstance(error, OperationalError) and env is not None:
                fail(
                    env.say(
                        N_("No se pudo usar la base de datos {url}: {reason}"),
                        url=env.settings.db_url,
                        reason=str(error.orig).splitlines()[0],
                    ),
                    EXIT_BAD_INPUT,
                )
            fail(f"internal error: {type(error).__name__}: {error}", 3)


def emit(data: dict[str, Any], as_json: bool, text: str) -> None:
    """One JSON document with --json, else a short human line."""
    click.echo(json.dumps(data, ensure_ascii=False, default=str) if as_json else text)


def parse_day(field: str, text: str | None) -> date | None:
    from store.validation import parse_date

    return None if text is None else parse_date(field, text)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
pass_env = click.make_pass_decorator(Env)


@click.group(cls=KioskGroup, invoke_without_command=True)
@click.option("--db", "db_url", help="Database URL or SQLite file (default: $KIOSK_DB).")
@click.option("--lang", type=click.Choice(["es", "en"]), help="Language of messages.")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, lang: str | None) -> None:
    """Citas Kiosk: immigration appointments at the kiosk and the counter."""
    ctx.obj = Env(load_settings(db=db_url, language=lang))
    if ctx.invoked_subcommand is None:
        start_kiosk(ctx.obj)


def prepare_database(env: Env) -> bool:
    """An empty database is migrated and filled with the demo; returns True if it was loaded."""
    store = env.store(must_be_ready=False)
    if not store.is_ready():
        store.upgrade()
    if store.is_empty():
        store.load_demo()
        return True
    return False


def start_kiosk(env: Env) -> None:
    """`kiosk` with no command: the applicant kiosk on this database (migrated and filled with
    the demo on first start, in a worker, while the welcome screen is already up)."""
    from kiosk.app import make_app

    make_app(env.settings, opener(env), env.settings.make_printer()).run()


def opener(env: Env) -> Callable[[Any], Any]:
    """Opens the store for the app (with the app's clock) and prepares the database."""

    def open_store(clock: Any) -> Any:
        store = env.settings.make_store(clock)
        env._store = store
        prepare_database(env)
        return store

    return open_store


@cli.command()
@pass_env
def counter(env: Env) -> None:
    """The counter-staff desk (TUI): staff log in with their own account."""
    from kiosk.app import make_app

    make_app(env.settings, opener(env), env.settings.make_printer(), counter=True).run()


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@pass_env
def db_upgrade(env: Env) -> None:
    """Create or migrate the schema."""
    env.store(must_be_ready=False).upgrade()
    click.echo(env.say(N_("Esquema al día en {url}."), url=env.settings.db_url))


@cli.command()
@click.option("--today", help="Day the demo's four weeks start after (YYYY-MM-DD).")
@json_option
@pass_env
def demo(env: Env, today: str | None, as_json: bool) -> None:
    """Load the demo catalogue, capacity, applicants and staff accounts."""
    day = parse_day("today", today)
    store = env.store(must_be_ready=False)
    if not store.is_ready():
        store.upgrade()
    summary = store.load_demo(day)
    lines = [
        env.say(
            N_(
                "Demostración cargada: {offices} oficinas, {procedures} trámites, {slots} horas, {waiting} personas en espera."
            ),
            **summary,
        ),
        env.say(N_("Cuentas del personal (usuario / rol / contraseña):")),
        *[f"  {user} / {role} / {password}" for user, role, password in summary["staff"]],
        env.say(
            N_("Solicitantes de demostración: contraseña {password}"),
            password=summary["applicant_password"],
        ),
    ]
    emit(summary, as_json, "\n".join(lines))


def _dashed(code: str | None) -> str | None:
    return None if code is None else f"{code[:4]}-{code[4:]}"


def _iso(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat()


@cli.command()
@json_option
@pass_env
def catalog(env: Env, as_json: bool) -> None:
    """Regions, offices and procedures (with documents to bring)."""
    cat = env.store().catalog()
    english = env.settings.language == "en"
    offerings: dict[str, list[dict[str, Any]]] = {}
    for o in cat.offerings:
        offerings.setdefault(o.office.code, []).append(
            {
                "code": o.procedure_code,
                "bookable": o.bookable,
                "next_free": _iso(o.next_free),
                "waiting": o.waiting,
            }
        )
    data = {
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
    text = "\n".join(f"{o.code:5} {o.name} — {o.address}" for o in cat.offices)
    emit(data, as_json, text)


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
    data = {
        "slots": [
            {
                "id": s.id,
                "start": s.start.isoformat(),
                "seats": s.seats,
                "free": s.free,
                "blocked": s.blocked,
            }
            for s in found
        ]
    }
    emit(
        data,
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


@cli.group()
def applicant() -> None:
    """Applicant accounts."""


@applicant.command("register")
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_env
def applicant_register(env: Env, path: Path, as_json: bool) -> None:
    """Register an applicant from a JSON file (terms accepted by whoever runs this)."""
    from store.forms import ApplicantForm

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(
            env.say(
                N_("No se pudo leer el archivo {path}: {reason}"), path=str(path), reason=str(error)
            ),
            EXIT_BAD_INPUT,
        )
    if not isinstance(data, dict):
        fail(
            env.say(N_("El archivo debe contener un objeto JSON con los datos de la persona.")),
            EXIT_BAD_INPUT,
        )
    registration = env.store().register(ApplicantForm.from_mapping(data), terms_accepted=True)
    a = registration.applicant
    out = {
        "id": a.id,
        "temporary_password": registration.temporary_password,
        "document_type": a.document_type,
        "document_number": a.document_number,
        "email": a.email,
        "name": a.full_name,
        "region": a.region,
    }
    emit(
        out,
        as_json,
        env.say(
            N_("Registro completado. Contraseña temporal: {password}"),
            password=registration.temporary_password,
        ),
    )


def _applicant_id(env: Env, document: str) -> int:
    return int(env.store().applicant_by_document(document).id)


def booking_json(b: Any) -> dict[str, Any]:
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
        "enrolled_at": _iso(b.enrolled_at),
    }


@cli.command()
@click.option("--applicant", "document", required=True, help="Document number, any usual spelling.")
@click.option("--slot", "slot_id", required=True, type=int)
@json_option
@pass_env
def book(env: Env, document: str, slot_id: int, as_json: bool) -> None:
    """Book a time for an applicant (hold and confirm at once)."""
    store = env.store()
    result = store.book(_applicant_id(env, document), slot_id)
    emit(
        booking_json(result),
        as_json,
        env.say(
            N_("Hora reservada: {start}. Código {code}."),
            start=f"{result.start:%d-%m-%Y %H:%M}",
            code=result.display_code,
        ),
    )


@cli.group()
def waitlist() -> None:
    """Automated assignment (the waitlist)."""


def _entry_json(e: Any) -> dict[str, Any]:
    return {
        "applicant": e.document_number,
        "office": e.office,
        "procedure": e.procedure,
        "position": e.position,
        "enrolled_at": e.enrolled_at.isoformat(),
        "status": e.status,
    }


@waitlist.command("enrol")
@click.option("--applicant", "document", required=True)
@click.option("--office", required=True)
@click.option("--procedure", required=True)
@json_option
@pass_env
def waitlist_enrol(env: Env, document: str, office: str, procedure: str, as_json: bool) -> None:
    """Enrol an applicant (W1)."""
    entry = env.store().enrol(_applicant_id(env, document), office, procedure)
    emit(
        _entry_json(entry),
        as_json,
        env.say(N_("Inscrito en el lugar {position}."), position=entry.position),
    )


@waitlist.command("list")
@click.option("--office", required=True)
@click.option("--procedure", required=True)
@json_option
@pass_env
def waitlist_list(env: Env, office: str, procedure: str, as_json: bool) -> None:
    """The queue in enrolment order (W3)."""
    entries = env.store().waitlist(office, procedure)
    emit(
        {"entries": [_entry_json(e) for e in entries]},
        as_json,
        "\n".join(
            f"{e.position:4} {e.enrolled_at:%Y-%m-%d %H:%M} {e.document_number}" for e in entries
        ),
    )


@waitlist.command("withdraw")
@click.option("--applicant", "document", required=True)
@click.option("--office", required=True)
@click.option("--procedure", required=True)
@json_option
@pass_env
def waitlist_withdraw(env: Env, document: str, office: str, procedure: str, as_json: bool) -> None:
    """Remove an applicant from the list (W4): the place is lost."""
    entry = env.store().withdraw(_applicant_id(env, document), office, procedure)
    emit(_entry_json(entry), as_json, env.say(N_("Inscripción eliminada; el lugar se perdió.")))


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


@cli.command()
@click.option("--applicant", "document", required=True)
@json_option
@pass_env
def mailbox(env: Env, document: str, as_json: bool) -> None:
    """An applicant's notices (M1, M2), newest first."""
    notices = env.store().notices(_applicant_id(env, document))
    data = {
        "notices": [
            {
                "kind": n.kind,
                "subject": n.subject.render(env.t),
                "body": n.body.render(env.t),
                "created_at": n.created_at.isoformat(),
                "read_at": _iso(n.read_at),
                "booking": _dashed(n.booking_code),
            }
            for n in notices
        ]
    }
    emit(
        data,
        as_json,
        "\n".join(f"{n.created_at:%Y-%m-%d %H:%M} {n.subject.render(env.t)}" for n in notices),
    )


def main() -> None:
    """Entry point of the `kiosk` script."""
    sys.exit(cli.main(prog_name="kiosk", standalone_mode=True))
