"""The waiting room (Q1-Q5): numbers for appointments checked in and for walk-ins, calls to the
counters, and the estimated wait.

One order decides who is next (Q3), and the same order says how many are ahead (Q5):
appointments due now (from `call_window_minutes` before their time) by time, then walk-ins by
arrival, then appointments not yet due by time. A transfer keeps `due_at` and `taken_at`, so the
person keeps their place. Every change to an office's queue takes the office's row lock first
(PostgreSQL; SQLite writers take turns already), and a call is a conditional update of a waiting
ticket: no ticket is called by two counters, no number is given twice."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

import store.validation as v
from store.codes import display_code, normalize_code
from store.errors import InvalidInput, Refused
from store.models import Applicant, Booking, Office, OfficeProcedure, Procedure, QueueTicket, Slot
from store.services import audit
from store.services.booking import by_code
from store.services.context import Ctx
from store.services.counter import COUNTER_ROLES, office_today, require_missable
from store.services.lookups import office_by_code, procedure_by_code
from store.services.roles import require_office, require_role
from store.text import N_
from store.timefmt import fmt_date, fmt_time
from store.views import QueueCall, QueueTicketView

# Q5: the mean of the office's last finished services of a procedure, once there are enough.
ESTIMATE_SAMPLES = 20
ESTIMATE_MINIMUM = 3
ESTIMATE_DAYS = 30

STATE_SENTENCES = {
    "cancelled": N_("La cita {code} fue cancelada: no tiene hora hoy."),
    "displaced": N_(
        "La cita {code} fue reubicada por la oficina: revise su buzón para ver su nueva hora."
    ),
    "held": N_("La cita {code} no se confirmó."),
    "attended": N_("La cita {code} ya fue atendida."),
    "missed": N_("La cita {code} está marcada como no presentada: pida ayuda en el mesón."),
}


def _office(ctx: Ctx, office_code: str, *, lock: bool = False) -> Office:
    """The office; with `lock`, its row locked on PostgreSQL, so that one office's numbers and
    calls take turns (SQLite writers take turns already)."""
    office = office_by_code(ctx, office_code)
    if lock and ctx.is_postgres:
        ctx.session.execute(
            sa.select(col(Office.id)).where(col(Office.id) == office.id).with_for_update()
        )
    return office


def _today(ctx: Ctx, office: Office) -> tuple[sa.ColumnElement[bool], ...]:
    """The office's tickets of today (on its own wall clock)."""
    return col(QueueTicket.office_id) == office.id, col(QueueTicket.day) == office_today(
        ctx, office
    )


def _code(ctx: Ctx, ticket: QueueTicket) -> str | None:
    """The booking code of an appointment's number (None for a walk-in)."""
    if ticket.booking_id is None:
        return None
    booking = ctx.session.get(Booking, ticket.booking_id)
    return booking.code if booking else None


def _next_number(ctx: Ctx, office: Office) -> int:
    last = ctx.session.scalar(
        sa.select(sa.func.max(QueueTicket.number)).where(*_today(ctx, office))
    )
    return (last or 0) + 1


def _waiting(ctx: Ctx, office: Office, counter: int | None = None) -> list[QueueTicket]:
    """Q3: today's waiting tickets of the office, in the order they will be called; with
    `counter`, only those that counter may call (not the ones sent to another counter)."""
    query = sa.select(QueueTicket).where(*_today(ctx, office), col(QueueTicket.status) == "waiting")
    if counter is not None:
        query = query.where(
            sa.or_(col(QueueTicket.for_counter).is_(None), col(QueueTicket.for_counter) == counter)
        )
    tickets = ctx.session.scalars(query).all()
    return sorted(tickets, key=lambda t: call_rank(t, ctx.now, office.call_window_minutes))


