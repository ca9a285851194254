"""A program's cohort: every candidate with where they stand, and who is at risk and why.

At risk means one of: an unmet deadline within 30, 60 or 90 days (or already passed), with the
rule and source that set it; a sign-off task still open after its due date; or logs behind the
pace the calendar asks for (see app/services/programs/pacing.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import Date, and_, bindparam, exists, func, not_, or_
from sqlmodel import Session, select

from app.models import Enrollment, EnrollmentRisk, EnrollmentSummary, Organisation, Program, User, utcnow
from app.services.enrollments.facts import program_calendar
from app.services.programs import pacing, tallies
from workflows import engine
from workflows.deadlines import Deadline, days_left, local_today
from workflows.facts import Facts
from workflows.registry import CURRENT_VERSION
from workflows.school_calendar import SchoolCalendar

WINDOWS = (30, 60, 90)
RISK_KINDS = {
    "deadline_30": "Deadline within 30 days",
    "deadline_60": "Deadline within 60 days",
    "deadline_90": "Deadline within 90 days",
    "deadline_passed": "Deadline passed",
    "signoff_overdue": "Sign-off overdue",
    "behind_pace": "Logs behind pace",
}
# The overview's standings (app/services/programs/overview.py): every candidate in progress is in
# exactly one; "open" is all of them at once.
STANDINGS = {"on_track": "On track", "at_risk": "At risk", "overdue": "Overdue", "ready": "Ready to recommend"}
OPEN = "open"
OVERDUE_KINDS = frozenset({"deadline_passed", "signoff_overdue"})


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
    facts: Facts | None  # None when read from the summary (every figure below is filled in)
    program_year: int
    deadlines: list[Deadline]
    paces: list[pacing.Pace]
    risks: list[Risk] = field(default_factory=list)
    today: date | None = None  # the day the line is as of (the program's local day)
    summary: EnrollmentSummary | None = None

    @property
    def enrolment_year(self) -> int:
        """The calendar year the candidate enrolled."""
        return self.enrollment.enrolled_on.year

    @property
    def next_deadline(self) -> Deadline | None:
        """The soonest unmet deadline not yet passed."""
        today = self.today or self.facts.today  # type: ignore[union-attr]
        upcoming = [d for d in self.deadlines if not d.met and d.due >= today]
        return upcoming[0] if upcoming else None

    @property
    def risk_kinds(self) -> set[str]:
        """Every kind of risk this candidate carries."""
        return {risk.kind for risk in self.risks}

    @property
    def standing(self) -> str | None:
        """Where the candidate stands on the overview (STANDINGS); None once the pathway has ended."""
        if self.final:
            return None
        if self.summary is not None and self.summary.ready:
            return "ready"
        if self.risk_kinds & OVERDUE_KINDS:
            return "overdue"
        return "at_risk" if self.risks else "on_track"


@dataclass(frozen=True)
class Filters:
    """What the director narrowed the cohort to (None: everything)."""

    enrolment_year: int | None = None
    program_year: int | None = None
    state: str | None = None
    risk: str | None = None
    standing: str | None = None  # one of STANDINGS, or OPEN (everyone in progress)

    @classmethod
    def from_args(cls, args: dict[str, str]) -> Filters:
        """Filters from a query string; anything malformed is ignored rather than guessed."""
        def number(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            # A year or program year has at most four digits: a longer number is malformed, not a query that
            # overflows the database's integers (the streamed exports could not answer that with a 400).
            return int(value) if value.isdigit() and len(value) <= 4 else None

        risk, standing = args.get("risk") or None, args.get("standing") or None
        return cls(enrolment_year=number("year"), program_year=number("program_year"),
                   state=(args.get("state") or None), risk=risk if risk in RISK_KINDS or risk == "any" else None,
                   standing=standing if standing in STANDINGS or standing == OPEN else None)

    def query(self, **changes: object) -> dict[str, object]:
        """These filters as query-string arguments, with `changes` applied (for links)."""
        current = {"year": self.enrolment_year, "program_year": self.program_year, "state": self.state,
                   "risk": self.risk, "standing": self.standing}
        current.update(changes)
        return {k: v for k, v in current.items() if v not in (None, "")}

    def keep(self, line: CandidateLine) -> bool:
        """Whether a cohort line passes these filters."""
        return ((self.enrolment_year is None or line.enrolment_year == self.enrolment_year)
                and (self.program_year is None or line.program_year == self.program_year)
                and (self.state is None or line.enrollment.state == self.state)
                and (self.risk is None or (self.risk == "any" and bool(line.risks)) or self.risk in line.risk_kinds)
                and (self.standing is None or (line.standing is not None if self.standing == OPEN
                                               else line.standing == self.standing)))

    def where(self, today: date) -> list:  # type: ignore[type-arg]
        """These filters as SQL conditions on the summary (the same test as `keep`, set-based)."""
        s = EnrollmentSummary
        found = []
        if self.enrolment_year is not None:
            found.append(s.enrolment_year == self.enrolment_year)
        if self.program_year is not None:
            found.append(s.year_two_on > today if self.program_year == 1 else
                         (s.year_two_on <= today if self.program_year == 2 else False))  # type: ignore[arg-type, operator]
        if self.state is not None:
            found.append(s.state == self.state)
        if self.risk is not None:
            found.append(at_risk(today, None if self.risk == "any" else {self.risk}))
        if self.standing is not None:
            found.append(standing_is(self.standing, today))
        return found


def at_risk(today: date, kinds: set[str] | frozenset[str] | None = None):  # type: ignore[no-untyped-def]
    """SQL: the summary's enrolment carries a risk (of one of `kinds`) on `today`."""
    r = EnrollmentRisk
    test = exists().where(r.enrollment_id == EnrollmentSummary.enrollment_id, r.starts_on <= today,
                          or_(r.ends_on.is_(None), r.ends_on >= today))  # type: ignore[union-attr, operator]
    return test.where(r.kind.in_(sorted(kinds))) if kinds else test  # type: ignore[attr-defined]


