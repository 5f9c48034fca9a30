"""The catalogue as plain data files (issue 15 §2b): what a real store is set up from, with no
people and no training data, and what the demo's catalogue is made of.

Five CSV files, UTF-8, one header line each:

- `regions.csv`: code, number, name, capital, time_zone (B1);
- `offices.csv`: code, name, region, address, time_zone, open_weekdays (0 = Monday),
  opens_at, closes_at (HH:MM), cancel_policy (`never` or `hours_before`), cancel_hours (B9),
  grace_minutes (C11), and optionally call_window_minutes (Q3: an appointment is called from
  this many minutes before its time; 10 when left out or empty) and max_calls (Q3: calls
  before a number may be marked absent; 3 when left out or empty);
- `procedures.csv`: code, name, minutes (B2), and a name per other language (`name_en`,
  `name_ht`: K4);
- `documents.csv`: procedure, position, text: what to bring, in order (B2, B7), and the text per
  other language (`text_en`, `text_ht`);
- `offerings.csv`: office, procedure, bookable (`yes`, or `no` for in person only: B3, B4),
  walk_in (`yes` where the office also gives numbers without appointment, Q2; optional, `no`).

`load` adds what is new and updates what changed, by code, in the caller's one transaction; it
never deletes (an office or procedure with bookings stays). Loading the same files twice
changes nothing. Every refusal names the file, the line and what to fix.

The columns of other languages may be left out of a file, or left empty on a line: that
language then shows the Spanish. A file without a language's column leaves that language's
names as they are; with the column, an empty value removes the name."""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Mapping, Sequence
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import sqlalchemy as sa
from sqlmodel import col

from store.errors import InvalidInput
from store.models import (
    DocumentText,
    Office,
    OfficeProcedure,
    Procedure,
    ProcedureDocument,
    ProcedureName,
    Region,
)
from store.services import audit
from store.services.context import Ctx
from store.text import N_, TRANSLATED, Message
from store.validation import printable

COLUMNS: dict[str, tuple[str, ...]] = {
    "regions.csv": ("code", "number", "name", "capital", "time_zone"),
    "offices.csv": (
        "code",
        "name",
        "region",
        "address",
        "time_zone",
        "open_weekdays",
        "opens_at",
        "closes_at",
        "cancel_policy",
        "cancel_hours",
        "grace_minutes",
        "call_window_minutes",
        "max_calls",
    ),
    "procedures.csv": ("code", "name", *(f"name_{lang}" for lang in TRANSLATED), "minutes"),
    "documents.csv": ("procedure", "position", "text", *(f"text_{lang}" for lang in TRANSLATED)),
    "offerings.csv": ("office", "procedure", "bookable", "walk_in"),
}
# The columns a file may leave out: the translations (K4), and what has a default.
OPTIONAL = frozenset(
    {f"{prefix}_{lang}" for prefix in ("name", "text") for lang in TRANSLATED}
    | {"walk_in", "call_window_minutes", "max_calls"}
)
# Q3: an office's call window (minutes) and calls before absent when its line says nothing.
QUEUE_DEFAULTS = {"call_window_minutes": 10, "max_calls": 3}
Tables = Mapping[str, Sequence[Mapping[str, str]]]
Counts = dict[str, dict[str, int]]

_REGION = re.compile(r"CL-[A-Z]{2}")
_CODE = re.compile(r"[A-Z0-9][A-Z0-9_]{0,23}")


