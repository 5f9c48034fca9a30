"""The seam between the screens and the application: what a screen may use of it.

A screen never imports `kiosk`; it sees the application through this `Protocol`. The kiosk and
the counter desk both satisfy it (the kiosk has no staff member, so `staff` is None there)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # typing only: the welcome screen must not pay for SQLAlchemy
    from receipts.printer import Printer
    from screens.session import Session
    from store import Store
    from store.clock import Clock
    from store.views import Actor, Catalog, StaffView


class Host(Protocol):
    """The application as a screen sees it: store, clock, printer, session, catalogue, language."""

    session: Session | None
    """The applicant being served (K1: dropped with every screen that showed them)."""

    staff: StaffView | None
    """The staff member logged in at a counter desk; None at a kiosk (C1)."""

    large_text: bool
    high_contrast: bool

    language_chosen: bool

    desk_counter: int | None
    """Q3: the counter number the agent at this desk set for the session (None until then)."""
    """Whether the person switched the language (F2, the top bar) since the kiosk was last at
    rest: then it is theirs, and a login keeps it (K4)."""

    @property
    def store(self) -> Store:
        """The Store facade; its calls block, so screens make them in workers."""
        ...

    @property
    def clock(self) -> Clock:
        """The one clock of the application (fixed in tests and training)."""
        ...

    @property
    def printer(self) -> Printer:
        """Where receipts go (B7)."""
        ...

    @property
    def kiosk_office(self) -> str | None:
        """Q1, Q2: the office whose waiting room this kiosk stands in (None: bookings only)."""
        ...

    @property
    def catalog(self) -> Catalog:
        """Regions, offices and procedures, read once."""
        ...

    @property
    def language(self) -> str:
        """The language `screens.text._` speaks now (K4)."""
        ...

    def set_language(self, language: str, *, chosen: bool = True) -> None:
        """Switch language and redraw every screen in it (K4); `chosen`: by the person."""
        ...

    def set_display(self, *, large_text: bool, high_contrast: bool) -> None:
        """K5: the welcome screen's display choices."""
        ...

    def acting_staff(self) -> Actor | None:
        """C2: the staff member acting for the person at the screen (None at a kiosk)."""
        ...

    def export_folder(self) -> Path:
        """C7: where the counter writes its CSV exports."""
        ...
