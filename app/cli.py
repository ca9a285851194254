"""Flask CLI commands: `flask create-user`, `flask seed-demo`, `flask outbox relay`, `flask reminders ...`."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from app import outbox as outbox_service
from app.services.notifications.reminders import daily_sweep, queue_digests
from app.services.team import accounts
from workflows.roles import Role

from . import clock
from .cli_audit import audit_group
from .db import engine


def register_commands(app: Flask) -> None:
    """Attach the project's commands to `flask`."""
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(outbox_group)
    app.cli.add_command(reminders_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(clock_group)
    app.cli.add_command(summaries_group)


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
        accounts.give_service_roles(session, user, [Role(r) for r in roles])
        outbox_service.commit(session)
        click.echo(f"Created {user.email} (id {user.id}){' with ' + ', '.join(roles) if roles else ''}.")


@click.group("summaries")
def summaries_group() -> None:
    """The per-enrolment summaries the director's pages read."""


@summaries_group.command("rebuild")
@with_appcontext
def summaries_rebuild() -> None:
    """Recompute every enrolment's summary (after a bulk load or a time-zone change)."""
    from app.services.programs import summaries
    with Session(engine(), expire_on_commit=False) as session:
        click.echo(f"Rebuilt {summaries.rebuild(session):,} enrolment summaries.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo organisations, programs, candidates and approvers (idempotent)."""
    # Imported here so the web process never loads the demo package.
    from app.demo.seed import seed
    from app.services.programs import summaries
    with Session(engine(), expire_on_commit=False) as session:
        accounts_created = seed(session)
        # A database made by an earlier release has enrolments from before summaries existed.
        summaries.rebuild(session)
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


@click.group("clock")
def clock_group() -> None:
    """Move the app's clock for this instance (testing or FLASK_DEBUG=1 only), e.g. to walk a deadline."""


def _show(moment: datetime) -> None:
    zone = current_app.config.get("TIMEZONE") or clock.DEFAULT_TIMEZONE
    days = clock.offset_seconds() / 86400
    click.echo(f"The app's clock reads {moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone}), "
               f"{moment:%Y-%m-%dT%H:%M:%SZ}; {abs(days):.2f} days {'ahead of' if days >= 0 else 'behind'} "
               f"the system clock.")


def _moving(move: Callable[[], datetime]) -> None:
    try:
        _show(move())
    except clock.ClockNotMovable as error:
        raise click.ClickException(str(error)) from None


@clock_group.command("show")
@with_appcontext
def clock_show() -> None:
    """Print what the app's clock reads."""
    _show(clock.now())


@clock_group.command("advance")
@click.option("--days", type=float, default=0, help="Days to move forward (negative: back).")
@click.option("--hours", type=float, default=0, help="Hours to move forward (negative: back).")
@with_appcontext
def clock_advance(days: float, hours: float) -> None:
    """Move the clock forward for every process of this instance (web workers, jobs, commands)."""
    if not days and not hours:
        raise click.BadParameter("give --days or --hours", param_hint="--days")
    _moving(lambda: clock.advance(days=days, seconds=hours * 3600))


@clock_group.command("set")
@click.argument("moment")
@with_appcontext
def clock_set(moment: str) -> None:
    """Make the clock read MOMENT (ISO 8601; a date alone means 09:00 in TIMEZONE, no zone means UTC)."""
    try:
        parsed = clock.parse_moment(moment)
    except ValueError:
        raise click.BadParameter(f"{moment!r} is not an ISO 8601 date or date-time", param_hint="MOMENT") from None
    _moving(lambda: clock.set_to(parsed))


@clock_group.command("reset")
@with_appcontext
def clock_reset() -> None:
    """Put the clock back on the system time."""
    _moving(clock.reset)

