"""The applicant kiosk application: thin on purpose (style.md).

Bindings, theme, the stylesheet, the language, and the idle guard (K1) live here; each step of
the journey is a screen in `screens/`. Built by `make_app` so the command line and every test
make it the same way."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.theme import Theme

from kiosk.i18n import translator
from kiosk.settings import Settings
from screens.base import KioskScreen, translate_bindings
from screens.session import Session
from screens.text import use_language
from store.text import N_

# The stylesheets travel inside the packages, so an installed wheel finds them too
# (kiosk/kiosk.tcss is the repository's top-level kiosk.tcss, linked into the package).
CSS_FILE = Path(__file__).resolve().parent / "kiosk.tcss"
COUNTER_CSS_FILE = Path(__file__).resolve().parent.parent / "screens" / "counter" / "counter.tcss"
# K1: after the warning, this fraction of the idle time more without an answer resets.
GRACE_FRACTION = 3
# Seconds after start before the database is opened (and prepared) in a worker.
OPEN_STORE_AFTER = 0.3


# K5: black, white and one strong yellow; no meaning carried by a subtle shade.
HIGH_CONTRAST = Theme(
    name="kiosk-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFAA00",
    error="#FF4040",
    dark=True,
)


class KioskApp(App[None]):
    """Citas Kiosk in applicant mode: no way out, no palette, no staff screens (K2)."""

    CSS_PATH: ClassVar[Any] = str(CSS_FILE)
    TITLE = "Citas Kiosk"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        # K2: an applicant cannot leave; only a staff login closes the kiosk (F12).
        Binding("ctrl+q", "ignore", show=False, priority=True),
        Binding("ctrl+c", "ignore", show=False, priority=True),
        Binding("ctrl+z", "ignore", show=False, priority=True),
        Binding("f2", "switch_language", N_("Idioma / Language"), key_display="F2"),
        Binding("f12", "staff_exit", show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        store: Any,
        printer: Any,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        watch_idle: bool = True,
        blink: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        # The store may come as a function that opens it: the first screen is drawn before
        # SQLAlchemy and the migrations are even imported (quality.md: start ≤ 1.3×).
        self._store = None if callable(store) else store
        self._open_store = store if callable(store) else None
        self._store_lock = threading.Lock()
        self.printer = printer
        self.clock = store.clock if self._store is not None else settings.make_clock()
        self.session: Session | None = None
        self.language = settings.language
        self.idle_seconds = settings.idle_seconds
        self._monotonic = monotonic
        self._watch_idle = watch_idle
        self._blink = blink
        self._last_input = monotonic()
        self._warning: Any = None
        self.large_text = False
        self.high_contrast = False
        self._catalog: Any = None
        # restart_at keeps this many screens: Textual's default and the welcome (or, at the
        # counter, the screens the agent had open before assisting someone, C2).
        self.base_depth = 2
        use_language(self.language, translator(self.language))
        translate_bindings(self)

    @property
    def store(self) -> Any:
        """The Store; opened (and the database prepared) on first use, in a worker thread."""
        with self._store_lock:
            if self._store is None:
                assert self._open_store is not None
                self._store = self._open_store(self.clock)
            return self._store

    # -- start and reset --------------------------------------------------------------------

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = "textual-dark"
        self.push_screen(self.welcome())
        if self._store is None:
            # After the first paint: importing SQLAlchemy in a thread would compete with it.
            self.set_timer(OPEN_STORE_AFTER, self._open_store_in_background)
        if self._watch_idle:
            self.set_interval(1.0, self.guard_idle)
            self.set_interval(60.0, self._sweep_holds)

    def _open_store_in_background(self) -> None:
        self.run_worker(lambda: self.store, thread=True, exit_on_error=False)

    def welcome(self) -> KioskScreen:
        from screens.welcome import WelcomeScreen

        return WelcomeScreen()

    def reset(self) -> None:
        """K1: forget the person: session, every screen they saw, language and display choices."""
        self._warning = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.session = None
        self.set_display(large_text=False, high_contrast=False)
        self.language = self.settings.language
        use_language(self.language, translator(self.language))
        translate_bindings(self)
        self.switch_screen(self.welcome())
        self._last_input = self._monotonic()

    def end_session(self) -> None:
        """The applicant is done ("Terminar"): at a kiosk, everything is forgotten."""
        self.reset()

    def acting_staff(self) -> Any:
        """C2: the staff member acting for the applicant (None at a kiosk)."""
        return None

    def restart_at(self, screen: KioskScreen) -> None:
        """Drop every screen above the welcome (the form, the answers) and show `screen`."""
        while len(self.screen_stack) > self.base_depth:
            self.pop_screen()
        self.push_screen(screen)

    def restart_home_then(self, screen: KioskScreen) -> None:
        """After a booking or an enrolment: home underneath, the result on top."""
        from screens.home import HomeScreen

        self.restart_at(HomeScreen())
        self.push_screen(screen)

    @property
    def catalog(self) -> Any:
        """Regions, offices and procedures (read once; they change only with a new release)."""
        if self._catalog is None:
            self._catalog = self.store.catalog()
        return self._catalog

    def log_in(self, session: Session) -> None:
        """The applicant is known from now on; their language becomes the kiosk's."""
        self.session = session
        if (
            session.applicant.language in ("es", "en")
            and session.applicant.language != self.language
        ):
            self.set_language(session.applicant.language)

    # -- language and display (K4, K5) ------------------------------------------------------

    def action_switch_language(self) -> None:
        self.set_language("en" if self.language == "es" else "es")

    def set_language(self, language: str) -> None:
        """Switch language and redraw the current screen (and the footer) in it."""
        self.language = language
        use_language(language, translator(language))
        translate_bindings(self)
        for screen in self.screen_stack:
            if isinstance(screen, KioskScreen):
                translate_bindings(screen)
        if isinstance(self.screen, KioskScreen):
            self.call_later(self.screen.relabel)
        if self.session is not None:
            applicant_id = self.session.applicant_id
            self.run_worker(
                lambda: self.store.set_language(applicant_id, language),
                thread=True,
                exit_on_error=False,
            )

    def set_display(self, *, large_text: bool, high_contrast: bool) -> None:
        """K5: the high-contrast and large-text choices of the welcome screen."""
        self.large_text = large_text
        self.high_contrast = high_contrast
        self.set_class(large_text, "-large-text")
        self.set_class(high_contrast, "-high-contrast")
        self.theme = "kiosk-high-contrast" if high_contrast else "textual-dark"

    # -- K2: no way out for applicants ------------------------------------------------------

    def action_ignore(self) -> None:
        """Swallow quit and suspend keys."""

    def action_staff_exit(self) -> None:
        from screens.dialogs.staff_exit import StaffExitDialog

        def closed(allowed: bool | None) -> None:
            if allowed:
                self.exit()

        self.push_screen(StaffExitDialog(), closed)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Snapshots need a still cursor; people get the blinking one."""
        widget = event.widget
        if not self._blink and hasattr(widget, "cursor_blink"):
            widget.cursor_blink = False

    # -- K1: the idle guard -----------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp
        ):
            self._last_input = self._monotonic()
        await super().on_event(event)

    def idle_for(self) -> float:
        return self._monotonic() - self._last_input

    def guard_idle(self) -> None:
        """Warn after the idle time; reset after a third of it more without an answer."""
        from screens.dialogs.still_there import StillThereDialog

        idle = self.idle_for()
        if self._warning is not None:
            if idle >= self.idle_seconds / GRACE_FRACTION:
                self.reset()
            return
        if idle < self.idle_seconds:
            return
        if self.at_rest():
            return  # nothing to protect
        self._warning = StillThereDialog(
            lambda: self.idle_seconds / GRACE_FRACTION - self.idle_for()
        )
        self._last_input = self._monotonic()

        def answered(_still_here: bool | None) -> None:
            self._warning = None
            self._last_input = self._monotonic()

        self.push_screen(self._warning, answered)

    def at_rest(self) -> bool:
        """An untouched welcome screen: nobody's data to protect."""
        from screens.welcome import WelcomeScreen

        return isinstance(self.screen, WelcomeScreen) and self.session is None

    def _sweep_holds(self) -> None:
        """B6: lapsed holds free their seats even when nobody else touches that office."""
        self.run_worker(self.store.expire_holds, thread=True, exit_on_error=False)


