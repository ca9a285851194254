"""Walking demo enrolments part-way along their pathways, through the real services.

For each unmet rule the walker records what clears it, the way the people would: the candidate
uploads the document and the credential analyst verifies it, the named role signs off, the
mentor or coach signs logged hours, HR records a date. It fails loudly on a rule it cannot act
on, so every rule stays something the app can record. Tests drive pathways with it too.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, select

from app.models import Enrollment, LogEntry, LogKind, SelfAssessment, User, utcnow
from app.services.enrollments import pathways, recorded_facts
from app.services.enrollments import records as enrollments
from app.services.enrollments.fact_registry import BY_NAME
from app.services.enrollments.facts import build_facts
from app.services.evidence import filing, support
from app.services.programs import assignments
from app.services.signoffs import giving as signoffs
from app.services.signoffs import queueing
from app.services.team import members
from workflows import engine
from workflows.dates import add_years
from workflows.facts import Count, Facts, KeyDate
from workflows.pip.reviews import REVIEW_ROLES
from workflows.program_years import year_starts_on
from workflows.roles import Role
from workflows.rules import Rule

_serial = itertools.count(1)

# Which log proves each count, at what year, signed by whom, in what step size.
_LOGS: dict[Count, tuple[LogKind, int, Role, float]] = {
    Count.REVIEWS_HELD: (LogKind.REVIEW_MEETING, 1, Role.MENTOR, 0.0),
    Count.PRESERVICE_HOURS: (LogKind.PRESERVICE, 1, Role.PREP_PROGRAM_SUPPORT_PROVIDER, 8.0),
    Count.MENTORING_HOURS: (LogKind.MENTORING, 1, Role.MENTOR, 1.5),
    Count.COACHING_WEEKS_Y1: (LogKind.COACHING, 1, Role.COACH, 1.0),
    Count.COACHING_WEEKS_Y2: (LogKind.COACHING, 2, Role.COACH, 1.0),
    Count.COACHING_HOURS_Y1: (LogKind.COACHING, 1, Role.COACH, 1.0),
    Count.COACHING_HOURS_Y2: (LogKind.COACHING, 2, Role.COACH, 1.0),
    Count.PL_HOURS_Y1: (LogKind.PROFESSIONAL_LEARNING, 1, Role.COACH, 5.0),
    Count.PL_HOURS_Y2: (LogKind.PROFESSIONAL_LEARNING, 2, Role.COACH, 5.0),
}
_WEEKLY = {Count.COACHING_WEEKS_Y1, Count.COACHING_WEEKS_Y2}


class NotYet(RuntimeError):
    """The enrolment has not lasted long enough for what a rule counts (40 coaching weeks in a
    year need 40 weeks of that year behind today); `until` is the first day it could hold."""

    def __init__(self, what: str, until: date) -> None:
        super().__init__(f"{what} cannot be logged before {until.isoformat()}: move the app clock")
        self.until = until


def pdf_bytes(label: str) -> bytes:
    """A small PDF that passes the content check; distinct labels give distinct hashes."""
    return b"%PDF-1.4\n% " + label.encode() + b"\n%%EOF\n"


class Walker:
    """Moves one enrolment along, with `people[role]` acting for each role around the candidate."""

    def __init__(self, session: Session, enrollment: Enrollment, people: Mapping[Role, User]) -> None:
        self.session, self.enrollment, self.people = session, enrollment, dict(people)

    def person(self, role: Role) -> User:
        """Whoever acts as `role` for this candidate."""
        return self.people[role]

    def refresh(self) -> Enrollment:
        """The enrolment as the database has it now."""
        self.session.expire_all()
        self.enrollment = self.session.get(Enrollment, self.enrollment.id)  # type: ignore[assignment]
        return self.enrollment

    def facts(self) -> Facts:
        """The enrolment's facts as of now."""
        return build_facts(self.session, self.refresh())

    def unmet(self, event: str) -> list[Rule]:
        """The rules blocking `event` right now."""
        facts = self.facts()
        return engine.unmet_rules(self.enrollment.pathway, self.enrollment.pathway_version,
                                  self.enrollment.state, event, facts)

    def satisfy(self, event: str) -> None:
        """Record whatever the unmet rules of `event` ask, until none is left."""
        for _ in range(4):
            unmet = self.unmet(event)
            if not unmet:
                return
            for rule in unmet:
                self.make_true(rule)
        raise RuntimeError(f"could not satisfy {event}: {[r.key for r in self.unmet(event)]}")

    def advance(self, event: str, as_role: Role, **kwargs: Any) -> pathways.Transition:
        """Satisfy the rules of `event`, then ask for it as `as_role`."""
        self.satisfy(event)
        return queueing.ask_for_step(self.session, self.enrollment.id, event, self.person(as_role), **kwargs)  # type: ignore[arg-type]

    def make_true(self, rule: Rule) -> None:
        """Record what clears one rule, and commit."""
        if rule.evidence_kind is not None:
            self.provide(rule.evidence_kind.value)
        elif rule.signoff is not None:
            key, role = rule.signoff
            signoffs.give(self.session, self.refresh(), key.value, role.value, self.person(role))
        elif rule.count is not None:
            self.count_up(rule)
        elif rule.key_date is not None:
            self.record_date(rule.key_date)
        elif rule.flag is not None:
            facts = self.facts()
            unrecorded = rule.unrecorded(facts)
            if unrecorded is not None and rule.predicate(facts):
                # Nobody answered the yes/no fact, and "no" is the answer the rule wants: its owner records it.
                owner = min(BY_NAME[unrecorded.name].owners)
                recorded_facts.record(self.session, self.enrollment.id, self.person(owner),  # type: ignore[arg-type]
                                      unrecorded.name, "no")
            else:
                # An unmet flag rule wants the flag flipped: set when absent, cleared when present.
                present = rule.flag.value not in self.refresh().flags
                enrollments.set_flag(self.session, self.enrollment, self.person(Role.PROGRAM_DIRECTOR),
                                     rule.flag.value, present)
        else:
            raise RuntimeError(f"the app has no way to satisfy rule {rule.key}")
        self.session.commit()

    def provide(self, kind: str) -> None:
        """The candidate uploads the document; the credential analyst verifies it."""
        row = filing.submit(self.session, self.refresh(), kind, f"{kind}.pdf",
                              pdf_bytes(f"{kind}-{self.enrollment.id}-{next(_serial)}"),
                              self.person(Role.CANDIDATE))
        self.session.flush()
        filing.decide(self.session, row, self.person(Role.CREDENTIAL_ANALYST), verified=True)

    def assign(self, role: Role) -> None:
        """Put the mentor or coach on this enrolment, from today; for a demo enrolment seeded long
        after it began, from the last day of the 30-day window (its history: assigned in time)."""
        facts = self.facts()
        days = facts.settings.coach_assignment_days if role is Role.COACH else facts.settings.mentor_assignment_days
        due = self.enrollment.enrolled_on + timedelta(days=days)
        since = None if facts.today <= due else datetime.combine(due, time(20, 0), tzinfo=UTC)
        members.grant(self.session, self.person(Role.PROGRAM_DIRECTOR), self.person(role), role,
                      enrollment=self.refresh(), action="support.assigned", now=since)

    def record_date(self, key: KeyDate) -> None:
        """Record a key date the way the responsible person would."""
        today = self.facts().today
        if key is KeyDate.MENTOR_ASSIGNED_ON:
            self.assign(Role.MENTOR)
        elif key is KeyDate.COACH_ASSIGNED_ON:
            self.assign(Role.COACH)
        elif key is KeyDate.ILP_GOALS_SET_ON:
            self.provide("ilp")
        else:
            value = {KeyDate.PERMIT_ISSUED_ON: today - timedelta(days=30),
                     KeyDate.PRELIMINARY_ISSUED_ON: today - timedelta(days=400),
                     KeyDate.ADMIN_POSITION_STARTED_ON: today - timedelta(days=60),
                     KeyDate.PASC_ISSUED_ON: today - timedelta(days=500)}.get(key, today)
            enrollments.record(self.session, self.refresh(), self.person(Role.PROGRAM_DIRECTOR), **{key.value: value})

    def count_up(self, rule: Rule) -> None:
        """Add what a count-like rule still lacks."""
        facts = self.facts()
        have, need = rule.progress(facts) or (0.0, 0.0)
        count = rule.count
        if count is Count.PRIOR_EMERGENCY_PERMITS:
            enrollments.record(self.session, self.refresh(), self.person(Role.DISTRICT_HR), prior_emergency_permits=0)
        elif count in (Count.TEACHING_YEARS, Count.ADMIN_EXPERIENCE_YEARS):
            enrollments.record(self.session, self.refresh(), self.person(Role.DISTRICT_HR), **{count.value: need})
        elif count is Count.SELF_ASSESSMENTS:
            for i in range(int(need - have)):
                self.session.add(SelfAssessment(enrollment_id=self.enrollment.id, standards=_standards(facts),
                                                taken_on=facts.today - timedelta(days=i),
                                                ratings={str(s): 2 + (s + i) % 3 for s in range(1, 7)}))
        elif count in _LOGS:
            self.log(count, max(need - have, 0), facts.today)
        else:
            raise RuntimeError(f"the app has no way to raise count {count}")

    def log(self, count: Count, missing: float, today: date) -> None:
        """Signed log entries adding up to `missing`, dated inside the program year they count for
        and never after today: coaching one a week in weeks not yet logged, reviews one a day with
        the whole support team present, hours on the latest days (raises NotYet when too early)."""
        kind, year, signer, step = _LOGS[count]
        enrollment = self.refresh()
        settings = build_facts(self.session, enrollment).settings
        if kind is LogKind.COACHING:  # each weekly meeting carries its share of the yearly hours
            step = max(step, settings.coaching_hours_per_year / max(1, settings.coaching_weeks_per_year))
        if count in (Count.COACHING_HOURS_Y1, Count.COACHING_HOURS_Y2):
            entries = int(-(-missing // step))
        else:
            entries = int(missing) if count in _WEEKLY or kind is LogKind.REVIEW_MEETING else int(-(-missing // step))
        first = year_starts_on(year, enrollment.enrolled_on)
        last = min(today, add_years(enrollment.enrolled_on, 1) - timedelta(days=1)) if year == 1 else today
        days = self._free_days(kind, first, last, entries)
        for i, day in enumerate(days):
            self.session.add(LogEntry(
                enrollment_id=enrollment.id, kind=kind.value, program_year=year, occurred_on=day, hours=step,
                notes=f"{kind.label} session {i + 1}.",
                participants=["Candidate", "Support team"] if kind is LogKind.REVIEW_MEETING else [],
                attendee_roles=[r.value for r in REVIEW_ROLES] if kind is LogKind.REVIEW_MEETING else [],
                # each role there confirmed by whoever acts in it (app/services/evidence/reviews.py)
                attendance={r.value: self.person(r).id for r in REVIEW_ROLES if r in self.people}
                if kind is LogKind.REVIEW_MEETING else None,
                author_id=self.person(Role.CANDIDATE).id, signer_id=self.person(signer).id, signed_at=utcnow()))

    def _free_days(self, kind: LogKind, first: date, last: date, entries: int) -> list[date]:
        """`entries` days from `last` back to `first` where another entry of `kind` may go."""
        if entries <= 0:
            return []
        taken = set(self.session.exec(select(LogEntry.occurred_on).where(
            LogEntry.enrollment_id == self.enrollment.id, LogEntry.kind == kind.value)).all())
        if kind is LogKind.COACHING:  # one a week (ISO weeks, as the log service checks)
            used = {d.isocalendar()[:2] for d in taken}
            days, day = [], last
            while day >= first and len(days) < entries:
                if day.isocalendar()[:2] not in used:
                    used.add(day.isocalendar()[:2])
                    days.append(day)
                day -= timedelta(days=1)
            if len(days) < entries:
                raise NotYet(f"{entries} coaching weeks", max(last, first) + timedelta(weeks=entries - len(days) + 1))
            return days
        if kind is LogKind.REVIEW_MEETING:  # one a day
            free = [first + timedelta(days=i) for i in range((last - first).days + 1)]
            free = [d for d in reversed(free) if d not in taken][:entries]
            if len(free) < entries:
                raise NotYet(f"{entries} review meetings", max(last, first) + timedelta(days=entries - len(free)))
            return free
        if last < first:
            raise NotYet(kind.value.replace("_", " "), first)
        span = (last - first).days + 1  # hours: the latest days, several a day when the year is young
        return [last - timedelta(days=i % span) for i in range(entries)]


def _standards(facts: Facts) -> str:
    return "cpsel" if facts.pathway == "casc" else "cstp"


# Where each demo candidate stands: the steps already taken, and as whom.
DEMO_JOURNEYS: dict[str, tuple[int, list[tuple[str, Role]]]] = {
    # (days since enrolment, steps)
    "pip": (120, [("start_screening", Role.DISTRICT_HR), ("confirm_eligibility", Role.CREDENTIAL_ANALYST),
                  ("request_permit", Role.CREDENTIAL_ANALYST), ("permit_issued", Role.CREDENTIAL_ANALYST),
                  ("establish_plan", Role.CANDIDATE)]),
    "induction": (21, [("enrol", Role.PROGRAM_DIRECTOR), ("assign_mentor", Role.PROGRAM_DIRECTOR),
                       ("set_ilp_goals", Role.CANDIDATE), ("begin_year1", Role.CANDIDATE)]),
    "casc": (21, [("verify_employment", Role.CREDENTIAL_ANALYST), ("admit", Role.PROGRAM_DIRECTOR),
                  ("start_year1", Role.CANDIDATE)]),
}


def seed_enrollments(session: Session, today: date, programs: Mapping[str, Any], candidates: Mapping[str, User],
                     approvers: Mapping[Role, User]) -> None:
    """Place each demo candidate part-way along their pathway (once; a re-run changes nothing)."""
    for pathway, (days, steps) in DEMO_JOURNEYS.items():
        candidate, program = candidates[pathway], programs[pathway]
        exists = session.exec(select(Enrollment.id).where(Enrollment.candidate_id == candidate.id,
                                                          Enrollment.program_id == program.id)).first()
        if exists is not None:
            continue
        enrollment = pathways.enroll(session, candidate, program, today - timedelta(days=days), candidate,
                                     **_goal(pathway))
        session.flush()
        assignments.assign(session, program, enrollment.id, approvers[Role.SITE_ADMINISTRATOR].id,  # type: ignore[arg-type]
                           Role.SITE_ADMINISTRATOR.value, approvers[Role.PROGRAM_DIRECTOR])
        session.commit()
        walker = Walker(session, enrollment, {Role.CANDIDATE: candidate, **approvers})
        for event, role in steps:
            walker.advance(event, role)
        _keep_going(walker, pathway)
        session.commit()


def _goal(pathway: str) -> dict[str, str]:
    return {
        "pip": {"credential_sought": "University Intern Credential, Single Subject",
                "authorization": "Mathematics", "employer": "Sequoia Valley Unified School District"},
        "induction": {"credential_sought": "Clear Multiple Subject Teaching Credential",
                      "authorization": "Multiple Subject", "employer": "Visalia Unified School District"},
        "casc": {"credential_sought": "Clear Administrative Services Credential",
                 "authorization": "Administrative Services", "employer": "Chico Unified School District"},
    }[pathway]


def _keep_going(walker: Walker, pathway: str) -> None:
    """Some of the work toward the next step, so the dashboards have something to show."""
    today = walker.facts().today
    if pathway == "pip":
        walker.log(Count.REVIEWS_HELD, 1, today)
        walker.log(Count.PRESERVICE_HOURS, 40, today)
        walker.provide("action_plan")
    elif pathway == "induction":
        walker.log(Count.MENTORING_HOURS, 4.5, today)
        _support(walker, today)
    else:
        walker.log(Count.COACHING_WEEKS_Y1, 3, today)
        walker.log(Count.PL_HOURS_Y1, 6, today)


def _support(walker: Walker, today: date) -> None:
    """Induction support on the Support page: an observation, a short contact, the mentor's view, feedback."""
    for role, days_ago, fields in (
            (Role.CANDIDATE, 5, {"kind": "observation", "colleague": "Mr. Chen, grade 4", "standard": 2,
                                 "text": "His morning meeting settles the class in five minutes; I will try it."}),
            (Role.MENTOR, 2, {"kind": "just_in_time", "minutes": 15, "topic": "A parent's email about homework"}),
            (Role.MENTOR, 1, {"kind": "standards_assessment", "ratings": {str(n): 2 for n in range(1, 7)},
                              "text": "Routines are taking hold."}),
            (Role.PROGRAM_DIRECTOR, 0, {"kind": "mentor_feedback",
                                        "text": "Good weekly rhythm; plan one co-taught lesson this month."})):
        support.record(walker.session, walker.refresh(), walker.person(role), frozenset({role}),
                       support.Entry(occurred_on=today - timedelta(days=days_ago), **fields), today)  # type: ignore[arg-type]
    walker.session.commit()
