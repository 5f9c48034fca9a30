"""The counter's figures (C7, Q5) walked with Pilot: the waiting room's table per day and agent
under C7's, and "Exportar CSV" writing each table to its own file."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Button, DataTable

from kiosk.app import CounterApp
from store import Store
from tests.screens.conftest import STAFF_PASSWORD, screen_text, settle, staff_at
from tests.waiting_room import waiting_room as waiting_room  # the fixture

MakeCounter = Callable[..., CounterApp]


async def test_q5_the_waiting_room_table_and_its_csv_beside_c7_s(
    make_counter: MakeCounter, waiting_room: None, tmp_path: Path
) -> None:
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#figures")
        await settle(pilot)
        table = app.screen.query_one("#queue-figures", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [
            ["lun 23 nov", "agente", "1", "4,0", "4,0", "26,0"],
            ["vie 20 nov", "agente", "2", "11,0", "15,0", "9,0"],
            ["vie 20 nov", "agente2", "1", "2,0", "2,0", "8,0"],
        ]
        app.screen.query_one("#export", Button).press()
        await settle(pilot)
        figures, queue = sorted((tmp_path / "exports").glob("*.csv"))
        assert figures.name.startswith("cifras-") and queue.name.startswith("sala-de-espera-")
        assert "Cifras guardadas en" in screen_text(app) and queue.name in screen_text(app)
        with queue.open(encoding="utf-8", newline="") as handle:
            lines = list(csv.reader(handle))
        assert lines == [
            [
                "office",
                "day",
                "agent",
                "served",
                "mean_wait_min",
                "p90_wait_min",
                "mean_service_min",
            ],
            ["STG", "2026-11-20", "agente", "2", "11.0", "15.0", "9.0"],
            ["STG", "2026-11-20", "agente2", "1", "2.0", "2.0", "8.0"],
            ["STG", "2026-11-23", "agente", "1", "4.0", "4.0", "26.0"],
        ]
        assert "Rojas" not in queue.read_text(encoding="utf-8")  # user names, not people


async def test_q5_f2_redraws_the_table_in_english_with_a_decimal_point(
    make_counter: MakeCounter, waiting_room: None
) -> None:
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#figures")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert "Waiting room" in screen_text(app)
        table = app.screen.query_one("#queue-figures", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "Day",
            "Agent",
            "Served",
            "Mean wait",
            "P90 wait",
            "Mean service",
        ]
        assert [str(c) for c in table.get_row_at(1)][2:] == ["2", "11.0", "15.0", "9.0"]


async def test_q5_c9_a_national_supervisor_sees_the_office_column(
    make_counter: MakeCounter, kiosk_store: Store, waiting_room: None
) -> None:
    kiosk_store.create_staff("nacional", "Ana Pérez Díaz", "supervisor", STAFF_PASSWORD)
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "nacional", "#figures")
        await settle(pilot)
        table = app.screen.query_one("#queue-figures", DataTable)
        assert str(next(iter(table.columns.values())).label) == "Oficina"
        assert [str(c) for c in table.get_row_at(0)][:3] == ["STG", "lun 23 nov", "agente"]
