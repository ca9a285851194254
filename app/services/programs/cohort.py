"""A program's cohort: every candidate with where they stand, and who is at risk and why.

At risk means one of: an unmet deadline within 30, 60 or 90 days (or already passed), with the
rule and source that set it; a sign-off task still open after its due date; or logs behind the
pace the calendar asks for (see app/services/programs/pacing.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from app.models import Enrollment, Program, SignOffTask, TaskStatus, User
from app.services.enrollments.facts_batch import build_many
from app.services.programs import pacing
from workflows import engine
from workflows.dates import add_years
from workflows.deadlines import Deadline, days_left, deadlines
from workflows.facts import Facts
from workflows.registry import CURRENT_VERSION

WINDOWS = (30, 60, 90)
RISK_KINDS = {
    "deadline_30": "Deadline within 30 days",
    "deadline_60": "Deadline within 60 days",
    "deadline_90": "Deadline within 90 days",
    "deadline_passed": "Deadline passed",
    "signoff_overdue": "Sign-off overdue",
    "behind_pace": "Logs behind pace",
}


@dataclass(frozen=True)
class Risk:
    """Why a candidate is at risk: what, when, and the rule (with its source) behind it."""

    kind: str
    what: str
    due: date | None = None
    days_left: int | None = None
    rule_key: str = ""
    source: str = ""

    @property
    def kind_label(self) -> str:
        """The risk kind in words."""
        return RISK_KINDS[self.kind]


@dataclass
class CandidateLine:
    """One enrolment in the cohort."""

    enrollment: Enrollment
    candidate: User
    state_label: str
    final: bool
    facts: Facts
    program_year: int
    deadlines: list[Deadline]
    paces: list[pacing.Pace]
    risks: list[Risk] = field(default_factory=list)

    @property
    def enrolment_year(self) -> int:
        """The calendar year the candidate enrolled."""
        return self.enrollment.enrolled_on.year

    @property
    def next_deadline(self) -> Deadline | None:
        """The soonest unmet deadline not yet passed."""
        upcoming = [d for d in self.deadlines if not d.met and d.due >= self.facts.today]
        return upcoming[0] if upcoming else None

    @property
    def risk_kinds(self) -> set[str]:
        """Every kind of risk this candidate carries."""
        return {risk.kind for risk in self.risks}


@dataclass(frozen=True)
class Filters:
    """What the director narrowed the cohort to (None: everything)."""

    enrolment_year: int | None = None
    program_year: int | None = None
    state: str | None = None
    risk: str | None = None

    @classmethod
    def from_args(cls, args: dict[str, str]) -> Filters:
        """Filters from a query string; anything malformed is ignored rather than guessed."""
        def number(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            return int(value) if value.isdigit() else None

        risk = args.get("risk") or None
        return cls(enrolment_year=number("year"), program_year=number("program_year"),
                   state=(args.get("state") or None), risk=risk if risk in RISK_KINDS or risk == "any" else None)

    def query(self, **changes: object) -> dict[str, object]:
        """These filters as query-string arguments, with `changes` applied (for links)."""
        current = {"year": self.enrolment_year, "program_year": self.program_year, "state": self.state,
                   "risk": self.risk}
        current.update(changes)
        return {k: v for k, v in current.items() if v not in (None, "")}

    def keep(self, line: CandidateLine) -> bool:
        """Whether a cohort line passes these filters."""
        return ((self.enrolment_year is None or line.enrolment_year == self.enrolment_year)
                and (self.program_year is None or line.program_year == self.program_year)
                and (self.state is None or line.enrollment.state == self.state)
                and (self.risk is None or (self.risk == "any" and bool(line.risks)) or self.risk in line.risk_kinds))


def load(session: Session, program: Program, now: datetime | None = None) -> list[CandidateLine]:
    """Every enrolment of the program with its facts, deadlines, pace and risks, by name."""
    return lines_for(session, session.exec(_by_name(program)).all(), now)


def batches(session: Session, program: Program, size: int = 500,
            now: datetime | None = None) -> Iterator[list[CandidateLine]]:
    """The same lines as `load`, `size` at a time (keyset pages by name and id), for streaming exports."""
    last: tuple[str, int] | None = None
    while True:
        query = _by_name(program)
        if last is not None:
            query = query.where(or_(User.name > last[0], and_(User.name == last[0], Enrollment.id > last[1])))  # type: ignore[arg-type, operator]
        rows = session.exec(query.limit(size)).all()
        if not rows:
            return
        yield lines_for(session, rows, now)
        # The session holds rows weakly, so a batch written out is garbage once the caller drops it.
        last = (rows[-1][1].name, rows[-1][0].id)  # type: ignore[assignment]


def _by_name(program: Program):  # type: ignore[no-untyped-def]
    return (select(Enrollment, User).join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
            .where(Enrollment.program_id == program.id).order_by(User.name, Enrollment.id))


@cache
def _states(pathway: str, version: int) -> dict[str, engine.StateInfo]:
    # Pathway definitions never change while the app runs (a new one is a new version).
    return {s.value: s for s in engine.states(pathway, version)}


def lines_for(session: Session, rows: Sequence[tuple[Enrollment, User]], now: datetime | None = None) -> list[CandidateLine]:
    """Cohort lines for these (enrolment, candidate) rows, in their order, in a fixed number of queries."""
    overdue = _overdue_signoffs(session, [e.id for e, _ in rows])  # type: ignore[misc]
    facts_of = build_many(session, [e for e, _ in rows], now)
    lines = []
    for enrollment, candidate in rows:
        facts = facts_of[enrollment.id]  # type: ignore[index]
        state = _states(enrollment.pathway, enrollment.pathway_version).get(enrollment.state)
        final = bool(state and state.final)
        line = CandidateLine(
            enrollment=enrollment, candidate=candidate, state_label=state.label if state else enrollment.state,
            final=final, facts=facts, program_year=1 if facts.today < add_years(enrollment.enrolled_on, 1) else 2,
            deadlines=deadlines(facts, enrollment.pathway_version),
            paces=[] if final else pacing.paces(enrollment, facts))
        if not final:
            line.risks = _risks(line, overdue.get(enrollment.id, []))  # type: ignore[arg-type]
        lines.append(line)
    return lines


def _overdue_signoffs(session: Session, enrollment_ids: list[int]) -> dict[int, list[SignOffTask]]:
    """Open sign-off tasks with a due date, per enrolment (compared with each one's today later)."""
    found: dict[int, list[SignOffTask]] = {}
    tasks = session.exec(select(SignOffTask).where(SignOffTask.enrollment_id.in_(enrollment_ids),  # type: ignore[attr-defined]
                                                   SignOffTask.status == TaskStatus.OPEN.value,
                                                   SignOffTask.due_on.is_not(None))).all()  # type: ignore[union-attr]
    for task in tasks:
        found.setdefault(task.enrollment_id, []).append(task)
    return found


def _risks(line: CandidateLine, tasks: list[SignOffTask]) -> list[Risk]:
    today = line.facts.today
    risks = []
    for deadline in line.deadlines:
        if deadline.met:
            continue
        left = days_left(deadline, today)
        if left < 0:
            kind = "deadline_passed"
        else:
            window = next((w for w in WINDOWS if left <= w), None)
            if window is None:
                continue
            kind = f"deadline_{window}"
        risks.append(Risk(kind, deadline.label, deadline.due, left, deadline.rule_key, deadline.source))
    for task in tasks:
        if task.due_on is not None and task.due_on < today:
            what = task.what or f"{task.key.replace('_', ' ').capitalize()} sign-off"
            risks.append(Risk("signoff_overdue", f"{what} (waiting on the {task.role.replace('_', ' ')})",
                              task.due_on, days_left(task.due_on, today)))
    for pace in line.paces:
        if pace.behind:
            risks.append(Risk("behind_pace", f"{pace.label}: {pace.have:g} logged, {pace.expected_now:g} expected by now "
                                             f"(of {pace.target:g} by {pace.due_on.isoformat()})", pace.due_on,
                              days_left(pace.due_on, today), rule_key=pace.key, source="pace of the program's thresholds"))
    return sorted(risks, key=lambda r: (r.due or date.max, r.kind))


def state_counts(lines: list[CandidateLine], program: Program) -> list[tuple[str, str, int]]:
    """(state, label, how many) for every state of the program's pathway, in pathway order.

    States of older pinned versions that the current one lacks are appended, so nobody vanishes.
    """
    counts = Counter(line.enrollment.state for line in lines)
    labels = {line.enrollment.state: line.state_label for line in lines}
    ordered = [(s.value, s.label) for s in engine.states(program.pathway, CURRENT_VERSION[program.pathway])]
    known = {value for value, _ in ordered}
    ordered += [(value, labels[value]) for value in sorted(counts) if value not in known]
    return [(value, label, counts.get(value, 0)) for value, label in ordered]


def risk_counts(lines: list[CandidateLine]) -> dict[str, int]:
    """How many candidates carry each kind of risk."""
    return {kind: sum(kind in line.risk_kinds for line in lines) for kind in RISK_KINDS}
