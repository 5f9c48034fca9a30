"""Run in a fresh process by the `memory` figure: one applicant's whole visit to the kiosk on
a large database (log in, home, procedures, offices, the slot grid, hold, confirm, receipt
printed), so the parent can read this process's peak RSS."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path


async def visit(db: str) -> None:
    from bench.data import NOW, store_for
    from kiosk.app import make_app
    from kiosk.settings import Settings
    from receipts.printer import FolderPrinter
    from store.demo import DEMO_APPLICANT_PASSWORD

    store = store_for(Path(db))
    settings = Settings(db_url=store.url, now=NOW)
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(settings, store, FolderPrinter(Path(folder)), watch_idle=False)
        async with app.run_test(size=(120, 40)) as pilot:

            async def settle() -> None:
                for _ in range(3):
                    await app.workers.wait_for_complete()
                    await pilot.pause(0.05)

            await settle()
            app.screen.query_one("#login").press()
            await settle()
            await pilot.press(*"jose.munoz@correo.cl", "enter", *DEMO_APPLICANT_PASSWORD, "enter")
            await settle()
            for _step in ("book", "procedure", "office", "time", "confirm"):
                await pilot.press("enter")
                await settle()
            assert list(Path(folder).glob("*.pdf")), "the visit did not reach a printed receipt"


if __name__ == "__main__":
    asyncio.run(visit(sys.argv[1]))
