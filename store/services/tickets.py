"""Help tickets (H1–H3) and requests for missing documents (C8)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from store.codes import normalize_code
from store.errors import InvalidInput, NotFound, Refused
from store.models import SEAT_STATES, Applicant, Booking, Office, Ticket, WaitlistEntry
from store.services import audit, mailbox
from store.services.context import Ctx
from store.services.lookups import applicant_by_id
from store.services.roles import require_office, require_role, staff_office
from store.text import N_
from store.timefmt import fmt_date
from store.validation import printable
from store.views import TicketView, full_name

KINDS = ("question", "complaint", "suggestion", "congratulation")
CATEGORIES = ("booking", "waitlist", "account", "documents", "other")
MESSAGE_MAX = 4000


def _text(field: str, value: object, limit: int) -> str:
    text = " ".join(printable(value).split())
    if not text:
        raise InvalidInput(field, N_("Escriba este dato; no puede quedar vacío."))
    if len(text) > limit:
        raise InvalidInput(
            field, N_("Es demasiado largo: use como máximo {max} caracteres."), {"max": limit}
        )
    return text


def _view(t: Ticket, applicant_name: str = "", office_code: str | None = None) -> TicketView:
    return TicketView(
        t.id or 0,
        t.applicant_id,
        t.kind,
        t.subject,
        t.category,
        t.reference,
        t.message,
        t.status,
        t.opened_at,
        t.answer,
        t.answered_at,
        applicant_name,
        office_code,
    )


def _office_of(ctx: Ctx, applicant_id: int, reference: str | None) -> int | None:
    """C9: the office a ticket belongs to. The booking it names, if it is the person's;
    else the person's current booking (the soonest), else their waitlist place, else their
    latest booking of any state. None for someone who never booked nor enrolled: any office
    may answer them, so that nobody's question waits for an office that will never see it."""
    code = normalize_code(reference) if reference else None
    mine = col(Booking.applicant_id) == applicant_id
    if code is not None:
        named = ctx.session.scalar(
            sa.select(col(Booking.office_id)).where(mine, col(Booking.code) == code)
        )
        if named is not None:
            return int(named)
    current = ctx.session.scalar(
        sa.select(col(Booking.office_id))
        .where(mine, col(Booking.status).in_(SEAT_STATES))
        .order_by(col(Booking.id).desc())
        .limit(1)
    )
    if current is not None:
        return int(current)
    waiting = ctx.session.scalar(
        sa.select(col(WaitlistEntry.office_id)).where(
            col(WaitlistEntry.applicant_id) == applicant_id, col(WaitlistEntry.status) == "waiting"
        )
    )
    if waiting is not None:
        return int(waiting)
    latest = ctx.session.scalar(
        sa.select(col(Booking.office_id)).where(mine).order_by(col(Booking.id).desc()).limit(1)
    )
    return int(latest) if latest is not None else None


def open_ticket(
    ctx: Ctx,
    applicant_id: int,
    kind: str,
    subject: str,
    category: str,
    message: str,
    reference: str | None = None,
) -> TicketView:
    """H1, H2: open a help ticket; only one may be open at a time."""
    applicant_by_id(ctx, applicant_id, lock=True)
    if kind not in KINDS:
        raise InvalidInput(
            "kind", N_("Elija el tipo: consulta, reclamo, sugerencia o felicitación.")
        )
    if category not in CATEGORIES:
        raise InvalidInput("category", N_("Elija una categoría de la lista."))
    open_one = ctx.session.scalar(
        sa.select(col(Ticket.id)).where(
            col(Ticket.applicant_id) == applicant_id, col(Ticket.status) == "open"
        )
    )
    if open_one is not None:
        raise Refused(
            "H2",
            "ticket_open",
            N_(
                "Ya tiene una solicitud de ayuda abierta (n.º {id}); podrá abrir otra cuando se responda."
            ),
            {"id": open_one},
        )
    ticket = Ticket(
        applicant_id=applicant_id,
        kind=kind,
        subject=_text("subject", subject, 200),
        category=category,
        reference=_text("reference", reference, 40) if reference else None,
        message=_text("message", message, MESSAGE_MAX),
        opened_at=ctx.now,
    )
    ticket.office_id = _office_of(ctx, applicant_id, ticket.reference)
    ctx.session.add(ticket)
    try:
        ctx.session.flush()
    except IntegrityError:
        raise Refused("H2", "ticket_open", N_("Ya tiene una solicitud de ayuda abierta.")) from None
    audit.record(ctx, "ticket.opened", ticket.uuid, kind=kind, category=category)
    return _view(ticket)


