"""The office bundle as a file (O4): one SQLite database, written with sqlite-utils, that anyone
can open (`sqlite-utils tables bundle.db --counts`) to see what a store sent.

Inside:
- `manifest` (key, value): the format version, the sending store (`store`), the store it is
  for (`to`), the office it is about, the watermarks it covers (`since_*`, `upto_*`), what the
  sender has imported from the receiver (`ack_*`) and when it was written;
- `contents` (name, rows, sha256, columns, key): per table, its row count and a SHA-256 of its
  canonical content (rows in key order, each a JSON list);
- `signature` (store, algorithm, hmac): HMAC-SHA256 over the manifest and the contents, with
  the sending store's key;
- one table per kind of row (store/services/sync.py says which).

After the database's last page comes a seal: a marker and an HMAC-SHA256 of every byte before
it, with the same key. SQLite ignores bytes after its last page, so the file still opens
anywhere; the seal makes any changed byte refuse the bundle, even one in a page's unused space
that no checksum of the content would see, and a bundle cut short has no seal.

Reading checks everything before anyone writes: the file, the format, who sent it and for whom,
the signature, the seal, then every table's count and checksum. Each refusal is one sentence
(InvalidInput on the field `bundle`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store.errors import InvalidInput
from store.text import N_

FORMAT = 1
CENTRAL = "CENTRAL"
SQLITE_HEADER = b"SQLite format 3\x00"
SEAL_MARK = b"\n-- citas-kiosk bundle seal --\n"
SEAL_SIZE = len(SEAL_MARK) + 64  # the mark and a hex HMAC-SHA256
KEY_MIN = 16  # characters of a bundle key, at least
_BOOKKEEPING = ("manifest", "contents", "signature")

Value = int | str | None


@dataclass(frozen=True)
class Table:
    """One kind of row as it travels: its columns (the key first), whether each is an integer,
    and its rows as tuples in the columns' order."""

    columns: tuple[str, ...]
    key: tuple[str, ...]
    integers: frozenset[str]
    rows: list[tuple[Value, ...]]

    def dicts(self) -> list[dict[str, Value]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Bundle:
    manifest: dict[str, str]
    tables: dict[str, Table]

    def number(self, key: str) -> int:
        return int(self.manifest.get(key) or 0)


def refuse(msgid: str, **params: object) -> InvalidInput:
    return InvalidInput("bundle", msgid, params)


def bundle_key(text: str | None, variable: str = "KIOSK_BUNDLE_KEY") -> bytes:
    """The key a store signs its bundles with; a missing or short one is refused (no unsigned
    bundle is ever written)."""
    if not text or not text.strip():
        raise refuse(
            N_("Falta la clave de firma: defina {variable} (al menos {count} caracteres)."),
            variable=variable,
            count=KEY_MIN,
        )
    if len(text.strip()) < KEY_MIN:
        raise refuse(
            N_("La clave de firma de {variable} es muy corta: use al menos {count} caracteres."),
            variable=variable,
            count=KEY_MIN,
        )
    return text.strip().encode("utf-8")


def trusted_keys(path: Path | None) -> dict[str, bytes]:
    """KIOSK_BUNDLE_TRUST: a TOML file of `CODE = "key"`, the stores whose bundles are taken."""
    if path is None:
        raise refuse(
            N_(
                "Falta la lista de bases de datos de confianza: defina KIOSK_BUNDLE_TRUST con un "
                'archivo TOML de líneas CÓDIGO = "clave".'
            )
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise refuse(
            N_("No se puede leer el archivo de confianza {path}."), path=str(path)
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        raise refuse(
            N_('El archivo de confianza {path} no es TOML de líneas CÓDIGO = "clave".'),
            path=str(path),
        ) from None
    keys = {}
    for code, key in data.items():
        if not isinstance(key, str):
            raise refuse(
                N_("En {path}, la clave de {code} debe ir entre comillas."),
                path=str(path),
                code=code,
            )
        keys[code.upper()] = bundle_key(key, f"{path}: {code}")
    return keys


def checksum(rows: Sequence[Sequence[Value]]) -> str:
    """SHA-256 of a table's canonical content: its rows sorted, each as a compact JSON list."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=_sort_key):
        digest.update(json.dumps(list(row), ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _sort_key(row: Sequence[Value]) -> list[tuple[int, Any]]:
    return [(0, "") if v is None else (1, v) if isinstance(v, int) else (2, v) for v in row]


def _signed_text(manifest: Mapping[str, str], contents: Sequence[Sequence[Value]]) -> bytes:
    body = {"manifest": dict(sorted(manifest.items())), "contents": sorted(map(list, contents))}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _mac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def write(path: Path, manifest: Mapping[str, str], tables: Mapping[str, Table], key: bytes) -> int:
    """Write the bundle to `path` (replaced whole, never half written); returns its size."""
    import sqlite_utils

    contents: list[tuple[Value, ...]] = []
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=".bundle-", suffix=".tmp", dir=folder)
    except OSError:
        raise refuse(
            N_("No se puede escribir en {folder}: elija una carpeta que exista y sea suya."),
            folder=str(folder),
        ) from None
    os.close(handle)
    os.unlink(temporary)
    try:
        db = sqlite_utils.Database(temporary)
        with db.conn:
            for name, table in tables.items():
                types = {c: int if c in table.integers else str for c in table.columns}
                db.table(name).create(types, pk=table.key if len(table.key) > 1 else table.key[0])
                db.table(name).insert_all(table.dicts(), batch_size=2000)
                contents.append(
                    (
                        name,
                        len(table.rows),
                        checksum(table.rows),
                        json.dumps(list(table.columns)),
                        json.dumps(list(table.key)),
                    )
                )
            db.table("manifest").insert_all(
                [{"key": k, "value": v} for k, v in sorted(manifest.items())], pk="key"
            )
            db.table("contents").insert_all(
                [
                    {"name": n, "rows": r, "sha256": s, "columns": c, "key": k}
                    for n, r, s, c, k in contents
                ],
                pk="name",
            )
            db.table("signature").insert(
                {
                    "store": manifest["store"],
                    "algorithm": "HMAC-SHA256",
                    "hmac": _mac(key, _signed_text(manifest, contents)),
                }
            )
        db.conn.execute("VACUUM")
        db.close()
        body = Path(temporary).read_bytes()
        with open(temporary, "ab") as out:
            out.write(SEAL_MARK + _mac(key, body).encode("ascii"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)  # K7: it holds people's data
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path.stat().st_size


def read(path: Path, *, own_code: str, trust: Mapping[str, bytes]) -> Bundle:
    """The bundle at `path`, every check passed; else one refusal saying what is wrong."""
    try:
        data = path.read_bytes()
    except OSError:
        raise refuse(N_("No se puede leer el archivo {path}."), path=str(path)) from None
    not_bundle = refuse(N_("{path} no es un paquete de oficina de este programa."), path=path.name)
    if not data.startswith(SQLITE_HEADER):
        raise not_bundle
    sealed = len(data) > SEAL_SIZE and data[-SEAL_SIZE:].startswith(SEAL_MARK)
    body = data[:-SEAL_SIZE] if sealed else data
    damaged = refuse(
        N_("El paquete {path} está dañado o incompleto: no se importó nada; pida otro."),
        path=path.name,
    )
    connection = sqlite3.connect(":memory:")
    try:
        # Read as a rollback-journal database (bytes 18-19): our bundles are; an office's own
        # file in WAL mode would not open from memory, and must be told apart from a bundle.
        connection.deserialize(body[:18] + b"\x01\x01" + body[20:])
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if not set(_BOOKKEEPING) <= names:
            raise not_bundle
        manifest = {
            str(k): str(v) for k, v in connection.execute("SELECT key, value FROM manifest")
        }
        contents = [tuple(r) for r in connection.execute("SELECT * FROM contents")]
        signatures = list(connection.execute("SELECT store, algorithm, hmac FROM signature"))
        _check_sender(path, manifest, own_code)
        key = trust.get(manifest["store"])
        if key is None:
            raise refuse(
                N_(
                    "El paquete viene de {store}, que no está en la lista de confianza de esta "
                    "base de datos (KIOSK_BUNDLE_TRUST): no se importó nada."
                ),
                store=manifest["store"],
            )
        expected = _mac(key, _signed_text(manifest, contents))
        if len(signatures) != 1 or not hmac.compare_digest(str(signatures[0][2]), expected):
            raise refuse(
                N_(
                    "La firma del paquete no corresponde a la clave de {store}: fue firmado con "
                    "otra clave o modificado. No se importó nada."
                ),
                store=manifest["store"],
            )
        if not sealed:
            raise damaged
        if not hmac.compare_digest(data[-64:].decode("ascii", "replace"), _mac(key, body)):
            raise refuse(
                N_("El paquete {path} fue modificado después de firmarse: no se importó nada."),
                path=path.name,
            )
        tables = {}
        for name, count, sha, columns_json, key_json in contents:
            columns = tuple(json.loads(str(columns_json)))
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = [tuple(r) for r in connection.execute(f'SELECT {quoted} FROM "{name}"')]
            if len(rows) != count or checksum(rows) != sha:
                raise refuse(
                    N_("La tabla {table} del paquete no coincide con su suma de control."),
                    table=name,
                )
            integers = frozenset(
                c for c, kind in _column_kinds(connection, str(name)).items() if kind == "INTEGER"
            )
            tables[str(name)] = Table(columns, tuple(json.loads(str(key_json))), integers, rows)
    except sqlite3.DatabaseError:
        raise damaged from None
    except (KeyError, ValueError, TypeError):  # a manifest without what every bundle has
        raise not_bundle from None
    finally:
        connection.close()
    return Bundle(manifest, tables)


def _column_kinds(connection: sqlite3.Connection, table: str) -> dict[str, str]:
    return {
        str(r[1]): str(r[2]).upper() for r in connection.execute(f'PRAGMA table_info("{table}")')
    }


def _check_sender(path: Path, manifest: Mapping[str, str], own_code: str) -> None:
    if int(manifest["format"]) > FORMAT:
        raise refuse(
            N_(
                "El paquete tiene el formato {found}, más nuevo que el de este programa ({ours}): "
                "actualice el programa antes de importarlo."
            ),
            found=manifest["format"],
            ours=FORMAT,
        )
    if manifest["store"] == own_code:
        raise refuse(
            N_("{path} lo exportó esta misma base de datos ({store}): no se importa lo propio."),
            path=path.name,
            store=own_code,
        )
    if manifest["to"] != own_code:
        raise refuse(
            N_("El paquete es para {to}, no para esta base de datos ({store})."),
            to=manifest["to"],
            store=own_code,
        )
