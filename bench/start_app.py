"""Run in a fresh process by the `start` figure: draw the first screen headless, then exit.

`python -m bench.start_app kiosk DB` starts the applicant kiosk the way `kiosk` does;
`python -m bench.start_app floor` starts a minimal Textual app with one screen."""

from __future__ import annotations

import sys


def _exit_after_first_paint(screen_class: type) -> None:
    original = getattr(screen_class, "on_mount", None)

    def on_mount(self) -> None:  # type: ignore[no-untyped-def]
        if original is not None:
            original(self)
        self.call_after_refresh(_painted, self.app)

    screen_class.on_mount = on_mount  # type: ignore[attr-defined]


def _painted(app: object) -> None:
    """Say when the first screen was drawn (wall clock, for the parent) and what was loaded."""
    import time

    heavy = [m for m in ("sqlalchemy", "alembic", "fpdf", "argon2", "sqlmodel") if m in sys.modules]
    print(f"{time.time():.6f} {','.join(heavy) or '-'}", flush=True)
    app.exit()  # type: ignore[attr-defined]


def floor() -> None:
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Button, Static

    class One(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Static("Reserva de horas")
            yield Button("Reservar hora")

    class Minimal(App[None]):
        def on_mount(self) -> None:
            self.push_screen(One())

    _exit_after_first_paint(One)
    Minimal().run(headless=True, size=(120, 40))


def kiosk(db: str) -> None:
    """Exactly `kiosk --db DB`, with Textual told to draw headless."""
    from textual.app import App

    from kiosk.cli import main
    from screens.welcome import WelcomeScreen

    run = App.run
    App.run = lambda self, **_options: run(self, headless=True, size=(120, 40))  # type: ignore[method-assign]
    _exit_after_first_paint(WelcomeScreen)
    sys.argv = ["kiosk", "--db", db]
    main()


if __name__ == "__main__":
    if sys.argv[1] == "floor":
        floor()
    else:
        kiosk(sys.argv[2])
