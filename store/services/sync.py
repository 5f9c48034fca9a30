"""Offices and the central store exchange their data (O3, O4): what a bundle carries, and how an
import merges it. The file itself is store/bundle.py.

Every row travels by its public key, never by its local integer id: `uuid` for what people do
(applicants, times, bookings, waitlist places, notices, tickets), codes for the catalogue,
(office, day) for closures, usernames for staff, and an audit event by its hash where it was
first written. A foreign key travels as the key of the row it points at.

What a bundle carries (`export`):
- from an office's store (to CENTRAL): the office's own times, bookings, waitlist places,
  closures and tickets; the applicants and notices changed here; the audit events written here;
- from the central store (to one office): the catalogue; every other office's times, bookings,
  waitlist places, closures and tickets; the applicants and notices changed anywhere else.
Both carry only what changed since the receiver last acknowledged (rows numbered by the
database's triggers, migration 0011), or everything with `everything=True`; closures travel as
each office's whole list, so a closure removed is removed at the receiver too.

How an import merges (`apply`), per table, counting inserted, updated, unchanged, conflicts:
- O3: an office's capacity, bookings and waitlist are its own. The central store takes them as
  sent; an office takes every other office's as sent and keeps its own as they are here.
- Applicants merge by identity (document type, number, nationality): a person registered at two
  offices is one account here, the other store's uuid kept as an alias, both offices' bookings
  and places kept. Contact data (e-mail, phone) held differently is a conflict row for staff to
  choose (`resolve`), never overwritten. Password hashes travel: a person registered offline at
  one office must be able to sign in at any other kiosk (argon2id, salted; the bundle is
  signed, sealed and as private as the database it comes from); a merged account keeps the
  password it has here.
- A notice is written once; only its reading travels (the first reading wins).
- Audit events are appended to this store's chain, with their origin; never changed.
- An import writes only what differs, so importing the same bundle twice changes nothing."""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from store import bundle
from store.bundle import CENTRAL, Bundle, Table, Value
from store.errors import InvalidInput, Refused
from store.models import (
    Applicant,
    ApplicantAlias,
    AuditEvent,
    Booking,
    Notice,
    Office,
    OfficeClosure,
    OfficeProcedure,
    Procedure,
    ProcedureName,
    Region,
    Slot,
    Staff,
    SyncConflict,
    SyncCounter,
    SyncPeer,
    Ticket,
    UTCDateTime,
    WaitlistEntry,
)
from store.services import audit
from store.services.context import Ctx
from store.services.roles import require_role
from store.text import N_
from store.views import BundleWritten, SyncConflictView, full_name

CONTACT = ("email", "phone")  # an applicant's data that is never overwritten (O4)
_CHUNK = 500
# Where an e-mail is parked for a person whose address another person here already has: the
# reserved top-level domain `.invalid` never delivers (RFC 2606); the conflict row holds theirs.
PARKED_DOMAIN = "conflicto.invalid"


@dataclass(frozen=True)
class Ref:
    """A foreign key as it travels: the local column, its name in the bundle, what it points at."""

    column: str
    name: str
    target: str


@dataclass(frozen=True)
class Spec:
    """One table as it travels. `key`: the bundle columns that name a row; `local`: columns
    that never leave (ids, counters of this store); `later`: references to rows that may come
    after this one in the same bundle (set once every row is in)."""

    table: str
    model: Any
    key: tuple[str, ...]
    refs: tuple[Ref, ...] = ()
    local: tuple[str, ...] = ()
    later: tuple[str, ...] = ()
    catalogue: bool = False

    @property
    def sa_table(self) -> sa.Table:
        table: sa.Table = self.model.__table__
        return table

    @property
    def plain(self) -> tuple[str, ...]:
        """Local columns that travel as they are."""
        skip = {"id", "sync_seq", *self.local, *(r.column for r in self.refs)}
        return tuple(c.name for c in self.sa_table.columns if c.name not in skip)

    @property
    def columns(self) -> tuple[str, ...]:
        rest = [c for c in (*self.plain, *(r.name for r in self.refs)) if c not in self.key]
        return (*self.key, *sorted(rest))

    def ref(self, name: str) -> Ref | None:
        return next((r for r in self.refs if r.name == name), None)


_OFFICE = Ref("office_id", "office", "offices")
_PROCEDURE = Ref("procedure_id", "procedure", "procedures")
_APPLICANT = Ref("applicant_id", "applicant", "applicants")
_CREATED_BY = Ref("created_by", "created_by", "staff")

