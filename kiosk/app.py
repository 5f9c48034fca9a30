"""The applicant kiosk and the counter desk: thin on purpose (style.md).

Bindings, theme, the stylesheet, the language, the person's session and the idle guard (K1) live
here, and the screen each app opens on. Which screen follows which is the journey's
(`screens/journey.py`): every outcome a screen posts is handed to it. Built by `make_app` so the
command line and every test make it the same way."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events, on
from textual.app import App, CSSPathType
from textual.binding import Binding
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from kiosk.i18n import translator
from kiosk.settings import Settings
from screens.base import KioskScreen, Outcome, redraw_in_language, translate_bindings
from screens.text import use_language
from screens.welcome import WelcomeScreen
from store.text import LANGUAGES, N_

if TYPE_CHECKING:
    from textual.screen import Screen

    from receipts.printer import Printer
    from screens.dialogs.still_there import StillThereDialog
    from screens.journey import CounterJourney, Journey
    from screens.session import Session
    from store import Store
    from store.clock import Clock
    from store.views import Actor, Catalog, StaffView

    StoreOpener = Callable[[Clock], Store]

# The stylesheets travel inside the packages, so an installed wheel finds them too
# (kiosk/kiosk.tcss is the repository's top-level kiosk.tcss, linked into the package).
CSS_FILE = Path(__file__).resolve().parent / "kiosk.tcss"
COUNTER_CSS_FILE = Path(__file__).resolve().parent.parent / "screens" / "counter" / "counter.tcss"
# Where kiosk.tcss's rules that the welcome screen does not use begin (issue 19).
LATER_RULES = "/* ===== After the first screen ====="
log = logging.getLogger("kiosk.app")
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

    # kiosk.tcss, read by __init__ in two parts (issue 19): the welcome screen's rules for the
    # first frame, the others once it is up (`_add_later_rules`).
    CSS_PATH: ClassVar[CSSPathType | None] = None
    TITLE = "Citas Kiosk"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        # K2: an applicant cannot leave; only a staff login closes the kiosk (F12).
        Binding("ctrl+q", "ignore", show=False, priority=True),
        Binding("ctrl+c", "ignore", show=False, priority=True),
        Binding("ctrl+z", "ignore", show=False, priority=True),
        # K4: priority, so F2 reaches the app from inside a dialog too (a modal screen stops
        # the other bindings of the app).
        Binding(
            "f2", "switch_language", N_("Idioma / Language / Lang"), key_display="F2", priority=True
        ),
        Binding("f12", "staff_exit", show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        store: Store | StoreOpener,
        printer: Printer,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        watch_idle: bool = True,
        blink: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        # The store may come as a function that opens it: the first screen is drawn before
        # SQLAlchemy and the migrations are even imported (quality.md: start ≤ 1.3×).
        self._store: Store | None = None if callable(store) else store
        self._open_store: StoreOpener | None = store if callable(store) else None
        self._store_lock = threading.Lock()
        # The last background job asked for: the next one waits for it (in_background).
        self._background_done: threading.Event | None = None
        self.printer = printer
        # Made on first use (store.clock imports zoneinfo, which the welcome screen does not
        # need); then the one clock of the app and of its store.
        self._clock: Clock | None = self._store.clock if self._store is not None else None
        self._clock_lock = threading.Lock()
        self.session: Session | None = None
        self.staff: StaffView | None = None
        self.desk_counter: int | None = None
        self.language = settings.language
        self.language_chosen = False
        self._monotonic = monotonic
        self._watch_idle = watch_idle
        self._blink = blink
        self._last_input = monotonic()
        self._warning: StillThereDialog | None = None
        self.large_text = False
        self.high_contrast = False
        self._catalog: Catalog | None = None
        self._journey: Journey | None = None
        self._opened_on: KioskScreen | None = None
        use_language(self.language, translator(self.language))
        translate_bindings(self)
        self._later_rules = ""
        if self.CSS_PATH is None:
            first, mark, later = CSS_FILE.read_text(encoding="utf-8").partition(LATER_RULES)
            self.stylesheet.add_source(first, read_from=(str(CSS_FILE), ""), is_default_css=False)
            # Blank lines for the first part: the file's own line numbers in a message.
            self._later_rules = "\n" * first.count("\n") + mark + later

    def _add_later_rules(self) -> None:
        """The rules of kiosk.tcss that the welcome screen does not use (issue 19), once: after
        the first frame, or before any other screen or dialog shows."""
        if self._later_rules:
            rules, self._later_rules = self._later_rules, ""
            self.stylesheet.add_source(rules, read_from=(str(CSS_FILE), "…"), is_default_css=False)
            self.stylesheet.update(self)

    def _load_screen_css(self, screen: Screen[object]) -> None:
        """Textual's, as each screen is shown; every screen but the welcome screen (the first
        one, and one after a reset) needs all of kiosk.tcss."""
        if self._opened_on is not None and not isinstance(screen, WelcomeScreen):
            self._add_later_rules()
        super()._load_screen_css(screen)

    @property
    def clock(self) -> Clock:
        """The one clock of the app and of its store (`KIOSK_NOW` stands it still)."""
        with self._clock_lock:  # the screens and the worker opening the store may ask at once
            if self._clock is None:
                self._clock = self.settings.make_clock()
            return self._clock

    @property
    def idle_seconds(self) -> int:
        """K1: how long a kiosk waits before asking "¿Sigue ahí?"."""
        return self.settings.idle_seconds

    @property
    def kiosk_office(self) -> str | None:
        """Q1, Q2: KIOSK_OFFICE, the office whose waiting room this kiosk stands in."""
        return self.settings.office

    def first_screen(self) -> KioskScreen:
        """The screen a new person meets."""
        return WelcomeScreen()

    @property
    def journey(self) -> Journey:
        """Who decides what comes after each step. Its module knows every screen, so it is
        loaded after the first screen is drawn (quality.md: start ≤ 1.3×)."""
        if self._journey is None:
            self._journey = self.make_journey()
        return self._journey

    def make_journey(self) -> Journey:
        """The applicant's journey."""
        from screens.journey import Journey

        return Journey(self, self._opened_on)

    @property
    def store(self) -> Store:
        """The Store; opened (and the database prepared) on first use, in a worker thread."""
        with self._store_lock:
            if self._store is None:
                assert self._open_store is not None
                self._store = self._open_store(self.clock)
            return self._store

    @property
    def catalog(self) -> Catalog:
        """Regions, offices and procedures (read once; they change only with a new release)."""
        if self._catalog is None:
            self._catalog = self.store.catalog()
        return self._catalog

    def export_folder(self) -> Path:
        """C7: where CSV exports go."""
        return self.settings.exports()

    def acting_staff(self) -> Actor | None:
        """C2: the staff member acting for the applicant (None at a kiosk)."""
        return None

    # -- start, each step, reset ------------------------------------------------------------

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = "textual-dark"
        self._opened_on = self.first_screen()
        self.push_screen(self._opened_on)
        if self._store is not None and self._store.is_training():  # a store given open
            self.add_class("-training")
        # After the first paint: importing SQLAlchemy or every screen in a thread now would
        # compete with it.
        self.set_timer(OPEN_STORE_AFTER, self._prepare_in_background)
        if self._watch_idle:
            self.set_interval(1.0, self.guard_idle)
            self.set_interval(60.0, self._sweep_holds)

    def _prepare_in_background(self) -> None:
        """Open the store and load the journey's screens before the first person needs them.
        The start is over: Python's cycle collector runs again (kiosk.start turns it off while
        the app starts; issue 19)."""
        gc.enable()
        self._add_later_rules()

        def prepare() -> None:
            import screens.journey  # noqa: F401  (the import is the work)

            # Opening the store (if not yet) is the work; then every screen of a training
            # store says so in its top bar (issue 15 §2).
            if self.store.is_training():
                self.call_from_thread(self.add_class, "-training")

        self.run_worker(prepare, thread=True, exit_on_error=False)

    @on(Outcome)
    def _next_step(self, outcome: Outcome) -> None:
        """A screen finished its step: the journey shows the next one."""
        self.journey.route(outcome)

    def reset(self) -> None:
        """K1: forget the person: session, every screen they saw, language and display choices."""
        self._warning = None
        self.session = None
        self.set_display(large_text=False, high_contrast=False)
        self.language = self.settings.language
        self.language_chosen = False
        use_language(self.language, translator(self.language))
        translate_bindings(self)
        self.journey.begin_again()
        self._last_input = self._monotonic()

    # -- language and display (K4, K5) ------------------------------------------------------

    def action_switch_language(self) -> None:
        """F2: the next language, in the order the top bar shows them (es → en → ht → es)."""
        following = LANGUAGES[(LANGUAGES.index(self.language) + 1) % len(LANGUAGES)]
        self.set_language(following)

    def set_language(self, language: str, *, chosen: bool = True) -> None:
        """Switch language and redraw every screen (and the footer) in it. `chosen`: the person
        switched it (F2, the top bar), not their account's preference at login."""
        self.language = language
        self.language_chosen = self.language_chosen or chosen
        use_language(language, translator(language))
        translate_bindings(self)
        # Every screen of the stack follows, not only the one on top: a dialog (the hold's
        # "Confirme su hora", "¿Sigue ahí?") and the screens below it, which show again later.
        for screen in self.screen_stack:
            if isinstance(screen, KioskScreen):
                self.call_later(screen.relabel)
            elif screen.is_modal:
                self.call_later(redraw_in_language, screen)
        if self.session is not None:
            applicant_id = self.session.applicant_id
            self.run_worker(
                lambda: self.store.set_language(applicant_id, language),
                thread=True,
                exit_on_error=False,
            )

    def in_background(self, job: Callable[[], object]) -> None:
        """A store call nobody waits for (the language chosen, an audit record of assisted
        mode or of a logout, C1): in a worker; a failure is logged, never shown. They run one
        after the other, in the order asked for, so the audit log says "assisted.ended" before
        the "staff.logout" that followed it, however busy the machine."""
        previous, done = self._background_done, threading.Event()
        self._background_done = done

        def run() -> None:
            if previous is not None:
                previous.wait()
            try:
                job()
            except Exception:
                log.exception("a background store call failed")
            finally:
                done.set()

        self.run_worker(run, thread=True, exit_on_error=False, group="background")

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
        def closed(allowed: bool | None) -> None:
            if allowed:
                self.exit()

        from screens.dialogs.staff_exit import StaffExitDialog  # not before the first screen

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
        idle = self.idle_for()
        if self._warning is not None:
            if idle >= self.idle_seconds / GRACE_FRACTION:
                self.reset()
            return
        if idle < self.idle_seconds or self.journey.at_rest():
            return  # nothing to protect yet
        from screens.dialogs.still_there import StillThereDialog  # not before the first screen

        self._warning = StillThereDialog(
            lambda: self.idle_seconds / GRACE_FRACTION - self.idle_for()
        )
        self._last_input = self._monotonic()

        def answered(_still_here: bool | None) -> None:
            self._warning = None
            self._last_input = self._monotonic()

        self.push_screen(self._warning, answered)

    def _sweep_holds(self) -> None:
        """B6: lapsed holds free their seats even when nobody else touches that office."""
        self.run_worker(self.store.expire_holds, thread=True, exit_on_error=False)


