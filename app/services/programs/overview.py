"""The director's overview: per program, how many candidates are on track, at risk, overdue or
ready to recommend, from the enrolment summaries in one grouped query (whatever the number of
candidates or programs), remembered per program until the program changes (tallies.py).

Every candidate in progress (pathway not ended) is in exactly one standing, so the four figures
add up to `total`: ready to recommend first (the director's own next step), then overdue (a
deadline passed or a sign-off past its due date), then at risk (a deadline within 90 days, logs
behind pace), else on track. The tests are `cohort.standing_is` (SQL) and `CandidateLine.standing`.

Each figure links to exactly its candidates: the candidates page (`/programs/<id>/candidates`)
accepts these query arguments, all optional and combinable (`cohort.Filters.from_args`; anything
malformed is ignored):

* `standing`: `on_track`, `at_risk`, `overdue`, `ready`, or `open` (everyone in progress);
* `risk`: `any`, or one kind: `deadline_30`, `deadline_60`, `deadline_90`, `deadline_passed`,
  `signoff_overdue`, `behind_pace`;
* `state`: a pathway state's value (as in `cohort.Counts.states`);
* `year`: the calendar year of enrolment; `program_year`: `1` or `2`;
* `page` (1-based) and `print=1` (every row on one page).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app import policy
from app.models import EnrollmentSummary, Organisation, Program, User, utcnow
from app.services.programs import directory, tallies
from app.services.programs.cohort import OPEN, STANDINGS, standing_is
from workflows.deadlines import local_today
from workflows.roles import Role


@dataclass(frozen=True)
class ProgramOverview:
    """One program's figures; `counts` (per STANDINGS key) is None when the person may not see its candidates."""

    program: Program
    roles: frozenset[Role]
    counts: dict[str, int] | None
    total: int

    @staticmethod
    def filter(standing: str = OPEN) -> dict[str, str]:
        """The candidates page's query arguments for one figure (`url_for(..., **filter)`)."""
        return {"standing": standing}


def overview(session: Session, user: User) -> list[ProgramOverview]:
    """Every program the person sees (by name), with its figures where they may see its candidates."""
    programs = directory.visible_programs(session, user)
    roles = {p.id: policy.program_roles(session, user, p) for p in programs}
    shown = [p for p in programs if policy.can_view_program(roles[p.id])]
    counts = figures(session, shown)
    return [ProgramOverview(p, roles[p.id], counts.get(p.id) if p in shown else None,  # type: ignore[arg-type]
                            sum(counts.get(p.id, {}).values()) if p in shown else 0) for p in programs]  # type: ignore[arg-type]


def figures(session: Session, programs: list[Program]) -> dict[int, dict[str, int]]:
    """Per program id, candidates in each standing: one query per distinct local day (one, in California)."""
    if not programs:
        return {}
    zones = dict(session.exec(select(Organisation.id, Organisation.timezone).where(
        Organisation.id.in_({p.organisation_id for p in programs}))).all())  # type: ignore[union-attr]
    by_day: dict[object, list[int]] = defaultdict(list)
    now = utcnow()
    for program in programs:
        by_day[local_today(now, zones.get(program.organisation_id) or "America/Los_Angeles")].append(program.id)  # type: ignore[arg-type]
    s = EnrollmentSummary
    found: dict[int, dict[str, int]] = {}
    for today, ids in by_day.items():

        def grouped(unknown: list[int], today: object = today) -> dict[int, dict[str, int]]:
            counted = {pid: dict.fromkeys(STANDINGS, 0) for pid in unknown}
            for program_id, *numbers in session.exec(select(  # type: ignore[call-overload]
                    s.program_id, *(func.count().filter(standing_is(name, today)) for name in STANDINGS))  # type: ignore[arg-type]
                    .where(s.program_id.in_(unknown)).group_by(s.program_id)).all():  # type: ignore[attr-defined]
                counted[program_id] = dict(zip(STANDINGS, numbers, strict=True))
            return counted

        # Remembered per program until one of its summaries changes (tallies): a director's landing
        # page does not count a program of thousands on every visit.
        found.update(tallies.remembered_many(session, ids, ("standings", today), grouped))
    return {pid: dict(numbers) for pid, numbers in found.items()}
