"""Password checks with lockout (A11), for applicants and staff (C1) alike."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from store.errors import Refused
from store.services.context import Ctx
from store.text import N_
from store.timefmt import fmt_time, in_zone

MAX_FAILED_LOGINS = 5  # A11
LOCK_MINUTES = 15  # A11
LOCK_ZONE = "America/Santiago"  # the lockout message tells Chile's wall clock


class Temporary(Protocol):
    """An account that may hold a temporary password (A9, C10)."""

    must_change_password: bool
    temporary_expires_at: datetime | None


class Credentials(Protocol):
    """What an account (an applicant or a staff member) keeps for logging in."""

    password_hash: str
    failed_logins: int
    locked_until: datetime | None


def locked_refusal(until: datetime) -> Refused:
    """A11: the lockout message, saying until when (Chile's wall clock)."""
    return Refused(
        "A11",
        "locked",
        N_(
            "Demasiados intentos fallidos: la cuenta está bloqueada hasta las {until}. "
            "Vuelva a intentarlo después."
        ),
        {"until": fmt_time(in_zone(until, LOCK_ZONE))},
    )


def check_password(ctx: Ctx, account: Credentials, password: str, wrong: Refused) -> Refused | None:
    """A11 (and C1 for staff): check a password, counting failures and locking after five.
    A wrong password gets `wrong`: the caller's one sentence for a failed login, the same it
    gives for an account that does not exist (C10), with nothing about the tries left.

    Returns the refusal rather than raising it, so the caller commits the failure count."""
    locked = account.locked_until
    if locked is not None and locked > ctx.now:
        return locked_refusal(locked)
    passwords = ctx.config.passwords
    if passwords.verify(account.password_hash, password if isinstance(password, str) else ""):
        account.failed_logins = 0
        account.locked_until = None
        if passwords.needs_rehash(account.password_hash):  # weaker (or older) parameters
            account.password_hash = passwords.hash(password)
        return None
    return count_failure(ctx, account, wrong)


def temporary_until(ctx: Ctx) -> datetime:
    """Issue 15 §6: when a temporary password issued now stops working."""
    return ctx.now + timedelta(hours=ctx.config.temporary_hours)


def temporary_expired(ctx: Ctx, account: Temporary, msgid: str) -> Refused | None:
    """A9, issue 15 §6: the right temporary password, but past its time: `msgid` says how to
    get a new one (recovery for an applicant, a supervisor's reset for staff)."""
    ends = account.temporary_expires_at
    if account.must_change_password and ends is not None and ends <= ctx.now:
        return Refused("A9", "temporary_expired", msgid, {"hours": ctx.config.temporary_hours})
    return None


def count_failure(ctx: Ctx, account: Credentials, wrong: Refused) -> Refused:
    """A11: one more failed try (a wrong password, or a recovery whose data did not match);
    the fifth in a row locks the account. Returns the refusal to give."""
    account.failed_logins += 1
    if account.failed_logins >= MAX_FAILED_LOGINS:
        account.failed_logins = 0
        account.locked_until = ctx.now + timedelta(minutes=LOCK_MINUTES)
        return locked_refusal(account.locked_until)
    return wrong


def no_such_account(ctx: Ctx, password: str, wrong: Refused) -> Refused:
    """C10: a login for an account that does not exist (or is deactivated) costs the same
    argon2 work as a wrong password and reads the same (`wrong`), so neither the answer nor
    its time tells whether the account exists."""
    ctx.config.passwords.verify_nothing(password if isinstance(password, str) else "")
    return wrong
