"""The pieces a printed document is made of, independent of paper size.

Each document is described once as a list of blocks (`content.py`); `render.py` lays the same
list out on A4 or on an 80 mm roll."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Subheading:
    text: str


@dataclass(frozen=True)
class Field:
    """A label and its value: "Oficina: Santiago Centro"."""

    label: str
    value: str


@dataclass(frozen=True)
class BigCode:
    """Something read aloud or typed at a counter: the verification code, a temporary password."""

    label: str
    text: str


@dataclass(frozen=True)
class QRCode:
    data: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    strong: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class FinePrint:
    text: str


Block = Heading | Subheading | Field | BigCode | QRCode | Paragraph | Bullets | FinePrint