SPECS: tuple[Spec, ...] = (
    Spec("regions", Region, ("code",), catalogue=True),
    Spec("procedures", Procedure, ("code",), catalogue=True),
    Spec(
        "procedure_names", ProcedureName, ("procedure", "language"), (_PROCEDURE,), catalogue=True
    ),
    Spec(
        "offices",
        Office,
        ("code",),
        (Ref("region_id", "region", "regions"),),
        local=("uuid",),
        catalogue=True,
    ),
    Spec(
        "office_procedures",
        OfficeProcedure,
        ("office", "procedure"),
        (_OFFICE, _PROCEDURE),
        catalogue=True,
    ),
    Spec(
        "applicants",
        Applicant,
        ("uuid",),
        (
            Ref("region_id", "region", "regions"),
            Ref("verified_by", "verified_by", "staff"),
            _CREATED_BY,
        ),
        local=("failed_logins", "locked_until"),
    ),
    Spec("office_closures", OfficeClosure, ("office", "day"), (_OFFICE,)),
    Spec(
        "slots",
        Slot,
        ("uuid",),
        (_OFFICE, _PROCEDURE, Ref("closure_id", "closure_day", "office_closures")),
    ),
    Spec(
        "waitlist_entries",
        WaitlistEntry,
        ("uuid",),
        (
            _APPLICANT,
            _OFFICE,
            _PROCEDURE,
            _CREATED_BY,
            Ref("displaced_booking_id", "displaced_booking", "bookings"),
        ),
        later=("displaced_booking",),
    ),
    Spec(
        "bookings",
        Booking,
        ("uuid",),
        (
            Ref("slot_id", "slot", "slots"),
            _APPLICANT,
            _OFFICE,
            _PROCEDURE,
            Ref("waitlist_entry_id", "waitlist_entry", "waitlist_entries"),
            Ref("moved_to_id", "moved_to", "bookings"),
            _CREATED_BY,
        ),
        later=("moved_to",),
    ),
    Spec(
        "tickets",
        Ticket,
        ("uuid",),
        (
            _APPLICANT,
            _OFFICE,
            Ref("answered_by", "answered_by", "staff"),
        ),
    ),
    Spec(
        "notices",
        Notice,
        ("uuid",),
        (
            _APPLICANT,
            Ref("booking_id", "booking", "bookings"),
            Ref("ticket_id", "ticket", "tickets"),
        ),
    ),
)
BY_TABLE = {spec.table: spec for spec in SPECS}
OWNED = ("office_closures", "slots", "waitlist_entries", "bookings", "tickets")
AUDIT_COLUMNS = ("origin_hash", "action", "actor", "at", "details", "origin", "position", "subject")
# The key of each kind of row another row points at, in this store.
_KEYS = {
    "regions": "code",
    "procedures": "code",
    "offices": "code",
    "staff": "username",
    "applicants": "uuid",
    "slots": "uuid",
    "bookings": "uuid",
    "waitlist_entries": "uuid",
    "tickets": "uuid",
}
_MODELS: dict[str, Any] = {
    "regions": Region,
    "procedures": Procedure,
    "offices": Office,
    "staff": Staff,
    "applicants": Applicant,
    "slots": Slot,
    "bookings": Booking,
    "waitlist_entries": WaitlistEntry,
    "tickets": Ticket,
}


# -- values as they travel ------------------------------------------------------------------------


def _kind(column: sa.Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return "utc"
    if isinstance(kind, sa.Boolean):
        return "bool"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Time):
        return "time"
    if isinstance(kind, sa.Integer):
        return "int"
    return "str"


def _out(value: Any, kind: str) -> Value:
    """A database value in the bundle's spelling: text or a whole number, or NULL."""
    if value is None:
        return None
    if kind == "utc":
        moment: datetime = value
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    if kind in ("date", "time"):
        return str(value.isoformat())
    if kind in ("bool", "int"):
        return int(value)
    return str(value)


def _in(value: Value, kind: str) -> Any:
    """A bundle value back as the database's."""
    if value is None:
        return None
    if kind == "utc":
        return datetime.fromisoformat(str(value)).astimezone(UTC)
    if kind == "date":
        return date.fromisoformat(str(value))
    if kind == "time":
        return time.fromisoformat(str(value))
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    return str(value)


def _kinds(spec: Spec) -> dict[str, str]:
    return {c.name: _kind(c) for c in spec.sa_table.columns}


# -- references -----------------------------------------------------------------------------------


