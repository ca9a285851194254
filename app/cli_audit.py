"""`flask audit verify`: recompute the audit chain and report any event edited, deleted or reordered."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

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
    """Check every audit event against the one before it; exit 1 on any break."""
    with engine().connect() as connection:
        report = verify_chain(connection, anchor)
    if report.problems:
        for problem in report.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"The audit record is not intact: {len(report.problems)} problem(s) "
                                   f"in {report.count} event(s).")
    newest = f"{report.last_id}:{report.last_hash}" if report.last_id is not None else "none"
    click.echo(f"The audit record is intact: {report.count} event(s). Newest: {newest}")
    click.echo("Keep that line somewhere outside the database; pass it back as --anchor to prove "
               "nothing before it was rewritten since.")