def call_rank(ticket: QueueTicket, now: datetime, window_minutes: int) -> tuple[int, datetime, int]:
    """Q3's order as a sort key: 0 due appointments by time, 1 walk-ins by arrival, 2 early
    appointments by time; the number breaks ties."""
    if ticket.kind == "appointment" and ticket.due_at is not None:
        due = ticket.due_at <= now + timedelta(minutes=window_minutes)
        return (0 if due else 2, ticket.due_at, ticket.number)
    return (1, ticket.taken_at, ticket.number)


def _estimate(ctx: Ctx, office: Office, procedure_id: int, ahead: int) -> int | None:
    """Q5: people ahead × the recent mean service time; None ("sin estimación") until the
    office has served enough of this procedure."""
    since = ctx.now - timedelta(days=ESTIMATE_DAYS)
    served = ctx.session.execute(
        sa.select(col(QueueTicket.started_at), col(QueueTicket.finished_at))
        .where(
            col(QueueTicket.office_id) == office.id,
            col(QueueTicket.procedure_id) == procedure_id,
            col(QueueTicket.status) == "done",
            col(QueueTicket.finished_at) >= since,
            col(QueueTicket.started_at).is_not(None),
        )
        .order_by(col(QueueTicket.finished_at).desc())
        .limit(ESTIMATE_SAMPLES)
    ).all()
    if len(served) < ESTIMATE_MINIMUM:
        return None
    mean = statistics.mean((end - start).total_seconds() for start, end in served if start and end)
    return round(ahead * mean / 60)


def _view(
    ctx: Ctx, office: Office, ticket: QueueTicket, order: Sequence[QueueTicket]
) -> QueueTicketView:
    procedure = ctx.session.get(Procedure, ticket.procedure_id)
    assert procedure is not None
    ahead = next((i for i, t in enumerate(order) if t.id == ticket.id), None)
    return QueueTicketView(
        number=ticket.number,
        office=office.code,
        procedure=procedure.code,
        procedure_name=procedure.name,
        kind=ticket.kind,
        status=ticket.status,
        ahead=ahead,
        estimate_minutes=(
            _estimate(ctx, office, ticket.procedure_id, ahead) if ahead is not None else None
        ),
        counter=ticket.counter,
        calls=ticket.calls,
        code=_code(ctx, ticket),
        day=ticket.day,
        taken_at=ticket.taken_at,
        called_at=ticket.called_at,
        language=ticket.language,
        for_counter=ticket.for_counter,
        due_at=ticket.due_at,
        max_calls=office.max_calls,
    )


def _new_ticket(
    ctx: Ctx,
    office: Office,
    procedure_id: int,
    kind: str,
    language: str,
    *,
    booking_id: int | None = None,
    due_at: datetime | None = None,
) -> QueueTicket:
    ticket = QueueTicket(
        office_id=office.id or 0,
        procedure_id=procedure_id,
        day=office_today(ctx, office),
        number=_next_number(ctx, office),
        kind=kind,
        booking_id=booking_id,
        language=language,
        taken_at=ctx.now,
        due_at=due_at,
    )
    ctx.session.add(ticket)
    ctx.session.flush()
    return ticket


def take_walk_in(
    ctx: Ctx, office_code: str, procedure_code: str, language: str = "es"
) -> QueueTicketView:
    """Q2: a number for a procedure the office serves without appointment; no account."""
    office = _office(ctx, office_code, lock=True)
    procedure = procedure_by_code(ctx, procedure_code)
    offered = ctx.session.get(OfficeProcedure, (office.id, procedure.id))
    if offered is None or not offered.walk_in:
        raise Refused(
            "Q2",
            "not_walk_in",
            N_("En {office}, {procedure} se atiende solo con hora: reserve una hora."),
            {"office": office.name, "procedure": procedure.name},
        )
    ticket = _new_ticket(ctx, office, procedure.id or 0, "walk_in", language)
    audit.record(ctx, "queue.taken", f"{office.code}-{ticket.number}", kind="walk_in")
    return _view(ctx, office, ticket, _waiting(ctx, office))