def answer_ticket(ctx: Ctx, ticket_id: int, answer: str) -> TicketView:
    """H3: an agent answers; the answer lands in the applicant's mailbox."""
    require_role(ctx, ("agent", "supervisor"))
    ticket = ctx.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("ticket_not_found", N_("No existe esa solicitud de ayuda."))
    if ticket.office_id is not None:
        require_office(ctx, ticket.office_id)
    if ticket.status != "open":
        raise Refused("H3", "ticket_answered", N_("Esa solicitud ya fue respondida."))
    ticket.answer = _text("answer", answer, MESSAGE_MAX)
    ticket.status = "answered"
    ticket.answered_at = ctx.now
    ticket.answered_by = ctx.actor.staff_id
    mailbox.deposit(
        ctx,
        mailbox.NewNotice(
            ticket.applicant_id,
            "ticket_answer",
            N_("Respuesta a su solicitud: {subject}"),
            N_("{answer}"),
            {"subject": ticket.subject, "answer": ticket.answer},
            ticket_id=ticket.id,
        ),
    )
    audit.record(ctx, "ticket.answered", ticket.uuid)
    return _view(ticket)


def open_tickets(ctx: Ctx) -> list[TicketView]:
    """C8, C9: the open tickets, oldest first, each with the name of who asked. Office staff
    see their office's and those that belong to no office; a national supervisor sees all."""
    query = (
        sa.select(Ticket, Applicant, col(Office.code))
        .join(Applicant, col(Applicant.id) == col(Ticket.applicant_id))
        .outerjoin(Office, col(Office.id) == col(Ticket.office_id))
        .where(col(Ticket.status) == "open")
        .order_by(col(Ticket.id))
    )
    if (own := staff_office(ctx)) is not None:
        query = query.where(sa.or_(col(Ticket.office_id) == own, col(Ticket.office_id).is_(None)))
    rows = ctx.session.execute(query).all()
    return [
        _view(t, full_name(a.given_names, a.first_surname, a.second_surname), code)
        for t, a, code in rows
    ]


def tickets_of(ctx: Ctx, applicant_id: int) -> list[TicketView]:
    """An applicant's tickets, newest first."""
    rows = ctx.session.scalars(
        sa.select(Ticket)
        .where(col(Ticket.applicant_id) == applicant_id)
        .order_by(col(Ticket.id).desc())
    ).all()
    return [_view(t) for t in rows]


def request_documents(ctx: Ctx, applicant_id: int, documents: str, deadline: date) -> None:
    """C8: ask an applicant for missing documents, with a deadline, through the mailbox."""
    require_role(ctx, ("agent", "supervisor"))
    applicant_by_id(ctx, applicant_id)
    if deadline <= ctx.now.date():
        raise InvalidInput("deadline", N_("El plazo debe ser una fecha futura."))
    text = _text("documents", documents, MESSAGE_MAX)
    mailbox.deposit(
        ctx,
        mailbox.NewNotice(
            applicant_id,
            "documents_request",
            N_("Solicitud de documentos (plazo: {deadline})"),
            N_("Para continuar su trámite debe presentar: {documents}. Plazo: {deadline}."),
            {"documents": text, "deadline": fmt_date(deadline)},
            deadline=deadline,
        ),
    )
    audit.record(ctx, "documents.requested", str(applicant_id), deadline=deadline.isoformat())
