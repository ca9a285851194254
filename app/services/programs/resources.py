"""Links kept by administrators: credential programs, job fairs, events and guidance.

A link is for everyone (kept by service administrators) or for one organisation's people (kept by
its program directors too), optionally for one pathway. People read the links that apply to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from sqlmodel import Session, select

from app import policy
from app.models import (
    AuditEvent,
    Enrollment,
    Membership,
    Organisation,
    Pathway,
    Program,
    Resource,
    ResourceCategory,
    User,
    utcnow,
)
from app.services import NotFound, NotPermitted, PathwayError

CATEGORY_LABELS = {
    ResourceCategory.PROGRAM: "Credential programs",
    ResourceCategory.JOB_FAIR: "Job fairs",
    ResourceCategory.EVENT: "Events",
    ResourceCategory.GUIDANCE: "Guidance",
}
MAX_URL = 500


class ResourceError(PathwayError):
    """A link that cannot be accepted; `reasons` lists every problem."""


@dataclass(frozen=True)
class Audience:
    """Where a person belongs: (organisation, pathway) pairs; pathway None = every pathway there."""

    pairs: frozenset[tuple[int, str | None]]
    everything: bool  # service administrators see every link

    def reaches(self, resource: Resource) -> bool:
        """Whether a link applies to this person."""
        if self.everything or (resource.organisation_id is None and resource.pathway is None):
            return True  # a link for everyone reaches everyone signed in
        return any((resource.organisation_id in (None, org)) and (resource.pathway in (None, pathway) or pathway is None)
                   for org, pathway in self.pairs)


def audience_of(session: Session, user: User) -> Audience:
    """The organisations and pathways a person is part of: as a candidate, or through a role."""
    pairs: set[tuple[int, str | None]] = set()
    own = session.exec(select(Program.organisation_id, Program.pathway).join(
        Enrollment, Enrollment.program_id == Program.id).where(Enrollment.candidate_id == user.id)).all()  # type: ignore[arg-type]
    pairs.update(own)
    for m in session.exec(select(Membership).where(Membership.user_id == user.id,
                                                   Membership.revoked_at.is_(None))).all():  # type: ignore[union-attr]
        program_id = m.program_id
        if m.enrollment_id is not None:
            enrollment = session.get(Enrollment, m.enrollment_id)
            program_id = enrollment.program_id if enrollment else None
        if program_id is not None:
            program = session.get(Program, program_id)
            if program is not None:
                pairs.add((program.organisation_id, program.pathway))
        elif m.organisation_id is not None:
            pairs.add((m.organisation_id, None))
    return Audience(frozenset(pairs), policy.is_service_administrator(session, user))


def visible(session: Session, user: User) -> list[Resource]:
    """The live links that apply to `user`, by category, soonest event first, then by title."""
    audience = audience_of(session, user)
    managed = {org for org, _ in manageable_scopes(session, user)}
    rows = session.exec(select(Resource).where(Resource.archived_at.is_(None))).all()  # type: ignore[union-attr]
    order = list(ResourceCategory)
    return sorted((r for r in rows if audience.reaches(r) or (r.organisation_id is not None and r.organisation_id in managed)),
                  key=lambda r: (order.index(ResourceCategory(r.category)), r.happens_on or date.max, r.title.casefold()))


def manageable_scopes(session: Session, user: User) -> list[tuple[int | None, str]]:
    """(organisation id or None for everyone, name) where `user` may add links."""
    scopes: list[tuple[int | None, str]] = []
    if policy.is_service_administrator(session, user):
        scopes.append((None, "Everyone"))
    for org in session.exec(select(Organisation).order_by(Organisation.name)).all():
        if policy.can_manage_resources(session, user, org.id):
            scopes.append((org.id, org.name))
    return scopes


def clean_url(raw: str) -> str | None:
    """The URL if it is an absolute http(s) link with a host; None for anything else (javascript:, data:...)."""
    url = raw.strip()
    if not url or len(url) > MAX_URL or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def add(session: Session, actor: User, *, title: str, url: str, category: str, organisation_id: int | None,
        pathway: str | None, description: str, happens_on: date | None, today: date) -> Resource:
    """Add a link after checking all of it (the caller commits)."""
    if not policy.can_manage_resources(session, actor, organisation_id):
        raise NotPermitted("Only service administrators, and program directors for their own organisation, "
                           "keep these links.")
    problems = []
    title = " ".join(title.split())
    if not title:
        problems.append("Give the link a title.")
    elif len(title) > 200:
        problems.append("Keep the title under 200 characters.")
    link = clean_url(url)
    if link is None:
        problems.append("Enter a full web address starting with http:// or https://.")
    if category not in {c.value for c in ResourceCategory}:
        problems.append("Choose what the link is: a credential program, a job fair, an event or guidance.")
    if pathway and pathway not in {p.value for p in Pathway}:
        problems.append("Choose a pathway from the list, or leave it for every pathway.")
    description = description.strip()
    if len(description) > 2000:
        problems.append("Keep the description under 2000 characters.")
    if happens_on is not None and not today - timedelta(days=366) <= happens_on <= today + timedelta(days=3 * 366):
        problems.append("The event date is more than a year ago or more than three years ahead. Check the year.")
    if problems:
        raise ResourceError("The link was not added.", problems)
    row = Resource(organisation_id=organisation_id, pathway=pathway or None, category=category, title=title,
                   url=link, description=description, happens_on=happens_on, created_by_id=actor.id)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, action="resource.added",
                           details={"resource": row.id, "url": link, "organisation": organisation_id}))
    return row


def archive(session: Session, actor: User, resource_id: int) -> Resource:
    """Take a link off the page; the row is kept (the caller commits)."""
    row = session.get(Resource, resource_id)
    if row is None or row.archived_at is not None:
        raise NotFound("There is no such link.")
    if not policy.can_manage_resources(session, actor, row.organisation_id):
        if not audience_of(session, actor).reaches(row):
            raise NotFound("There is no such link.")  # a link someone cannot even see stays unknown to them
        raise NotPermitted("Only whoever keeps this organisation's links may archive them.")
    row.archived_at = utcnow()
    session.add(row)
    session.add(AuditEvent(actor_id=actor.id, action="resource.archived", details={"resource": row.id}))
    return row
