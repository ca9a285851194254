"""Facts builders shared by the workflow tests: a happy snapshot per pathway, the facts that
satisfy one event, and how to break exactly one rule."""

from __future__ import annotations

from datetime import date, timedelta

from workflows.base import Definition
from workflows.facts import Count, EvidenceKind, EvidenceStatus, Facts, Flag, KeyDate, SignOff
from workflows.registry import definition
from workflows.roles import Role
from workflows.rules import Rule

ALL_VERIFIED = {kind: EvidenceStatus.VERIFIED for kind in EvidenceKind}
ALL_SIGNOFFS = frozenset((key, role) for key in SignOff for role in Role)

HAPPY: dict[str, Facts] = {
    "pip": Facts(
        pathway="pip", today=date(2026, 3, 1), evidence=ALL_VERIFIED, signoffs=ALL_SIGNOFFS,
        dates={KeyDate.PERMIT_ISSUED_ON: date(2025, 8, 1), KeyDate.RECOMMENDED_ON: date(2026, 2, 15)},
        counts={Count.REVIEWS_HELD: 3, Count.PRESERVICE_HOURS: 120,
                Count.PRIOR_EMERGENCY_PERMITS: 4},
        answered_no={Flag.SMC_ALREADY_MET}),
    "induction": Facts(
        pathway="induction", today=date(2026, 3, 1), evidence=ALL_VERIFIED,
        signoffs=ALL_SIGNOFFS, flags={Flag.ECO_ADVISED},
        dates={KeyDate.PRELIMINARY_ISSUED_ON: date(2025, 6, 1),
               KeyDate.ENROLLED_ON: date(2025, 8, 15),
               KeyDate.MENTOR_ASSIGNED_ON: date(2025, 9, 14),  # exactly day 30
               KeyDate.ILP_GOALS_SET_ON: date(2025, 10, 14),  # exactly day 60
               KeyDate.RECOMMENDED_ON: date(2026, 2, 15)},
        # 28 whole weeks since enrolment at 1 h/week
        counts={Count.MENTORING_HOURS: 28, Count.TEACHING_YEARS: 2}),
    "casc": Facts(
        pathway="casc", today=date(2026, 3, 1), evidence=ALL_VERIFIED, signoffs=ALL_SIGNOFFS,
        flags={Flag.EXIT_PANEL_MASTERY},
        dates={KeyDate.PASC_ISSUED_ON: date(2025, 6, 1),
               KeyDate.ADMIN_POSITION_STARTED_ON: date(2025, 7, 1),
               KeyDate.ADMITTED_ON: date(2025, 9, 1),
               KeyDate.COACH_ASSIGNED_ON: date(2025, 10, 1),  # exactly day 30
               KeyDate.RECOMMENDED_ON: date(2026, 2, 15)},
        counts={Count.COACHING_WEEKS_Y1: 40, Count.COACHING_WEEKS_Y2: 40, Count.PL_HOURS_Y1: 20,
                Count.COACHING_HOURS_Y1: 40, Count.COACHING_HOURS_Y2: 40,  # 80 hours over two years
                Count.PL_HOURS_Y2: 20, Count.SELF_ASSESSMENTS: 3,
                Count.ADMIN_EXPERIENCE_YEARS: 2}),
}


def _without_date(facts: Facts, key: KeyDate) -> Facts:
    """A copy without one key date."""
    return facts.replace(dates={k: v for k, v in facts.dates.items() if k != key})


def facts_for(pathway: str, event: str) -> Facts:
    """Facts on which `event` may fire (time events move `today` past their date)."""
    happy = HAPPY[pathway]
    if event == "found_ineligible":
        return happy.replace(flags=happy.flags | {Flag.SMC_ALREADY_MET}, answered_no=frozenset())
    if event == "expire_permit":
        return happy.replace(today=date(2026, 8, 1))
    if event in ("expire_preliminary", "expire_pasc"):
        return happy.replace(today=date(2030, 6, 1))
    if event == "recommendation_purged":
        return happy.replace(today=date(2026, 5, 16))  # Feb 15 + 90 days
    if event == "miss_enrolment_window":
        return _without_date(happy, KeyDate.ADMITTED_ON).replace(today=date(2026, 7, 2))
    return happy


