"""The layers of architecture.md: dependencies point down only, checked from the imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What each layer may never import.
FORBIDDEN = {
    "store": {"textual", "kiosk", "screens", "receipts"},
    "receipts": {"textual", "kiosk", "screens", "store.models", "sqlalchemy", "sqlmodel"},
    "screens": {"kiosk", "sqlalchemy", "sqlmodel", "store.models", "store.services", "store.db"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_dependencies_point_down(layer: str) -> None:
    offences = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for name in _imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []


def test_screens_write_no_sql() -> None:
    for path in (ROOT / "screens").rglob("*.py"):
        text = path.read_text(encoding="utf-8").upper()
        assert not any(
            verb in text for verb in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM")
        ), path


def test_nothing_calls_datetime_now_outside_the_clock() -> None:
    for layer in ("store", "kiosk", "screens", "receipts"):
        for path in (ROOT / layer).rglob("*.py"):
            if path.name == "clock.py":
                continue
            assert "datetime.now(" not in path.read_text(encoding="utf-8"), path
