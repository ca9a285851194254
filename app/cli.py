"""Flask CLI commands: `flask create-user`, `flask seed-demo`, `flask outbox relay`, `flask reminders ...`."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlmodel import Session

from app.services.notifications import outbox as outbox_service
from app.services.notifications.reminders import daily_sweep, queue_digests
from app.services.team import accounts
from workflows.roles import Role

from .db import engine
from .models import Membership


def register_commands(app: Flask) -> None:
    """Attach the project's commands to `flask`."""
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(outbox_group)
    app.cli.add_command(reminders_group)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]),
              help="A service-wide role; repeat for several (e.g. --role service_administrator).")
@with_appcontext
def create_user(email: str, name: str, password: str, roles: tuple[str, ...]) -> None:
    """Create a user who can sign in."""
    with Session(engine()) as session:
        try:
            user = accounts.create_user(session, email, name, password)
        except accounts.AccountError as error:
            raise click.ClickException(str(error)) from None
        for role in roles:
            session.add(Membership(user_id=user.id, role=role))
        outbox_service.commit(session)
        click.echo(f"Created {user.email} (id {user.id}){' with ' + ', '.join(roles) if roles else ''}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo organisations, programs, candidates and approvers (idempotent)."""
    # Imported here so the web process never loads the demo package.
    from app.demo.seed import seed

    with Session(engine(), expire_on_commit=False) as session:
        accounts_created = seed(session)
    click.echo("Demo data ready. Sign in at http://127.0.0.1:5000 with any of these:")
    width = max(len(a.email) for a in accounts_created)
    for account in accounts_created:
        click.echo(f"  {account.email:<{width}}  password: {account.password}  ({account.description})")


@click.group("outbox")
def outbox_group() -> None:
    """The transactional outbox."""


@outbox_group.command("relay")
@click.option("--loop/--once", default=False, help="Keep relaying every --interval seconds.")
@click.option("--interval", default=30, show_default=True)
@with_appcontext
def relay(loop: bool, interval: int) -> None:
    """Hand over outbox messages that were never queued (Redis was down, a process died)."""
    while True:
        count = outbox_service.relay()
        click.echo(f"relayed {count} outbox message(s)")
        if not loop:
            return
        time.sleep(interval)


@click.group("reminders")
def reminders_group() -> None:
    """Deadline reminders, weekly log nudges, escalations and daily digests (for cron-less setups)."""


@reminders_group.command("run")
@click.option("--at", "at", default=None, help="Pretend it is this UTC time (ISO 8601), e.g. to catch up.")
@with_appcontext
def reminders_run(at: str | None) -> None:
    """Queue every reminder, nudge and escalation due now; each goes out once however often this runs."""
    from datetime import UTC, datetime

    now = None
    if at:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter(f"{at!r} is not an ISO 8601 date-time", param_hint="--at") from None
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
    with Session(engine(), expire_on_commit=False) as session:
        counts = daily_sweep(session, now)
    total = sum(counts.values())
    details = ", ".join(f"{job}: {n}" for job, n in sorted(counts.items()))
    click.echo(f"queued {total} message(s){' (' + details + ')' if details else ''}")


@reminders_group.command("digest")
@with_appcontext
def reminders_digest() -> None:
    """Queue today's digest for everyone who chose one and has updates waiting."""
    with Session(engine(), expire_on_commit=False) as session:
        count = queue_digests(session)
    click.echo(f"queued {count} digest(s)")