class _Row:
    """One line of one file, and the one sentence that says what is wrong with it."""

    def __init__(self, file: str, line: int, values: Mapping[str, str]) -> None:
        self.file, self.line, self.values = file, line, values

    def refuse(self, msgid: str, **params: object) -> InvalidInput:
        return InvalidInput(
            "catalog",
            N_("{file}, línea {line}: {problem}"),
            {"file": self.file, "line": self.line, "problem": Message(msgid, params)},
        )

    def text(self, column: str, limit: int) -> str:
        value = " ".join(printable(self.values.get(column, "")).split())
        if not value:
            raise self.refuse(N_("falta «{column}»."), column=column)
        if len(value) > limit:
            raise self.refuse(
                N_("«{column}» es demasiado largo (máximo {max} caracteres)."),
                column=column,
                max=limit,
            )
        return value

    def translations(self, prefix: str, limit: int) -> dict[str, str]:
        """The `prefix_<language>` values of the columns this file has, by language ("" where
        the line leaves one empty)."""
        found: dict[str, str] = {}
        for language in TRANSLATED:
            column = f"{prefix}_{language}"
            if column in self.values:
                found[language] = self.text(column, limit) if self.values[column].strip() else ""
        return found

    def code(self, column: str, pattern: re.Pattern[str], limit: int) -> str:
        """A code as the table keeps it (`limit`: its column's length)."""
        value = self.text(column, limit).upper()
        if not pattern.fullmatch(value):
            raise self.refuse(
                N_("«{value}» no sirve como código en «{column}»."), value=value, column=column
            )
        return value

    def number(self, column: str, low: int, high: int) -> int:
        value = self.text(column, 6)
        if not value.isdigit() or not low <= int(value) <= high:
            raise self.refuse(
                N_("«{column}» debe ser un número entero entre {low} y {high}."),
                column=column,
                low=low,
                high=high,
            )
        return int(value)

    def optional_number(self, column: str, low: int, high: int, default: int) -> int:
        """A number of a column the file may leave out, or leave empty on a line: `default`."""
        if not (self.values.get(column) or "").strip():
            return default
        return self.number(column, low, high)

    def clock(self, column: str) -> time:
        value = self.text(column, 5)
        hours, _, minutes = value.partition(":")
        if not (
            len(hours) == len(minutes) == 2
            and hours.isdigit()
            and minutes.isdigit()
            and int(hours) < 24
            and int(minutes) < 60
        ):
            raise self.refuse(N_("«{column}» debe ser una hora HH:MM."), column=column)
        return time(int(hours), int(minutes))

    def zone(self, column: str) -> str:
        value = self.text(column, 40)
        if value not in _zones():
            raise self.refuse(
                N_("la zona horaria «{value}» no existe (p. ej. America/Santiago)."), value=value
            )
        return value

    def choice(self, column: str, allowed: Sequence[str]) -> str:
        value = self.text(column, 16).lower()
        if value not in allowed:
            raise self.refuse(
                N_("«{column}» debe ser uno de: {allowed}."),
                column=column,
                allowed=", ".join(allowed),
            )
        return value


@functools.cache
def _zones() -> frozenset[str]:
    """The IANA time zone names this machine knows (read once: it walks the tz database)."""
    return frozenset(available_timezones())


def _rows(tables: Tables, name: str) -> list[_Row]:
    return [_Row(name, number, values) for number, values in enumerate(tables.get(name, ()), 2)]


# -- export ---------------------------------------------------------------------------------------