# Who sends the counter's e-mails and reminders, in the audit log: the desk itself.
COUNTER_DESK_LABEL = "system:counter"


class CounterApp(KioskApp):
    """Citas Kiosk on a counter desk (C1–C8): staff log in; roles decide what each sees.

    The applicant screens are the kiosk's own (assisted mode, C2): the agent opens them for the
    person at the desk, and every store call made there names the agent as the actor."""

    TITLE = "Citas Kiosk · Mesón"
    CSS_PATH = [str(CSS_FILE), str(COUNTER_CSS_FILE)]
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Salir"), show=False, priority=True),
        # K4: priority, so F2 reaches the app from inside a dialog too (a modal screen stops
        # the other bindings of the app).
        Binding(
            "f2", "switch_language", N_("Idioma / Language / Lang"), key_display="F2", priority=True
        ),
        Binding("f9", "log_out", N_("Cerrar sesión"), key_display="F9"),
        # C2: the agent ends assisted mode from any of the person's screens.
        Binding("f10", "finish_assisting", N_("Terminar"), key_display="F10"),
    ]

    _mail_round: Worker[None] | None = None
    # C1: how the next logout happens, unless the idle guard does it ("f9" or "button").
    _logging_out_with = "button"

    @property
    def idle_seconds(self) -> int:
        """K1 at a desk: the staff member is logged out after this long."""
        return self.settings.counter_idle_seconds

    def first_screen(self) -> KioskScreen:
        # Imported here: the applicant kiosk does not load the counter's screens to start.
        from screens.counter.login import StaffLoginScreen

        return StaffLoginScreen()

    def on_mount(self) -> None:
        # Textual calls KioskApp.on_mount as well (a handler runs for every class of the MRO
        # that defines one): calling super() here pushed the staff login twice.
        # M3, M4: a running counter sends the office's due e-mails and the day-before
        # reminders by itself, so an office with a counter needs no cron job.
        if self._watch_idle:
            self.set_interval(self.settings.mail_every_seconds, self.send_mail)

    def send_mail(self) -> Worker[None] | None:
        """M3, M4: in a worker, deposit the reminders due (each office's tomorrow) and send
        the e-mails that are due; skipped while the previous round is still at it."""
        if self._mail_round is not None and self._mail_round.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        ):
            return None
        mailer = self.settings.make_mailer()

        def round_of_mail() -> None:
            from store.views import Actor

            desk = Actor("system", None, COUNTER_DESK_LABEL)
            store = self.store
            store.send_reminders(actor=desk)
            if mailer is not None:
                store.deliver_outbox(mailer, translator, actor=desk)

        self._mail_round = self.run_worker(
            round_of_mail, thread=True, exit_on_error=False, group="mail"
        )
        return self._mail_round

    @property
    def journey(self) -> CounterJourney:
        """The counter's journey (made by `make_journey` below)."""
        return cast("CounterJourney", super().journey)

    def make_journey(self) -> CounterJourney:
        """The counter desk's journey, with assisted mode (C2)."""
        from screens.journey import CounterJourney

        return CounterJourney(self, self._opened_on)

    def acting_staff(self) -> Actor | None:
        return self.staff.actor if self.staff is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F10 is offered only while the agent is acting for someone."""
        if action == "finish_assisting":
            # Not `self.journey`: the footer asks before the journey is loaded.
            journey = cast("CounterJourney | None", self._journey)
            return journey is not None and journey.assisting is not None
        return True

    def action_finish_assisting(self) -> None:
        self.journey.finish()

    def action_log_out(self) -> None:
        if self.staff is not None:
            self._logging_out_with = "f9"
            self.reset()

    def reset(self) -> None:
        """Log out (F9, the desk's button, or the idle time, K1): back to the staff login,
        nothing kept. The audit log records who left, and how (C1)."""
        staff, how = self.staff, "idle" if self._warning is not None else self._logging_out_with
        self._logging_out_with = "button"
        if self._journey is not None and self.journey.assisting is not None:
            self.journey.end_assisting()  # C2: recorded while the agent is still known
        if staff is not None:
            store, actor = self.store, staff.actor
            self.in_background(lambda: store.record_logout(how, actor=actor))
        self.staff = None
        self.desk_counter = None  # Q3: the next staff member sets their own counter
        super().reset()
        self.refresh_bindings()


def make_app(
    settings: Settings,
    store: Store | StoreOpener | None = None,
    printer: Printer | None = None,
    *,
    counter: bool = False,
    monotonic: Callable[[], float] = time.monotonic,
    watch_idle: bool = True,
    blink: bool = True,
) -> KioskApp:
    """The kiosk (or, with `counter`, the counter desk) for these settings; tests pass their
    own store (fixed clock) and printer."""
    return (CounterApp if counter else KioskApp)(
        settings,
        store if store is not None else settings.make_store(),
        printer if printer is not None else settings.make_printer(),
        monotonic=monotonic,
        watch_idle=watch_idle,
        blink=blink,
    )
