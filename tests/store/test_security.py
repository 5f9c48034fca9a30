"""Security figures of quality.md: passwords never in clear anywhere the store writes, and
document numbers masked in the audit log (K6)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from store import Store
from store.forms import RecoveryForm
from tests.factories import first_free, form, open_day


def _every_stored_text(store: Store) -> str:
    """Every value of every row of every table the models describe, as one text."""
    parts: list[str] = []
    with store.database.reading() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(sa.select(table)).all():
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_a8_no_password_is_stored_or_logged_in_clear(
    seeded: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reg = seeded.register(form(), terms_accepted=True)
    seeded.login("jose@correo.cl", reg.temporary_password)
    seeded.change_password(reg.applicant.id, reg.temporary_password, "clave-propia-2026")
    recovered = seeded.recover_password(
        RecoveryForm("VE", "passport", "P1234567", "Muñoz", "Pérez", "José Antonio", "1990-05-01")
    )
    seeded.create_staff("agente", "Camila Rojas", "agent", "clave-del-meson", "STG")
    seeded.login_staff("agente", "clave-del-meson")
    for wrong in ("intento-fallido-1", "intento-fallido-2"):
        with pytest.raises(Exception):  # noqa: B017  (any refusal; what matters is what is kept)
            seeded.login("jose@correo.cl", wrong)
    stored = _every_stored_text(seeded)
    logged = caplog.text
    for secret in (
        reg.temporary_password,
        "clave-propia-2026",
        recovered,
        "clave-del-meson",
        "intento-fallido-1",
    ):
        assert secret not in stored, secret
        assert secret not in logged, secret
    assert stored.count("$argon2") >= 2  # the applicant's and the agent's hashes


def test_k6_the_audit_log_masks_document_numbers(seeded: Store) -> None:
    reg = seeded.register(form(), terms_accepted=True)
    open_day(seeded)
    booking = seeded.book(reg.applicant.id, first_free(seeded))
    seeded.cancel(booking.code or "", applicant_id=reg.applicant.id)
    seeded.enrol(reg.applicant.id, "STG", "RD")  # RD has no times: a waitlist
    events = seeded.audit_log(limit=1000)
    assert len(events) >= 4
    for event in events:
        text = f"{event.subject} {event.details}"
        assert "P1234567" not in text and "1234567" not in text, event
    assert any("P1*****7" in e.details for e in events)
