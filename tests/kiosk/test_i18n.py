"""K4: every user-visible string is translatable; English and Kreyòl are complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
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
            ROOT / directory, keywords={"N_": None, "_": None, "n_": (1, 2)}
        ):
            found.add(_singular(message))
    return found


@pytest.mark.parametrize("language", ["en", "ht"])
def test_k4_each_language_is_complete_and_keeps_named_values(language: str) -> None:
    """Every message the code can show has a translation, every plural form is filled in, and
    a translation names only values its Spanish has (a `{name}` of its own would fail when the
    sentence is filled in)."""
    path = ROOT / f"kiosk/i18n/{language}/LC_MESSAGES/kiosk.po"
    with path.open("rb") as handle:
        messages = [m for m in read_po(handle) if m.id]
    catalogue = {_singular(m.id): _singular(m.string) for m in messages}
    missing = sorted(_msgids() - set(catalogue))
    assert missing == [], f"add these to {path.relative_to(ROOT)}: {missing}"
    for message in messages:
        forms = message.string if isinstance(message.string, (tuple, list)) else [message.string]
        assert all(forms), f"a form of {_singular(message.id)!r} is empty"
        ids = message.id if isinstance(message.id, (tuple, list)) else [message.id]
        allowed = {p for msgid in ids for p in PLACEHOLDER.findall(msgid)}
        for text in forms:
            assert set(PLACEHOLDER.findall(text or "")) <= allowed, (language, message.id, text)


def test_k4_translator_falls_back_to_spanish() -> None:
    from kiosk.i18n import translator

    assert translator("es")("Registro completado") == "Registro completado"
    assert translator("en")("Registro completado") == "Registration complete"
    assert translator("en")("no such message") == "no such message"
    assert translator("ht")("Registro completado") == "Anrejistreman an fini"
    assert translator("ht")("no such message") == "no such message"


def test_k4_counts_take_the_form_of_each_language_for_0_1_and_2() -> None:
    """ngettext (issue 16): "1 persona", "2 personas", "0 personas"; "1 person is", "2 people
    are", "0 people are"."""
    from kiosk.i18n import translator
    from screens.text import n_, use_language

    singular, plural = (
        "Ahora hay {count} persona en espera.",
        "Ahora hay {count} personas en espera.",
    )
    expected = {
        "es": {
            0: "Ahora hay 0 personas en espera.",
            1: "Ahora hay 1 persona en espera.",
            2: "Ahora hay 2 personas en espera.",
        },
        "en": {
            0: "0 people are waiting now.",
            1: "1 person is waiting now.",
            2: "2 people are waiting now.",
        },
        # Kreyòl nouns do not change with the count: "1 moun", "2 moun".
        "ht": {
            0: "Kounye a gen 0 moun k ap tann.",
            1: "Kounye a gen 1 moun k ap tann.",
            2: "Kounye a gen 2 moun k ap tann.",
        },
    }
    try:
        for language, forms in expected.items():
            use_language(language, translator(language))
            assert {n: n_(singular, plural, n) for n in forms} == forms
    finally:
        use_language("es", translator("es"))


def test_k4_kreyol_days_and_months_are_kreyol_not_babels_french() -> None:
    """Babel has no `ht` and answers in French; the product's own names are used instead."""
    from datetime import date, timedelta

    from store.daywords import long_day, short_day, weekday_names

    monday = date(2026, 11, 30)
    assert long_day(monday, "ht") == "lendi 30 novanm 2026"
    assert short_day(monday + timedelta(days=2), "ht") == "mèk 2 des"
    assert weekday_names("ht")[6] == "dimanch"
    assert long_day(monday, "en") == "Monday, 30 November 2026"
    assert long_day(monday, "es") == "lunes, 30 de noviembre de 2026"
    french = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
    months = {long_day(date(2026, m, 1), "ht").split()[2] for m in range(1, 13)}
    assert len(months) == 12 and not months & {"janvier", "février", "juillet", "août", "décembre"}
    assert not set(weekday_names("ht")) & french
