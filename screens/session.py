"""What the kiosk knows about the person at the screen, and nothing more (K1).

One `Session` per applicant; the idle reset drops it together with every screen that showed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # store.views costs 11 ms to import; the welcome screen does not need it
    from store.views import Actor, ApplicantView


@dataclass
class Session:
    """The logged-in applicant, and who acts for them."""

    applicant: ApplicantView
    # C2: in assisted mode the agent at the counter acts for the person; None at a kiosk.
    actor: Actor | None = None

    @property
    def applicant_id(self) -> int:
        return self.applicant.id
