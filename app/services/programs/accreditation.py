"""Accreditation evidence (CTC ADS and induction preconditions) and the cohort list, as rows.

Per candidate: enrolment date, mentor and coach match dates, ILP and IIP dates, signed hours per
program year, and completion ("completed program requirements": the day the pathway first reached
"ready for recommendation"), plus the recommendation and issue dates. Only signed log entries
count, as in the pathway rules. Induction support records are counted per kind (never read).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import Session, func, select

from app.models import Enrollment, LogKind, Program, Recommendation, RecommendationStatus, SupportRecord
from app.services.enrollments.case_file import Filed
from app.services.programs.cohort import CandidateLine, today_of
from app.services.programs.recommendations import states_of
from workflows.dates import add_years
from workflows.facts import EvidenceKind, Facts, KeyDate
from workflows.registry import plugin
from workflows.rules import Rule

ACCREDITATION_COLUMNS = (
    ("candidate_name", "Candidate"), ("email", "Email"), ("pathway", "Pathway"), ("state", "Where they stand"),
    ("enrolled_on", "Enrolled"), ("mentor_matched_on", "Mentor matched"), ("coach_matched_on", "Coach matched"),
    ("ilp_goals_set_on", "ILP goals set"), ("iip_1_on", "IIP 1"), ("iip_2_on", "IIP 2"),
    ("mentoring_hours_y1", "Mentoring h, Y1"), ("mentoring_hours_y2", "Mentoring h, Y2"),
    ("coaching_weeks_y1", "Coaching weeks, Y1"), ("coaching_weeks_y2", "Coaching weeks, Y2"),
    ("pl_hours_y1", "PL h, Y1"), ("pl_hours_y2", "PL h, Y2"), ("preservice_hours", "Pre-service h"),
    ("mentor_late", "Mentor late"), ("ilp_late", "ILP goals late"), ("coach_late", "Coach late"),
    ("observations", "Observations of colleagues"), ("just_in_time_contacts", "Just-in-time contacts"),
    ("mentor_cstp_assessments", "Mentor CSTP assessments"), ("feedback_to_mentor", "Feedback to mentor"),
    ("goal_reflections", "ILP goal reflections"), ("data_cycles", "Looks at student data"),
    ("referrals", "Referrals and connections"),
    ("completed", "Completed"), ("completed_on", "Completed on"), ("recommended_on", "Recommended"),
    ("issued_on", "Credential issued"),
)
# Support records counted per candidate (app/services/evidence/support.py): column -> kind, and the role
# whose records count (None: anyone's). Observations count once held (a scheduled one does not yet).
SUPPORT_COLUMNS = {"observations": ("observation", None), "just_in_time_contacts": ("just_in_time", None),
                   "mentor_cstp_assessments": ("standards_assessment", "mentor"),
                   "feedback_to_mentor": ("mentor_feedback", None), "goal_reflections": ("goal_reflection", None),
                   "data_cycles": ("data_cycle", None), "referrals": ("connection", None)}
LIST_COLUMNS = (("candidate_name", "Candidate"), ("email", "Email"), ("state", "Where they stand"),
                ("enrolled_on", "Enrolled"), ("program_year", "Program year"), ("next_deadline", "Next deadline"),
                ("next_deadline_on", "Due"), ("at_risk", "At risk because"))


@dataclass(frozen=True)
class Table:
    """Column keys, their headings, and one dict per row."""

    columns: tuple[tuple[str, str], ...]
    rows: list[dict[str, object]]

    @property
    def header(self) -> list[str]:
        """The machine-readable column names (the CSV header)."""
        return [key for key, _ in self.columns]

    def values(self) -> list[list[object]]:
        """Rows as lists in column order."""
        return [[row.get(key) for key in self.header] for row in self.rows]


def candidate_list(lines: list[CandidateLine]) -> Table:
    """The (filtered) cohort as a table."""
    rows = []
    for line in lines:
        upcoming = line.next_deadline
        rows.append({"candidate_name": line.candidate.name, "email": line.candidate.email, "state": line.state_label,
                     "enrolled_on": line.enrollment.enrolled_on, "program_year": line.program_year,
                     "next_deadline": upcoming.label if upcoming else "", "next_deadline_on": upcoming.due if upcoming else None,
                     "at_risk": "; ".join(f"{r.kind_label}: {r.what}" for r in line.risks)})
    return Table(LIST_COLUMNS, rows)


def evidence_table(session: Session, program: Program, lines: list[CandidateLine]) -> Table:
    """Accreditation evidence for every line, from the lines' summaries (the figures are worked out
    when the enrolment changes, by `figures`) and one count of their support records."""
    support = _support_counts(session, program, [line.enrollment.id for line in lines])  # type: ignore[misc]
    rows = []
    for line in lines:
        e, stored = line.enrollment, (line.summary.accreditation if line.summary else {})
        row: dict[str, object] = {"candidate_name": line.candidate.name, "email": line.candidate.email,
                                  "pathway": e.pathway, "state": line.state_label, "enrolled_on": e.enrolled_on}
        for key, _ in ACCREDITATION_COLUMNS:
            if key in row:
                continue
            value = stored.get(key)
            row[key] = date.fromisoformat(value) if key in _DATES and value else value
            if row[key] is None and ("hours" in key or "weeks" in key):
                row[key] = 0
        if plugin(e.pathway).support is not None:  # counts only where the pathway keeps support records
            row.update({column: support.get((e.id, column), 0) for column in SUPPORT_COLUMNS})  # type: ignore[arg-type]
        rows.append(row)
    return Table(ACCREDITATION_COLUMNS, rows)


def _support_counts(session: Session, program: Program, ids: list[int]) -> dict[tuple[int, str], int]:
    """(enrolment id, column) -> how many support records count there, in one query (no words read)."""
    if not ids:
        return {}
    today = today_of(session, program)
    held = or_(SupportRecord.kind != "observation", SupportRecord.occurred_on <= today)  # type: ignore[arg-type]
    found = session.exec(select(SupportRecord.enrollment_id, SupportRecord.kind, SupportRecord.author_role, func.count())
                         .where(SupportRecord.enrollment_id.in_(ids), held)  # type: ignore[attr-defined]
                         .group_by(SupportRecord.enrollment_id, SupportRecord.kind, SupportRecord.author_role)).all()
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for enrollment_id, kind, role, n in found:
        for column, (counted, by) in SUPPORT_COLUMNS.items():
            if kind == counted and by in (None, role):
                counts[(enrollment_id, column)] += n
    return counts


_DATES = {"mentor_matched_on", "coach_matched_on", "ilp_goals_set_on", "iip_1_on", "iip_2_on", "completed_on",
          "recommended_on", "issued_on"}


def figures(enrollments: list[Enrollment], files: dict[int, Filed], facts_of: dict[int, Facts],
            zone_of: dict[int, ZoneInfo], recommendations: list[Recommendation]) -> dict[int, dict[str, object]]:
    """Per enrolment id, the accreditation row's own figures (JSON-ready: dates as ISO strings), from
    the enrolments' case files and their recommendations (oldest first): what the enrolment summary
    keeps (app/services/programs/summaries.py)."""
    issued = {rec.enrollment_id: rec.issued_on for rec in recommendations
              if rec.status == RecommendationStatus.ISSUED.value}
    submitted = {rec.enrollment_id: rec.submitted_on for rec in recommendations}  # the latest
    found = {}
    for e in enrollments:
        file, facts, zone = files[e.id], facts_of[e.id], zone_of[e.id]  # type: ignore[index]
        iips = _first_uploads(file.documents, zone)
        done = _completed_on(e, file.moves, zone)
        row = {
            "mentor_matched_on": facts.date_of(KeyDate.MENTOR_ASSIGNED_ON),
            "coach_matched_on": facts.date_of(KeyDate.COACH_ASSIGNED_ON),
            "ilp_goals_set_on": facts.date_of(KeyDate.ILP_GOALS_SET_ON),
            "iip_1_on": iips.get(EvidenceKind.IIP_1.value), "iip_2_on": iips.get(EvidenceKind.IIP_2.value),
            **_signed_hours(e, file.signed_logs),
            **{column: _lateness(rule, facts) for column, rule in plugin(e.pathway).late_windows.items()},
            "completed": done is not None, "completed_on": done,
            "recommended_on": submitted.get(e.id), "issued_on": issued.get(e.id),  # type: ignore[arg-type]
        }
        found[e.id] = {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
    return found  # type: ignore[return-value]


def _lateness(rule: Rule, facts: Facts) -> str:
    """How a window stands for accreditation: in time, late, or late and carried on by the director."""
    if not rule.is_late(facts):
        return "no"
    return "yes (carried on)" if rule.waived(facts) else "yes"


def _first_uploads(documents: list[Any], zone: ZoneInfo) -> dict[str, date]:
    """The day each IIP was first submitted (its first version; documents oldest first)."""
    found: dict[str, date] = {}
    for document in documents:
        if document.kind in (EvidenceKind.IIP_1, EvidenceKind.IIP_2):
            found.setdefault(document.kind, document.uploaded_at.astimezone(zone).date())
    return found


def _signed_hours(enrollment: Enrollment, entries: list[Any]) -> dict[str, float]:
    """Signed hours (and CASC coaching weeks) per program year."""
    totals: dict[str, float] = defaultdict(float)
    weeks: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for entry in entries:
        # Some pathways' entries carry their program year; elsewhere the year follows the enrolment date.
        year = entry.program_year if plugin(enrollment.pathway).logs_carry_year else (
            1 if entry.occurred_on < add_years(enrollment.enrolled_on, 1) else 2)
        year = min(max(year, 1), 2)
        column = {LogKind.MENTORING: "mentoring_hours", LogKind.PROFESSIONAL_LEARNING: "pl_hours"}.get(LogKind(entry.kind))
        if column:
            totals[f"{column}_y{year}"] += entry.hours
        elif entry.kind == LogKind.PRESERVICE:
            totals["preservice_hours"] += entry.hours
        elif entry.kind == LogKind.COACHING:
            weeks[year].add(entry.occurred_on.isocalendar()[:2])
    for year, seen in weeks.items():
        totals[f"coaching_weeks_y{year}"] = len(seen)
    return dict(totals)


def _completed_on(enrollment: Enrollment, moves: list[Any], zone: ZoneInfo) -> date | None:
    """The local day the enrolment first reached "ready for recommendation" (moves oldest first)."""
    ready = _ready_state(enrollment.pathway, enrollment.pathway_version)
    for move in moves:
        if move.action == "enrollment.transition" and move.to_state == ready:
            return move.occurred_at.astimezone(zone).date()  # type: ignore[no-any-return]
    return None


@cache
def _ready_state(pathway: str, version: int) -> str:
    # Read from the machine once per pathway version: definitions never change while the app runs.
    return states_of(pathway, version)[0]
