"""Translations (K4). Message ids are Spanish, the first language; catalogues are compiled
from `kiosk/i18n/<lang>/LC_MESSAGES/kiosk.po` by `make` (pybabel compile)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).parent


class Translation:
    """A language's translation function (`t(msgid)`) and its plural rule
    (`t.plural(singular, plural, n)`, gettext's `ngettext`); Spanish returns the message ids
    themselves, by Spanish's rule (one is singular; zero and more are plural)."""

    def __init__(self, catalogue: gettext.NullTranslations | None = None) -> None:
        self._catalogue = catalogue

    def __call__(self, text: str) -> str:
        return self._catalogue.gettext(text) if self._catalogue else text

    def plural(self, singular: str, plural: str, n: int) -> str:
        if self._catalogue is None:
            return singular if n == 1 else plural
        return self._catalogue.ngettext(singular, plural, n)


@cache
def translator(language: str) -> Translation:
    """The translation function for a language; Spanish returns the message id itself."""
    if language == "es":
        return Translation()
    import gettext  # not for Spanish: a plain `kiosk` starts without it (issue 19)

    return Translation(
        gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)
    )
