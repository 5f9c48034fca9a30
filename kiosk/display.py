"""The call display of the waiting room (Q4): `kiosk display --office CODE`, on a TV.

Thin on purpose (style.md): the theme, the stylesheet, the language the screen speaks and the
store; what the display shows and when it reads is `screens/display.py`'s. Built by
`make_display_app`, so the command line, `kiosk serve display` and the tests make it alike."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, CSSPathType

from kiosk.i18n import translator
from screens.display import DisplayScreen
from screens.text import use_language

if TYPE_CHECKING:
    from kiosk.settings import Settings
    from store import Store
    from store.views import OfficeView

CSS_FILE = Path(__file__).resolve().parent / "display.tcss"


class DisplayApp(App[None]):
    """The waiting room's call display: no input expected, nothing to choose, no palette."""

    CSS_PATH: ClassVar[CSSPathType | None] = str(CSS_FILE)
    TITLE = "Citas Kiosk · Llamados"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        store: Store,
        office: OfficeView,
        *,
        language: str = "es",
        poll_seconds: float = 1.0,
        turn_seconds: float = 8.0,
    ) -> None:
        super().__init__()
        self._store = store
        self.office = office
        self.poll_seconds = poll_seconds
        self.turn_seconds = turn_seconds
        self.set_language(language)

    @property
    def store(self) -> Store:
        """The Store facade (the screen reads it in thread workers)."""
        return self._store

    def set_language(self, language: str) -> None:
        """Make the screens' `_` speak this language (K4; the display turns it, Q4)."""
        self.language = language
        use_language(language, translator(language))

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.push_screen(
            DisplayScreen(
                self.office.code,
                self.office.name,
                poll_seconds=self.poll_seconds,
                turn_seconds=self.turn_seconds,
            )
        )


def make_display_app(
    settings: Settings,
    store: Store,
    office: OfficeView,
    *,
    poll_seconds: float = 1.0,
    turn_seconds: float = 8.0,
) -> DisplayApp:
    """The call display of `office` for these settings (its first language: theirs); tests
    give their own store, and fast or very slow intervals."""
    return DisplayApp(
        store,
        office,
        language=settings.language,
        poll_seconds=poll_seconds,
        turn_seconds=turn_seconds,
    )
