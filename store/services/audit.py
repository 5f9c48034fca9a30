"""The append-only audit log (C1, W7): who did what, to what, when; and what staff only looked
at (a file, a search, a notice read on a person's behalf), which is recorded here as well."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from store.codes import display_code, normalize_code
from store.errors import InvalidInput
from store.models import (
    Applicant,
    AuditEvent,
    Booking,
    Notice,
    Office,
    Procedure,
    Staff,
    Ticket,
    WaitlistEntry,
)
from store.services.context import Ctx
from store.services.roles import require_role
from store.text import N_, Message
from store.validation import (
    compact_document,
    fold,
    mask_document,
    normalize_run,
    parse_date,
    printable,
)
from store.views import AuditEventView, full_name

COUNTER_ROLES = ("agent", "supervisor")
STAFF_ROLES = ("agent", "supervisor", "auditor")
# Who reads the log and checks its chain (C1, W7).
AUDIT_ROLES = ("auditor", "supervisor")
# A label that is a name or a code only: nothing to translate (deliberately not marked N_).
AS_IS = "{label}"
# How a staff member's session ended (staff.logout).
LOGOUT_WAYS = ("f9", "button", "idle")


def record(ctx: Ctx, action: str, subject: str, **details: Any) -> None:
    """C1: write one audit event. Document numbers must arrive already masked (K6)."""
    record_many(ctx, action, [(subject, details)])


def record_many(ctx: Ctx, action: str, events: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
    """Write several audit events of one action (W7 for a batch). They are chained to the log
    and inserted in one statement when the transaction commits (audit_chain.seal)."""
    ctx.audit_rows.extend(event_rows(ctx, action, events))


def event_rows(
    ctx: Ctx, action: str, events: Iterable[tuple[str, Mapping[str, Any]]]
) -> list[dict[str, Any]]:
    """The log's rows of events of one action, by the context's actor, now (not yet
    chained: `audit_chain`)."""
    return [
        {
            "at": ctx.now,
            "actor": ctx.actor.label,
            "action": action,
            "subject": subject,
            "details": json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        }
        for subject, details in events
    ]


# -- what staff looked at (C1, K8) -------------------------------------------------------------


def record_file_view(ctx: Ctx, applicant: Applicant) -> None:
    """C1: an agent opened a person's file."""
    require_role(ctx, COUNTER_ROLES)
    record(
        ctx,
        "applicant.file_viewed",
        applicant.uuid,
        document=mask_document(applicant.document_type, applicant.document_number),
    )


def record_staff_read(ctx: Ctx, action: str, subject: str, **details: object) -> None:
    """C1: a staff member read a person's data outside their file (a booking, a mailbox, a
    waitlist with full document numbers), from the command line or a screen."""
    require_role(ctx, COUNTER_ROLES)
    record(ctx, action, subject, **details)


def masked_query(text: str) -> str:
    """K6: a search as typed, with anything that could be a document number partly hidden
    (a RUN in any spelling, or letters and digits as a passport has); names and e-mail
    addresses stay as typed."""
    if "@" in text or not any(ch.isdigit() for ch in text):
        return text
    with contextlib.suppress(InvalidInput):  # not a RUN: perhaps a passport number
        return mask_document("cedula", normalize_run(text))
    key = compact_document(text)
    if 5 <= len(key) <= 20 and len(key) >= len(text.replace(" ", "")) - 4:
        return mask_document("passport", key)
    return text


def record_search(ctx: Ctx, query: str, found: int) -> None:
    """C1, C3: a search for a person, the query as typed (masked where it is a document)."""
    record(ctx, "applicant.searched", "search", query=masked_query(printable(query)), found=found)


def record_assisting(ctx: Ctx, applicant_id: int | None, *, started: bool) -> None:
    """C2: assisted mode began or ended, for a person (or for someone not registered yet)."""
    require_role(ctx, COUNTER_ROLES)
    applicant = ctx.session.get(Applicant, applicant_id) if applicant_id is not None else None
    record(
        ctx,
        "assisted.started" if started else "assisted.ended",
        applicant.uuid if applicant is not None else "registration",
    )


def record_logout(ctx: Ctx, how: str) -> None:
    """C1: a staff member left the desk: F9, the desk's button, or the idle time (K1)."""
    staff = require_role(ctx, STAFF_ROLES)
    record(ctx, "staff.logout", staff.username, how=how if how in LOGOUT_WAYS else "button")


# -- reading the log ---------------------------------------------------------------------------


def _day(field: str, value: date | str | None) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(field, value)