def export(ctx: Ctx) -> dict[str, list[dict[str, str]]]:
    """The store's catalogue as the five files' rows, in a stable order."""
    regions = ctx.session.scalars(sa.select(Region).order_by(col(Region.id))).all()
    region_code = {r.id: r.code for r in regions}
    offices = ctx.session.scalars(sa.select(Office).order_by(col(Office.id))).all()
    office_code = {o.id: o.code for o in offices}
    procedures = ctx.session.scalars(sa.select(Procedure).order_by(col(Procedure.id))).all()
    procedure_code = {p.id: p.code for p in procedures}
    documents = ctx.session.scalars(
        sa.select(ProcedureDocument).order_by(
            col(ProcedureDocument.procedure_id), col(ProcedureDocument.position)
        )
    ).all()
    names: dict[int, dict[str, str]] = {}
    for procedure_id, language, name in ctx.session.execute(
        sa.select(
            col(ProcedureName.procedure_id), col(ProcedureName.language), col(ProcedureName.name)
        )
    ):
        names.setdefault(procedure_id, {})[language] = name
    texts: dict[int, dict[str, str]] = {}
    for document_id, language, text in ctx.session.execute(
        sa.select(col(DocumentText.document_id), col(DocumentText.language), col(DocumentText.text))
    ):
        texts.setdefault(document_id, {})[language] = text
    offerings = ctx.session.scalars(
        sa.select(OfficeProcedure).order_by(
            col(OfficeProcedure.office_id), col(OfficeProcedure.procedure_id)
        )
    ).all()
    return {
        "regions.csv": [
            {
                "code": r.code,
                "number": r.number,
                "name": r.name,
                "capital": r.capital,
                "time_zone": r.time_zone,
            }
            for r in regions
        ],
        "offices.csv": [
            {
                "code": o.code,
                "name": o.name,
                "region": region_code[o.region_id],
                "address": o.address,
                "time_zone": o.time_zone,
                "open_weekdays": o.open_weekdays,
                "opens_at": f"{o.opens_at:%H:%M}",
                "closes_at": f"{o.closes_at:%H:%M}",
                "cancel_policy": o.cancel_policy,
                "cancel_hours": str(o.cancel_hours),
                "grace_minutes": str(o.grace_minutes),
                "call_window_minutes": str(o.call_window_minutes),
                "max_calls": str(o.max_calls),
            }
            for o in offices
        ],
        "procedures.csv": [
            {
                "code": p.code,
                "name": p.name,
                **{f"name_{lang}": names.get(p.id or 0, {}).get(lang, "") for lang in TRANSLATED},
                "minutes": str(p.minutes),
            }
            for p in procedures
        ],
        "documents.csv": [
            {
                "procedure": procedure_code[d.procedure_id],
                "position": str(d.position),
                "text": d.text,
                **{f"text_{lang}": texts.get(d.id or 0, {}).get(lang, "") for lang in TRANSLATED},
            }
            for d in documents
        ],
        "offerings.csv": [
            {
                "office": office_code[x.office_id],
                "procedure": procedure_code[x.procedure_id],
                "bookable": "yes" if x.bookable else "no",
                "walk_in": "yes" if x.walk_in else "no",
            }
            for x in offerings
        ],
    }


# -- load -----------------------------------------------------------------------------------------


def _upsert(
    ctx: Ctx, model: Any, existing: Any, values: dict[str, Any], counts: dict[str, int]
) -> Any:
    """Insert `values` as a new `model` row, or update `existing` where a value differs."""
    if existing is None:
        row = model(**values)
        ctx.session.add(row)
        ctx.session.flush()
        counts["added"] += 1
        return row
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    for key, value in changed.items():
        setattr(existing, key, value)
    if changed:
        counts["changed"] += 1
    return existing