class Keys:
    """Local ids and the keys they travel as, looked up once per transaction."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.key_of: dict[str, dict[int, str]] = {}
        self.id_of: dict[str, dict[str, int]] = {}

    def keys(self, target: str, ids: Iterable[int]) -> dict[int, str]:
        known = self.key_of.setdefault(target, {})
        missing = sorted({i for i in ids if i is not None and i not in known})
        if target == "office_closures":
            for chunk in _chunks(missing):
                rows = self.ctx.session.execute(
                    sa.select(col(OfficeClosure.id), col(OfficeClosure.day)).where(
                        col(OfficeClosure.id).in_(chunk)
                    )
                )
                known.update((int(i or 0), d.isoformat()) for i, d in rows)
            return known
        model = _MODELS[target]
        key = getattr(model, _KEYS[target])
        for chunk in _chunks(missing):
            rows = self.ctx.session.execute(
                sa.select(col(model.id), col(key)).where(col(model.id).in_(chunk))
            )
            known.update((int(i or 0), str(k)) for i, k in rows)
        return known

    def ids(self, target: str, keys: Iterable[str]) -> dict[str, int]:
        known = self.id_of.setdefault(target, {})
        missing = sorted({k for k in keys if k is not None and k not in known})
        model = _MODELS[target]
        key = getattr(model, _KEYS[target])
        for chunk in _chunks(missing):
            rows = self.ctx.session.execute(
                sa.select(col(key), col(model.id)).where(col(key).in_(chunk))
            )
            known.update((str(k), i) for k, i in rows)
            if target == "applicants":
                aliases = self.ctx.session.execute(
                    sa.select(col(ApplicantAlias.uuid), col(ApplicantAlias.applicant_id)).where(
                        col(ApplicantAlias.uuid).in_(chunk)
                    )
                )
                known.update((str(k), i) for k, i in aliases)
        return known

    def closure_ids(self, office_ids: Iterable[int]) -> dict[tuple[int, str], int]:
        wanted = sorted(set(office_ids))
        if not wanted:
            return {}
        rows = self.ctx.session.execute(
            sa.select(
                col(OfficeClosure.office_id), col(OfficeClosure.day), col(OfficeClosure.id)
            ).where(col(OfficeClosure.office_id).in_(wanted))
        )
        return {(int(o), d.isoformat()): int(i or 0) for o, d, i in rows}


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _to_bundle(
    spec: Spec, rows: Sequence[Mapping[str, Any]], keys: Keys
) -> list[tuple[Value, ...]]:
    """Local rows (all their columns) in the bundle's spelling, in `spec.columns` order."""
    kinds = _kinds(spec)
    maps = {r.name: keys.keys(r.target, (row[r.column] for row in rows)) for r in spec.refs}
    out = []
    for row in rows:
        travelling: dict[str, Value] = {c: _out(row[c], kinds[c]) for c in spec.plain}
        for r in spec.refs:
            value = row[r.column]
            travelling[r.name] = None if value is None else maps[r.name].get(value)
        out.append(tuple(travelling[c] for c in spec.columns))
    return out


# -- export ---------------------------------------------------------------------------------------


def _peer(ctx: Ctx, code: str) -> SyncPeer:
    return ctx.session.get(SyncPeer, code) or SyncPeer(peer=code)


def require_bundle_staff(ctx: Ctx, office_code: str) -> None:
    """C9, C12: a supervisor of the office the bundle is about, or a national supervisor."""
    staff = require_role(ctx, ("supervisor",))
    if staff.office_id is not None:
        office = ctx.session.get(Office, staff.office_id)
        if office is None or office.code != office_code:
            raise Refused(
                "C9",
                "other_office",
                N_("Su cuenta actúa solo para la oficina {office}."),
                {"office": office.code if office else "-"},
            )


def check_store_code(ctx: Ctx, store_code: str | None) -> str:
    """KIOSK_STORE_CODE: CENTRAL or an office of the catalogue."""
    code = (store_code or "").strip().upper()
    if not code:
        raise InvalidInput(
            "store_code",
            N_(
                "Esta base de datos no tiene nombre: defina KIOSK_STORE_CODE con el código de su oficina "
                "o CENTRAL."
            ),
        )
    if code != CENTRAL and _office(ctx, code) is None:
        raise InvalidInput(
            "store_code",
            N_("KIOSK_STORE_CODE dice {code}, que no es CENTRAL ni una oficina del catálogo."),
            {"code": code},
        )
    return code


def _office(ctx: Ctx, code: str) -> Office | None:
    return ctx.session.scalar(sa.select(Office).where(col(Office.code) == code))


def watermark(ctx: Ctx) -> int:
    """The first change number not yet in this snapshot (PostgreSQL: the oldest transaction
    still running when it was taken, so anything committed later is sent next time)."""
    if ctx.is_postgres:
        found = ctx.session.execute(
            sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        ).scalar_one()
        return int(found)
    counter = ctx.session.get(SyncCounter, 1)
    return (counter.value if counter else 0) + 1


