"""Demo sign-off tasks for `flask seed-demo`: the demo approvers find sign-offs waiting in their inbox.

Call after `demo.seed(session)` (inside an app context): `demo_tasks.seed_tasks(session)`. For each
demo candidate it asks for the sign-offs the next steps need, as the candidate asking to advance
would. Running it twice changes nothing: a task already open is reused, a sign-off given is not asked for.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from app import outbox
from app.demo.people import APPROVERS, CANDIDATES
from app.demo.walker import Walker
from app.models import Enrollment, SignOffTask, User, utcnow
from app.services.enrollments.facts import build_facts
from app.services.signoffs import queueing as tasks
from app.services.team import accounts
from workflows import engine
from workflows.registry import definition
from workflows.roles import Role


def seed_tasks(session: Session, now: datetime | None = None) -> int:
    """Queue the sign-off tasks the demo candidates' next steps need; returns how many are open."""
    now = now or utcnow()
    emails = [account.email for account in CANDIDATES.values()]
    rows = session.exec(select(Enrollment, User).join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                        .where(User.email.in_(emails)).order_by(Enrollment.id)).all()  # type: ignore[attr-defined]
    approvers = {role: accounts.find_by_email(session, account.email) for role, account in APPROVERS.items()}
    for enrollment, candidate in rows:
        facts = build_facts(session, enrollment, now)
        events = definition(enrollment.pathway, enrollment.pathway_version).events
        walker = Walker(session, enrollment, {Role.CANDIDATE: candidate, **approvers})  # type: ignore[dict-item]
        for option in engine.events_from(enrollment.pathway, enrollment.pathway_version, enrollment.state, facts):
            signoffs = [rule.signoff for rule in events[option.event].rules if rule.signoff is not None]
            if option.automatic or not signoffs:
                continue
            # A sign-off is asked for once the documents it vouches for are verified: verify them.
            for key, _ in signoffs:
                for covered in tasks.covered_rules(enrollment, key.value):
                    if not covered.check(walker.facts()):
                        walker.make_true(covered)
            tasks.queue_missing(session, enrollment, option.event, build_facts(session, enrollment, now), candidate,
                                now=now)
    outbox.commit(session)
    ids = [e.id for e, _ in rows]
    return len(session.exec(select(SignOffTask.id).where(SignOffTask.enrollment_id.in_(ids or [0]),  # type: ignore[attr-defined]
                                                         SignOffTask.status == "open")).all())
