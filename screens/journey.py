"""The map: after each step, the next one.

A screen says its step is done by posting an outcome (`WelcomeScreen.BookChosen`,
`LoginScreen.LoggedIn`, `SlotsScreen.Booked`…); the application hands every outcome to its
journey, and `route` below decides which screen comes next. Read `Journey.route` top to bottom
and you have the applicant's whole path through the kiosk. `CounterJourney` is the counter
desk's: staff log in, the desk's actions, and assisted mode (C2), where the agent runs the
kiosk's own steps on behalf of the person at the desk. It overrides only what differs.

No screen imports another screen; only this module knows them all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from textual.app import App
from textual.screen import Screen

from screens.arrivals import CheckInScreen, NumberScreen, QueueTicketScreen, WalkInScreen
from screens.base import KioskScreen, Outcome
from screens.counter.agenda import AgendaScreen
from screens.counter.applicant import ApplicantScreen
from screens.counter.audit import AuditScreen
from screens.counter.capacity import CapacityScreen
from screens.counter.closures import ClosuresScreen
from screens.counter.conflicts import ConflictsScreen
from screens.counter.desk import DeskScreen
from screens.counter.figures import FiguresScreen
from screens.counter.login import StaffLoginScreen, StaffPasswordScreen
from screens.counter.queue import QueueScreen
from screens.counter.rebook import RebookScreen
from screens.counter.search import SearchScreen
from screens.counter.staff import StaffScreen
from screens.counter.tickets import CounterTicketsScreen
from screens.home import HomeScreen
from screens.host import Host
from screens.login import ChangePasswordScreen, LoginScreen, RecoveryScreen
from screens.mailbox import MailboxScreen
from screens.office import OfficeScreen
from screens.procedure import ProcedureScreen
from screens.receipt import ReceiptScreen
from screens.registered import RegisteredScreen
from screens.registration import RegistrationScreen
from screens.review import ReviewScreen
from screens.session import Session
from screens.slots import SlotsScreen
from screens.terms import TermsScreen
from screens.tickets import HelpScreen, TicketsScreen
from screens.waitlist import WaitlistScreen
from screens.welcome import WelcomeScreen
from store.text import LANGUAGES

if TYPE_CHECKING:
    from store.views import ApplicantView, StaffView

log = logging.getLogger("kiosk.journey")
# A screen a path can come back to: one of ours, or whatever the agent had open.
Place = KioskScreen | Screen[object]


class Shell(Host, Protocol):
    """What a journey needs of the application besides what a screen sees."""

    def first_screen(self) -> KioskScreen:
        """The screen the application opens on: the welcome, or the staff login at a desk."""
        ...

    def reset(self) -> None:
        """K1: forget the person (session, language, display) and begin again."""
        ...

    def in_background(self, job: Callable[[], object]) -> None:
        """Run a store call nobody waits for (an audit record) in a worker."""
        ...


class Journey:
    """The applicant's journey through the kiosk (A, B, W, M, H)."""

    def __init__(self, app: App[None], opened_on: KioskScreen | None) -> None:
        self.app = app
        self.shell = cast(Shell, app)
        # The screen every restart comes back to: the one the application opened on (the
        # welcome, or a desk's staff login), then at a desk the desk itself.
        self.root: Place | None = opened_on
        # Where a login leads: home, the mailbox or a help ticket (chosen before logging in).
        self.after_login: Callable[[], KioskScreen] = HomeScreen

    # -- the map ----------------------------------------------------------------------------

    def route(self, outcome: Outcome) -> None:
        """Show what comes after `outcome`."""
        match outcome:
            # A new applicant: terms (A1), form (A2–A7), answers, account (A8).
            case WelcomeScreen.BookChosen():
                self.show(TermsScreen())
            case TermsScreen.Accepted():
                self.show(RegistrationScreen())
            case RegistrationScreen.Checked(form=form, clean=clean):
                self.show(ReviewScreen(form, clean))
            case ReviewScreen.Registered(registration=registration):
                self.restart(
                    RegisteredScreen(registration.temporary_password, registration.applicant.email)
                )
            case (
                RegisteredScreen.LoginChosen(identifier=identifier)
                | ReviewScreen.LoginChosen(identifier=identifier)
            ):
                self.log_in_then(HomeScreen, identifier, restart=True)
            case ReviewScreen.RecoveryChosen():  # A6: the account exists; its password is lost
                self.restart(RecoveryScreen())

            # Someone with an account: log in (A9, A11), a new password, recovery (A10).
            case WelcomeScreen.LoginChosen():
                self.log_in_then(HomeScreen)
            case WelcomeScreen.MailboxChosen():
                self.log_in_then(MailboxScreen)
            case LoginScreen.ForgotChosen():
                self.show(RecoveryScreen())
            case RecoveryScreen.Recovered(temporary_password=password, identifier=identifier):
                self.restart(RegisteredScreen(password, identifier, recovered=True))
            case LoginScreen.LoggedIn(applicant=applicant, password=password):
                self.open_session(applicant)
                if applicant.must_change_password:
                    self.restart(ChangePasswordScreen(password))
                else:
                    self.logged_in()
            case ChangePasswordScreen.PasswordChanged(applicant=applicant):
                if self.shell.session is not None:
                    self.shell.session.applicant = applicant
                self.logged_in()

            # Home (B1, W3, M1) and booking: procedure, office, time or waitlist, receipt.
            case HomeScreen.BookChosen():
                self.show(ProcedureScreen())
            case HomeScreen.MailboxChosen():
                self.show(MailboxScreen())
            case HomeScreen.ReceiptChosen(booking=booking):
                self.show(ReceiptScreen(booking))
            case HomeScreen.HelpChosen() | OfficeScreen.HelpChosen():
                self.show(TicketsScreen())
            case HomeScreen.Finished():
                self.finish()
            # B9: a cancellation shows what was cancelled; B13: a move is a booking's new time.
            case HomeScreen.BookingCancelled(cancelled=cancelled, at=at):
                self.show(ReceiptScreen(cancelled.booking, cancelled_at=at))
            case HomeScreen.MoveChosen(booking=booking):
                self.show(SlotsScreen.to_move(booking))
            case ProcedureScreen.Chosen(procedure=procedure):
                self.show(OfficeScreen(procedure))
            case OfficeScreen.Chosen(offering=offering, procedure=procedure):
                if offering.next_free is not None:
                    self.show(SlotsScreen(offering, procedure))
                else:  # W1: a full office offers automated assignment
                    self.show(WaitlistScreen(offering, procedure))
            case SlotsScreen.Booked(booking=booking):
                self.restart(HomeScreen(), ReceiptScreen(booking, fresh=True))
            case SlotsScreen.Moved(booking=booking, previous=previous):
                self.restart(HomeScreen(), ReceiptScreen(booking, fresh=True, replaced=previous))
            case WaitlistScreen.HomeChosen():
                self.restart(HomeScreen())

            # The waiting room (Q1, Q2): a number without logging in; then nothing stays (K1).
            case WelcomeScreen.CheckInChosen():
                self.show(CheckInScreen())
            case WelcomeScreen.WalkInChosen():
                self.show(WalkInScreen())
            case NumberScreen.Numbered(ticket=ticket):  # checked in (Q1) or a walk-in (Q2)
                self.restart(QueueTicketScreen(ticket))
            case QueueTicketScreen.Finished():
                self.shell.reset()

            # Help (H1–H4): for anyone; a ticket needs an account.
            case WelcomeScreen.HelpChosen():
                self.show(HelpScreen())
            case HelpScreen.TicketChosen():
                if self.shell.session is not None:
                    self.show(TicketsScreen())
                else:
                    self.log_in_then(TicketsScreen)

            case _:
                log.error("no step follows %r here", outcome)

    # -- the steps --------------------------------------------------------------------------

    def log_in_then(
        self, destination: Callable[[], KioskScreen], identifier: str = "", *, restart: bool = False
    ) -> None:
        """Ask for a login, then go to `destination`."""
        self.after_login = destination
        login = LoginScreen(identifier)
        if restart:
            self.restart(login)
        else:
            self.show(login)

    def logged_in(self) -> None:
        """Home, with where the person was going (the mailbox, a ticket) on top of it: "Volver"
        from there leads home, never to the welcome screen with the session still open."""
        destination = self.after_login()
        if isinstance(destination, HomeScreen):
            self.restart(destination)
        else:
            self.restart(HomeScreen(), destination)

    def open_session(self, applicant: ApplicantView) -> None:
        """The applicant is known from now on (K4): a language they chose before logging in
        stays and becomes their account's (for notices, receipts and e-mails); otherwise their
        account's language becomes the kiosk's."""
        self.shell.session = Session(applicant)
        current = self.shell.language
        if self.shell.language_chosen:
            if applicant.language != current:
                store, person = self.shell.store, applicant.id
                self.shell.in_background(lambda: store.set_language(person, current))
        elif applicant.language in LANGUAGES and applicant.language != current:
            self.shell.set_language(applicant.language, chosen=False)

    def finish(self) -> None:
        """The person is done ("Terminar"): at a kiosk, everything is forgotten (K1)."""
        self.shell.reset()

    def at_rest(self) -> bool:
        """Nobody's data on screen: an untouched welcome (the idle guard has nothing to protect)."""
        return self.app.screen is self.root and self.shell.session is None

    # -- moving between screens -------------------------------------------------------------

    def base(self) -> Place | None:
        """The screen a path starts from; `restart` drops everything above it."""
        return self.root

    def show(self, screen: KioskScreen) -> None:
        """One step further; "Volver" comes back here."""
        if self.app.screen is self.base():
            self.app.push_screen(screen, self.back_at_base)
        else:
            self.app.push_screen(screen)

    def restart(self, *screens: KioskScreen) -> None:
        """Drop the path's screens (a finished form, a used login) and show `screens` in turn."""
        self._pop_to(self.base())
        for screen in screens:
            self.show(screen)

    def begin_again(self) -> None:
        """Back to a fresh first screen, with nothing of the last person left (K1)."""
        self._pop_to(self.root)
        self.root = self.shell.first_screen()
        self.app.switch_screen(self.root)
        self.after_login = HomeScreen

    def back_at_base(self, _result: None = None) -> None:
        """The first screen of a path was closed with "Volver": its start is on screen again.
        At a kiosk that is the welcome screen, so whoever was logged in has left (K1)."""
        if self.shell.session is not None and self.app.screen is self.root:
            self.shell.reset()

    def _pop_to(self, screen: Place | None) -> None:
        while self.app.screen is not screen and len(self.app.screen_stack) > 1:
            self.app.pop_screen()


