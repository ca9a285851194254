"""`flask audit verify`: recompute the audit chain and report any event edited, deleted or reordered."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import audit_anchor
from .db import engine
from .models.audit import verify_chain


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


def _anchor(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    event_id, _, digest = value.partition(":")
    if not event_id.isdigit() or len(digest) != 64:
        raise click.BadParameter("give it as EVENT-ID:HASH, as printed by an earlier run")
    return int(event_id), digest.lower()


@audit_group.command("verify")
@click.option("--anchor", callback=_anchor, metavar="EVENT-ID:HASH",
              help="An event and hash printed by an earlier run and kept outside the database.")
@with_appcontext
def verify(anchor: tuple[int, str] | None) -> None:
    """Check every audit event against the one before it and the newest anchor; exit 1 on any break."""
    anchor_file = Path(current_app.config["AUDIT_ANCHOR_FILE"])
    if anchor is None:
        anchor = audit_anchor.newest(anchor_file)
        if anchor is not None:
            click.echo(f"Checking against the newest anchor in {anchor_file}: event {anchor[0]}.")
        else:
            click.echo(f"No anchor in {anchor_file} yet: checking the chain alone.")
    with engine().connect() as connection:
        report = verify_chain(connection, anchor)
    if report.problems:
        for problem in report.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"The audit record is not intact: {len(report.problems)} problem(s) "
                                   f"in {report.count} event(s).")
    newest = f"{report.last_id}:{report.last_hash}" if report.last_id is not None else "none"
    click.echo(f"The audit record is intact: {report.count} event(s). Newest: {newest}")
    click.echo("Anchors are appended to AUDIT_ANCHOR_FILE every hour (`flask audit anchor`); keep it outside "
               "the database's disk. Or keep that line yourself and pass it back as --anchor.")


@audit_group.command("anchor")
@with_appcontext
def anchor_now() -> None:
    """Append the newest event and its hash to AUDIT_ANCHOR_FILE (run hourly from system cron)."""
    path = Path(current_app.config["AUDIT_ANCHOR_FILE"])
    with engine().connect() as connection:
        try:
            line = audit_anchor.write(connection, path)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Anchored {line} in {path}." if line else "No audit events yet: nothing to anchor.")
