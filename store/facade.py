"""The Store facade: the one object the screens and the command line hold.

Each method is one unit of work in its own short session and returns frozen dataclasses
(store.views). Rules live in store.services; this class only opens the transaction, says who
acts and when, and hands back plain data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from sqlmodel import col

import store.db as db
from store.clock import Clock, SystemClock
from store.credentials import Passwords
from store.errors import Refused
from store.forms import ApplicantForm, RecoveryForm
from store.services import (
    accounts,
    audit,
    audit_chain,
    booking,
    calendar,
    catalog,
    catalog_files,
    closures,
    counter,
    freed_seats,
    mailbox,
    queue,
    reminders,
    roles,
    staff,
    stats,
    sync,
    tickets,
    training,
    waitlist,
)
from store.services.context import Ctx, StoreConfig
from store.services.lookups import (
    applicant_by_document,
    applicant_by_id,
    applicant_view,
    booking_view,
)
from store.views import (
    KIOSK,
    SYSTEM,
    Actor,
    AgendaRow,
    ApplicantView,
    AuditEventView,
    BookingView,
    BundleWritten,
    Cancelled,
    CapacityChange,
    CapacityOpened,
    CapacityPlan,
    Catalog,
    ChainVerdict,
    ClosureView,
    DayClosed,
    Figures,
    Moved,
    NoticeView,
    OfficeChoice,
    OutboxRun,
    QueueCall,
    QueueFigures,
    QueueTicketView,
    RebookRow,
    Registration,
    SkippedDay,
    SlotView,
    StaffPassword,
    StaffView,
    SyncConflictView,
    TicketView,
    WaitlistEntryView,
)

if TYPE_CHECKING:
    from store.mail import Mailer, MailError

T = TypeVar("T")


def _applicant(applicant_id: int) -> Actor:
    return Actor("applicant", applicant_id, f"applicant:{applicant_id}")


class Store:
    """Everything the kiosk, the counter and the command line may do with the data."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock | None = None,
        passwords: Passwords | None = None,
        hold_minutes: int = 5,
        mail_enabled: bool = False,
        temporary_hours: int = 72,
        store_code: str | None = None,
    ) -> None:
        self.database = db.Database(url)
        self.clock = clock or SystemClock()
        # O3: a store named after an office (KIOSK_STORE_CODE) changes that office's capacity
        # only; CENTRAL, or no name, any office's.
        own = (store_code or "").strip().upper() or None
        self.config = StoreConfig(
            passwords or Passwords(),
            hold_minutes,
            mail_enabled,
            temporary_hours,
            own_office=None if own == "CENTRAL" else own,
        )

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.database.url

    def close(self) -> None:
        """Release the database connections."""
        self.database.dispose()

    def _write(self, actor: Actor, work: Callable[[Ctx], T | Refused]) -> T:
        """One write transaction. A refusal *returned* by `work` is raised after the commit,
        so that what led to it (a failed-login count, A11) is kept."""

        def run(session: sa.orm.Session) -> T | Refused:
            ctx = Ctx(session, self.clock.now(), actor, self.config)
            result = work(ctx)
            audit_chain.seal(session, ctx.audit_rows)  # the last lock taken (C1, W7)
            return result

        result = self.database.write(run)
        if isinstance(result, Refused):
            raise result
        return result

    def _read(self, work: Callable[[Ctx], T], actor: Actor = SYSTEM) -> T:
        def run(session: sa.orm.Session) -> T:
            ctx = Ctx(session, self.clock.now(), actor, self.config)
            result = work(ctx)
            if ctx.audit_rows:
                raise AssertionError("a read recorded audit events: it must be a write")
            return result

        return self.database.read(run)

    # -- schema and demo --------------------------------------------------------------------

    def upgrade(self, app_role: str | None = None) -> None:
        """Create or migrate the schema (`kiosk db upgrade`); on PostgreSQL, then give
        `app_role` what the application may do (the audit log: INSERT and SELECT only)."""
        if app_role is not None:
            db.check_app_role(self.database, app_role)  # before anything is migrated
        db.upgrade(self.database)
        if app_role is not None:
            db.grant_app_role(self.database, app_role)

    def check_integrity(self) -> None:
        """Issue 15 §5: refuse a damaged SQLite file before anything reads or writes it."""
        db.check_integrity(self.database)

    def is_ready(self) -> bool:
        """Whether the schema exists at the newest revision."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
        return db.current_revision(self.database) == head

    def is_empty(self) -> bool:
        """Whether no catalogue has been loaded yet."""
        from store.models import Region

        return self._read(
            lambda ctx: ctx.session.scalar(sa.select(col(Region.id)).limit(1)) is None
        )

    def is_training(self) -> bool:
        """Whether `kiosk demo` made this store (its screens say "CAPACITACIÓN")."""
        return self._read(training.is_training)

    def require_training(self, overrides: Sequence[str]) -> None:
        """Refuse the settings named in `overrides` (a stood-still clock, fast password
        hashing) unless this is a training store; reads only, so nothing is written."""
        self._read(lambda ctx: training.require_training(ctx, overrides))

    def export_catalog(self, folder: Path) -> dict[str, int]:
        """Issue 15 §2b: the catalogue as plain data files in `folder`; rows per file."""
        tables = self._read(catalog_files.export)
        catalog_files.write_folder(folder, tables)
        return {name.removesuffix(".csv"): len(rows) for name, rows in tables.items()}

    def load_catalog(self, folder: Path, *, actor: Actor = SYSTEM) -> dict[str, dict[str, int]]:
        """Issue 15 §2b: add and update the catalogue from such files, in one transaction
        (nothing is written when any line is refused); a national supervisor, or no one on a
        store with no staff yet (C12). Returns, per file, rows added and changed."""
        self._read(staff.require_catalog_admin, actor)  # who acts, before what they give
        tables = catalog_files.read_folder(folder)

        def work(ctx: Ctx) -> dict[str, dict[str, int]]:
            staff.require_catalog_admin(ctx)
            return catalog_files.load(ctx, tables)

        return self._write(actor, work)

    # -- offices and the central store (O3, O4) ------------------------------------------------

    def export_bundle(
        self,
        path: Path,
        *,
        office: str,
        store_code: str | None,
        key: bytes,
        everything: bool = False,
        actor: Actor = SYSTEM,
    ) -> BundleWritten:
        """O4: write a signed bundle for `office` (an office's store: its own activity, for
        CENTRAL; the central store: what that office needs from everyone else). Read only: it
        carries what changed since the receiver's last acknowledgement, or `everything`."""
        from store import bundle

        manifest, tables = self._read(
            lambda ctx: sync.export(
                ctx, store_code=store_code or "", office_code=office, everything=everything
            ),
            actor,
        )
        size = bundle.write(path, manifest, tables, key)
        return sync.written(manifest, tables, str(path), size)

    def import_bundle(
        self,
        path: Path,
        *,
        store_code: str | None,
        trust: dict[str, bytes],
        actor: Actor = SYSTEM,
    ) -> dict[str, dict[str, int]]:
        """O4: check a bundle whole (signature, seal, every checksum), then merge it in one
        transaction; per table, rows inserted, updated, unchanged and conflicts."""
        from store import bundle

        own = self._read(lambda ctx: sync.check_store_code(ctx, store_code), actor)
        got = bundle.read(path, own_code=own, trust=trust)
        return self._write(actor, lambda ctx: sync.apply(ctx, own, got))

    def sync_conflicts(
        self, *, actor: Actor, include_resolved: bool = False
    ) -> list[SyncConflictView]:
        """O4: contact data two stores hold differently, for the counter's staff to choose."""
        return self._read(lambda ctx: sync.conflicts(ctx, include_resolved=include_resolved), actor)

    def resolve_conflict(self, conflict_id: int, keep: str, *, actor: Actor) -> SyncConflictView:
        """O4: the staff member's choice: `local` or `incoming`."""
        return self._write(actor, lambda ctx: sync.resolve(ctx, conflict_id, keep))

    # -- the waiting room (Q1-Q5) -----------------------------------------------------------

    def queue_take(
        self, office: str, procedure: str, *, language: str = "es", actor: Actor = KIOSK
    ) -> QueueTicketView:
        """Q2: a walk-in number for a procedure the office serves without appointment."""
        return self._write(actor, lambda ctx: queue.take_walk_in(ctx, office, procedure, language))

    def queue_check_in(
        self, office: str, code: str, *, language: str = "es", actor: Actor = KIOSK
    ) -> QueueTicketView:
        """Q1: today's booking checked in by its code, and its number (the same one again)."""
        return self._write(actor, lambda ctx: queue.check_in(ctx, office, code, language))

    def queue_call(self, office: str, counter: int, *, actor: Actor) -> QueueCall:
        """Q3: the next person to this counter."""
        return self._write(actor, lambda ctx: queue.call_next(ctx, office, counter))

    def queue_recall(self, office: str, number: int, *, actor: Actor) -> QueueCall:
        return self._write(actor, lambda ctx: queue.recall(ctx, office, number))

    def queue_absent(self, office: str, number: int, *, actor: Actor) -> QueueTicketView:
        return self._write(actor, lambda ctx: queue.absent(ctx, office, number))

    def queue_finish(self, office: str, number: int, *, actor: Actor) -> QueueTicketView:
        return self._write(actor, lambda ctx: queue.finish(ctx, office, number))

    def queue_transfer(
        self,
        office: str,
        number: int,
        procedure: str | None = None,
        *,
        counter: int | None = None,
        actor: Actor,
    ) -> QueueTicketView:
        """Q3 "Derivar": to another procedure or counter, keeping the place."""
        return self._write(
            actor, lambda ctx: queue.transfer(ctx, office, number, procedure, counter)
        )

    def queue_tickets(self, office: str) -> list[QueueTicketView]:
        """Today's numbers: the waiting ones in call order, then the others."""
        return self._read(lambda ctx: queue.tickets(ctx, office))

    def queue_recent_calls(self, office: str, limit: int = 6) -> list[QueueCall]:
        """Q4: the office's last calls of today, newest first, for the waiting-room display
        (numbers and counters only)."""
        return self._read(lambda ctx: queue.recent_calls(ctx, office, limit))

    def has_staff(self) -> bool:
        """Whether any staff account exists (none on a store just set up)."""
        return self._read(staff.has_staff)

    def load_demo(self, today: date | None = None) -> dict[str, object]:
        """Load the demo catalogue, capacity, applicants and staff (`kiosk demo`)."""
        import store.demo as demo

        return self._write(SYSTEM, lambda ctx: demo.load(ctx, today))

    # -- catalogue and times ----------------------------------------------------------------

    def catalog(self) -> Catalog:
        return self._read(catalog.catalog)

    def offices_for(self, region: str, procedure: str) -> OfficeChoice:
        """B3, B4."""
        return self._read(lambda ctx: catalog.offices_for(ctx, region, procedure))

    def slots(
        self,
        office: str,
        procedure: str,
        date_from: date | None = None,
        date_to: date | None = None,
        applicant_id: int | None = None,
    ) -> list[SlotView]:
        """B5."""
        return self._read(
            lambda ctx: calendar.list_slots(
                ctx, office, procedure, date_from, date_to, applicant_id
            )
        )

    def closed_days(self, office: str, date_from: date, date_to: date) -> list[SkippedDay]:
        """B5: the days of a range without times, and why (gone by, a holiday, a closure…)."""
        return self._read(lambda ctx: calendar.closed_days(ctx, office, date_from, date_to))

    def plan_capacity(
        self,
        office: str,
        procedure: str,
        date_from: date,
        date_to: date,
        hours: str,
        every: int,
        seats: int = 1,
        *,
        actor: Actor = SYSTEM,
    ) -> CapacityPlan:
        """C6: a preview of what opening would create, skip and assign (C9: staff, for their
        own office)."""
        return self._read(
            lambda ctx: calendar.plan_capacity(
                ctx, office, procedure, date_from, date_to, hours, every, seats
            ),
            actor,
        )

    def open_capacity(
        self,
        office: str,
        procedure: str,
        date_from: date,
        date_to: date,
        hours: str,
        every: int,
        seats: int = 1,
        *,
        actor: Actor = SYSTEM,
    ) -> CapacityOpened:
        """C6 + W2: open times and assign them to waiting people in the same transaction."""

        def work(ctx: Ctx) -> CapacityOpened:
            if actor.kind != "system":
                roles.require_role(ctx, ("supervisor",))
            return calendar.open_capacity(
                ctx, office, procedure, date_from, date_to, hours, every, seats
            )

        return self._write(actor, work)

    def block_slots(
        self,
        office: str,
        procedure: str,
        date_from: date,
        date_to: date,
        hours: str,
        reason: str,
        *,
        actor: Actor = SYSTEM,
    ) -> CapacityChange:
        """C6, B12: close times; their bookings are displaced onto the waitlist."""

        def work(ctx: Ctx) -> CapacityChange:
            if actor.kind != "system":
                roles.require_role(ctx, ("supervisor",))
            return closures.block_slots(ctx, office, procedure, date_from, date_to, hours, reason)

        return self._write(actor, work)

    def unblock_slots(
        self,
        office: str,
        procedure: str,
        date_from: date,
        date_to: date,
        hours: str,
        *,
        actor: Actor = SYSTEM,
    ) -> CapacityChange:
        """C6, W2: reopen blocked times; waiting people get them at once."""

        def work(ctx: Ctx) -> CapacityChange:
            if actor.kind != "system":
                roles.require_role(ctx, ("supervisor",))
            return closures.unblock_slots(ctx, office, procedure, date_from, date_to, hours)

        return self._write(actor, work)

    def add_closure(
        self, office: str, day: date, reason: str, *, actor: Actor = SYSTEM
    ) -> CapacityChange:
        """C6, B12: close an office for a day; its bookings that day are displaced."""

        def work(ctx: Ctx) -> CapacityChange:
            if actor.kind != "system":
                roles.require_role(ctx, ("supervisor",))
            return closures.add_closure(ctx, office, day, reason)

        return self._write(actor, work)

    def remove_closure(self, office: str, day: date, *, actor: Actor = SYSTEM) -> CapacityChange:
        """C6, W2: open a closed day again; its times return to capacity."""

        def work(ctx: Ctx) -> CapacityChange:
            if actor.kind != "system":
                roles.require_role(ctx, ("supervisor",))
            return closures.remove_closure(ctx, office, day)

        return self._write(actor, work)

    def closures(
        self, office: str, date_from: date | None = None, *, actor: Actor = SYSTEM
    ) -> list[ClosureView]:
        """C6: an office's closures from a day (its today by default), in date order (C9:
        staff, for their own office)."""
        return self._read(lambda ctx: closures.list_closures(ctx, office, date_from), actor)

    def to_rebook(self, office: str, *, actor: Actor = SYSTEM) -> list[RebookRow]:
        """B12: the office's displaced bookings still ahead, and what became of each (C9)."""
        return self._read(lambda ctx: closures.to_rebook(ctx, office), actor)

    def expire_holds(self) -> int:
        """B6: free every lapsed hold (the kiosk calls this now and then); returns how many."""
        from store.models import Booking

        pairs = self._read(
            lambda ctx: ctx.session.execute(
                sa.select(col(Booking.office_id), col(Booking.procedure_id))
                .where(col(Booking.status) == "held", col(Booking.hold_expires_at) <= ctx.now)
                .distinct()
            ).all()
        )
        total = 0
        for office_id, procedure_id in pairs:

            def work(ctx: Ctx, o: int = office_id, p: int = procedure_id) -> int:
                from store.services.lookups import lock_offering

                lock_offering(ctx, o, p)
                return freed_seats.expire_holds(ctx, o, p)

            total += self._write(SYSTEM, work)
        return total

    # -- accounts ---------------------------------------------------------------------------

    def register(
        self, form: ApplicantForm, *, terms_accepted: bool, actor: Actor | None = None
    ) -> Registration:
        """A1–A8 (C2: `actor` is the agent when registering someone at the counter)."""
        return self._write(
            actor or SYSTEM, lambda ctx: accounts.register(ctx, form, terms_accepted=terms_accepted)
        )

    def login(self, identifier: str, password: str) -> ApplicantView:
        """A9, A11."""
        return self._write(SYSTEM, lambda ctx: accounts.login(ctx, identifier, password))

    def change_password(self, applicant_id: int, current: str, new: str) -> ApplicantView:
        """A9."""
        return self._write(
            _applicant(applicant_id),
            lambda ctx: accounts.change_password(ctx, applicant_id, current, new),
        )

    def recover_password(self, form: RecoveryForm) -> str:
        """A10: returns the new temporary password (shown once, printed, never stored)."""
        return self._write(SYSTEM, lambda ctx: accounts.recover(ctx, form))

    def applicant(self, applicant_id: int) -> ApplicantView:
        return self._read(lambda ctx: applicant_view(ctx, applicant_by_id(ctx, applicant_id)))

    def applicant_by_document(self, document: str) -> ApplicantView:
        """An applicant by document number in any usual spelling."""
        return self._read(lambda ctx: applicant_view(ctx, applicant_by_document(ctx, document)))

    def find_applicants(self, query: str, *, actor: Actor = SYSTEM) -> list[ApplicantView]:
        """C3. A staff member's search is recorded with the query as typed, a document
        number in it masked (C1, K6)."""
        if actor.kind != "staff":
            return self._read(lambda ctx: accounts.find_applicants(ctx, query))

        def work(ctx: Ctx) -> list[ApplicantView]:
            roles.require_role(ctx, audit.COUNTER_ROLES)
            found = accounts.find_applicants(ctx, query)
            audit.record_search(ctx, query, len(found))
            return found

        return self._write(actor, work)

    def open_file(self, applicant_id: int, *, actor: Actor) -> ApplicantView:
        """C1: a person's file, opened by a staff member; the audit log records who looked."""

        def work(ctx: Ctx) -> ApplicantView:
            applicant = applicant_by_id(ctx, applicant_id)
            audit.record_file_view(ctx, applicant)
            return applicant_view(ctx, applicant)

        return self._write(actor, work)

    def record_assisting(self, applicant_id: int | None, *, started: bool, actor: Actor) -> None:
        """C1, C2: assisted mode began or ended for a person (None: someone registering)."""
        self._write(actor, lambda ctx: audit.record_assisting(ctx, applicant_id, started=started))

    def record_logout(self, how: str, *, actor: Actor) -> None:
        """C1: a staff member left the desk ("f9", "button" or "idle", K1)."""
        self._write(actor, lambda ctx: audit.record_logout(ctx, how))

    def set_region(self, applicant_id: int, region: str) -> ApplicantView:
        """B1."""
        return self._write(
            _applicant(applicant_id), lambda ctx: accounts.set_region(ctx, applicant_id, region)
        )

    def set_language(self, applicant_id: int, language: str) -> None:
        """K4."""
        self._write(
            _applicant(applicant_id), lambda ctx: accounts.set_language(ctx, applicant_id, language)
        )

    def update_identity(
        self, applicant_id: int, form: ApplicantForm, *, actor: Actor | None = None
    ) -> ApplicantView:
        """B10."""
        return self._write(
            actor or _applicant(applicant_id),
            lambda ctx: accounts.update_identity(ctx, applicant_id, form),
        )

    def verify_identity(self, applicant_id: int, *, actor: Actor) -> ApplicantView:
        """C4."""
        return self._write(actor, lambda ctx: accounts.verify_at_counter(ctx, applicant_id))

    def create_staff(
        self, username: str, full_name: str, role: str, password: str, office: str | None = None
    ) -> StaffView:
        """C1."""
        return self._write(
            SYSTEM, lambda ctx: staff.create_staff(ctx, username, full_name, role, password, office)
        )

    def login_staff(self, username: str, password: str) -> StaffView:
        """C1; C10: the view says whether the password is a temporary one to replace."""
        return self._write(SYSTEM, lambda ctx: staff.login_staff(ctx, username, password))

    def change_staff_password(self, current: str, new: str, *, actor: Actor) -> StaffView:
        """C10 (A9 for staff): the acting staff member replaces their own password (forced
        after a temporary one)."""
        staff_id = actor.staff_id or 0
        return self._write(
            actor, lambda ctx: staff.change_staff_password(ctx, staff_id, current, new)
        )

    # -- C10: staff administration (supervisors) ---------------------------------------------

    def add_staff(
        self, username: str, full_name: str, role: str, office: str | None = None, *, actor: Actor
    ) -> StaffPassword:
        """C10: a new account with a temporary password (shown once, never stored)."""
        return self._write(
            actor, lambda ctx: staff.add_staff(ctx, username, full_name, role, office)
        )

    def staff_accounts(self, office: str | None = None, *, actor: Actor) -> list[StaffView]:
        """C10: an office's staff accounts and their state (all, for a national supervisor)."""
        return self._read(lambda ctx: staff.list_staff(ctx, office), actor)

    def deactivate_staff(self, username: str, *, actor: Actor) -> StaffView:
        """C10: the account can no longer log in."""
        return self._write(actor, lambda ctx: staff.deactivate_staff(ctx, username))

    def unlock_staff(self, username: str, *, actor: Actor) -> StaffView:
        """C10, A11: end a lockout."""
        return self._write(actor, lambda ctx: staff.unlock_staff(ctx, username))

    def reset_staff_password(self, username: str, *, actor: Actor) -> StaffPassword:
        """C10: a new temporary password, to be changed at first use."""
        return self._write(actor, lambda ctx: staff.reset_staff_password(ctx, username))

    # -- bookings ---------------------------------------------------------------------------

    def hold(
        self,
        applicant_id: int,
        slot_id: int,
        *,
        replacing: str | None = None,
        actor: Actor | None = None,
    ) -> BookingView:
        """B6 (B13: `replacing` is the code of the booking this hold would replace)."""
        return self._write(
            actor or _applicant(applicant_id),
            lambda ctx: booking.hold(ctx, applicant_id, slot_id, replacing=replacing),
        )

    def confirm(
        self,
        applicant_id: int,
        hold_id: int,
        *,
        replacing: str | None = None,
        reason: str | None = None,
        actor: Actor | None = None,
    ) -> BookingView:
        """B6, B7, K3; B13: with `replacing`, the booking of that code moves to this time in
        the same transaction (the old time goes to the waitlist first, W2)."""
        return self._write(
            actor or _applicant(applicant_id),
            lambda ctx: booking.confirm(
                ctx, applicant_id, hold_id, replacing=replacing, reason=reason
            ),
        )

    def release_hold(self, applicant_id: int, hold_id: int) -> None:
        """B6."""
        self._write(
            _applicant(applicant_id), lambda ctx: booking.release(ctx, applicant_id, hold_id)
        )

    def book(self, applicant_id: int, slot_id: int, *, actor: Actor | None = None) -> BookingView:
        """B6 + B7 in one step. The booking's first read is one look before the transaction
        (`booking.look_to_book`): a time full to its last seat is refused there, without the
        write lock (a release burst's tries are mostly such); what the rest writes is put
        together from it before the lock is taken (`booking.book_after_look`; on PostgreSQL
        the whole of it is one more round trip). Where the look went out of date meanwhile,
        nothing is written and the booking goes the long way."""
        who = actor or _applicant(applicant_id)
        now = self.clock.now()
        seen = self.database.peek(
            lambda connection: booking.look_to_book(connection, now, applicant_id, slot_id)
        )
        if isinstance(seen, Refused):
            raise seen
        done = self._write(
            who, lambda ctx: booking.book_after_look(ctx, applicant_id, slot_id, seen)
        )
        if done is not None:
            return done
        return self._write(who, lambda ctx: booking.book(ctx, applicant_id, slot_id))

    def cancel(
        self,
        code: str,
        *,
        applicant_id: int | None = None,
        reason: str | None = None,
        actor: Actor | None = None,
    ) -> Cancelled:
        """B9: the owner (`applicant_id`) within the office's policy; staff (`actor`) also
        outside it, with a `reason` the audit log keeps."""
        who = actor or (_applicant(applicant_id) if applicant_id else SYSTEM)
        return self._write(
            who, lambda ctx: booking.cancel(ctx, code, applicant_id=applicant_id, reason=reason)
        )

    def reschedule(
        self,
        code: str,
        slot_id: int,
        *,
        applicant_id: int | None = None,
        reason: str | None = None,
        actor: Actor | None = None,
    ) -> Moved:
        """B13 in one step (the command line, the counter): hold the new time and move."""
        who = actor or (_applicant(applicant_id) if applicant_id else SYSTEM)
        return self._write(
            who,
            lambda ctx: booking.reschedule(
                ctx, code, slot_id, applicant_id=applicant_id, reason=reason
            ),
        )

    def rebook(self, code: str, slot_id: int | None = None, *, actor: Actor) -> BookingView:
        """B12: staff book a displaced person a time (the next free one of the same office and
        procedure when `slot_id` is None); their displacement place on the waitlist closes."""
        return self._write(actor, lambda ctx: closures.rebook(ctx, code, slot_id))

    def reenrol_displaced(self, code: str, *, actor: Actor) -> WaitlistEntryView:
        """B12: put a displaced person back on the waitlist, ranked by their original date."""
        return self._write(actor, lambda ctx: closures.reenrol(ctx, code))

    def booking(self, code: str, *, actor: Actor = SYSTEM) -> BookingView:
        """B7: a booking by its verification code (`kiosk verify`, `kiosk receipt`). A staff
        member's reading is recorded (C1)."""

        def work(ctx: Ctx) -> BookingView | Refused:
            found = booking.look_up(ctx, code)  # issue 15 §6: misses audited and limited
            if isinstance(found, Refused):
                return found
            if actor.kind == "staff":
                audit.record_staff_read(ctx, "booking.viewed", found.uuid)
            return booking_view(ctx, found)

        return self._write(actor, work)

    def bookings_of(self, applicant_id: int) -> list[BookingView]:
        return self._read(lambda ctx: booking.bookings_of(ctx, applicant_id))

    # -- waitlist ---------------------------------------------------------------------------

    def enrol(
        self, applicant_id: int, office: str, procedure: str, *, actor: Actor | None = None
    ) -> WaitlistEntryView:
        """W1."""
        return self._write(
            actor or _applicant(applicant_id),
            lambda ctx: waitlist.enrol(ctx, applicant_id, office, procedure),
        )

    def withdraw(
        self, applicant_id: int, office: str, procedure: str, *, actor: Actor | None = None
    ) -> WaitlistEntryView:
        """W4."""
        return self._write(
            actor or _applicant(applicant_id),
            lambda ctx: waitlist.withdraw(ctx, applicant_id, office, procedure),
        )

    def waitlist(
        self, office: str, procedure: str, *, actor: Actor = SYSTEM
    ) -> list[WaitlistEntryView]:
        """W3: the queue in order. A staff member's reading (names and full document numbers)
        is recorded (C1)."""
        if actor.kind != "staff":
            return self._read(lambda ctx: waitlist.queue(ctx, office, procedure))

        def work(ctx: Ctx) -> list[WaitlistEntryView]:
            entries = waitlist.queue(ctx, office, procedure)
            subject = f"{office.upper()}/{procedure.upper()}"
            audit.record_staff_read(ctx, "waitlist.viewed", subject, people=len(entries))
            return entries

        return self._write(actor, work)

    def waitlist_entries_of(self, applicant_id: int) -> list[WaitlistEntryView]:
        """W3: an applicant's entries with positions."""
        return self._read(lambda ctx: waitlist.entries_of(ctx, applicant_id))

    # -- mailbox and tickets ----------------------------------------------------------------

    def notices(self, applicant_id: int, *, actor: Actor | None = None) -> list[NoticeView]:
        """M1, M2. A staff member's reading of someone's mailbox is recorded (C1, K8)."""
        if actor is None or actor.kind != "staff":
            return self._read(lambda ctx: mailbox.list_notices(ctx, applicant_id))

        def work(ctx: Ctx) -> list[NoticeView]:
            found = mailbox.list_notices(ctx, applicant_id)
            person = applicant_by_id(ctx, applicant_id)
            audit.record_staff_read(ctx, "mailbox.viewed", person.uuid, notices=len(found))
            return found

        return self._write(actor, work)

    def unread_count(self, applicant_id: int) -> int:
        """M1."""
        return self._read(lambda ctx: mailbox.unread_count(ctx, applicant_id))

    def open_notice(
        self, applicant_id: int, notice_id: int, *, actor: Actor | None = None
    ) -> NoticeView:
        """M1: records the person's first reading; K8: a staff member (`actor`, assisted mode)
        opening it is audited as a staff read and is not the person's acknowledgement."""
        return self._write(
            actor or _applicant(applicant_id),
            lambda ctx: mailbox.open_notice(ctx, applicant_id, notice_id),
        )

    def deliver_outbox(
        self,
        mailer: Mailer,
        translator_for: Callable[[str], Callable[[str], str]],
        *,
        batch: int = 20,
        actor: Actor = SYSTEM,
    ) -> OutboxRun:
        """M3: send every e-mail that is due through `mailer`, each in its applicant's language
        (`translator_for(language)`). Claiming and marking are short transactions of their
        own; the sending happens between them, outside any transaction, so a slow or dead
        server never holds the write lock. A failed send is retried later (backoff on the
        store's clock); a server that cannot be reached ends the run. The audit log records
        who ran it (`actor`) and what it did, when it did anything."""
        from store.mail import MailError, compose

        sent = failed = 0
        reachable = True
        while reachable:
            claimed = self._write(SYSTEM, lambda ctx: mailbox.claim_due(ctx, batch))
            if not claimed:
                break
            try:
                with mailer.connection() as send:
                    for mail in claimed:
                        message = compose(
                            mail, translator_for(mail.language), mailer.sender, self.clock.now()
                        )
                        try:
                            send(message)
                        except MailError as error:
                            self._mark_failed(mail.outbox_id, error)
                            failed += 1
                        else:
                            self._mark_sent(mail.outbox_id)
                            sent += 1
            except MailError as error:
                # Could not connect or log in: this batch waits for the next try. Never a
                # refusal of these e-mails, even on a 5xx (a wrong SMTP password answers 535):
                # fixing the setting must not find every e-mail given up.
                reachable = False
                for mail in claimed:
                    self._mark_failed(mail.outbox_id, MailError(str(error)))
                    failed += 1
        run = OutboxRun(sent, failed, self._read(mailbox.pending_count))
        if sent or failed:
            self._write(
                actor,
                lambda ctx: audit.record(
                    ctx, "outbox.sent", "outbox", sent=sent, failed=failed, pending=run.pending
                ),
            )
        return run

    def _mark_sent(self, outbox_id: int) -> None:
        self._write(SYSTEM, lambda ctx: mailbox.mark_sent(ctx, outbox_id))

    def _mark_failed(self, outbox_id: int, error: MailError) -> None:
        self._write(
            SYSTEM,
            lambda ctx: mailbox.mark_failed(ctx, outbox_id, str(error), permanent=error.permanent),
        )

    def send_reminders(self, day: date | None = None, *, actor: Actor = SYSTEM) -> int:
        """M4: the day-before reminders for the bookings on `day` (each office's tomorrow by
        default), once per booking however often it runs. Staff need a counter role."""

        def work(ctx: Ctx) -> int:
            if actor.kind != "system":
                roles.require_role(ctx, ("agent", "supervisor"))
            return reminders.send_reminders(ctx, day)

        return self._write(actor, work)

    def open_ticket(
        self,
        applicant_id: int,
        kind: str,
        subject: str,
        category: str,
        message: str,
        reference: str | None = None,
        *,
        actor: Actor | None = None,
    ) -> TicketView:
        """H1, H2."""
        return self._write(
            actor or _applicant(applicant_id),
            lambda ctx: tickets.open_ticket(
                ctx, applicant_id, kind, subject, category, message, reference
            ),
        )

    def answer_ticket(self, ticket_id: int, answer: str, *, actor: Actor) -> TicketView:
        """H3."""
        return self._write(actor, lambda ctx: tickets.answer_ticket(ctx, ticket_id, answer))

    def request_documents(
        self, applicant_id: int, documents: str, deadline: date, *, actor: Actor
    ) -> None:
        """C8."""
        self._write(
            actor, lambda ctx: tickets.request_documents(ctx, applicant_id, documents, deadline)
        )

    def open_tickets(self, *, actor: Actor = SYSTEM) -> list[TicketView]:
        """C8, C9: the open tickets the acting staff member's office answers."""
        return self._read(tickets.open_tickets, actor)

    def tickets_of(self, applicant_id: int) -> list[TicketView]:
        return self._read(lambda ctx: tickets.tickets_of(ctx, applicant_id))

    def audit_log(
        self,
        action: str | None = None,
        limit: int = 200,
        *,
        actor_filter: str | None = None,
        subject: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        actor: Actor = SYSTEM,
    ) -> list[AuditEventView]:
        """C1: the newest audit events, filtered (days as dates or as people write them, UTC,
        both included), each subject and actor named where the store knows them. Staff need
        the auditor or supervisor role."""

        def work(ctx: Ctx) -> list[AuditEventView]:
            if actor.kind != "system":
                roles.require_role(ctx, audit.AUDIT_ROLES)
            return audit.list_events(
                ctx,
                action=action,
                actor=actor_filter,
                subject=subject,
                date_from=date_from,
                date_to=date_to,
                limit=limit,
            )

        return self._read(work, actor)

    def verify_audit(self, *, actor: Actor = SYSTEM) -> ChainVerdict:
        """W7, C1: walk the audit log's hash chain; the first broken link, if any. Staff need
        the auditor or supervisor role (a read: it changes nothing)."""

        def work(ctx: Ctx) -> ChainVerdict:
            if actor.kind != "system":
                roles.require_role(ctx, audit.AUDIT_ROLES)
            return audit_chain.verify(ctx.session)

        return self._read(work, actor)

    # -- the counter's day and figures (C5, C7) ---------------------------------------------

    def agenda(
        self, office: str, day: date | None = None, *, actor: Actor = SYSTEM
    ) -> list[AgendaRow]:
        """C5: an office's appointments of one day (its today by default)."""
        return self._read(lambda ctx: counter.agenda(ctx, office, day), actor)

    def check_in(self, office: str, code_or_document: str, *, actor: Actor) -> AgendaRow:
        """C5: check an arrival in by booking code or document; Q1: they wait with a number."""

        def work(ctx: Ctx) -> AgendaRow:
            row = counter.check_in(ctx, office, code_or_document)
            return replace(row, queue_number=queue.number_at_counter(ctx, office, row.code))

        return self._write(actor, work)

    def mark_attended(self, office: str, code: str, *, actor: Actor) -> AgendaRow:
        """C5."""
        return self._write(actor, lambda ctx: counter.mark(ctx, office, code, "attended"))

    def mark_missed(self, office: str, code: str, *, actor: Actor) -> AgendaRow:
        """C5, C11: only once the time plus the office's grace has passed."""
        return self._write(actor, lambda ctx: counter.mark(ctx, office, code, "missed"))

    def undo_missed(self, office: str, code: str, *, actor: Actor) -> AgendaRow:
        """C11: a "did not come" marked by mistake is undone, the same day."""
        return self._write(actor, lambda ctx: counter.undo_missed(ctx, office, code))

    def close_day(self, office: str, day: date, *, actor: Actor) -> DayClosed:
        """C11: mark the day's remaining confirmed bookings missed (supervisors)."""
        return self._write(actor, lambda ctx: counter.close_day(ctx, office, day))

    def figures(self, office: str | None = None, *, actor: Actor = SYSTEM) -> list[Figures]:
        """C7: per office and procedure. Staff need the supervisor role."""

        def work(ctx: Ctx) -> list[Figures]:
            if actor.kind != "system":
                roles.require_role(ctx, ("supervisor",))
            return stats.figures(ctx, office)

        return self._read(work, actor)

    @staticmethod
    def figures_csv(figures: list[Figures]) -> str:
        """C7: figures as CSV, one line per office and procedure."""
        return stats.figures_csv(figures)

    def queue_figures(
        self, office: str | None = None, *, actor: Actor = SYSTEM
    ) -> list[QueueFigures]:
        """Q5: the waiting room per day (the last 30) and agent: served, mean and 90th
        percentile wait, mean service. Staff need the supervisor role, and see their office's
        (C9) as with `figures`."""

        def work(ctx: Ctx) -> list[QueueFigures]:
            if actor.kind != "system":
                roles.require_role(ctx, ("supervisor",))
            return stats.queue_figures(ctx, office)

        return self._read(work, actor)

    @staticmethod
    def queue_figures_csv(figures: list[QueueFigures]) -> str:
        """Q5: the waiting room's figures as CSV, one line per office, day and agent."""
        return stats.queue_figures_csv(figures)
