"""The enrolment's sections (overview, logs, plans, team...), offered as a bar on every page of it.

Each section is listed only for the people its own page lets in, so the bar never leads to a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from app import policy
from app.candidate.blueprint import bp
from app.db import get_session
from app.models import Enrollment, LogKind
from app.services.enrollments import records, words
from app.services.evidence import logs as logs_service
from app.services.evidence import plans as plans_service
from app.services.evidence import support as support_service
from app.services.progress.export import log_kind_label
from workflows.facts import EvidenceKind


@dataclass(frozen=True)
class Section:
    """A link in the enrolment's section bar; `endpoints` are the pages that belong to it."""

    label: str
    endpoint: str  # the section's first page, e.g. "candidate.plans"
    endpoints: frozenset[str]


@bp.app_template_global()
def enrollment_sections(enrollment: Enrollment) -> list[Section]:
    """The sections of this enrolment the signed-in person may open."""
    roles = policy.roles_on(get_session(), current_user, enrollment)  # type: ignore[arg-type]

    def section(label: str, endpoint: str, *more: str) -> Section:
        return Section(label, f"candidate.{endpoint}", frozenset(f"candidate.{e}" for e in (endpoint, *more)))

    sections = [section("Overview", "dashboard", "credential_goal"), section("Checklist", "checklist"),
                section("Dates & facts", "facts"),
                section("Logs", "log_book")]
    if any(policy.can_read_plan(roles, kind.value) for kind in plans_service.kinds(enrollment.pathway)):
        sections.append(section("Plans", "plans", "plan", "self_assessments"))
    if support_service.readable(roles, enrollment):
        sections.append(section("Support", "support"))
    if LogKind.REVIEW_MEETING in logs_service.kinds(enrollment.pathway):
        sections.append(section("Review meetings", "meetings"))
    sections.append(section("Team", "team"))
    sections.append(section("Export & calendar", "export"))
    return sections


# How the enrolment pages say dates, countdowns and figures ("2 March 2027", "about 14 months left", "40").
bp.add_app_template_filter(words.day_in_words, "day_in_words")
bp.add_app_template_filter(words.short_day, "short_day")
bp.add_app_template_filter(words.countdown, "countdown")
bp.add_app_template_filter(words.figure, "figure")
bp.add_app_template_filter(words.count_unit, "count_unit")
bp.add_app_template_filter(words.source_words, "source_words")
bp.add_app_template_global(log_kind_label, "log_kind_label")


@bp.app_template_global()
def evidence_label(kind: str) -> str:
    """A document kind as people say it ("Official transcripts"), whatever was stored."""
    try:
        return words.sentence_case(EvidenceKind(kind).label)
    except ValueError:
        return "Document"


@bp.app_template_global()
def fact_label(name: str) -> str:
    """A recorded fact's name ("Enrolment date"), never its stored key."""
    return records.field_label(name)