def list_events(
    ctx: Ctx,
    *,
    action: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    limit: int = 200,
) -> list[AuditEventView]:
    """The newest audit events first. `action` matches from its start ("booking." finds every
    booking action); `actor` anywhere in the actor or in a staff member's name; `subject`
    anywhere in the subject, or names a person (name, document, e-mail) or a booking code and
    finds everything about them; all without regard to case. `date_from` and `date_to` are
    days (UTC, as the log's times), both included, as a date or as people write one."""
    first, last = _day("date_from", date_from), _day("date_to", date_to)
    if first is not None and last is not None and first > last:
        raise InvalidInput(
            "date_to",
            N_("La fecha «hasta» ({to}) es anterior a «desde» ({since}): cámbielas de orden."),
            {"to": last.strftime("%d-%m-%Y"), "since": first.strftime("%d-%m-%Y")},
        )
    query = sa.select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if first is not None:
        query = query.where(col(AuditEvent.at) >= datetime.combine(first, time(), UTC))
    if last is not None:
        query = query.where(
            col(AuditEvent.at) < datetime.combine(last + timedelta(days=1), time(), UTC)
        )
    if action and action.strip():
        query = query.where(col(AuditEvent.action).istartswith(action.strip(), autoescape=True))
    if actor and actor.strip():
        query = query.where(_actor_matches(actor.strip()))
    if subject and printable(subject):
        query = query.where(_subject_matches(printable(subject)))
    events = list(ctx.session.scalars(query))
    labels = subject_labels(ctx, events)
    return [
        AuditEventView(
            e.id or 0,
            e.at,
            e.actor,
            e.action,
            e.subject,
            e.details,
            subject_label=labels.get(("subject", e.subject)),
            actor_name=labels.get(("actor", e.actor)),
        )
        for e in events
    ]


def _actor_matches(text: str) -> sa.ColumnElement[bool]:
    """The actor as written ("staff:agente"), or a staff member whose name holds the text."""
    named = sa.select(sa.literal("staff:", sa.String) + col(Staff.username)).where(
        col(Staff.full_name).icontains(text, autoescape=True)
    )
    return sa.or_(
        col(AuditEvent.actor).icontains(text, autoescape=True), col(AuditEvent.actor).in_(named)
    )


def _subject_matches(text: str) -> sa.ColumnElement[bool]:
    """The subject as written, or anything about a person the text names (C3's ways: name
    without accents, document in any spelling, e-mail) or about a booking's code."""
    people = sa.select(col(Applicant.id)).where(
        sa.or_(
            col(Applicant.name_folded).contains(" ".join(fold(text).split()), autoescape=True),
            col(Applicant.email) == text.lower(),
            col(Applicant.document_key) == (compact_document(text) or "-"),
        )
    )
    code = normalize_code(text) or "-"
    about = [
        sa.select(col(Applicant.uuid)).where(col(Applicant.id).in_(people)),
        sa.select(sa.cast(col(Applicant.id), sa.String)).where(col(Applicant.id).in_(people)),
        sa.select(col(Booking.uuid)).where(
            sa.or_(col(Booking.applicant_id).in_(people), col(Booking.code) == code)
        ),
        sa.select(col(Booking.code)).where(
            sa.or_(col(Booking.applicant_id).in_(people), col(Booking.code) == code)
        ),
        sa.select(col(WaitlistEntry.uuid)).where(col(WaitlistEntry.applicant_id).in_(people)),
        sa.select(col(Ticket.uuid)).where(col(Ticket.applicant_id).in_(people)),
        sa.select(col(Notice.uuid)).where(col(Notice.applicant_id).in_(people)),
    ]
    return sa.or_(
        col(AuditEvent.subject).icontains(text, autoescape=True),
        col(AuditEvent.subject).in_(sa.union_all(*about)),
    )


# -- names for subjects and actors, one query per page -----------------------------------------

_NULL = sa.null().cast(sa.String)


def _person(
    kind: str,
    key: Any,
    *,
    text: Any = _NULL,
    office: Any = _NULL,
    procedure: Any = _NULL,
) -> list[Any]:
    return [
        sa.literal(kind, sa.String).label("kind"),
        sa.cast(key, sa.String).label("key"),
        col(Applicant.given_names).label("given"),
        col(Applicant.first_surname).label("first"),
        col(Applicant.second_surname).label("second"),
        col(Applicant.document_type).label("doc_type"),
        col(Applicant.document_number).label("doc_number"),
        sa.cast(text, sa.String).label("text"),
        sa.cast(office, sa.String).label("office"),
        sa.cast(procedure, sa.String).label("procedure"),
    ]


def _plain(kind: str, key: Any, text: Any) -> list[Any]:
    return [
        sa.literal(kind, sa.String),
        sa.cast(key, sa.String),
        *([_NULL] * 5),
        sa.cast(text, sa.String),
        _NULL,
        _NULL,
    ]