def standing_is(standing: str, today: date):  # type: ignore[no-untyped-def]
    """SQL: the summary's enrolment is in this standing (or in progress, for OPEN) on `today`."""
    s = EnrollmentSummary
    if standing == OPEN:
        return not_(s.final)
    if standing == "ready":
        return and_(not_(s.final), s.ready)
    waiting = and_(not_(s.final), not_(s.ready))
    if standing == "overdue":
        return and_(waiting, at_risk(today, OVERDUE_KINDS))
    if standing == "at_risk":
        return and_(waiting, not_(at_risk(today, OVERDUE_KINDS)), at_risk(today))
    return and_(waiting, not_(at_risk(today)))


def today_of(session: Session, program: Program, now: datetime | None = None) -> date:
    """The program's local calendar day (its organisation's zone)."""
    key = (str(session.get_bind().url), program.organisation_id)
    if key not in _ZONES:
        organisation = session.get(Organisation, program.organisation_id)
        _ZONES[key] = organisation.timezone if organisation else "America/Los_Angeles"
    return local_today(now or utcnow(), _ZONES[key])


# (database, organisation id) -> time zone, read once per process: nothing in the app changes an
# organisation's zone once it exists (one changed by hand needs a restart and `flask summaries rebuild`).
_ZONES: dict[tuple[str, int], str] = {}


def load(session: Session, program: Program, now: datetime | None = None) -> list[CandidateLine]:
    """Every enrolment of the program with its deadlines, pace and risks, by name (one query over the summaries)."""
    today, calendar = today_of(session, program, now), program_calendar(program)
    return [line_of(e, u, s, today, calendar) for e, u, s in session.exec(_by_name(program)).all()]


def batches(session: Session, program: Program, size: int = 500, now: datetime | None = None,
            filters: Filters | None = None) -> Iterator[list[CandidateLine]]:
    """The same lines as `load`, `size` at a time from one streamed query, for exports of any length."""
    today, calendar = today_of(session, program, now), program_calendar(program)
    query = _by_name(program).where(*(filters.where(today) if filters else []))
    for rows in session.exec(query.execution_options(yield_per=size)).partitions():  # type: ignore[call-overload]
        # The session holds rows weakly, so a batch written out is garbage once the caller drops it.
        yield [line_of(e, u, s, today, calendar) for e, u, s in rows]


