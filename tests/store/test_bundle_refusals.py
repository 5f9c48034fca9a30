"""O4: a bad bundle is refused whole, before anything is written, with one sentence: a byte
changed anywhere, a bundle cut short, a wrong or unknown key, a newer format, a store's own
export, a bundle for another store, and a file that is no bundle at all."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from store import bundle
from store.bundle import CENTRAL
from store.errors import InvalidInput
from tests.store.bundle_sites import KEYS, TRUST, Site, dump, offline_day


@pytest.fixture
def sent(offices: dict[str, Site], tmp_path: Path) -> Path:
    """A good bundle from STG's day, for the central store."""
    offline_day(offices)
    path = tmp_path / "stg.bundle"
    offices["STG"].export(path)
    return path


def _refused(site: Site, path: Path, *, trust: dict[str, bytes] | None = None) -> str:
    before = dump(site.store)
    with pytest.raises(InvalidInput) as refusal:
        site.store.import_bundle(
            path,
            store_code=site.code,
            trust=TRUST[site.code] if trust is None else trust,
            actor=site.supervisor.actor,
        )
    assert refusal.value.field == "bundle"
    assert dump(site.store) == before, "a refused bundle wrote something"
    message = refusal.value.render()
    assert "\n" not in message and "Traceback" not in message
    return message


def test_o4_any_byte_changed_is_refused(central: Site, sent: Path, tmp_path: Path) -> None:
    data = sent.read_bytes()
    rng = random.Random(17)
    # Everywhere: the header, the pages (data, indexes, free space), the seal.
    positions = sorted(
        {0, 20, 100, len(data) // 2, len(data) - 1, *rng.sample(range(len(data)), 40)}
    )
    changed = tmp_path / "changed.bundle"
    for position in positions:
        copy = bytearray(data)
        copy[position] ^= 0x01
        changed.write_bytes(bytes(copy))
        _refused(central, changed)
    assert central.take(sent)["bookings"]["inserted"] == 1  # the untouched one is taken


def test_o4_a_bundle_cut_short_is_refused(central: Site, sent: Path, tmp_path: Path) -> None:
    data = sent.read_bytes()
    cut = tmp_path / "cut.bundle"
    for size in (len(data) - 1, len(data) // 2, 4096, 100):
        cut.write_bytes(data[:size])
        _refused(central, cut)
    cut.write_bytes(data[: -bundle.SEAL_SIZE])  # the database whole, its seal gone
    assert "incompleto" in _refused(central, cut)


def test_o4_a_wrong_or_unknown_key_is_refused(
    central: Site, offices: dict[str, Site], sent: Path, tmp_path: Path
) -> None:
    forged = tmp_path / "forged.bundle"
    offices["STG"].store.export_bundle(
        forged,
        office="STG",
        store_code="STG",
        key=b"not-the-santiago-key-0000",
        actor=offices["STG"].supervisor.actor,
    )
    assert "no corresponde a la clave de STG" in _refused(central, forged)
    assert "confianza" in _refused(central, sent, trust={"VAP": KEYS["VAP"]})


def test_o4_a_newer_format_is_refused(central: Site, sent: Path, tmp_path: Path) -> None:
    got = bundle.read(sent, own_code=CENTRAL, trust=TRUST[CENTRAL])
    newer = tmp_path / "newer.bundle"
    bundle.write(newer, {**got.manifest, "format": str(bundle.FORMAT + 1)}, got.tables, KEYS["STG"])
    assert "formato" in _refused(central, newer)


def test_o4_a_stores_own_export_and_a_bundle_for_another_are_refused(
    central: Site, offices: dict[str, Site], sent: Path, tmp_path: Path
) -> None:
    central.take(sent)
    own = tmp_path / "own.bundle"
    central.export(own, office="STG")
    assert "misma base de datos" in _refused(central, own, trust={CENTRAL: KEYS[CENTRAL]})
    assert "VAP" in _refused(offices["VAP"], own)  # it is for STG


def test_o4_what_is_not_a_bundle_is_refused(
    central: Site, offices: dict[str, Site], tmp_path: Path
) -> None:
    noise = tmp_path / "noise.bundle"
    noise.write_bytes(random.Random(3).randbytes(20_000))
    _refused(central, noise)
    empty = tmp_path / "empty.bundle"
    empty.write_bytes(b"")
    _refused(central, empty)
    other = tmp_path / "other.db"  # a SQLite database, but not a bundle: an office's own file
    offices["STG"].store.close()
    shutil.copy(offices["STG"].store.url.removeprefix("sqlite:///"), other)
    sqlite3.connect(other).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    assert "no es un paquete" in _refused(central, other)
    assert "No se puede leer" in _refused(central, tmp_path / "missing.bundle")


def test_o4_a_missing_key_is_refused_before_any_bundle_is_written(tmp_path: Path) -> None:
    for text in (None, "", "   ", "short"):
        with pytest.raises(InvalidInput):
            bundle.bundle_key(text)
    trust = tmp_path / "trust.toml"
    trust.write_text('CENTRAL = "central-key-0123456789"\nSTG = 7\n', encoding="utf-8")
    with pytest.raises(InvalidInput):
        bundle.trusted_keys(trust)
    with pytest.raises(InvalidInput):
        bundle.trusted_keys(None)
    trust.write_text('CENTRAL = "central-key-0123456789"\n', encoding="utf-8")
    assert bundle.trusted_keys(trust) == {CENTRAL: b"central-key-0123456789"}


def _seal(path: Path, key: bytes) -> None:
    """Seal the file as its sender would (what a holder of the key could do)."""
    import hashlib
    import hmac

    body = path.read_bytes()
    path.write_bytes(
        body + bundle.SEAL_MARK + hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    )


def test_o4_a_table_that_does_not_match_its_checksum_is_refused(
    central: Site, sent: Path, tmp_path: Path
) -> None:
    """Rows changed after the manifest was signed, even with the file sealed again."""
    changed = tmp_path / "rows-changed.bundle"
    shutil.copy(sent, changed)
    body = changed.read_bytes()[: -bundle.SEAL_SIZE]
    changed.write_bytes(body)
    connection = sqlite3.connect(changed)
    connection.execute("UPDATE bookings SET status = 'cancelled'")
    connection.commit()
    connection.close()
    _seal(changed, KEYS["STG"])
    assert "suma de control" in _refused(central, changed)


def test_o4_a_bundle_is_written_where_it_can_be_or_not_at_all(
    offices: dict[str, Site], tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        offices["STG"].export(tmp_path / "no-such-folder" / "stg.bundle")
    assert "No se puede escribir" in refusal.value.render()
    assert not (tmp_path / "no-such-folder").exists()
