"""Build step: the wheel carries compiled gettext catalogues (`.mo` files are not in git).

setuptools runs this in place of its own `build_py` ([tool.setuptools.cmdclass] in
pyproject.toml). It imports only setuptools and Babel, both build requirements, never the
application. Babel rather than a home-made msgfmt: it is the compiler `make` uses for the
development checkout (`pybabel compile --use-fuzzy`), so both give the same catalogue, and it is
already a runtime dependency."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools.command.build_py import build_py

# Relative to the project root, where setuptools runs its commands.
CATALOGUES = "kiosk/i18n/*/LC_MESSAGES/*.po"


def compile_catalogue(po: Path, mo: Path) -> None:
    """Write `po` compiled to `mo`, fuzzy entries included (as `make` compiles it)."""
    with po.open("rb") as source:
        catalogue = read_po(source)
    mo.parent.mkdir(parents=True, exist_ok=True)
    with mo.open("wb") as target:
        write_mo(target, catalogue, use_fuzzy=True)


class BuildPyWithCatalogues(build_py):
    """setuptools' `build_py`, then every catalogue compiled beside its copied `.po`.

    An editable install imports the package from the source tree, so there the `.mo` files are
    written in place (they are git-ignored), as `make` does."""

    def run(self) -> None:
        super().run()
        target = Path() if self.editable_mode else Path(self.build_lib)
        for po in sorted(Path().glob(CATALOGUES)):
            compile_catalogue(po, target / po.with_suffix(".mo"))
