"""O4 at the counter: "Datos en conflicto" lists the contact data another office's store holds
differently for the same person, oldest first, and staff choose which value the person keeps,
with the keyboard alone (K5). Snapshots at 120×40 and 80×24, in Spanish and English."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col
from textual.widgets import DataTable

from kiosk.app import CounterApp
from screens.counter.conflicts import ConflictsScreen
from store import Store
from store.models import Applicant, AuditEvent, SyncConflict
from store.views import ApplicantView
from tests.conftest import NOW
from tests.factories import applicants
from tests.screens.conftest import STAFF_PASSWORD, settle, staff_at
from tests.screens.test_counter_snapshots import _tables_laid_out

MakeCounter = Callable[..., CounterApp]
SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
OTHER_EMAIL = "wyddeline.desir@vap.example.org"


@pytest.fixture
def conflicts(kiosk_store: Store, registered: ApplicantView) -> dict[str, int]:
    """What an import from VAP left for STG's staff, as the importer writes it: the registered
    person's phone (found first) and e-mail differ, and another person's e-mail came in as the
    registered person's own (choosing it would give one address to two people)."""
    (other,) = applicants(kiosk_store, 1, start=70)

    def work(session: Any) -> dict[str, int]:
        rows = {
            "phone": SyncConflict(
                applicant_id=registered.id,
                field="phone",
                local_value=registered.phone,
                incoming_value="+56 9 8765 4321",
                source="VAP",
                found_at=NOW - timedelta(days=2),
            ),
            "email": SyncConflict(
                applicant_id=registered.id,
                field="email",
                local_value=registered.email,
                incoming_value=OTHER_EMAIL,
                source="VAP",
                found_at=NOW - timedelta(days=1),
            ),
            "taken": SyncConflict(
                applicant_id=other,
                field="email",
                local_value="p70@correo.cl",
                incoming_value=registered.email,
                source="VAP",
                found_at=NOW - timedelta(hours=1),
            ),
        }
        # Written newest first, so that only the screen's order puts the oldest on top.
        for name in ("taken", "email", "phone"):
            session.add(rows[name])
        session.flush()
        return {name: row.id or 0 for name, row in rows.items()}

    return kiosk_store.database.write(work)


def _rows(app: CounterApp) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#conflicts", DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def _said(app: CounterApp) -> str:
    return str(app.screen.query_one("#conflict-said").render())


async def _keys(pilot: Any, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def _resolutions(store: Store) -> list[tuple[str, dict[str, Any]]]:
    with store.database.reading() as session:
        events = session.scalars(
            sa.select(AuditEvent).where(col(AuditEvent.action) == "applicant.conflict_resolved")
        )
        return [(e.actor, json.loads(e.details)) for e in events]


async def test_o4_k5_the_agent_takes_the_received_e_mail_with_the_keyboard_alone(
    make_counter: MakeCounter,
    kiosk_store: Store,
    registered: ApplicantView,
    conflicts: dict[str, int],
) -> None:
    """Oldest first; down, Enter, right, Enter: the person now has VAP's e-mail, the list has
    one fewer, the line says what changed, and the audit log names the agent."""
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await staff_at(pilot, "agente", "#conflicts")
        assert isinstance(app.screen, ConflictsScreen)
        rows = _rows(app)
        assert [r[2] for r in rows] == ["Teléfono", "Correo", "Correo"]
        assert rows[0][1] == rows[1][1] == "Wyddeline Ñusta Désir Saint-Fleur"
        assert "3 datos en conflicto" in str(app.screen.query_one("#conflicts-status").render())
        assert app.screen.focused is app.screen.query_one("#conflicts")
        await _keys(pilot, "down")
        detail = str(app.screen.query_one("#conflict-detail").render())
        assert f"En esta oficina: {registered.email}" in detail
        assert f"Recibido de VAP el 22-11-2026 09:00: {OTHER_EMAIL}" in detail
        await _keys(pilot, "enter")
        assert app.screen.focused is app.screen.query_one("#keep-local")
        await _keys(pilot, "right", "enter")
        assert kiosk_store.applicant(registered.id).email == OTHER_EMAIL
        assert _said(app) == (
            f"Wyddeline Ñusta Désir Saint-Fleur tiene ahora el correo recibido de VAP: "
            f"{OTHER_EMAIL}."
        )
        assert [r[2] for r in _rows(app)] == ["Teléfono", "Correo"]
        assert "2 datos en conflicto" in str(app.screen.query_one("#conflicts-status").render())
    ((actor, details),) = _resolutions(kiosk_store)
    assert "agente" in actor
    assert details == {"field": "email", "kept": "incoming"}


async def test_o4_keeping_this_offices_phone_changes_nothing_but_the_list(
    make_counter: MakeCounter,
    kiosk_store: Store,
    registered: ApplicantView,
    conflicts: dict[str, int],
) -> None:
    """Enter, Enter on the oldest: the person keeps this office's phone, and the conflict is
    gone from the list (resolved, not deleted)."""
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "super", "#conflicts")
        await _keys(pilot, "enter", "enter")
        assert kiosk_store.applicant(registered.id).phone == registered.phone
        assert [r[2] for r in _rows(app)] == ["Correo", "Correo"]
        assert "mantiene el teléfono de esta oficina" in _said(app)
    agent = kiosk_store.login_staff("agente", STAFF_PASSWORD).actor
    resolved = kiosk_store.sync_conflicts(actor=agent, include_resolved=True)
    assert [(c.field, c.kept) for c in resolved if c.resolved_at] == [("phone", "local")]