def export(
    ctx: Ctx, *, store_code: str, office_code: str, everything: bool
) -> tuple[dict[str, str], dict[str, Table]]:
    """The manifest and the tables of a bundle for `office_code` (read only: nothing is
    written; the watermark moves when the receiver's own bundle acknowledges it)."""
    if ctx.is_postgres:  # one snapshot for every table and the watermark
        ctx.session.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    store_code = check_store_code(ctx, store_code)
    office = _office(ctx, office_code.strip().upper())
    if office is None:
        raise InvalidInput(
            "office", N_("No existe una oficina con el código {code}."), {"code": office_code}
        )
    require_bundle_staff(ctx, office.code)
    central = store_code == CENTRAL
    if not central and office.code != store_code:
        raise Refused(
            "O3",
            "not_this_office",
            N_("Esta base de datos es la de {store}: exporta solo su propia oficina."),
            {"store": store_code},
        )
    receiver = office.code if central else CENTRAL
    peer = _peer(ctx, receiver)
    since_seq = 0 if everything else peer.acked_seq
    since_audit = 0 if everything else peer.acked_audit
    upto_seq = watermark(ctx)
    keys = Keys(ctx)
    tables: dict[str, Table] = {}
    for spec in SPECS:
        if spec.catalogue and not central:
            continue
        where = _selection(spec, office.id or 0, central, since_seq)
        rows = [
            dict(r) for r in ctx.session.execute(sa.select(spec.sa_table).where(*where)).mappings()
        ]
        integers = frozenset(
            c
            for c in spec.columns
            if (spec.ref(c) is None and _kinds(spec).get(c) in ("int", "bool"))
        )
        tables[spec.table] = Table(spec.columns, spec.key, integers, _to_bundle(spec, rows, keys))
    upto_audit = since_audit
    if not central:
        events = list(
            ctx.session.execute(
                sa.select(AuditEvent.__table__)  # type: ignore[attr-defined]
                .where(col(AuditEvent.origin).is_(None), col(AuditEvent.id) > since_audit)
                .order_by(col(AuditEvent.id))
            ).mappings()
        )
        upto_audit = events[-1]["id"] if events else since_audit
        tables["audit_events"] = Table(
            AUDIT_COLUMNS,
            ("origin_hash",),
            frozenset({"position"}),
            [
                (
                    e["hash"],
                    e["action"],
                    e["actor"],
                    _out(e["at"], "utc"),
                    e["details"],
                    store_code,
                    e["id"],
                    e["subject"],
                )
                for e in events
            ],
        )
    closures_for = (
        [office.code]
        if not central
        else sorted(c for c in ctx.session.scalars(sa.select(col(Office.code))) if c != office.code)
    )
    manifest = {
        "format": str(bundle.FORMAT),
        "store": store_code,
        "to": receiver,
        "office": office.code,
        "since_seq": str(since_seq),
        "upto_seq": str(upto_seq),
        "since_audit": str(since_audit),
        "upto_audit": str(upto_audit),
        "ack_seq": str(_peer(ctx, receiver).received_seq),
        "ack_audit": str(_peer(ctx, receiver).received_audit),
        "closures_for": json.dumps(closures_for),
        "created_at": ctx.now.astimezone(UTC).isoformat(timespec="seconds"),
        "everything": "1" if everything else "0",
    }
    return manifest, tables


def _selection(spec: Spec, office_id: int, central: bool, since: int) -> list[Any]:
    table = spec.sa_table
    where: list[Any] = []
    if "sync_seq" in table.c and spec.table != "office_closures":
        where.append(table.c.sync_seq >= since)
    if spec.table in OWNED:
        where.append(_sent_office(table.c.office_id, office_id, central, spec.table == "tickets"))
    if spec.table == "notices":  # a notice about a booking or a ticket goes with it
        for column, model in ((table.c.booking_id, Booking), (table.c.ticket_id, Ticket)):
            owned = sa.select(col(model.id)).where(
                _sent_office(col(model.office_id), office_id, central, model is Ticket)
            )
            where.append(sa.or_(column.is_(None), column.in_(owned)))
    return where


def _sent_office(column: Any, office_id: int, central: bool, or_none: bool) -> Any:
    """The rows of the offices a bundle carries: from an office, its own; from the central
    store, every other office's (and, for tickets, those no office answers)."""
    mine = column != office_id if central else column == office_id
    return sa.or_(mine, column.is_(None)) if or_none else mine


def written(
    manifest: Mapping[str, str], tables: Mapping[str, Table], path: str, size: int
) -> BundleWritten:
    return BundleWritten(
        path=path,
        size=size,
        store=manifest["store"],
        to=manifest["to"],
        rows={name: len(t.rows) for name, t in tables.items()},
        since=int(manifest["since_seq"]),
        upto=int(manifest["upto_seq"]),
    )


# -- import ---------------------------------------------------------------------------------------


def _counts() -> dict[str, int]:
    return {"inserted": 0, "updated": 0, "unchanged": 0, "conflicts": 0}


