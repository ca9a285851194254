"""The CASC exit-interview panel: members score every CPSEL on a rubric; a quorum decides.

The step passes when `quorum` counting members agree the candidate has mastered every CPSEL
(each scored at least the program's mastery score). A member who does not see mastery says why.
The candidate's coach may sit with them but never counts toward the quorum (policy module).
When mastery can no longer be reached by the counting members still to vote, the panel's
outcome is "not yet".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import outbox, policy
from app.models import AuditEvent, Enrollment, Panel, PanelMember, PanelVote, User, utcnow
from app.services import Conflict, NotFound, NotPermitted, PathwayError
from app.services.enrollments import records as enrollments
from app.services.enrollments.facts import build_facts
from app.services.enrollments.pathways import fire_ready, load_for_update
from app.services.team.director_notices import tell_directors
from app.services.team.members import holders
from workflows.facts import Flag
from workflows.rating_scales import EXIT_PANEL_RUBRIC
from workflows.registry import plugin, plugins
from workflows.roles import Role

PURPOSE = "exit_interview"
# CPSEL 1-6 (rule book §3.5).
CPSEL = {
    "1": "Development and Implementation of a Shared Vision",
    "2": "Instructional Leadership",
    "3": "Management and Learning Environment",
    "4": "Family and Community Engagement",
    "5": "Ethics and Integrity",
    "6": "External Context and Policy",
}
RUBRIC = EXIT_PANEL_RUBRIC.levels  # 1 to 4; its level names are its own (workflows/rating_scales.py)


class PanelError(PathwayError):
    """A panel request that cannot be carried out, with a message for the person."""


@dataclass(frozen=True)
class Seat:
    """A panel member with their vote, if cast."""

    member: PanelMember
    user: User
    vote: PanelVote | None


@dataclass(frozen=True)
class Tally:
    """Where the panel stands."""

    panel: Panel
    seats: list[Seat]
    mastery: int  # counting members who voted mastery
    dissent: int  # counting members who did not
    waiting: int  # counting members yet to vote

    @property
    def reachable(self) -> bool:
        """Whether mastery can still reach the quorum."""
        return self.mastery + self.waiting >= self.panel.quorum


def open_panel(session: Session, enrollment_id: int) -> Panel | None:
    """The enrolment's undecided exit-interview panel, if any."""
    return session.exec(select(Panel).where(Panel.enrollment_id == enrollment_id, Panel.purpose == PURPOSE,
                                            Panel.outcome.is_(None))).first()  # type: ignore[union-attr]


def candidates_for_seats(session: Session, enrollment: Enrollment) -> list[tuple[User, bool]]:
    """Who may sit on this enrolment's panel: (person, counts toward the quorum)."""
    seats: dict[int, tuple[User, bool]] = {}
    for role in (Role.PANEL_MEMBER, Role.COACH):
        for user in holders(session, enrollment, role):
            roles = policy.roles_on(session, user, enrollment)
            seats[user.id] = (user, policy.counts_toward_quorum(roles))  # type: ignore[index]
    return sorted(seats.values(), key=lambda pair: (not pair[1], pair[0].name))


def at_panel() -> sa.ColumnElement[bool]:
    """Enrolments in the state where their pathway's exit panel sits (pathways without one: none)."""
    return sa.or_(sa.false(), *(sa.and_(Enrollment.pathway == p.name, Enrollment.state == p.panel_state)
                                for p in plugins() if p.panel_state))


