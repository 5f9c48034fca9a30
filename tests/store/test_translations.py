"""K4 (issue 16): a procedure's name and its documents in any language, in their own tables.

The migration keeps the English entered before; a catalogue file's `name_<language>` and
`text_<language>` columns set them; a language with nothing entered shows the Spanish."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from store import Store
from tests.conftest import BACKENDS

CATALOG = Path(__file__).resolve().parents[2] / "store/data/catalog"


def _write(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    folder.mkdir(exist_ok=True)
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _procedure(store: Store, code: str) -> object:
    return next(p for p in store.catalog().procedures if p.code == code)


@pytest.mark.parametrize("empty_url", BACKENDS, indirect=True)
def test_k4_the_upgrade_keeps_the_english_entered_before(empty_url: str) -> None:
    """A store at 0009 kept English in procedures.name_en and procedure_documents.text_en; after
    the upgrade the same English is read from the translation tables, an empty one is no
    translation (the Spanish shows), and the old columns are gone."""
    from alembic import command

    from store import db

    store = Store(empty_url)
    with store.database.engine.connect() as connection:
        command.upgrade(db.alembic_config(connection), "0009")
        connection.commit()
    with store.database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO procedures (id, code, name, name_en, minutes) VALUES "
                "(1, 'RT', 'Residencia temporal', 'Temporary residence', 30), "
                "(2, 'CR', 'Certificado', '', 15)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO procedure_documents (id, procedure_id, position, text, text_en) "
                "VALUES (1, 1, 1, 'Pasaporte', 'Passport'), (2, 1, 2, 'Foto', '  ')"
            )
        )
    store.upgrade()
    rt, cr = _procedure(store, "RT"), _procedure(store, "CR")
    assert rt.name_in("en") == "Temporary residence"  # type: ignore[attr-defined]
    assert rt.documents_in("en") == ("Passport", "Foto")  # type: ignore[attr-defined]
    assert cr.name_in("en") == "Certificado"  # type: ignore[attr-defined]
    assert rt.name_in("ht") == "Residencia temporal"  # type: ignore[attr-defined]
    columns = {c["name"] for c in sa.inspect(store.database.engine).get_columns("procedures")}
    assert "name_en" not in columns
    store.close()


def test_k4_the_shipped_catalogue_names_every_procedure_and_document_in_kreyol(
    store: Store, tmp_path: Path
) -> None:
    """The files the demo and a new store are set up from carry Kreyòl for everything."""
    store.load_catalog(CATALOG)
    for procedure in store.catalog().procedures:
        assert procedure.name_in("ht") != procedure.name, procedure.code
        translated = procedure.documents_in("ht")
        assert len(translated) == len(procedure.documents)
        assert not set(translated) & set(procedure.documents), procedure.code
    store.export_catalog(tmp_path / "out")
    with (tmp_path / "out/procedures.csv").open(encoding="utf-8") as handle:
        header = handle.readline().strip()
    assert header == "code,name,name_en,name_ht,minutes"


def test_k4_a_file_sets_removes_and_leaves_a_languages_names(store: Store, tmp_path: Path) -> None:
    store.load_catalog(CATALOG)
    # A file with only Spanish and Kreyòl: the English stays as it was, the Kreyòl changes.
    _write(
        tmp_path / "a",
        "procedures.csv",
        [
            {
                "code": "CR",
                "name": "Certificado de residencia",
                "name_ht": "Papye rezidans",
                "minutes": "15",
            }
        ],
    )
    _write(
        tmp_path / "a",
        "documents.csv",
        [
            {
                "procedure": "CR",
                "position": "1",
                "text": "Cédula de identidad para extranjeros o pasaporte",
                "text_ht": "Cédula oswa paspò",
            }
        ],
    )
    counts = store.load_catalog(tmp_path / "a")
    assert counts["procedures"] == {"added": 0, "changed": 1}
    assert counts["documents"] == {"added": 0, "changed": 1}
    cr = _procedure(store, "CR")
    assert cr.name_in("ht") == "Papye rezidans"  # type: ignore[attr-defined]
    assert cr.name_in("en") == "Residence certificate"  # type: ignore[attr-defined]
    assert cr.documents_in("ht") == ("Cédula oswa paspò",)  # type: ignore[attr-defined]
    assert store.load_catalog(tmp_path / "a")["procedures"] == {"added": 0, "changed": 0}
    # An empty value removes that language's name: the Spanish shows again.
    _write(
        tmp_path / "b",
        "procedures.csv",
        [{"code": "CR", "name": "Certificado de residencia", "name_ht": "", "minutes": "15"}],
    )
    store.load_catalog(tmp_path / "b")
    assert _procedure(store, "CR").name_in("ht") == "Certificado de residencia"  # type: ignore[attr-defined]
    # A column that is not a language the product speaks is refused, naming the file.
    _write(
        tmp_path / "c",
        "procedures.csv",
        [{"code": "CR", "name": "Certificado", "name_fr": "Certificat", "minutes": "15"}],
    )
    from store.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"procedures\.csv"):
        store.load_catalog(tmp_path / "c")


def test_k4_a_notice_reads_the_procedure_in_the_readers_language() -> None:
    """Notices keep every language's name of their procedure; one written before issue 16
    kept only `procedure_en`, and still reads in English."""
    from store.text import Message, localised

    new = Message("{procedure}", {"procedure": "Residencia", "procedure_names": {"ht": "Rezidans"}})
    assert localised(new, "ht").render() == "Rezidans"
    assert localised(new, "en").render() == "Residencia"  # none given: the Spanish
    old = Message("{procedure}", {"procedure": "Residencia", "procedure_en": "Residence"})
    assert localised(old, "en").render() == "Residence"
    assert localised(old, "ht").render() == "Residencia"