async def test_o4_an_e_mail_another_person_uses_is_refused_in_one_line_and_stays_listed(
    make_counter: MakeCounter,
    kiosk_store: Store,
    registered: ApplicantView,
    conflicts: dict[str, int],
) -> None:
    """The received e-mail is the registered person's: the line under the choices says so,
    nobody's e-mail changes, the conflict stays chosen; F2 says it again in English."""
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await staff_at(pilot, "agente", "#conflicts")
        await _keys(pilot, "down", "down", "enter", "right", "enter")
        assert isinstance(app.screen, ConflictsScreen)  # no dialog: the line says it
        assert _said(app) == (
            f"Otra persona ya usa el correo {registered.email} aquí: no se puede elegir."
        )
        assert app.screen.query_one("#conflict-said").has_class("-refused")
        assert app.screen.current is not None and app.screen.current.id == conflicts["taken"]
        assert len(_rows(app)) == 3
        await _keys(pilot, "f2")
        assert _said(app) == (
            f"Another person here already uses the e-mail {registered.email}: it cannot be chosen."
        )
        assert app.screen.current is not None and app.screen.current.id == conflicts["taken"]
    assert kiosk_store.applicant(registered.id).email == registered.email
    with kiosk_store.database.reading() as session:
        assert session.scalar(
            sa.select(col(Applicant.email)).where(col(Applicant.document_number) == "T00000070")
        ) == ("p70@correo.cl")
    assert _resolutions(kiosk_store) == []


async def test_o4_only_agents_and_supervisors_are_offered_the_conflicts(
    make_counter: MakeCounter, conflicts: dict[str, int]
) -> None:
    """An auditor reads the audit log; choosing a person's data is not theirs."""
    app = make_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await staff_at(pilot, "auditor")
        assert not app.screen.query("#conflicts")
        await pilot.press("f9")
        await staff_at(pilot, "agente")
        assert app.screen.query("#conflicts")


async def test_o4_no_conflicts_says_so(make_counter: MakeCounter) -> None:
    app = make_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await staff_at(pilot, "agente", "#conflicts")
        status = str(app.screen.query_one("#conflicts-status").render())
        assert status == "No hay datos en conflicto."
        assert not app.screen.query_one("#conflict-actions").display


def _conflicts_screen(*keys: str) -> Any:
    async def run(pilot: Any) -> None:
        await staff_at(pilot, "agente", "#conflicts")
        await _tables_laid_out(pilot)
        await _keys(pilot, *keys)
        await _tables_laid_out(pilot)

    return run


@SIZES
def test_conflicts_screen(
    snap_compare: Any, make_counter: MakeCounter, conflicts: dict[str, int], size: tuple[int, int]
) -> None:
    """O4: found, person, data, this office's value, the received one and where from; the
    chosen one whole under the list, its two choices."""
    assert snap_compare(make_counter(), terminal_size=size, run_before=_conflicts_screen("down"))


@SIZES
def test_conflicts_screen_in_english_after_a_refusal(
    snap_compare: Any, make_counter: MakeCounter, conflicts: dict[str, int], size: tuple[int, int]
) -> None:
    """K4: every word in English, the refusal's line in words and in the error colour."""
    assert snap_compare(
        make_counter(language="en"),
        terminal_size=size,
        run_before=_conflicts_screen("down", "down", "enter", "right", "enter"),
    )