def check_in(ctx: Ctx, office_code: str, text: str, language: str = "es") -> QueueTicketView:
    """Q1, C5: the code of today's booking at this office checks the person in and gives a
    number; the same code again gives the same number (never a second one)."""
    office = _office(ctx, office_code, lock=True)
    typed = v.printable(text)
    if not normalize_code(typed):
        raise InvalidInput(
            "code",
            N_(
                "Ese no es un código de cita: revise las 8 letras y números de su comprobante, "
                "o acerque su código QR al lector."
            ),
        )
    booking = by_code(ctx, typed, lock=True)
    code = display_code(booking.code or "")
    if booking.office_id != office.id:
        elsewhere = ctx.session.get(Office, booking.office_id)
        raise Refused(
            "Q1",
            "other_office",
            N_("La cita {code} es en {office}, no en esta oficina."),
            {"code": code, "office": elsewhere.name if elsewhere else "?"},
        )
    slot = ctx.session.get(Slot, booking.slot_id)
    assert slot is not None
    if booking.status in STATE_SENTENCES:
        raise Refused(
            "Q1", f"booking_{booking.status}", STATE_SENTENCES[booking.status], {"code": code}
        )
    if slot.day != office_today(ctx, office):
        raise Refused(
            "Q1",
            "not_today",
            N_("La cita {code} es el {date} a las {time}, no hoy."),
            {"code": code, "date": fmt_date(slot.day), "time": fmt_time(slot.start_time)},
        )
    ticket = ctx.session.scalar(
        sa.select(QueueTicket).where(col(QueueTicket.booking_id) == booking.id)
    )
    if ticket is None:
        if booking.status != "confirmed":  # checked in at the counter, before numbers
            raise Refused(
                "Q1",
                "already_checked_in",
                N_("La cita {code} ya tiene la llegada registrada."),
                {"code": code},
            )
        booking.status = "checked_in"
        booking.checked_in_at = ctx.now
        audit.record(ctx, "booking.checked_in", booking.code or "", office=office.code)
        ticket = _appointment_ticket(ctx, office, booking, slot, language)
    return _view(ctx, office, ticket, _waiting(ctx, office))


def _appointment_ticket(
    ctx: Ctx, office: Office, booking: Booking, slot: Slot, language: str
) -> QueueTicket:
    """Q1: the number of a booking just checked in; its place is the appointment's time."""
    ticket = _new_ticket(
        ctx,
        office,
        booking.procedure_id,
        "appointment",
        language,
        booking_id=booking.id,
        due_at=slot.starts_at,
    )
    audit.record(ctx, "queue.taken", f"{office.code}-{ticket.number}", kind="appointment")
    return ticket


def number_at_counter(ctx: Ctx, office_code: str, code: str) -> int:
    """Q1, C5: an arrival checked in at the counter's agenda waits with a number too, so that
    "Llamar siguiente" calls them in their turn (called in the same transaction as the
    check-in). The number is in the person's own language on the display's ticket."""
    office = _office(ctx, office_code, lock=True)
    booking = by_code(ctx, code, lock=True)
    ticket = ctx.session.scalar(
        sa.select(QueueTicket).where(col(QueueTicket.booking_id) == booking.id)
    )
    if ticket is None:
        slot = ctx.session.get(Slot, booking.slot_id)
        applicant = ctx.session.get(Applicant, booking.applicant_id)
        assert slot is not None
        language = applicant.language if applicant is not None else "es"
        ticket = _appointment_ticket(ctx, office, booking, slot, language)
    return ticket.number


def _staff_office(ctx: Ctx, office_code: str) -> Office:
    require_role(ctx, COUNTER_ROLES)
    office = _office(ctx, office_code, lock=True)
    require_office(ctx, office.id or 0)  # C9
    return office


def _ticket(ctx: Ctx, office: Office, number: int) -> QueueTicket:
    ticket = ctx.session.scalar(
        sa.select(QueueTicket)
        .where(
            *_today(ctx, office),
            col(QueueTicket.number) == number,
        )
        .execution_options(populate_existing=True)
    )
    if ticket is None:
        raise InvalidInput(
            "number", N_("Hoy no hay un número {number} en esta oficina."), {"number": number}
        )
    return ticket


