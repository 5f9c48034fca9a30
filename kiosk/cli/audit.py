"""`kiosk audit verify`: whether the audit log is whole (W7, C1; issue 15 §3). Acts as an
auditor or a supervisor (C12); exit 1 when a link of the chain is broken."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from kiosk.cli.acting import as_staff
from kiosk.cli.group import EXIT_REFUSED, Env, cli, emit, fail, json_option

if TYPE_CHECKING:
    from store.views import StaffView


@cli.group()
def audit() -> None:
    """The audit log (C1)."""


@audit.command("verify")
@json_option
@as_staff()
def audit_verify(env: Env, acting: StaffView, as_json: bool) -> None:
    """Walk the audit log's hash chain: every event after the one before, none changed."""
    verdict = env.store().verify_audit(actor=acting.actor)
    if verdict.ok:
        emit(verdict.as_json(), as_json, verdict.message.render(env.t))
        return
    if as_json:  # the document on stdout, the refusal's one line on stderr
        click.echo(json.dumps(verdict.as_json()))
    fail(verdict.message.render(env.t), EXIT_REFUSED)
