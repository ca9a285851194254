"""Signing up as a candidate: the credential goal and key dates of a first enrolment, checked.

The seed's first steps ("sign up, enter the credential goal, invite the support team"): the
account comes from accounts.create_user, the enrolment from pathways.enroll, and its key dates
go through enrollments.record, so they are checked (a permit cannot expire before it is issued)
and audited exactly like a later correction. Only a program open for enrolment, neither it nor its
organisation archived, takes a new candidate; its directors are told of each new enrolment by email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from app.models import AuditEvent, Enrollment, Organisation, Program, User
from app.services import Conflict, PathwayError
from app.services.enrollments import pathways, recorded_facts, words
from app.services.enrollments import records as enrollments
from app.services.enrollments.facts import build_facts
from app.services.enrollments.pathways import is_final
from app.services.team import director_notices
from workflows.deadlines import already_closing
from workflows.registry import plugins

# The key dates a candidate can tell us when starting, per pathway, with the words they know.
PATHWAY_DATES: dict[str, tuple[tuple[str, str], ...]] = {
    p.name: tuple((str(key), words) for key, words in p.signup_dates) for p in plugins()}
# Credential documents last five years at most: a date decades back or years ahead is a typing error.
_YEARS_BACK, _YEARS_AHEAD = 40, 6
# The enrolment date may be recorded late, or set for a cohort starting soon; not beyond that.
_ENROLLED_DAYS_BACK, _ENROLLED_DAYS_AHEAD = 3 * 366, 366


@dataclass(frozen=True)
class ProgramChoice:
    """A program someone can enrol in, named with the organisation that runs it."""

    program: Program
    organisation: Organisation

    @property
    def label(self) -> str:
        return f"{self.program.name} ({self.organisation.name})"


def taking_enrolments(program: Program, organisation: Organisation | None) -> bool:
    """Whether a new candidate may enrol in the program now: open for enrolment, and neither it nor its
    organisation archived (the rule of programs.organisations.enrolling, which this layer may not import;
    a test holds the two together)."""
    return (program.open_for_enrolment and program.archived_at is None
            and (organisation is None or organisation.archived_at is None))


def programs_for(session: Session, pathway: str) -> list[ProgramChoice]:
    """The programs on `pathway` a new candidate may enrol in now, by organisation and name."""
    rows = session.exec(select(Program, Organisation).join(Organisation, Program.organisation_id == Organisation.id)  # type: ignore[arg-type]
                        .where(Program.pathway == pathway, Program.open_for_enrolment.is_(True),  # type: ignore[attr-defined]
                               Program.archived_at.is_(None), Organisation.archived_at.is_(None))  # type: ignore[union-attr]
                        .order_by(Organisation.name, Program.name)).all()
    return [ProgramChoice(program, organisation) for program, organisation in rows]


def start_enrolment(session: Session, candidate: User, program_id: int, pathway: str, enrolled_on: date,
                    today: date, *, credential_sought: str = "", authorization: str = "", employer: str = "",
                    **key_dates: date | None) -> Enrollment:
    """Enrol the candidate on a program of `pathway` open for enrolment, with their goal and key dates, and
    tell the program's directors (the caller commits with `outbox.commit`)."""
    program = session.get(Program, program_id)
    if program is None or program.pathway != pathway:
        raise PathwayError("Choose one of the listed programs for this pathway.")
    if not taking_enrolments(program, session.get(Organisation, program.organisation_id)):
        raise Conflict(f"{program.name} is not taking new enrolments. Choose one of the listed programs, "
                       "or ask the program when it opens again.")
    allowed = {name for name, _ in PATHWAY_DATES.get(pathway, ())}
    unexpected = set(key_dates) - allowed
    if unexpected:
        raise PathwayError(f"These dates do not belong to this pathway: {', '.join(sorted(unexpected))}.")
    _plausible("The enrolment date", enrolled_on, today - timedelta(days=_ENROLLED_DAYS_BACK),
               today + timedelta(days=_ENROLLED_DAYS_AHEAD))
    labels = dict(PATHWAY_DATES[pathway])
    for name, value in key_dates.items():
        if value is not None:
            _plausible(f"The date “{labels[name]}”", value, date(today.year - _YEARS_BACK, 1, 1),
                       date(today.year + _YEARS_AHEAD, 12, 31))
    for open_enrollment in session.exec(select(Enrollment).where(Enrollment.candidate_id == candidate.id,
                                                                 Enrollment.program_id == program.id)).all():
        if not is_final(open_enrollment):
            raise Conflict(f"You are already enrolled in {program.name}. Open it from your home page "
                           "instead of starting again.")
    goal: dict[str, Any] = {"credential_sought": credential_sought.strip(), "authorization": authorization.strip(),
                            "employer": employer.strip()}
    enrollment = pathways.enroll(session, candidate, program, enrolled_on, candidate, **goal)
    recorded = {name: value for name, value in key_dates.items() if value is not None}
    if recorded:
        try:
            enrollments.record(session, enrollment, candidate, status="claimed", **recorded)
        except enrollments.EnrollmentError as error:
            raise PathwayError(str(error)) from None
        session.flush()
        # The candidate typed them: they wait for the analyst or HR to confirm them.
        recorded_facts.mark_claimed(session, enrollment, candidate, list(recorded))
    session.flush()
    created = session.exec(select(AuditEvent.id).where(AuditEvent.enrollment_id == enrollment.id,
                                                       AuditEvent.action == "enrollment.created")).one()
    director_notices.tell_directors(session, enrollment, created, actor_id=candidate.id)
    return enrollment


def late_warnings(session: Session, enrollment: Enrollment) -> list[str]:
    """What the dates just entered already mean: each date past that closes the enrolment (a window
    closed, a credential expired), in words with its rule and source. The dates the candidate typed
    count here as typed (they wait for confirmation before any rule counts them)."""
    facts = build_facts(session, enrollment).replace(claimed=frozenset())
    return [f"{closing.meaning} The date was {words.day_in_words(closing.due)} "
            f"({words.source_words(closing.rule.source)}). Unless a date you entered is wrong (correct it on "
            "Dates and facts) or your program director records an exception, the daily check closes this "
            "enrolment."
            for closing in already_closing(facts, enrollment.pathway_version)]


def _plausible(what: str, value: date, earliest: date, latest: date) -> None:
    if not earliest <= value <= latest:
        raise PathwayError(f"{what} ({value:%B} {value.day}, {value.year}) cannot be right: "
                           f"use a date between {earliest:%B} {earliest.day}, {earliest.year} "
                           f"and {latest:%B} {latest.day}, {latest.year}.")
