"""`kiosk queue take|call|recall|absent|finish|transfer|list`: the waiting room (Q1-Q5).

`take` is the kiosk's act (no account: a walk-in number, Q2, or the self check-in of a booking
by its code, Q1); `list` shows numbers only. Calling, recalling, marking absent, finishing and
transferring act as the staff member (C12) of that office (C9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kiosk.cli.acting import as_staff
from kiosk.cli.group import EXIT_BAD_INPUT, ROW_ID, Env, cli, emit, fail, json_option, pass_env
from store.text import N_

if TYPE_CHECKING:
    from store.views import QueueCall, QueueTicketView, StaffView

office_option = click.option("--office", required=True, help="Office code.")


def ticket_json(t: QueueTicketView) -> dict[str, object]:
    return {
        "number": t.number,
        "status": t.status,
        "kind": t.kind,
        "procedure": t.procedure,
        "ahead": t.ahead,
        "estimate_minutes": t.estimate_minutes,
        "counter": t.counter,
        "for_counter": t.for_counter,
        "calls": t.calls,
    }


def call_json(c: QueueCall) -> dict[str, object]:
    return {"number": c.number, "counter": c.counter, "kind": c.kind, "code": c.code}


def _ticket_sentence(env: Env, t: QueueTicketView) -> str:
    if t.estimate_minutes is None:
        return env.say(
            N_("Número {number}. Personas antes: {ahead}. Espera: sin estimación."),
            number=t.number,
            ahead=t.ahead or 0,
        )
    return env.say(
        N_("Número {number}. Personas antes: {ahead}. Espera estimada: {minutes} min."),
        number=t.number,
        ahead=t.ahead or 0,
        minutes=t.estimate_minutes,
    )


def _call_sentence(env: Env, c: QueueCall) -> str:
    return env.say(N_("Número {number}: al mesón {counter}."), number=c.number, counter=c.counter)


@cli.group()
def queue() -> None:
    """Numbers, calls and the waiting room (Q1-Q5)."""


@queue.command("take")
@office_option
@click.option("--procedure", help="A procedure served without appointment (walk-in).")
@click.option("--code", help="Today's booking code: the self check-in.")
@json_option
@pass_env
def take(env: Env, office: str, procedure: str | None, code: str | None, as_json: bool) -> None:
    """A number: for a walk-in (`--procedure`), or for today's booking (`--code`)."""
    if (procedure is None) == (code is None):
        fail(env.say(N_("Indique --procedure o --code, uno de los dos.")), EXIT_BAD_INPUT)
    language = env.settings.language
    store = env.store()
    ticket = (
        store.queue_take(office, procedure, language=language)
        if procedure is not None
        else store.queue_check_in(office, code or "", language=language)
    )
    emit(
        {
            "number": ticket.number,
            "ahead": ticket.ahead,
            "estimate_minutes": ticket.estimate_minutes,
        },
        as_json,
        _ticket_sentence(env, ticket),
    )


@queue.command("call")
@office_option
@click.option("--counter", type=ROW_ID, required=True, help="Your counter's number.")
@json_option
@as_staff()
def call(env: Env, acting: StaffView, office: str, counter: int, as_json: bool) -> None:
    """Call the next person to your counter (exit 1 when nobody is waiting)."""
    done = env.store().queue_call(office, counter, actor=acting.actor)
    emit(call_json(done), as_json, _call_sentence(env, done))


@queue.command("recall")
@click.argument("number", type=ROW_ID)
@office_option
@json_option
@as_staff()
def recall(env: Env, acting: StaffView, number: int, office: str, as_json: bool) -> None:
    """Call the same number again."""
    done = env.store().queue_recall(office, number, actor=acting.actor)
    emit({**call_json(done), "calls": done.calls}, as_json, _call_sentence(env, done))


@queue.command("absent")
@click.argument("number", type=ROW_ID)
@office_option
@json_option
@as_staff()
def absent(env: Env, acting: StaffView, number: int, office: str, as_json: bool) -> None:
    """After the office's number of calls without an answer."""
    done = env.store().queue_absent(office, number, actor=acting.actor)
    emit(ticket_json(done), as_json, env.say(N_("Número {number}: ausente."), number=number))


@queue.command("finish")
@click.argument("number", type=ROW_ID)
@office_option
@json_option
@as_staff()
def finish(env: Env, acting: StaffView, number: int, office: str, as_json: bool) -> None:
    """The service is over."""
    done = env.store().queue_finish(office, number, actor=acting.actor)
    emit(ticket_json(done), as_json, env.say(N_("Número {number}: atendido."), number=number))


@queue.command("transfer")
@click.argument("number", type=ROW_ID)
@office_option
@click.option("--procedure", default=None, help="The procedure the person goes on to.")
@click.option(
    "--counter",
    type=ROW_ID,
    default=None,
    help="The counter the person goes on to (only it calls).",
)
@json_option
@as_staff()
def transfer(
    env: Env,
    acting: StaffView,
    number: int,
    office: str,
    procedure: str | None,
    counter: int | None,
    as_json: bool,
) -> None:
    """To another procedure or counter, keeping the person's place."""
    done = env.store().queue_transfer(
        office, number, procedure, counter=counter, actor=acting.actor
    )
    if counter is not None:
        sentence = env.say(
            N_("Número {number} derivado al mesón {counter}; personas antes: {ahead}."),
            number=number,
            counter=counter,
            ahead=done.ahead or 0,
        )
    else:
        sentence = env.say(
            N_("Número {number} derivado a {procedure}; personas antes: {ahead}."),
            number=number,
            procedure=done.procedure_name,
            ahead=done.ahead or 0,
        )
    emit(ticket_json(done), as_json, sentence)


@queue.command("list")
@office_option
@json_option
@pass_env
def list_tickets(env: Env, office: str, as_json: bool) -> None:
    """Today's numbers: the waiting ones in the order they will be called, then the others."""
    found = env.store().queue_tickets(office)
    emit(
        {"tickets": [ticket_json(t) for t in found]},
        as_json,
        "\n".join(
            f"{t.number:4} {t.status:8} {t.kind:11} {t.procedure:6} {t.ahead if t.ahead is not None else ''}"
            for t in found
        ),
    )
