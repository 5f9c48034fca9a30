"""Translations (K4). Message ids are Spanish, the first language; catalogues are compiled
from `kiosk/i18n/<lang>/LC_MESSAGES/kiosk.po` by `make` (pybabel compile)."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).parent


def _spanish(text: str) -> str:
    return text


@cache
def translator(language: str) -> Callable[[str], str]:
    """The translation function for a language; Spanish returns the message id itself."""
    if language == "es":
        return _spanish
    catalogue = gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True
    )
    return catalogue.gettext