def subject_labels(ctx: Ctx, events: Sequence[AuditEvent]) -> dict[tuple[str, str], Any]:
    """What each event's subject and actor are called: a person's name with the document
    masked (K6), a booking's code and whose it is, a staff member's name, an office's name.
    Keys are ("subject", subject) and ("actor", actor). One query for the whole page."""
    subjects = {e.subject for e in events}
    ids = {int(s) for s in subjects if s.isdigit() and len(s) < 10}
    applicant_actors = {
        int(a.split(":", 1)[1])
        for a in {e.actor for e in events}
        if a.startswith("applicant:") and a.split(":", 1)[1].isdigit()
    }
    staff_names = {e.subject for e in events if e.action.startswith("staff.")} | {
        a.split(":", 1)[1] for a in {e.actor for e in events} if a.startswith("staff:")
    }
    offices = {s.split("/", 1)[0] for s in subjects if "/" in s}
    by_applicant = sa.join(Booking, Applicant, col(Booking.applicant_id) == col(Applicant.id))
    entry_join = sa.join(
        WaitlistEntry, Applicant, col(WaitlistEntry.applicant_id) == col(Applicant.id)
    ).join(Office, col(WaitlistEntry.office_id) == col(Office.id))
    entry_join = entry_join.join(Procedure, col(WaitlistEntry.procedure_id) == col(Procedure.id))
    ticket_join = sa.join(Ticket, Applicant, col(Ticket.applicant_id) == col(Applicant.id))
    notice_join = sa.join(Notice, Applicant, col(Notice.applicant_id) == col(Applicant.id))
    parts = [
        sa.select(*_person("applicant", col(Applicant.uuid))).where(
            col(Applicant.uuid).in_(subjects)
        ),
        sa.select(*_person("applicant", col(Applicant.id))).where(
            col(Applicant.id).in_(ids | applicant_actors)
        ),
        sa.select(*_person("booking", col(Booking.uuid), text=col(Booking.code)))
        .select_from(by_applicant)
        .where(col(Booking.uuid).in_(subjects)),
        sa.select(*_person("booking", col(Booking.code), text=col(Booking.code)))
        .select_from(by_applicant)
        .where(col(Booking.code).in_(subjects)),
        sa.select(
            *_person(
                "entry",
                col(WaitlistEntry.uuid),
                office=col(Office.code),
                procedure=col(Procedure.code),
            )
        )
        .select_from(entry_join)
        .where(col(WaitlistEntry.uuid).in_(subjects)),
        sa.select(*_person("ticket", col(Ticket.uuid), text=col(Ticket.subject)))
        .select_from(ticket_join)
        .where(col(Ticket.uuid).in_(subjects)),
        sa.select(*_person("notice", col(Notice.uuid), text=col(Notice.kind)))
        .select_from(notice_join)
        .where(col(Notice.uuid).in_(subjects)),
        sa.select(*_plain("staff", col(Staff.username), col(Staff.full_name))).where(
            col(Staff.username).in_(staff_names)
        ),
        sa.select(*_plain("office", col(Office.code), col(Office.name))).where(
            col(Office.code).in_(offices)
        ),
    ]
    found: dict[tuple[str, str], Any] = {}
    for row in ctx.session.execute(sa.union_all(*parts)).all():
        found.setdefault((row[0], row[1]), row)
    return _labels(events, found)


def _labels(
    events: Sequence[AuditEvent], found: Mapping[tuple[str, str], Any]
) -> dict[tuple[str, str], Any]:
    def person(row: Any) -> str:
        name = full_name(row[2], row[3], row[4])
        return f"{name} · {mask_document(row[5], row[6])}"

    labels: dict[tuple[str, str], Any] = {}
    for event in events:
        subject, label = event.subject, None
        if (row := found.get(("applicant", subject))) is not None:
            label = Message(AS_IS, {"label": person(row)})
        elif (row := found.get(("booking", subject))) is not None:
            code = display_code(row[7]) if row[7] else "—"
            label = Message(N_("Reserva {code} de {person}"), {"code": code, "person": person(row)})
        elif (row := found.get(("entry", subject))) is not None:
            label = Message(
                N_("Lista de espera {office}/{procedure} de {person}"),
                {"office": row[8], "procedure": row[9], "person": person(row)},
            )
        elif (row := found.get(("ticket", subject))) is not None:
            label = Message(
                N_("Ticket «{subject}» de {person}"), {"subject": row[7], "person": person(row)}
            )
        elif (row := found.get(("notice", subject))) is not None:
            label = Message(N_("Aviso a {person}"), {"person": person(row)})
        elif event.action.startswith("staff.") and (row := found.get(("staff", subject))):
            label = Message(AS_IS, {"label": f"{row[7]} ({subject})"})
        elif "/" in subject and (row := found.get(("office", subject.split("/", 1)[0]))):
            rest = subject.split("/", 1)[1]
            label = Message(AS_IS, {"label": f"{row[7]} · {_day_or_code(rest)}"})
        elif subject == "search" and event.action == "applicant.searched":
            query = json.loads(event.details or "{}").get("query", "")
            label = Message(N_("Búsqueda «{query}»"), {"query": query})
        elif subject == "registration" and event.action.startswith("assisted."):
            label = Message(N_("Registro de una persona nueva"))
        if label is not None:
            labels[("subject", subject)] = label
        actor = event.actor
        if actor.startswith("staff:") and (row := found.get(("staff", actor[6:]))):
            labels[("actor", actor)] = row[7]
        elif actor.startswith("applicant:") and (row := found.get(("applicant", actor[10:]))):
            labels[("actor", actor)] = full_name(row[2], row[3], row[4])
    return labels


def _day_or_code(text: str) -> str:
    """ "2026-11-23" as 23-11-2026; a procedure code as it is."""
    try:
        return date.fromisoformat(text).strftime("%d-%m-%Y")
    except ValueError:
        return text
