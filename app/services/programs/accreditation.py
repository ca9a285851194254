"""Accreditation evidence (CTC ADS and induction preconditions) and the cohort list, as rows.

Per candidate: enrolment date, mentor and coach match dates, ILP and IIP dates, signed hours per
program year, and completion ("completed program requirements": the day the pathway first reached
"ready for recommendation"), plus the recommendation and issue dates. Only signed log entries
count, as in the pathway rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.models import (
    AuditEvent,
    Enrollment,
    Evidence,
    LogEntry,
    LogKind,
    Program,
    Recommendation,
    RecommendationStatus,
)
from app.services.programs.cohort import CandidateLine
from app.services.programs.recommendations import states_of
from workflows import rules as r
from workflows.dates import add_years
from workflows.facts import EvidenceKind, Facts, KeyDate
from workflows.rules import Rule

ACCREDITATION_COLUMNS = (
    ("candidate_name", "Candidate"), ("email", "Email"), ("pathway", "Pathway"), ("state", "Where they stand"),
    ("enrolled_on", "Enrolled"), ("mentor_matched_on", "Mentor matched"), ("coach_matched_on", "Coach matched"),
    ("ilp_goals_set_on", "ILP goals set"), ("iip_1_on", "IIP 1"), ("iip_2_on", "IIP 2"),
    ("mentoring_hours_y1", "Mentoring h, Y1"), ("mentoring_hours_y2", "Mentoring h, Y2"),
    ("coaching_weeks_y1", "Coaching weeks, Y1"), ("coaching_weeks_y2", "Coaching weeks, Y2"),
    ("pl_hours_y1", "PL h, Y1"), ("pl_hours_y2", "PL h, Y2"), ("preservice_hours", "Pre-service h"),
    ("mentor_late", "Mentor late"), ("ilp_late", "ILP goals late"), ("coach_late", "Coach late"),
    ("completed", "Completed"), ("completed_on", "Completed on"), ("recommended_on", "Recommended"),
    ("issued_on", "Credential issued"),
)
# The window rules whose lateness accreditation reports, by column.
_WINDOWS = {"mentor_late": r.IND_MENTOR_IN_TIME, "ilp_late": r.IND_ILP_IN_TIME, "coach_late": r.CASC_COACH_IN_TIME}
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
    """Accreditation evidence for every line, from the lines' summaries (no query: `session` and
    `program` stay for callers; the figures are worked out when the enrolment changes, by `figures`)."""
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
        rows.append(row)
    return Table(ACCREDITATION_COLUMNS, rows)


_DATES = {"mentor_matched_on", "coach_matched_on", "ilp_goals_set_on", "iip_1_on", "iip_2_on", "completed_on",
          "recommended_on", "issued_on"}


def figures(session: Session, enrollments: list[Enrollment], facts_of: dict[int, Facts],
            zone_of: dict[int, ZoneInfo]) -> dict[int, dict[str, object]]:
    """Per enrolment id, the accreditation row's own figures (JSON-ready: dates as ISO strings), in
    five queries for any number: what the enrolment summary keeps (app/services/enrollments/summaries.py)."""
    ids = [e.id for e in enrollments]
    iips = _first_uploads(session, ids, zone_of)  # type: ignore[arg-type]
    hours = _signed_hours(session, enrollments)
    completions = _completions(session, enrollments, zone_of)
    issued = {rec.enrollment_id: rec.issued_on for rec in session.exec(select(Recommendation).where(
        Recommendation.enrollment_id.in_(ids or [0]),  # type: ignore[attr-defined]
        Recommendation.status == RecommendationStatus.ISSUED.value)).all()}
    submitted: dict[int, date] = {}
    for rec in session.exec(select(Recommendation).where(Recommendation.enrollment_id.in_(ids or [0]))  # type: ignore[attr-defined]
                            .order_by(Recommendation.id)).all():
        submitted[rec.enrollment_id] = rec.submitted_on
    found = {}
    for e in enrollments:
        facts, done = facts_of[e.id], completions.get(e.id)  # type: ignore[index, arg-type]
        row = {
            "mentor_matched_on": facts.date_of(KeyDate.MENTOR_ASSIGNED_ON),
            "coach_matched_on": facts.date_of(KeyDate.COACH_ASSIGNED_ON),
            "ilp_goals_set_on": facts.date_of(KeyDate.ILP_GOALS_SET_ON),
            "iip_1_on": iips.get((e.id, EvidenceKind.IIP_1.value)), "iip_2_on": iips.get((e.id, EvidenceKind.IIP_2.value)),  # type: ignore[arg-type]
            **hours.get(e.id, {}),  # type: ignore[arg-type]
            **{column: _lateness(rule, facts) for column, rule in _WINDOWS.items()
               if e.pathway in rule.key.split(".")[0]},
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


def _first_uploads(session: Session, ids: list[int], zone_of: dict[int, ZoneInfo]) -> dict[tuple[int, str], date]:
    """The day each IIP was first submitted (its first version)."""
    found: dict[tuple[int, str], date] = {}
    rows = session.exec(select(Evidence.enrollment_id, Evidence.kind, Evidence.uploaded_at).where(
        Evidence.enrollment_id.in_(ids or [0]),  # type: ignore[attr-defined]
        Evidence.kind.in_([EvidenceKind.IIP_1.value, EvidenceKind.IIP_2.value]))  # type: ignore[attr-defined]
        .order_by(Evidence.uploaded_at)).all()
    for enrollment_id, kind, uploaded_at in rows:
        found.setdefault((enrollment_id, kind), uploaded_at.astimezone(zone_of[enrollment_id]).date())
    return found


def _signed_hours(session: Session, enrollments: list[Enrollment]) -> dict[int, dict[str, float]]:
    """Signed hours (and CASC coaching weeks) per program year, per enrolment."""
    by_id = {e.id: e for e in enrollments}
    totals: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    weeks: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)
    # Columns, not entities: a program's signed entries run to the hundred thousand.
    entries = session.exec(select(LogEntry.enrollment_id, LogEntry.kind, LogEntry.occurred_on, LogEntry.program_year,
                                  LogEntry.hours).where(LogEntry.enrollment_id.in_(list(by_id) or [0]),  # type: ignore[attr-defined]
                                                        LogEntry.signed_at.is_not(None))).all()  # type: ignore[union-attr]
    for entry in entries:
        enrollment = by_id[entry.enrollment_id]
        # CASC entries carry their program year; elsewhere the year follows the enrolment date.
        year = entry.program_year if enrollment.pathway == "casc" else (
            1 if entry.occurred_on < add_years(enrollment.enrolled_on, 1) else 2)
        year = min(max(year, 1), 2)
        column = {LogKind.MENTORING: "mentoring_hours", LogKind.PROFESSIONAL_LEARNING: "pl_hours"}.get(LogKind(entry.kind))
        if column:
            totals[entry.enrollment_id][f"{column}_y{year}"] += entry.hours
        elif entry.kind == LogKind.PRESERVICE:
            totals[entry.enrollment_id]["preservice_hours"] += entry.hours
        elif entry.kind == LogKind.COACHING:
            weeks[(entry.enrollment_id, year)].add(entry.occurred_on.isocalendar()[:2])
    for (enrollment_id, year), seen in weeks.items():
        totals[enrollment_id][f"coaching_weeks_y{year}"] = len(seen)
    return {k: dict(v) for k, v in totals.items()}


def _completions(session: Session, enrollments: list[Enrollment], zone_of: dict[int, ZoneInfo]) -> dict[int, date]:
    """The local day each enrolment first reached "ready for recommendation" (one query for all)."""
    ready = {e.id: _ready_state(e.pathway, e.pathway_version) for e in enrollments}
    found: dict[int, date] = {}
    rows = session.exec(select(AuditEvent.enrollment_id, AuditEvent.to_state, AuditEvent.occurred_at).where(
        AuditEvent.enrollment_id.in_(list(ready)), AuditEvent.action == "enrollment.transition",  # type: ignore[union-attr]
        AuditEvent.to_state.in_(set(ready.values()) or {""}))  # type: ignore[union-attr]
        .order_by(AuditEvent.occurred_at)).all()
    for enrollment_id, to_state, occurred_at in rows:
        if to_state == ready[enrollment_id] and enrollment_id not in found:
            found[enrollment_id] = occurred_at.astimezone(zone_of[enrollment_id]).date()  # type: ignore[index]
    return found


@cache
def _ready_state(pathway: str, version: int) -> str:
    # Read from the machine once per pathway version: definitions never change while the app runs.
    return states_of(pathway, version)[0]