# How to break a rule when its metadata is not enough (a limit, a window, a negated flag...).
SPECIAL_BREAKERS = {
    "pip.prior_permits_within_limit": lambda f: f.replace(
        counts={**f.counts, Count.PRIOR_EMERGENCY_PERMITS: 5}),
    "pip.found_ineligible": lambda f: f.replace(flags=f.flags - {Flag.SMC_ALREADY_MET}),
    "casc.within_enrolment_window": lambda f: f.replace(
        dates={**f.dates, KeyDate.ADMITTED_ON: date(2026, 7, 2)}),
    "common.recommendation_purged": lambda f: f.replace(today=date(2026, 5, 15)),
    "induction.mentor_within_days": lambda f: f.replace(
        dates={**f.dates, KeyDate.MENTOR_ASSIGNED_ON: date(2025, 9, 15)}),  # day 31
    "induction.ilp_goals_within_days": lambda f: f.replace(
        dates={**f.dates, KeyDate.ILP_GOALS_SET_ON: date(2025, 10, 15)}),  # day 61
    "casc.coach_within_days": lambda f: f.replace(
        dates={**f.dates, KeyDate.COACH_ASSIGNED_ON: date(2025, 10, 2)}),  # day 31
    # Deadlines that end person-fired steps: move past them, and nothing else changes.
    "pip.permit_not_expired": lambda f: f.replace(today=date(2026, 8, 1)),  # Aug 1 2025 + 12 months
    "induction.preliminary_not_expired": lambda f: f.replace(
        dates={**f.dates, KeyDate.PRELIMINARY_EXPIRES_ON: f.today}),
    "casc.pasc_not_expired": lambda f: f.replace(
        dates={**f.dates, KeyDate.PASC_EXPIRES_ON: f.today}),
    # Admitted on the window's last day, asked for after it: the window itself is still met.
    "casc.enrolment_window_open": lambda f: f.replace(dates={
        **f.dates, KeyDate.ADMIN_POSITION_STARTED_ON: date(2025, 9, 1)
        - timedelta(days=f.settings.casc_enrolment_window_days)}),
}


def break_rule(rule: Rule, facts: Facts) -> Facts:
    """Facts that differ from `facts` just enough for `rule` to fail."""
    if rule.key in SPECIAL_BREAKERS:
        return SPECIAL_BREAKERS[rule.key](facts)
    if rule.evidence_kind is not None:
        return facts.replace(evidence={**facts.evidence, rule.evidence_kind: EvidenceStatus.SUBMITTED})
    if rule.signoff is not None:
        return facts.replace(signoffs=facts.signoffs - {rule.signoff})
    if rule.count is not None:
        return facts.replace(counts={**facts.counts, rule.count: 0})
    if rule.flag is not None:
        return facts.replace(flags=facts.flags ^ {rule.flag})
    if rule.key_date is not None:
        return _without_date(facts, rule.key_date)
    raise AssertionError(f"no way to break {rule.key}")


def transitions(defn: Definition) -> list[tuple[str, str, str]]:
    """Every (event, source, target) of a definition's machine."""
    return [(event.id, str(t.source.value), str(t.target.value))
            for state in defn.machine.states for t in state.transitions for event in t.events]


def all_transitions() -> list[tuple[str, str, str, str]]:
    """(pathway, event, source, target) for every v1 transition of every pathway."""
    return [(p, *t) for p in HAPPY for t in transitions(definition(p, 1))]


def all_guard_rules() -> list[tuple[str, str, str]]:
    """(pathway, event, rule key) for every rule guarding every v1 event."""
    return [(p, event, rule.key) for p in HAPPY
            for event, spec in definition(p, 1).events.items() for rule in spec.rules]


def some_source(pathway: str, event: str) -> str:
    """A state `event` leaves."""
    return next(src for ev, src, _ in transitions(definition(pathway, 1)) if ev == event)