def _must_be_called(ticket: QueueTicket) -> None:
    if ticket.status != "called":
        raise Refused(
            "Q3",
            "not_called",
            N_("El número {number} no está llamado ahora."),
            {"number": ticket.number},
        )


def _call(ctx: Ctx, office: Office, ticket: QueueTicket, counter: int) -> QueueCall:
    ticket.status = "called"
    ticket.counter = counter
    ticket.called_by = ctx.actor.staff_id
    ticket.calls += 1
    ticket.called_at = ctx.now
    ticket.started_at = ctx.now
    ctx.session.flush()
    audit.record(
        ctx, "queue.called", f"{office.code}-{ticket.number}", counter=counter, calls=ticket.calls
    )
    return QueueCall(
        ticket.number, counter, ticket.kind, _code(ctx, ticket), ticket.calls, office.code
    )


def call_next(ctx: Ctx, office_code: str, counter: int) -> QueueCall:
    """Q3: the next person in the office's order to this counter; one person per counter at a
    time, and never one person at two counters."""
    office = _staff_office(ctx, office_code)
    if counter < 1:
        raise InvalidInput("counter", N_("El número de mesón es un número desde 1."))
    busy = ctx.session.scalar(
        sa.select(col(QueueTicket.number)).where(
            *_today(ctx, office),
            col(QueueTicket.status) == "called",
            col(QueueTicket.counter) == counter,
        )
    )
    if busy is not None:
        raise Refused(
            "Q3",
            "counter_busy",
            N_(
                "El mesón {counter} atiende al número {number}: termínelo, derívelo o márquelo "
                "ausente antes de llamar al siguiente."
            ),
            {"counter": counter, "number": busy},
        )
    for ticket in _waiting(ctx, office, counter):
        # The conditional update is the last guard: a ticket another counter took is skipped.
        taken = ctx.session.execute(
            sa.update(QueueTicket)
            .where(col(QueueTicket.id) == ticket.id, col(QueueTicket.status) == "waiting")
            .values(status="called")
        )
        if getattr(taken, "rowcount", 0) == 1:
            ctx.session.refresh(ticket)
            return _call(ctx, office, ticket, counter)
    raise Refused("Q3", "nobody_waiting", N_("No hay nadie esperando en esta oficina."))


def recall(ctx: Ctx, office_code: str, number: int) -> QueueCall:
    """Q3: the same person called again, to the same counter."""
    office = _staff_office(ctx, office_code)
    ticket = _ticket(ctx, office, number)
    _must_be_called(ticket)
    return _call(ctx, office, ticket, ticket.counter or 1)


def absent(ctx: Ctx, office_code: str, number: int) -> QueueTicketView:
    """Q3, C11: after `max_calls` calls without an answer; an appointment becomes "no se
    presentó" (once its time and the grace have passed)."""
    office = _staff_office(ctx, office_code)
    ticket = _ticket(ctx, office, number)
    _must_be_called(ticket)
    if ticket.calls < office.max_calls:
        raise Refused(
            "Q3",
            "too_few_calls",
            N_(
                "Llamadas al número {number}: {calls} de {max}. Márquelo ausente después de la "
                "última."
            ),
            {"number": number, "max": office.max_calls, "calls": ticket.calls},
        )
    if ticket.booking_id is not None:
        booking = ctx.session.get(Booking, ticket.booking_id)
        assert booking is not None
        require_missable(ctx, office, booking)
        booking.status = "missed"
        booking.missed_at = ctx.now
        audit.record(ctx, "booking.missed", booking.code or "", office=office.code)
    ticket.status = "absent"
    ticket.finished_at = ctx.now
    audit.record(ctx, "queue.absent", f"{office.code}-{number}", calls=ticket.calls)
    return _view(ctx, office, ticket, [])


