"""K4: every user-visible string is translatable and English is complete."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _singular(text: str | tuple[str, ...] | list[str] | None) -> str:
    """A message's id or text ("" for none); for a plural message, its singular form."""
    if text is None or isinstance(text, str):
        return text or ""
    return text[0]


def _msgids() -> set[str]:
    found: set[str] = set()
    for directory in ("store", "kiosk", "screens", "receipts"):
        if not (ROOT / directory).exists():
            continue
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / directory, keywords={"N_": None, "_": None}
        ):
            found.add(_singular(message))
    return found


def test_k4_english_is_complete_and_keeps_named_values() -> None:
    with (ROOT / "kiosk/i18n/en/LC_MESSAGES/kiosk.po").open("rb") as handle:
        catalogue = {_singular(m.id): _singular(m.string) for m in read_po(handle) if m.id}
    missing = sorted(_msgids() - set(catalogue))
    assert missing == [], f"add these to kiosk/i18n/en/LC_MESSAGES/kiosk.po: {missing}"
    for msgid, text in catalogue.items():
        assert text, f"empty English for {msgid!r}"
        wanted = {p.removesuffix("_en") for p in PLACEHOLDER.findall(text)}
        assert wanted <= set(PLACEHOLDER.findall(msgid)), msgid


def test_k4_translator_falls_back_to_spanish() -> None:
    from kiosk.i18n import translator

    assert translator("es")("Registro completado") == "Registro completado"
    assert translator("en")("Registro completado") == "Registration complete"
    assert translator("en")("no such message") == "no such message"
