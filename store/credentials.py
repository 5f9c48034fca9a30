"""Passwords (A8, A9, C1): argon2 hashes only, random temporary passwords."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# No 0/O, 1/l/I: a temporary password is read off a slip by someone in a hurry.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 12


def fast_hasher() -> PasswordHasher:
    """Cheap argon2 parameters for tests and benchmarks only (`KIOSK_ARGON2_PROFILE=fast`)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Passwords:
    """Hashes and checks passwords; knows nothing else."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        """The argon2 hash to store."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether `password` matches; a damaged hash is simply no match."""
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether a hash that just verified was made with other parameters than this
        hasher's (a demo's fast profile, or an older default): it is replaced at login."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return False

    def verify_nothing(self, password: str) -> None:
        """C10: the argon2 work of a check, for an account that does not exist: the password is
        verified against a fixed hash made once with the same parameters, so that how long a
        login takes says nothing about whether the account exists."""
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash("no account has this password")
        self.verify(self._dummy_hash, password)

    @staticmethod
    def temporary() -> str:
        """A8: a random temporary password from an unambiguous alphabet."""
        return "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_LENGTH))
