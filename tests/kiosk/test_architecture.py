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


# -- one owner of navigation; no import cycles (issue 11) ------------------------------------

PACKAGES = ("kiosk", "screens", "store", "receipts")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


def _dependencies(name: str, path: Path, known: set[str]) -> set[str]:
    """Every project module `name` imports: at the top, inside functions, under TYPE_CHECKING.

    `from store import db` depends on the module `store.db`; `from store import Store` on the
    package `store` itself."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {module for module in found if module in known and module != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _dependencies(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycle_anywhere_deferred_imports_included() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_check_sees_a_deferred_import() -> None:
    """The check itself: a cycle closed by an import inside a function is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": set()}
    assert _cycles(graph) == []
    graph["c"] = {"a"}
    assert _cycles(graph) == [["a", "b", "c"]]
    source = "def f():\n    from screens.home import HomeScreen\n"
    path = ROOT / "tests" / "kiosk" / "_deferred_probe.py"
    path.write_text(source, encoding="utf-8")
    try:
        assert _dependencies("probe", path, {"screens.home"}) == {"screens.home"}
    finally:
        path.unlink()


def _screen_modules() -> set[str]:
    """Modules that define a step of a journey: a screen class (a subclass of KioskScreen, at
    any depth) that no other screen class extends. Base classes and dialogs are not steps."""
    classes: dict[str, tuple[str, set[str]]] = {}
    for name, path in _modules().items():
        if name.startswith("screens."):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    bases = {base.id for base in node.bases if isinstance(base, ast.Name)}
                    classes[node.name] = (name, bases)
    screens = {"KioskScreen"}
    while grown := {c for c, (_m, bases) in classes.items() if bases & screens} - screens:
        screens |= grown
    extended = {base for _m, bases in classes.values() for base in bases}
    return {classes[c][0] for c in screens - extended if c in classes}


def test_a_screen_never_imports_another_screen() -> None:
    """Only the journey knows which screen follows which (architecture.md, "screens/")."""
    graph = _graph()
    steps = _screen_modules()
    assert {"screens.welcome", "screens.home", "screens.counter.desk"} <= steps
    offences = [
        f"{module} imports {target}"
        for module, targets in sorted(graph.items())
        if module.startswith("screens.") and module != "screens.journey"
        for target in sorted(targets & steps)
    ]
    assert offences == []


def _outcomes() -> set[str]:
    """Every outcome a screen can post, as "Screen.Outcome"."""
    found = set()
    for name, path in _modules().items():
        if not name.startswith("screens."):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.ClassDef):
                continue
            for inner in node.body:
                if isinstance(inner, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id == "Outcome" for base in inner.bases
                ):
                    found.add(f"{node.name}.{inner.name}")
    return found


def test_every_outcome_leads_somewhere() -> None:
    """Each outcome a screen posts has its `case` in the journey's map."""
    routed = set()
    tree = ast.parse((ROOT / "screens" / "journey.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        cls = node.cls if isinstance(node, ast.MatchClass) else None
        if isinstance(cls, ast.Attribute) and isinstance(cls.value, ast.Name):
            routed.add(f"{cls.value.id}.{cls.attr}")
    outcomes = _outcomes()
    assert "SlotsScreen.Booked" in outcomes
    assert sorted(outcomes - routed) == []
