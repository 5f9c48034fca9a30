"""Citas Kiosk's store: models, migrations and the domain services behind the `Store` facade.

`Store` is imported lazily so that `import store` stays cheap on the kiosk's start-up path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.facade import Store

__all__ = ["Store"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from store.facade import Store

        return Store
    raise AttributeError(name)
