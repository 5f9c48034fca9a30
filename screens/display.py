"""The call display of the waiting room (Q4): a TV that shows each number called and its
counter, large, in Spanish, English and Kreyòl in turn. Numbers and counters only: never a
name, never a booking code (the store's `queue_recent_calls` gives nothing else).

The screen reads the store every `poll_seconds` in a thread worker (never on the UI thread), so
a call made at any counter shows within two polls; a read that fails shows one calm line and
the screen keeps reading. The language turns every `turn_seconds`. Both are given by the app,
so tests run them fast or not at all."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Digits, Static
from textual.worker import Worker, WorkerState

from screens.text import _, language, plain
from store.text import LANGUAGES

if TYPE_CHECKING:
    from store import Store
    from store.views import QueueCall

log = logging.getLogger("kiosk.display")

# How many calls the screen asks for: the newest, large, and the ones before it.
CALLS_SHOWN = 6
# Seconds a new call stays highlighted.
NEW_CALL_SECONDS = 6.0
LANGUAGE_NAMES = {"es": "Español", "en": "English", "ht": "Kreyòl"}


class DisplayHost(Protocol):
    """The application as the display sees it: the store, and the language to speak."""

    @property
    def store(self) -> Store:
        """The Store facade; its calls block, so the screen makes them in workers."""
        ...

    def set_language(self, language: str) -> None:
        """Make `screens.text._` speak this language."""
        ...


class DisplayScreen(Screen[None]):
    """The waiting room's screen: the last call large, the ones before it below."""

    @dataclass
    class CallsRead(Message):
        """A poll read the office's calls (newest first)."""

        calls: list[QueueCall]

    @dataclass
    class ReadFailed(Message):
        """A poll could not read the store (busy, unreachable); the next one tries again."""

        reason: str

    def __init__(
        self,
        office_code: str,
        office_name: str,
        *,
        poll_seconds: float = 1.0,
        turn_seconds: float = 8.0,
    ) -> None:
        super().__init__()
        self.office_code = office_code
        self.office_name = office_name
        self.poll_seconds = poll_seconds
        self.turn_seconds = turn_seconds
        self.calls: list[QueueCall] | None = None  # None until the first read
        self.failing = False
        self._poll: Worker[None] | None = None
        self._new_call: Timer | None = None

    @property
    def host(self) -> DisplayHost:
        """The application through its typed seam (screens never import `kiosk`)."""
        return cast("DisplayHost", self.app)

    # -- what it shows ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="display-head"):
            yield Static(plain(self.office_name), id="display-office")
            yield Static(id="display-title")
        with Vertical(id="display-now"):
            with Horizontal(id="now-row"):
                with Vertical(classes="now-box"):
                    yield Static(id="now-number-label", classes="now-label")
                    yield Digits("-", id="now-number")
                with Vertical(classes="now-box"):
                    yield Static(id="now-counter-label", classes="now-label")
                    yield Digits("-", id="now-counter")
            yield Static(id="now-sentence")
        yield Static(id="recent-title")
        yield Static(id="recent-list")
        with Horizontal(id="display-foot"):
            yield Static(id="display-status")
            yield Static(id="display-languages")

    def on_mount(self) -> None:
        self.draw()
        self.poll()
        self.set_interval(self.poll_seconds, self.poll)
        self.set_interval(self.turn_seconds, self.turn_language)

    def draw(self) -> None:
        """Every text of the screen from what was last read, in the language now in use."""
        calls = self.calls or []
        self.query_one("#display-title", Static).update(_("Llamados de hoy"))
        self.query_one("#now-number-label", Static).update(_("Número llamado"))
        self.query_one("#now-counter-label", Static).update(_("Pase al mesón"))
        newest = calls[0] if calls else None
        self.query_one("#now-number", Digits).update(str(newest.number) if newest else "-")
        self.query_one("#now-counter", Digits).update(str(newest.counter) if newest else "-")
        if newest is not None:
            sentence = _("Número {number}: al mesón {counter}.", **_shown(newest))
        elif self.calls is None:
            sentence = ""
        else:
            sentence = _("Todavía no hay llamados hoy. Espere su número en esta pantalla.")
        self.query_one("#now-sentence", Static).update(sentence)
        earlier = calls[1:]
        self.query_one("#recent-title", Static).update(_("Llamados anteriores") if earlier else "")
        self.query_one("#recent-list", Static).update(
            "\n".join(_("Número {number}: al mesón {counter}.", **_shown(c)) for c in earlier)
        )
        self.query_one("#display-status", Static).update(
            _("No se pueden leer los llamados en este momento; la pantalla vuelve a intentarlo.")
            if self.failing
            else ""
        )
        self.query_one("#display-languages", Static).update(_languages_line())

    # -- reading the store ------------------------------------------------------------------

    def poll(self) -> None:
        """Read the office's calls in a thread worker (one at a time: a slow database never
        piles reads up)."""
        if self._poll is not None and self._poll.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        ):
            return
        store, office, screen = self.host.store, self.office_code, self

        def read() -> None:
            try:
                calls = store.queue_recent_calls(office, CALLS_SHOWN)
            except Exception as error:  # any failure is the same calm line; the log says which
                log.warning("the call display could not read the store: %r", error)
                screen.post_message(DisplayScreen.ReadFailed(type(error).__name__))
                return
            screen.post_message(DisplayScreen.CallsRead(calls))

        self._poll = self.run_worker(read, thread=True, exit_on_error=False, group="poll")

    @on(CallsRead)
    def _calls_read(self, message: CallsRead) -> None:
        before = self.calls
        self.calls, self.failing = message.calls, False
        if before is not None and message.calls and _key(message.calls[0]) != _key_of(before):
            self._announce()
        self.draw()

    @on(ReadFailed)
    def _read_failed(self, _message: ReadFailed) -> None:
        self.failing = True
        self.draw()

    def _announce(self) -> None:
        """A new call (or a recall): highlighted for a few seconds, with the terminal's bell."""
        self.app.bell()
        self.query_one("#display-now").add_class("-new")
        if self._new_call is not None:
            self._new_call.stop()
        self._new_call = self.set_timer(
            NEW_CALL_SECONDS, lambda: self.query_one("#display-now").remove_class("-new")
        )

    # -- the three languages, in turn -------------------------------------------------------

    def turn_language(self) -> None:
        """The next language (es → en → ht → es) and every text redrawn in it."""
        following = LANGUAGES[(LANGUAGES.index(language()) + 1) % len(LANGUAGES)]
        self.host.set_language(following)
        self.draw()


def _shown(call: QueueCall) -> dict[str, object]:
    """What of a call the screen may show: its number and its counter, nothing else."""
    return {"number": call.number, "counter": call.counter}


def _key(call: QueueCall) -> tuple[int, int, int]:
    return (call.number, call.counter, call.calls)


def _key_of(calls: list[QueueCall]) -> tuple[int, int, int] | None:
    return _key(calls[0]) if calls else None


def _languages_line() -> Text:
    """Español · English · Kreyòl, the one spoken now marked (never by colour alone)."""
    line = Text()
    for n, code in enumerate(LANGUAGES):
        if n:
            line.append(" · ")
        name = LANGUAGE_NAMES.get(code, code)
        line.append(
            f"[{name}]" if code == language() else name, style="bold" if code == language() else ""
        )
    return line