class Importer:
    """One import, in the caller's transaction."""

    def __init__(self, ctx: Ctx, store_code: str, got: Bundle) -> None:
        self.ctx = ctx
        self.store_code = store_code
        self.got = got
        self.sender = got.manifest["store"]
        self.keys = Keys(ctx)
        self.result: dict[str, dict[str, int]] = {}
        self.deferred: list[tuple[Spec, int, dict[str, Value]]] = []
        self.parked: list[tuple[str, str]] = []  # (uuid, e-mail) of people let in parked

    # The local ids of a bundle's references, refused when this store lacks one.
    def _resolve(self, spec: Spec, rows: list[dict[str, Value]]) -> list[dict[str, Any]]:
        resolved = []
        maps: dict[str, dict[str, int]] = {}
        for r in spec.refs:
            if r.target == "office_closures" or r.name in spec.later:
                continue
            maps[r.name] = self.keys.ids(
                r.target, (str(row[r.name]) for row in rows if row[r.name] is not None)
            )
        closures: dict[tuple[int, str], int] = {}
        if spec.ref("closure_day"):
            offices = maps["office"]
            closures = self.keys.closure_ids(
                offices[str(row["office"])] for row in rows if row["closure_day"]
            )
        kinds = _kinds(spec)
        for row in rows:
            local: dict[str, Any] = {c: _in(row[c], kinds[c]) for c in spec.plain}
            for r in spec.refs:
                value = row[r.name]
                if value is None or r.name in spec.later:
                    local[r.column] = None
                    continue
                if r.target == "office_closures":
                    found = closures.get((maps["office"][str(row["office"])], str(value)))
                elif r.target == "staff":  # someone this store does not know: nobody here
                    local[r.column] = maps[r.name].get(str(value))
                    continue
                else:
                    found = maps[r.name].get(str(value))
                if found is None:
                    raise InvalidInput(
                        "bundle",
                        N_(
                            "El paquete se refiere a algo que esta base de datos no tiene ({table}: "
                            "{key}): importe antes los paquetes anteriores o pida uno completo "
                            "(--all)."
                        ),
                        {"table": r.target, "key": str(value)},
                    )
                local[r.column] = found
            resolved.append(local)
        return resolved

    def _existing(
        self, spec: Spec, rows: list[dict[str, Value]]
    ) -> dict[tuple[Value, ...], tuple[dict[str, Any], tuple[Value, ...]]]:
        """The local rows the bundle's rows name: key -> (local row, its bundle spelling)."""
        table = spec.sa_table
        found: list[dict[str, Any]] = []
        if spec.key == ("uuid",):
            uuids = [str(r["uuid"]) for r in rows]
            for chunk in _chunks(uuids):
                found += [
                    dict(r)
                    for r in self.ctx.session.execute(
                        sa.select(table).where(table.c.uuid.in_(chunk))
                    ).mappings()
                ]
            if spec.table == "applicants":
                ids = self.keys.ids("applicants", uuids)
                seen = {r["id"] for r in found}
                extra = sorted({i for i in ids.values() if i not in seen})
                for chunk in _chunks(extra):
                    found += [
                        dict(r)
                        for r in self.ctx.session.execute(
                            sa.select(table).where(table.c.id.in_(chunk))
                        ).mappings()
                    ]
        else:
            found = [dict(r) for r in self.ctx.session.execute(sa.select(table)).mappings()]
        spelled = _to_bundle(spec, found, self.keys)
        width = len(spec.key)
        by_key = {tuple(s[:width]): (row, s) for row, s in zip(found, spelled, strict=True)}
        if spec.table == "applicants":  # an alias names the same local row
            ids = self.keys.ids("applicants", [str(r["uuid"]) for r in rows])
            by_id = {row["id"]: (row, s) for row, s in zip(found, spelled, strict=True)}
            for uuid, local_id in ids.items():
                if (uuid,) not in by_key and local_id in by_id:
                    by_key[(uuid,)] = by_id[local_id]
        return by_key

    def run(self) -> dict[str, dict[str, int]]:
        central_sent = self.sender == CENTRAL
        for spec in SPECS:
            table = self.got.tables.get(spec.table)
            if table is None:
                continue
            if spec.catalogue and not central_sent:
                continue  # the catalogue is the central store's (issue 17)
            self._table(spec, table)
        self._later()
        self._closures()
        events = self.got.tables.get("audit_events")
        if events is not None:
            self._audit(events)
        self._watermarks()
        return self.result

    def _owner_is_here(self, row: Mapping[str, Value]) -> bool:
        return self.store_code != CENTRAL and row.get("office") == self.store_code

    def _table(self, spec: Spec, table: Table) -> None:
        counts = self.result.setdefault(spec.table, _counts())
        rows = [
            dict(zip(spec.columns, _reorder(table, spec.columns, r), strict=True))
            for r in table.rows
        ]
        if not rows:
            return
        existing = self._existing(spec, rows)
        resolved = self._resolve(spec, rows)
        width = len(spec.key)
        new: list[dict[str, Any]] = []
        for row, local in zip(rows, resolved, strict=True):
            key = tuple(row[c] for c in spec.columns[:width])
            here = existing.get(key)
            if here is None and spec.table == "applicants":
                here = self._same_person(row)
                if here is not None:
                    self.ctx.session.add(
                        ApplicantAlias(uuid=str(row["uuid"]), applicant_id=here[0]["id"])
                    )
                    self.keys.id_of.setdefault("applicants", {})[str(row["uuid"])] = here[0]["id"]
                    counts["updated"] += 1
                    counts["conflicts"] += self._contact(here[0], row)
                    continue
            if here is None:
                if spec.table == "applicants":
                    counts["conflicts"] += self._park_email(local, row)
                new.append(local)
                counts["inserted"] += 1
                self._defer(spec, None, row)
                continue
            current, spelled = here
            theirs = dict(zip(spec.columns, spelled, strict=True))
            # Compared as this store holds them (a person known by an alias is the same person).
            later = {r.column for r in spec.refs if r.name in spec.later}
            differs = [c for c in local if c not in later and current[c] != local[c]]
            later_differs = any(theirs[c] != row[c] for c in spec.later)
            if spec.table == "applicants":
                merged = current["uuid"] != row["uuid"]
                conflicts = self._contact(current, row)
                counts["conflicts"] += conflicts
                changes = {} if merged else {c: local[c] for c in differs if c not in CONTACT}
            elif spec.table == "notices":
                changes = (
                    {"read_at": local["read_at"]}
                    if current["read_at"] is None and local["read_at"] is not None
                    else {}
                )
                conflicts = 0
            elif spec.table in OWNED and self._owner_is_here(row):
                changes, conflicts = {}, 0  # O3: this office's own rows stand as they are here
                later_differs = False
            else:
                changes, conflicts = {c: local[c] for c in differs}, 0
            if changes:
                pk = {c.name: current[c.name] for c in spec.sa_table.primary_key.columns}
                self.ctx.session.execute(
                    sa.update(spec.sa_table)
                    .where(*(spec.sa_table.c[name] == value for name, value in pk.items()))
                    .values(**changes)
                )
            if later_differs:
                self._defer(spec, current["id"], row)
            if changes or later_differs:
                counts["updated"] += 1
            elif not conflicts:
                counts["unchanged"] += 1
        if new:
            if "uuid" in spec.sa_table.c:  # the catalogue travels by code: a new office's own
                for local in new:
                    local.setdefault("uuid", str(uuid_module.uuid4()))
            self.ctx.insert_many(spec.model, new)
            self.keys.id_of.pop(spec.table, None)  # looked up again, with the rows just added

    def _defer(self, spec: Spec, local_id: int | None, row: dict[str, Value]) -> None:
        if spec.later and any(row[c] is not None for c in spec.later):
            self.deferred.append((spec, local_id or 0, row))

    def _later(self) -> None:
        """References to rows that came in the same bundle (a moved booking, a displaced one)."""
        for spec, local_id, row in self.deferred:
            target_id = local_id or self.keys.ids(spec.table, [str(row["uuid"])])[str(row["uuid"])]
            values = {}
            for name in spec.later:
                ref = spec.ref(name)
                assert ref is not None
                value = row[name]
                values[ref.column] = (
                    None
                    if value is None
                    else self.keys.ids(ref.target, [str(value)]).get(str(value))
                )
            self.ctx.session.execute(
                sa.update(spec.sa_table).where(spec.sa_table.c.id == target_id).values(**values)
            )

    def _same_person(
        self, row: Mapping[str, Value]
    ) -> tuple[dict[str, Any], tuple[Value, ...]] | None:
        """O4: the local account with the same identity, registered at another store."""
        table = Applicant.__table__  # type: ignore[attr-defined]
        found = (
            self.ctx.session.execute(
                sa.select(table).where(
                    table.c.document_type == row["document_type"],
                    table.c.document_number == row["document_number"],
                    table.c.nationality == row["nationality"],
                )
            )
            .mappings()
            .first()
        )
        if found is None:
            return None
        local = dict(found)
        return local, _to_bundle(BY_TABLE["applicants"], [local], self.keys)[0]

    def _contact(self, local: Mapping[str, Any], row: Mapping[str, Value]) -> int:
        """Conflict rows for contact data held differently (each once); how many are new."""
        made = 0
        for field in CONTACT:
            incoming = row[field]
            if incoming is None or incoming == local[field]:
                continue
            made += self._conflict(local["id"], field, local[field], str(incoming))
        return made

    def _conflict(
        self, applicant_id: int, field: str, local_value: str | None, incoming: str
    ) -> int:
        known = self.ctx.session.scalar(
            sa.select(col(SyncConflict.id)).where(
                col(SyncConflict.applicant_id) == applicant_id,
                col(SyncConflict.field) == field,
                col(SyncConflict.incoming_value) == incoming,
            )
        )
        if known is not None:
            return 0
        self.ctx.session.execute(
            sa.insert(SyncConflict.__table__).values(  # type: ignore[attr-defined]
                applicant_id=applicant_id,
                field=field,
                local_value=local_value,
                incoming_value=incoming,
                source=self.sender,
                found_at=self.ctx.now,
            )
        )
        return 1

    def _park_email(self, local: dict[str, Any], row: Mapping[str, Value]) -> int:
        """A new person whose e-mail another person here has: the person comes in with a parked
        address and a conflict row for staff; nobody's address is overwritten."""
        taken = self.ctx.session.scalar(
            sa.select(col(Applicant.id)).where(col(Applicant.email) == local["email"])
        )
        if taken is None:
            return 0
        local["email"] = f"{row['uuid']}@{PARKED_DOMAIN}"
        self.parked.append((str(row["uuid"]), str(row["email"])))
        return 1

    def _closures(self) -> None:
        """Each office named in `closures_for` sent its whole list: a closure gone there goes
        here too (never this office's own, and never one a time here still points at)."""
        offices = json.loads(self.got.manifest.get("closures_for") or "[]")
        table = self.got.tables.get("office_closures")
        if table is None:
            return
        counts = self.result.setdefault("office_closures", _counts())
        sent = {(str(r[0]), str(r[1])) for r in table.rows}  # key: office, day
        for code in offices:
            if code == self.store_code and code != CENTRAL:
                continue
            office = _office(self.ctx, str(code))
            if office is None:
                continue
            for closure in self.ctx.session.scalars(
                sa.select(OfficeClosure).where(col(OfficeClosure.office_id) == office.id)
            ).all():
                if (office.code, closure.day.isoformat()) in sent:
                    continue
                used = self.ctx.session.scalar(
                    sa.select(col(Slot.id)).where(col(Slot.closure_id) == closure.id).limit(1)
                )
                if used is None:
                    self.ctx.session.delete(closure)
                    counts["updated"] += 1
        self.ctx.session.flush()

    def _audit(self, events: Table) -> None:
        counts = self.result.setdefault("audit_events", _counts())
        rows = [
            dict(zip(AUDIT_COLUMNS, _reorder(events, AUDIT_COLUMNS, r), strict=True))
            for r in events.rows
        ]
        hashes = [str(r["origin_hash"]) for r in rows]
        known: set[str] = set()
        for chunk in _chunks(hashes):
            known.update(
                str(h)
                for h in self.ctx.session.scalars(
                    sa.select(col(AuditEvent.origin_hash)).where(
                        col(AuditEvent.origin_hash).in_(chunk)
                    )
                )
            )
            known.update(
                str(h)
                for h in self.ctx.session.scalars(
                    sa.select(col(AuditEvent.hash)).where(col(AuditEvent.hash).in_(chunk))
                )
            )
        fresh = []
        for row in sorted(rows, key=lambda r: int(r["position"] or 0)):  # as written there
            if row["origin_hash"] in known:
                counts["unchanged"] += 1
                continue
            known.add(str(row["origin_hash"]))
            fresh.append(
                {
                    "at": _in(row["at"], "utc"),
                    "actor": row["actor"],
                    "action": row["action"],
                    "subject": row["subject"],
                    "details": row["details"],
                    "origin": row["origin"] or self.sender,
                    "origin_hash": row["origin_hash"],
                }
            )
            counts["inserted"] += 1
        self.ctx.audit_rows.extend(fresh)  # chained here, after this store's newest event

    def _watermarks(self) -> None:
        """What this store now holds of the sender's, and what the sender holds of ours."""
        got = self.got
        peer = self.ctx.session.get(SyncPeer, self.sender)
        if peer is None:
            peer = SyncPeer(peer=self.sender)
            self.ctx.session.add(peer)
        received_seq, received_audit = peer.received_seq or 0, peer.received_audit or 0
        if got.number("since_seq") <= received_seq:  # no gap: a bundle in between was not lost
            received_seq = max(received_seq, got.number("upto_seq"))
        if got.number("since_audit") <= received_audit:
            received_audit = max(received_audit, got.number("upto_audit"))
        values = {
            "received_seq": received_seq,
            "received_audit": received_audit,
            "acked_seq": max(peer.acked_seq or 0, got.number("ack_seq")),
            "acked_audit": max(peer.acked_audit or 0, got.number("ack_audit")),
        }
        if any(getattr(peer, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(peer, k, v)
            peer.imported_at = self.ctx.now
        elif peer in self.ctx.session.new:
            peer.imported_at = self.ctx.now
        self.ctx.session.flush()


def _reorder(table: Table, columns: Sequence[str], row: Sequence[Value]) -> tuple[Value, ...]:
    """A bundle row in `columns` order (a bundle names its own columns)."""
    if tuple(table.columns) == tuple(columns):
        return tuple(row)
    spelled = dict(zip(table.columns, row, strict=True))
    try:
        return tuple(spelled[c] for c in columns)
    except KeyError as missing:
        raise InvalidInput(
            "bundle",
            N_("Al paquete le falta la columna {column}: no es de este formato."),
            {"column": str(missing)},
        ) from None


def apply(ctx: Ctx, store_code: str, got: Bundle) -> dict[str, dict[str, int]]:
    """O4: merge a checked bundle into this store, in the caller's one transaction."""
    store_code = check_store_code(ctx, store_code)
    require_bundle_staff(ctx, got.manifest["office"])
    importer = Importer(ctx, store_code, got)
    result = importer.run()
    changed = {t: c for t, c in result.items() if c["inserted"] or c["updated"] or c["conflicts"]}
    if changed:
        audit.record(
            ctx,
            "bundle.imported",
            got.manifest["store"],
            office=got.manifest["office"],
            upto=got.number("upto_seq"),
            tables={
                t: {k: v for k, v in c.items() if v and k != "unchanged"}
                for t, c in changed.items()
            },
        )
    for uuid, email in importer.parked:
        applicant_id = importer.keys.ids("applicants", [uuid])[uuid]
        importer._conflict(applicant_id, "email", f"{uuid}@{PARKED_DOMAIN}", email)
    return result


# -- conflicts for staff --------------------------------------------------------------------------


def _conflict_view(ctx: Ctx, conflict: SyncConflict) -> SyncConflictView:
    applicant = ctx.session.get(Applicant, conflict.applicant_id)
    assert applicant is not None
    return SyncConflictView(
        id=conflict.id or 0,
        applicant_id=conflict.applicant_id,
        applicant_name=full_name(
            applicant.given_names, applicant.first_surname, applicant.second_surname
        ),
        field=conflict.field,
        local_value=conflict.local_value,
        incoming_value=conflict.incoming_value,
        current_value=getattr(applicant, conflict.field),
        source=conflict.source,
        found_at=conflict.found_at,
        resolved_at=conflict.resolved_at,
        kept=conflict.kept,
    )


def conflicts(ctx: Ctx, *, include_resolved: bool = False) -> list[SyncConflictView]:
    """O4: contact data two stores hold differently, oldest first."""
    require_role(ctx, ("agent", "supervisor"))
    query = sa.select(SyncConflict).order_by(col(SyncConflict.id))
    if not include_resolved:
        query = query.where(col(SyncConflict.resolved_at).is_(None))
    return [_conflict_view(ctx, c) for c in ctx.session.scalars(query).all()]


def resolve(ctx: Ctx, conflict_id: int, keep: str) -> SyncConflictView:
    """O4: staff choose which value the person keeps: `local` (as it is here) or `incoming`."""
    staff = require_role(ctx, ("agent", "supervisor"))
    if keep not in ("local", "incoming"):
        raise InvalidInput("keep", N_("Elija qué dato queda: el de esta oficina o el recibido."))
    conflict = ctx.session.get(SyncConflict, conflict_id)
    if conflict is None:
        raise InvalidInput("conflict", N_("No existe ese conflicto de datos."))
    if conflict.resolved_at is not None:
        raise Refused("O4", "conflict_resolved", N_("Ese conflicto ya se resolvió."))
    applicant = ctx.session.get(Applicant, conflict.applicant_id, with_for_update=True)
    assert applicant is not None
    if keep == "incoming":
        if conflict.field == "email":
            other = ctx.session.scalar(
                sa.select(col(Applicant.id)).where(
                    col(Applicant.email) == conflict.incoming_value,
                    col(Applicant.id) != applicant.id,
                )
            )
            if other is not None:
                raise Refused(
                    "O4",
                    "email_in_use",
                    N_("Otra persona ya usa el correo {email} aquí: no se puede elegir."),
                    {"email": conflict.incoming_value},
                )
        setattr(applicant, conflict.field, conflict.incoming_value)
    conflict.resolved_at = ctx.now
    conflict.resolved_by = staff.id
    conflict.kept = keep
    ctx.session.flush()
    audit.record(
        ctx,
        "applicant.conflict_resolved",
        applicant.uuid,
        field=conflict.field,
        kept=keep,
    )
    return _conflict_view(ctx, conflict)