def finish(ctx: Ctx, office_code: str, number: int) -> QueueTicketView:
    """Q3, C5: the service ends; an appointment is attended."""
    office = _staff_office(ctx, office_code)
    ticket = _ticket(ctx, office, number)
    _must_be_called(ticket)
    ticket.status = "done"
    ticket.finished_at = ctx.now
    if ticket.booking_id is not None:
        booking = ctx.session.get(Booking, ticket.booking_id)
        assert booking is not None
        if booking.status == "checked_in":
            booking.status = "attended"
            audit.record(ctx, "booking.attended", booking.code or "", office=office.code)
    audit.record(ctx, "queue.finished", f"{office.code}-{number}")
    return _view(ctx, office, ticket, [])


def transfer(
    ctx: Ctx,
    office_code: str,
    number: int,
    procedure_code: str | None = None,
    counter: int | None = None,
) -> QueueTicketView:
    """Q3 "Derivar": to another procedure of the office, or to another counter (only that one
    calls the number then), back in the queue at the same place."""
    office = _staff_office(ctx, office_code)
    if procedure_code is None and counter is None:
        raise InvalidInput("procedure", N_("Diga a qué trámite o a qué mesón se deriva el número."))
    if counter is not None and counter < 1:
        raise InvalidInput("counter", N_("El número de mesón es un número desde 1."))
    ticket = _ticket(ctx, office, number)
    if ticket.status not in ("waiting", "called"):
        raise Refused(
            "Q3",
            "not_waiting",
            N_("El número {number} ya terminó: no se puede derivar."),
            {"number": number},
        )
    before = ticket.procedure_id
    if procedure_code is not None:
        procedure = procedure_by_code(ctx, procedure_code)
        if ctx.session.get(OfficeProcedure, (office.id, procedure.id)) is None:
            raise Refused(
                "Q3",
                "not_offered",
                N_("{office} no atiende {procedure}."),
                {"office": office.name, "procedure": procedure.name},
            )
        ticket.procedure_id = procedure.id or 0
    if counter is not None:
        ticket.for_counter = counter
    elif procedure_code is not None:
        ticket.for_counter = None  # another procedure: whichever counter serves it next
    ticket.status = "waiting"
    ticket.counter = None
    ticket.calls = 0  # the new counter's calls count towards "absent", not the old one's
    ticket.started_at = None
    ctx.session.flush()
    audit.record(
        ctx,
        "queue.transferred",
        f"{office.code}-{number}",
        from_procedure=before,
        to_procedure=ticket.procedure_id,
        to_counter=ticket.for_counter,
    )
    return _view(ctx, office, ticket, _waiting(ctx, office))


def tickets(ctx: Ctx, office_code: str) -> list[QueueTicketView]:
    """Today's numbers of the office: the waiting ones in call order, then the others by
    number."""
    office = _office(ctx, office_code)
    order = _waiting(ctx, office)
    others = ctx.session.scalars(
        sa.select(QueueTicket)
        .where(
            *_today(ctx, office),
            col(QueueTicket.status) != "waiting",
        )
        .order_by(col(QueueTicket.number))
    ).all()
    return [_view(ctx, office, t, order) for t in [*order, *others]]


def recent_calls(ctx: Ctx, office_code: str, limit: int = 6) -> list[QueueCall]:
    """Q4: the office's calls of today for the waiting-room display, newest first: numbers
    and counters only (no code, no name). Each number appears once; a recall moves it to the
    top again (it refreshes `called_at`). A number sent back to the queue (a transfer) leaves
    the list until a counter calls it again."""
    office = _office(ctx, office_code)
    rows = ctx.session.scalars(
        sa.select(QueueTicket)
        .where(
            *_today(ctx, office),
            col(QueueTicket.status).in_(("called", "done", "absent")),
            col(QueueTicket.counter).is_not(None),
            col(QueueTicket.called_at).is_not(None),
        )
        .order_by(col(QueueTicket.called_at).desc(), col(QueueTicket.id).desc())
        .limit(max(limit, 0))
    ).all()
    return [QueueCall(t.number, t.counter or 0, t.kind, None, t.calls, office.code) for t in rows]