@dataclass
class Assisting:
    """C2: the kiosk's own steps, run by an agent on behalf of the person at the desk (the
    person is the session's applicant, once known)."""

    resume_at: Place  # the agent's screen to come back to


class CounterJourney(Journey):
    """The counter desk (C1–C8): staff log in; roles decide the desk; assisted mode (C2)."""

    def __init__(self, app: App[None], opened_on: KioskScreen | None) -> None:
        super().__init__(app, opened_on)
        self.assisting: Assisting | None = None

    def route(self, outcome: Outcome) -> None:
        match outcome:
            case StaffLoginScreen.LoggedIn(staff=staff, password=password):
                if staff.must_change_password:  # C10: a temporary password is replaced first
                    self.show(StaffPasswordScreen(staff, password))
                else:
                    self.open_desk(staff)
            case StaffPasswordScreen.PasswordChanged(staff=staff):
                self._pop_to(self.root)
                self.open_desk(staff)
            case DeskScreen.LoggedOut():
                self.shell.reset()
            case DeskScreen.Chosen(action="register"):
                self.assist(None, TermsScreen())
            case DeskScreen.Chosen(action=action):
                self.show(DESK_SCREENS[action]())
            case (
                SearchScreen.Chosen(applicant=applicant)
                | CounterTicketsScreen.FileChosen(applicant=applicant)
                | QueueScreen.FileChosen(applicant=applicant)
            ):
                self.show(ApplicantScreen(applicant))
            case ApplicantScreen.AssistChosen(applicant=applicant):
                self.assist(applicant, HomeScreen())
            case ApplicantScreen.MoveChosen(applicant=applicant, booking=booking, reason=reason):
                # B13 for the person at the desk: their grid, the agent acting (C2).
                self.assist(applicant, SlotsScreen.to_move(booking, reason))
            case _:
                super().route(outcome)

    def open_desk(self, staff: StaffView) -> None:
        """C1: the desk of this staff member, in place of the login."""
        self.shell.staff = staff
        self.root = DeskScreen()
        self.app.switch_screen(self.root)

    # -- C2: assisted mode ------------------------------------------------------------------

    def assist(self, person: ApplicantView | None, first: KioskScreen) -> None:
        """Run the kiosk's steps for a person (registered already, or not yet), on top of what
        the agent has open; every store call made there names the agent (C2)."""
        self.assisting = Assisting(resume_at=self.app.screen)
        self.shell.session = None if person is None else self.assisted_session(person)
        self.record_assisting(person, started=True)
        self.show(first)
        self.app.refresh_bindings()

    def assisted_session(self, person: ApplicantView) -> Session:
        """The person's session, with the agent as the one who acts."""
        return Session(person, actor=self.shell.acting_staff())

    def open_session(self, applicant: ApplicantView) -> None:
        """A person registered at the desk logs in: the agent keeps acting, in their own
        language."""
        self.shell.session = self.assisted_session(applicant)

    def finish(self) -> None:
        """ "Terminar" (F10, from any assisted screen): back to the agent's own screens."""
        if self.assisting is not None:
            self._pop_to(self.assisting.resume_at)
            self.end_assisting()

    def back_at_base(self, _result: None = None) -> None:
        """ "Volver" from the first assisted screen also ends assisted mode."""
        if self.assisting is not None and self.app.screen is self.assisting.resume_at:
            self.end_assisting()

    def end_assisting(self) -> None:
        if self.assisting is not None:
            session = self.shell.session
            self.record_assisting(session.applicant if session else None, started=False)
        self.assisting = None
        self.shell.session = None
        self.app.refresh_bindings()

    def record_assisting(self, person: ApplicantView | None, *, started: bool) -> None:
        """C1, C2: the audit log says when the agent began and stopped acting for the person
        (nobody waits for it; a failure is logged)."""
        actor = self.shell.acting_staff()
        if actor is None:
            return
        store, applicant_id = self.shell.store, person.id if person is not None else None
        self.shell.in_background(
            lambda: store.record_assisting(applicant_id, started=started, actor=actor)
        )

    def base(self) -> Place | None:
        return self.assisting.resume_at if self.assisting is not None else self.root

    def begin_again(self) -> None:
        self.assisting = None
        super().begin_again()

    def at_rest(self) -> bool:
        """Nobody logged in at the desk."""
        return self.shell.staff is None


# C1: what each of the desk's buttons opens ("register" starts assisted mode instead).
DESK_SCREENS: dict[str, Callable[[], KioskScreen]] = {
    "search": SearchScreen,
    "agenda": AgendaScreen,
    "rebook": RebookScreen,
    "tickets": CounterTicketsScreen,
    "capacity": CapacityScreen,
    "closures": ClosuresScreen,
    "figures": FiguresScreen,
    "audit": AuditScreen,
    "staff": StaffScreen,
    "conflicts": ConflictsScreen,
    "queue": QueueScreen,
}