def create(session: Session, enrollment_id: int, director: User, member_ids: list[int], quorum: int,
           meets_on: date | None = None, now: datetime | None = None) -> Panel:
    """Convene the exit-interview panel (commits)."""
    now = now or utcnow()
    enrollment = load_for_update(session, enrollment_id)
    if not policy.can_set_up_panel(policy.roles_on(session, director, enrollment)):
        raise NotPermitted("Only the program director convenes the exit-interview panel.")
    if enrollment.state != plugin(enrollment.pathway).panel_state:
        raise Conflict("A panel is convened when the candidate is at the exit interview.")
    if open_panel(session, enrollment.id) is not None:  # type: ignore[arg-type]
        raise Conflict("This candidate already has a panel that has not decided yet.")
    eligible = {user.id: counts for user, counts in candidates_for_seats(session, enrollment)}
    chosen = list(dict.fromkeys(member_ids))
    if not chosen:
        raise PanelError("Choose the panel's members.")
    if any(member_id not in eligible for member_id in chosen):
        raise PanelError("Only the program's panel members and the candidate's coach can sit on the panel.")
    counting = sum(eligible[m] for m in chosen)
    if not 1 <= quorum <= counting:
        raise PanelError(f"The quorum must be between 1 and {counting}, the number of members who count "
                         "(the candidate's coach does not).")
    panel = Panel(enrollment_id=enrollment.id, quorum=quorum, meets_on=meets_on, created_by_id=director.id)  # type: ignore[arg-type]
    session.add(panel)
    session.flush()
    for member_id in chosen:
        session.add(PanelMember(panel_id=panel.id, user_id=member_id, counts_toward_quorum=eligible[member_id]))  # type: ignore[arg-type]
        # Each member hears the panel needs them (it is in their inbox too, until they vote).
        outbox.add(session, "email.panel_seat", f"panel-seat-{panel.id}-{member_id}", panel_id=panel.id,
                   recipient_id=member_id)
    session.add(AuditEvent(actor_id=director.id, enrollment_id=enrollment.id, action="panel.created", occurred_at=now,
                           details={"panel": panel.id, "members": chosen, "quorum": quorum}))
    outbox.commit(session)
    return panel


def tally(session: Session, panel: Panel) -> Tally:
    """Seats, votes and the count so far."""
    rows = session.exec(select(PanelMember, User).join(User, PanelMember.user_id == User.id)  # type: ignore[arg-type]
                        .where(PanelMember.panel_id == panel.id).order_by(PanelMember.id)).all()
    votes = {v.user_id: v for v in session.exec(select(PanelVote).where(PanelVote.panel_id == panel.id)).all()}
    seats = [Seat(member, user, votes.get(user.id)) for member, user in rows]  # type: ignore[arg-type]
    counting = [s for s in seats if s.member.counts_toward_quorum]
    return Tally(panel, seats, mastery=sum(1 for s in counting if s.vote and s.vote.mastery),
                 dissent=sum(1 for s in counting if s.vote and not s.vote.mastery),
                 waiting=sum(1 for s in counting if s.vote is None))


def seat_of(session: Session, panel: Panel, user: User) -> PanelMember | None:
    """The user's seat on the panel, if they have one."""
    return session.exec(select(PanelMember).where(PanelMember.panel_id == panel.id,
                                                  PanelMember.user_id == user.id)).first()


def parse_scores(form: dict[str, str]) -> dict[str, int]:
    """Rubric scores for CPSEL 1-6 from a form; every one is required and must be on the rubric."""
    scores = {}
    for number, name in CPSEL.items():
        raw = (form.get(f"score_{number}") or "").strip()
        if not raw.isdigit() or int(raw) not in RUBRIC:
            raise PanelError(f"Score CPSEL {number} ({name}) from 1 to {max(RUBRIC)}.")
        scores[number] = int(raw)
    return scores


def vote(session: Session, panel_id: int, user: User, scores: dict[str, int], mastery: bool,
         reason: str | None = None, now: datetime | None = None) -> Tally:
    """Record one member's rubric; decide the panel when the quorum is reached or out of reach (commits)."""
    now = now or utcnow()
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise NotFound("There is no such panel.")
    enrollment = load_for_update(session, panel.enrollment_id)  # votes on one panel are counted one at a time
    panel = session.get(Panel, panel_id, populate_existing=True)  # type: ignore[assignment]
    seat = seat_of(session, panel, user)  # type: ignore[arg-type]
    if seat is None:
        raise NotFound("There is no such panel.")
    if panel.outcome is not None:  # type: ignore[union-attr]
        raise Conflict("Already decided: this panel has reached its decision.")
    if set(scores) != set(CPSEL) or any(s not in RUBRIC for s in scores.values()):
        raise PanelError("Score every CPSEL (1-6) on the rubric.")
    reason = (reason or "").strip()[:2000] or None
    threshold = build_facts(session, enrollment, now).settings.exit_panel_mastery_score
    low = sorted(n for n, s in scores.items() if s < threshold)
    if mastery and low:
        raise PanelError(f"Mastery needs a score of at least {threshold} on every CPSEL; CPSEL "
                         f"{', '.join(low)} scored lower. Record “not yet” with a reason instead.")
    if not mastery and not reason:
        raise PanelError("Say why you do not see mastery yet; the candidate reads it.")
    session.add(PanelVote(panel_id=panel.id, user_id=user.id, scores=scores, mastery=mastery, reason=reason))  # type: ignore[union-attr, arg-type]
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("You have already voted on this panel.") from None
    session.add(AuditEvent(actor_id=user.id, enrollment_id=enrollment.id, action="panel.voted", occurred_at=now,
                           reason=reason, details={"panel": panel.id, "scores": scores, "mastery": mastery,  # type: ignore[union-attr]
                                                   "counts": seat.counts_toward_quorum}))
    result = tally(session, panel)  # type: ignore[arg-type]
    if result.mastery >= panel.quorum:  # type: ignore[union-attr]
        _decide(session, panel, enrollment, user, "mastery", now)  # type: ignore[arg-type]
    elif not result.reachable:
        _decide(session, panel, enrollment, user, "not_yet", now)  # type: ignore[arg-type]
    outbox.commit(session)
    return tally(session, panel)  # type: ignore[arg-type]