class CounterApp(KioskApp):
    """Citas Kiosk on a counter desk (C1–C8): staff log in; roles decide what each sees.

    The applicant screens are the kiosk's own (assisted mode, C2): the agent opens them for the
    person at the desk, and every store call made there names the agent as the actor."""

    TITLE = "Citas Kiosk · Mesón"
    CSS_PATH = [str(CSS_FILE), str(COUNTER_CSS_FILE)]
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Salir"), show=False, priority=True),
        Binding("f2", "switch_language", N_("Idioma / Language"), key_display="F2"),
        Binding("f9", "log_out", N_("Cerrar sesión"), key_display="F9"),
    ]

    def __init__(self, settings: Settings, store: Any, printer: Any, **options: Any) -> None:
        super().__init__(settings, store, printer, **options)
        self.idle_seconds = settings.counter_idle_seconds
        self.staff: Any = None

    def welcome(self) -> KioskScreen:
        from screens.counter.login import StaffLoginScreen

        return StaffLoginScreen()

    def at_rest(self) -> bool:
        return self.staff is None

    def log_in_staff(self, staff: Any) -> None:
        """C1: the desk opens for this staff member and their role."""
        from screens.counter.desk import DeskScreen

        self.staff = staff
        self._last_input = self._monotonic()
        self.switch_screen(DeskScreen())

    def action_log_out(self) -> None:
        if self.staff is not None:
            self.reset()

    def reset(self) -> None:
        """Log out (F9, or the idle time, K1): back to the staff login, nothing kept."""
        self.staff = None
        self.base_depth = 2
        super().reset()

    # -- C2: assisted mode ------------------------------------------------------------------

    def acting_staff(self) -> Any:
        return self.staff.actor if self.staff is not None else None

    def assist(self, first: KioskScreen, applicant: Any = None) -> None:
        """Open the applicant screens on top of what the agent has open, acting for a person
        (already registered: `applicant`; or not yet: registration comes first)."""
        self.base_depth = len(self.screen_stack)
        if applicant is not None:
            self.session = Session(applicant, actor=self.acting_staff())
        self.push_screen(first)

    def log_in(self, session: Session) -> None:
        """A person registered at the desk logs in: the agent keeps acting (C2) in their
        own language."""
        session.actor = self.acting_staff()
        self.session = session

    def end_session(self) -> None:
        """The person at the desk is done: back to the agent's own screens."""
        self.session = None
        while len(self.screen_stack) > self.base_depth:
            self.pop_screen()
        self.base_depth = 2


def make_app(
    settings: Settings,
    store: Any = None,
    printer: Any = None,
    *,
    counter: bool = False,
    **options: Any,
) -> KioskApp:
    """The kiosk (or, with `counter`, the counter desk) for these settings; tests pass their
    own store (fixed clock) and printer."""
    return (CounterApp if counter else KioskApp)(
        settings,
        store if store is not None else settings.make_store(),
        printer if printer is not None else settings.make_printer(),
        **options,
    )
