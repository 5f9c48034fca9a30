"""Verification codes (B7): short, unambiguous, with a check character.

Seven random symbols from Crockford's base-32 alphabet (no I, L, O, U) and a Luhn mod 32
check symbol: one mistyped symbol or two swapped neighbours are always caught."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_READ_AS = {"O": "0", "I": "1", "L": "1", "U": "V"}
BODY_LENGTH = 7


def _check_symbol(body: str) -> str:
    base = len(ALPHABET)
    total, factor = 0, 2
    for symbol in reversed(body):
        addend = factor * _VALUE[symbol]
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


def new_code() -> str:
    """A fresh random code, eight symbols with the check symbol last.

    One random byte per symbol, its low five bits picking one of 32 (256 is a multiple of 32,
    so every symbol is equally likely); a capacity opening asks for thousands at once."""
    body = "".join(ALPHABET[byte & 31] for byte in secrets.token_bytes(BODY_LENGTH))
    return body + _check_symbol(body)


def display_code(code: str) -> str:
    """A stored code as printed and shown: two groups of four ("K7M2-QX9A")."""
    return f"{code[:4]}-{code[4:]}" if len(code) == BODY_LENGTH + 1 else code


def normalize_code(text: object) -> str | None:
    """A code as typed ("k7m2-qx9a", "K7M2 QX9A", O for 0) in stored form, or None if invalid."""
    if not isinstance(text, str):
        return None
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in text.upper() if ch not in " -.")
    if len(cleaned) != BODY_LENGTH + 1 or any(ch not in _VALUE for ch in cleaned):
        return None
    return cleaned if _check_symbol(cleaned[:-1]) == cleaned[-1] else None