def load(ctx: Ctx, tables: Tables) -> Counts:
    """Add and update the catalogue from the five files' rows (any may be missing or empty).
    Returns, per file, how many rows were added and changed. Raises InvalidInput, naming the
    file and line, before the caller commits anything."""
    counts: Counts = {name.removesuffix(".csv"): {"added": 0, "changed": 0} for name in COLUMNS}
    regions = {r.code: r for r in ctx.session.scalars(sa.select(Region))}
    for row in _rows(tables, "regions.csv"):
        code = row.code("code", _REGION, 8)
        regions[code] = _upsert(
            ctx,
            Region,
            regions.get(code),
            {
                "code": code,
                "number": row.text("number", 4),
                "name": row.text("name", 80),
                "capital": row.text("capital", 80),
                "time_zone": row.zone("time_zone"),
            },
            counts["regions"],
        )
    offices = {o.code: o for o in ctx.session.scalars(sa.select(Office))}
    for row in _rows(tables, "offices.csv"):
        code = row.code("code", _CODE, 12)
        region = regions.get(row.text("region", 8).upper())
        if region is None:
            raise row.refuse(N_("la región «{value}» no existe."), value=row.values.get("region"))
        weekdays = row.text("open_weekdays", 7)
        if (
            not weekdays
            or any(d not in "0123456" for d in weekdays)
            or len(set(weekdays)) != len(weekdays)
        ):
            raise row.refuse(
                N_("«open_weekdays» son los días que abre, 0 = lunes … 6 = domingo (p. ej. 01234).")
            )
        opens, closes = row.clock("opens_at"), row.clock("closes_at")
        if opens >= closes:
            raise row.refuse(N_("«opens_at» debe ser antes de «closes_at»."))
        offices[code] = _upsert(
            ctx,
            Office,
            offices.get(code),
            {
                "code": code,
                "name": row.text("name", 120),
                "region_id": region.id,
                "address": row.text("address", 200),
                "time_zone": row.zone("time_zone"),
                "open_weekdays": "".join(sorted(weekdays)),
                "opens_at": opens,
                "closes_at": closes,
                "cancel_policy": row.choice("cancel_policy", ("never", "hours_before")),
                "cancel_hours": row.number("cancel_hours", 0, 720),
                "grace_minutes": row.number("grace_minutes", 0, 240),
                "call_window_minutes": row.optional_number(
                    "call_window_minutes", 1, 240, QUEUE_DEFAULTS["call_window_minutes"]
                ),
                "max_calls": row.optional_number("max_calls", 1, 20, QUEUE_DEFAULTS["max_calls"]),
            },
            counts["offices"],
        )
    procedures = {p.code: p for p in ctx.session.scalars(sa.select(Procedure))}
    for row in _rows(tables, "procedures.csv"):
        code = row.code("code", _CODE, 24)
        before = dict(counts["procedures"])
        procedures[code] = _upsert(
            ctx,
            Procedure,
            procedures.get(code),
            {
                "code": code,
                "name": row.text("name", 160),
                "minutes": row.number("minutes", 5, 480),
            },
            counts["procedures"],
        )
        renamed = _translate(
            ctx,
            ProcedureName,
            {"procedure_id": procedures[code].id},
            "name",
            row.translations("name", 160),
        )
        if renamed and counts["procedures"] == before:
            counts["procedures"]["changed"] += 1
    _load_documents(ctx, _rows(tables, "documents.csv"), procedures, counts["documents"])
    offered = {
        (x.office_id, x.procedure_id): x for x in ctx.session.scalars(sa.select(OfficeProcedure))
    }
    for row in _rows(tables, "offerings.csv"):
        office = offices.get(row.text("office", 24).upper())
        procedure = procedures.get(row.text("procedure", 24).upper())
        if office is None or procedure is None:
            raise row.refuse(
                N_("la oficina «{office}» o el trámite «{procedure}» no existe."),
                office=row.values.get("office"),
                procedure=row.values.get("procedure"),
            )
        key = (office.id or 0, procedure.id or 0)
        offered[key] = _upsert(
            ctx,
            OfficeProcedure,
            offered.get(key),
            {
                "office_id": office.id,
                "procedure_id": procedure.id,
                "bookable": row.choice("bookable", ("yes", "no")) == "yes",
                "walk_in": bool(row.values.get("walk_in"))
                and row.choice("walk_in", ("yes", "no")) == "yes",
            },
            counts["offerings"],
        )
    ctx.session.flush()
    if any(c["added"] or c["changed"] for c in counts.values()):
        audit.record(ctx, "catalog.loaded", "catalog", **{k: dict(v) for k, v in counts.items()})
    return counts