def _decide(session: Session, panel: Panel, enrollment: Enrollment, user: User, outcome: str, now: datetime) -> None:
    panel.outcome, panel.decided_at = outcome, now
    session.add(panel)
    decided = AuditEvent(actor_id=user.id, enrollment_id=enrollment.id, action="panel.decided", occurred_at=now,
                         details={"panel": panel.id, "outcome": outcome, "quorum": panel.quorum})
    session.add(decided)
    if outcome == "mastery":
        enrollments.set_flag(session, enrollment, user, Flag.EXIT_PANEL_MASTERY.value, True,
                             reason="The exit-interview panel's quorum agreed on mastery of every CPSEL.")
        session.flush()
        # With the experience letter verified too, the exit interview is passed there and then.
        fire_ready(session, enrollment, user, now=now, events=["pass_exit_interview"],
                   reason="The exit-interview panel decided: mastery of every CPSEL.",
                   details={"completed_by": "panel", "panel": panel.id})
    else:
        outbox.add(session, "email.panel_decided", f"panel-decided-{panel.id}", panel_id=panel.id)
        session.flush()
        tell_directors(session, enrollment, decided.id, user.id)  # type: ignore[arg-type]  # the next panel is theirs to convene


def panels_for(session: Session, user: User) -> list[tuple[Panel, Enrollment, User]]:
    """Undecided panels `user` sits on, with the enrolment and its candidate."""
    return list(session.exec(select(Panel, Enrollment, User)
                             .join(PanelMember, PanelMember.panel_id == Panel.id)  # type: ignore[arg-type]
                             .join(Enrollment, Panel.enrollment_id == Enrollment.id)  # type: ignore[arg-type]
                             .join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
                             .where(PanelMember.user_id == user.id, Panel.outcome.is_(None))  # type: ignore[union-attr]
                             .order_by(Panel.id)).all())


@dataclass(frozen=True)
class NotYet:
    """The last panel's "not yet": when, each dissenting member's reason (unsigned: the panel speaks as
    one), and the next panel if the director has convened it."""

    decided_on: datetime
    reasons: list[str]
    next_meets_on: date | None
    next_convened: bool


def not_yet(session: Session, enrollment: Enrollment) -> NotYet | None:
    """The latest decided panel's "not yet" on this enrolment, while no later panel decided mastery."""
    decided = session.exec(select(Panel).where(Panel.enrollment_id == enrollment.id, Panel.outcome.is_not(None))  # type: ignore[union-attr]
                           .order_by(Panel.decided_at.desc(), Panel.id.desc())).first()  # type: ignore[union-attr]
    if decided is None or decided.outcome != "not_yet" or decided.decided_at is None:
        return None
    reasons = [v.reason for v in session.exec(select(PanelVote).where(PanelVote.panel_id == decided.id,
                                                                      PanelVote.mastery.is_(False))  # type: ignore[attr-defined]
                                              .order_by(PanelVote.created_at)).all() if v.reason]
    upcoming = session.exec(select(Panel).where(Panel.enrollment_id == enrollment.id, Panel.outcome.is_(None),  # type: ignore[union-attr]
                                                Panel.id > decided.id)).first()  # type: ignore[operator]
    return NotYet(decided.decided_at, reasons, upcoming.meets_on if upcoming else None, upcoming is not None)