@dataclass(frozen=True)
class Page:
    """One page of a filtered, ordered list of candidates."""

    lines: list[CandidateLine]
    total: int
    page: int
    pages: int


def page(session: Session, program: Program, filters: Filters, number: int = 1, size: int = 100, *,
         risky_only: bool = False, now: datetime | None = None) -> Page:
    """The candidates these filters keep, page `number` (1-based, clamped) by name: the page read in
    the (program, name) index order, the total remembered for the program as it stands (tallies)."""
    today, calendar = today_of(session, program, now), program_calendar(program)
    where, day = _where(filters, risky_only), {"today": today}

    def counted() -> int:
        return session.exec(select(func.count()).select_from(EnrollmentSummary).where(
            EnrollmentSummary.program_id == program.id, *where), params=day).one()

    total = tallies.remembered(session, program.id, ("total", filters, risky_only, today), counted)  # type: ignore[arg-type]
    pages = max((total + size - 1) // size, 1)
    number = min(max(number, 1), pages)
    rows = session.exec(_by_name(program).where(*where).offset((number - 1) * size).limit(size), params=day).all()
    return Page([line_of(e, u, s, today, calendar) for e, u, s in rows], total, number, pages)


@dataclass(frozen=True)
class Counts:
    """The cohort's figures under some filters: by state (pathway order), by risk kind, by standing."""

    states: list[tuple[str, str, int]]
    risks: dict[str, int]
    standings: dict[str, int]
    total: int
    years: list[int]


def counts(session: Session, program: Program, filters: Filters | None = None, now: datetime | None = None) -> Counts:
    """Counts by state, risk kind and standing, and the enrolment years, in one set-based query.

    Grouped by state, enrolment year and program year, so the year filters apply to the groups
    (and `years` stays every year of the program); other filters narrow the query itself.
    """
    filters = filters or Filters()
    narrowed = Filters(state=filters.state, risk=filters.risk, standing=filters.standing)
    today = today_of(session, program, now)

    def grouped() -> list[tuple]:  # type: ignore[type-arg]
        return [tuple(row) for row in session.exec(_counts_statement(narrowed),
                                                   params={"today": today, "program_id": program.id}).all()]

    rows = tallies.remembered(session, program.id, ("counts", narrowed, today), grouped)  # type: ignore[arg-type]
    tally: Counter[str] = Counter()
    by_standing: Counter[str] = Counter()
    by_risk: Counter[str] = Counter()
    labels = {}
    for state, label, year, in_year_two, n, *rest in rows:
        if filters.enrolment_year not in (None, year) or filters.program_year not in (None, 2 if in_year_two else 1):
            continue
        tally[state] += n
        labels[state] = label
        by_standing.update(dict(zip(STANDINGS, rest[:len(STANDINGS)], strict=True)))
        by_risk.update(dict(zip(RISK_KINDS, rest[len(STANDINGS):], strict=True)))
    return Counts(states=_in_pathway_order(program, tally, labels), risks={k: by_risk[k] for k in RISK_KINDS},
                  standings={k: by_standing[k] for k in STANDINGS}, total=sum(tally.values()),
                  years=sorted({year for _, _, year, *_ in rows}))


# Statements are built once per shape, with the day as a bound parameter: building the risk tests
# (EXISTS subqueries) anew on every request cost more than running them.
_TODAY = bindparam("today", type_=Date)


@cache
def _where(filters: Filters, risky_only: bool) -> tuple:  # type: ignore[type-arg]
    return (*filters.where(_TODAY), *([at_risk(_TODAY)] if risky_only else []))  # type: ignore[arg-type]


@cache
def _counts_statement(narrowed: Filters):  # type: ignore[no-untyped-def]
    s = EnrollmentSummary
    second_year = s.year_two_on <= _TODAY  # type: ignore[operator]
    return (select(  # type: ignore[call-overload]
        s.state, s.state_label, s.enrolment_year, second_year, func.count(),
        *(func.count().filter(standing_is(name, _TODAY)) for name in STANDINGS),  # type: ignore[arg-type]
        *(func.count().filter(at_risk(_TODAY, {kind})) for kind in RISK_KINDS))  # type: ignore[arg-type]
        .where(s.program_id == bindparam("program_id"), *narrowed.where(_TODAY))  # type: ignore[arg-type]
        .group_by(s.state, s.state_label, s.enrolment_year, second_year))


def _by_name(program: Program):  # type: ignore[no-untyped-def]
    return (select(Enrollment, User, EnrollmentSummary)
            .join(User, Enrollment.candidate_id == User.id)  # type: ignore[arg-type]
            .join(EnrollmentSummary, EnrollmentSummary.enrollment_id == Enrollment.id)  # type: ignore[arg-type]
            .where(EnrollmentSummary.program_id == program.id)
            .order_by(EnrollmentSummary.candidate_name, EnrollmentSummary.enrollment_id))


@cache
def states_by_value(pathway: str, version: int) -> dict[str, engine.StateInfo]:
    """A pathway version's states by value (definitions never change while the app runs)."""
    return {s.value: s for s in engine.states(pathway, version)}


def line_of(enrollment: Enrollment, candidate: User, summary: EnrollmentSummary, today: date,
            calendar: SchoolCalendar) -> CandidateLine:
    """A cohort line from the enrolment's summary, as of `today`, paced on the program's calendar (no query)."""
    line = CandidateLine(
        enrollment=enrollment, candidate=candidate, state_label=summary.state_label, final=summary.final, facts=None,
        program_year=1 if today < summary.year_two_on else 2,
        deadlines=[Deadline(**{**d, "due": date.fromisoformat(d["due"])}) for d in summary.deadlines],
        paces=[] if summary.final else pacing.at(summary.paces, today, calendar), today=today, summary=summary)
    if not summary.final:
        line.risks = risks(line.deadlines, summary.open_tasks, line.paces, today)
    return line


def risks(deadlines: list[Deadline], tasks: list[dict], paces: list[pacing.Pace], today: date) -> list[Risk]:  # type: ignore[type-arg]
    """Why a candidate is at risk on `today`: unmet deadlines near or passed, overdue sign-offs
    (`tasks`: the summary's open tasks), logs behind pace. The summary's risk windows
    (app/services/programs/summaries.py) hold on exactly the days these do."""
    found = []
    for deadline in deadlines:
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
        found.append(Risk(kind, deadline.label, deadline.due, left, deadline.rule_key, deadline.source))
    for task in tasks:
        due = date.fromisoformat(task["due_on"])
        if due < today:
            found.append(Risk("signoff_overdue", task["what"], due, days_left(due, today)))
    for pace in paces:
        if pace.behind:
            found.append(Risk("behind_pace", f"{pace.label}: {pace.have:g} logged, {pace.expected_now:g} expected by now "
                                             f"(of {pace.target:g} by {pace.due_on.isoformat()})", pace.due_on,
                              days_left(pace.due_on, today), rule_key=pace.key, source="pace of the program's thresholds"))
    return sorted(found, key=lambda r: (r.due or date.max, r.kind))


def state_counts(lines: list[CandidateLine], program: Program) -> list[tuple[str, str, int]]:
    """(state, label, how many) for every state of the program's pathway, in pathway order.

    States of older pinned versions that the current one lacks are appended, so nobody vanishes.
    """
    return _in_pathway_order(program, Counter(line.enrollment.state for line in lines),
                             {line.enrollment.state: line.state_label for line in lines})


def _in_pathway_order(program: Program, counts: Counter[str], labels: dict[str, str]) -> list[tuple[str, str, int]]:
    ordered = [(s.value, s.label) for s in engine.states(program.pathway, CURRENT_VERSION[program.pathway])]
    known = {value for value, _ in ordered}
    ordered += [(value, labels[value]) for value in sorted(counts) if value not in known]
    return [(value, label, counts.get(value, 0)) for value, label in ordered]


def risk_counts(lines: list[CandidateLine]) -> dict[str, int]:
    """How many candidates carry each kind of risk."""
    return {kind: sum(kind in line.risk_kinds for line in lines) for kind in RISK_KINDS}