def _load_documents(
    ctx: Ctx, rows: list[_Row], procedures: Mapping[str, Procedure], counts: dict[str, int]
) -> None:
    """Each procedure named in documents.csv gets exactly its list, in order; a list that is
    already the same is left alone."""
    wanted: dict[int, dict[int, tuple[str, dict[str, str]]]] = {}
    for row in rows:
        procedure = procedures.get(row.text("procedure", 24).upper())
        if procedure is None or procedure.id is None:
            raise row.refuse(
                N_("el trámite «{value}» no existe."), value=row.values.get("procedure")
            )
        position = row.number("position", 1, 99)
        listed = wanted.setdefault(procedure.id, {})
        if position in listed:
            raise row.refuse(
                N_("ese trámite ya tiene un documento en la posición {position}."),
                position=position,
            )
        listed[position] = (row.text("text", 300), row.translations("text", 300))
    for procedure_id, listed in wanted.items():
        have = ctx.session.scalars(
            sa.select(ProcedureDocument)
            .where(col(ProcedureDocument.procedure_id) == procedure_id)
            .order_by(col(ProcedureDocument.position))
        ).all()
        texts = {
            (t.document_id, t.language): t
            for t in ctx.session.scalars(
                sa.select(DocumentText).where(
                    col(DocumentText.document_id).in_([d.id for d in have])
                )
            )
        }
        by_position = {d.position: d for d in have}
        if by_position.keys() == listed.keys():
            # The same list: each document's texts, in place (a language the file has no
            # column for is left as it is).
            changed = False
            for position, (text, translations) in listed.items():
                document = by_position[position]
                if document.text != text:
                    document.text = text
                    changed = True
                key = {"document_id": document.id}
                changed = _translate(ctx, DocumentText, key, "text", translations) or changed
            if changed:
                counts["changed"] += len(listed)  # rows, as in the file
            continue
        for text_row in texts.values():
            ctx.session.delete(text_row)
        for document in have:
            ctx.session.delete(document)
        ctx.session.flush()
        for position, (text, translations) in sorted(listed.items()):
            document = ProcedureDocument(procedure_id=procedure_id, position=position, text=text)
            ctx.session.add(document)
            ctx.session.flush()
            _translate(ctx, DocumentText, {"document_id": document.id}, "text", translations)
        counts["added" if not have else "changed"] += len(listed)  # rows, as in the file


def _translate(
    ctx: Ctx,
    model: Any,
    key: dict[str, Any],
    column: str,
    translations: Mapping[str, str],
) -> bool:
    """K4: set one row's translations (`model` rows under `key`, one per language) to
    `translations`; an empty value removes that language's. True when any differed."""
    have = {
        t.language: t
        for t in ctx.session.scalars(
            sa.select(model).where(*(getattr(model, k) == v for k, v in key.items()))
        )
    }
    changed = False
    for language, value in translations.items():
        existing = have.get(language)
        if value and existing is None:
            ctx.session.add(model(**key, language=language, **{column: value}))
        elif value and getattr(existing, column) != value:
            setattr(existing, column, value)
        elif not value and existing is not None:
            ctx.session.delete(existing)
        else:
            continue
        changed = True
    return changed


# -- the files themselves ---------------------------------------------------------------------------

MAX_FILE_BYTES = 5_000_000


def read_folder(folder: Path) -> dict[str, list[dict[str, str]]]:
    """The catalogue files found in `folder` (regular files of at most 5 MB, UTF-8, with the
    header of COLUMNS); a refusal names the file and what to fix."""
    if not folder.is_dir():
        raise InvalidInput("catalog", N_("«{folder}» no es una carpeta."), {"folder": str(folder)})
    tables: dict[str, list[dict[str, str]]] = {}
    for name, columns in COLUMNS.items():
        path = folder / name
        if not path.exists():
            continue
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(
                "catalog",
                N_("{file} debe ser un archivo común de hasta 5 MB."),
                {"file": name},
            )
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("catalog", N_("{file} no está en UTF-8."), {"file": name}) from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = tuple(reader.fieldnames or ())
        if (
            len(set(header)) != len(header)
            or not set(header) <= set(columns)
            or not set(columns) - OPTIONAL <= set(header)
        ):
            raise InvalidInput(
                "catalog",
                N_("{file}: la primera línea debe ser «{columns}»."),
                {"file": name, "columns": ",".join(columns)},
            )
        try:
            tables[name] = [dict(row) for row in reader]
        except csv.Error as error:
            raise InvalidInput(
                "catalog",
                N_("{file}: no se puede leer ({problem})."),
                {"file": name, "problem": str(error)},
            ) from None
    if not tables:
        raise InvalidInput(
            "catalog",
            N_("La carpeta no tiene ninguno de estos archivos: {files}."),
            {"files": ", ".join(COLUMNS)},
        )
    return tables


def write_folder(folder: Path, tables: Mapping[str, Sequence[Mapping[str, str]]]) -> None:
    """The five files into `folder` (created if missing), replacing files of the same name."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, columns in COLUMNS.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(tables.get(name, ()))
