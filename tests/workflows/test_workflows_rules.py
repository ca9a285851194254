"""Rule messages, statuses and the candidate checklist."""

from __future__ import annotations

from datetime import date

import pytest
from workflow_scenarios import HAPPY

from workflows import engine
from workflows.casc import rules as casc_rules
from workflows.facts import Count, EvidenceKind, EvidenceStatus, Facts, Flag, KeyDate
from workflows.induction import rules as induction_rules
from workflows.pip import rules as pip_rules
from workflows.registry import definition
from workflows.roles import Role
from workflows.rules import RuleStatus


def test_an_evidence_rule_explains_missing_awaiting_and_sent_back() -> None:
    """Only verified satisfies; submitted shows as awaiting verification."""
    facts = Facts(pathway="pip", today=date(2026, 1, 1))
    assert pip_rules.PIP_CL_857.status(facts) is RuleStatus.MISSING
    assert pip_rules.PIP_CL_857.explain(facts) == ("Upload your CL-857 verification; your credential "
                                           "analyst verifies it.")
    submitted = facts.replace(evidence={EvidenceKind.CL_857: EvidenceStatus.SUBMITTED})
    assert pip_rules.PIP_CL_857.status(submitted) is RuleStatus.AWAITING_VERIFICATION
    assert pip_rules.PIP_CL_857.explain(submitted) == ("Your CL-857 verification is awaiting "
                                               "verification by your credential analyst.")
    sent_back = facts.replace(evidence={EvidenceKind.CL_857: EvidenceStatus.SENT_BACK})
    assert pip_rules.PIP_CL_857.status(sent_back) is RuleStatus.SENT_BACK
    assert "sent back" in pip_rules.PIP_CL_857.explain(sent_back)
    verified = facts.replace(evidence={EvidenceKind.CL_857: EvidenceStatus.VERIFIED})
    assert pip_rules.PIP_CL_857.check(verified) and pip_rules.PIP_CL_857.status(verified) is RuleStatus.MET


def test_count_messages_render_the_figures_and_the_setting() -> None:
    """'23 of 40 coaching weeks logged for Year 1.'"""
    facts = Facts(pathway="casc", today=date(2026, 1, 1), counts={Count.COACHING_WEEKS_Y1: 23})
    assert casc_rules.CASC_COACHING_Y1.explain(facts) == "23 of 40 coaching weeks logged for Year 1."
    assert casc_rules.CASC_COACHING_Y1.progress(facts) == (23, 40)
    assert casc_rules.CASC_COACHING_Y1.setting == "coaching_weeks_per_year"
    facts = Facts(pathway="pip", today=date(2026, 1, 1), counts={Count.REVIEWS_HELD: 1})
    assert pip_rules.PIP_REVIEWS.explain(facts).startswith("1 of 3 reviews")


def test_the_mentoring_average_is_measured_over_whole_weeks_since_enrolment() -> None:
    """Precondition 3: at least one hour a week on average since enrolment."""
    facts = Facts(pathway="induction", today=date(2025, 10, 1),
                  dates={KeyDate.ENROLLED_ON: date(2025, 8, 15)},  # 47 days = 6 whole weeks
                  counts={Count.MENTORING_HOURS: 5.5})
    assert not induction_rules.IND_MENTORING_AVERAGE.check(facts)
    assert induction_rules.IND_MENTORING_AVERAGE.explain(facts) == (
        "5.5 mentoring hours logged over 6 weeks since enrolment; an average of 1 hour a "
        "week needs 6.")
    assert induction_rules.IND_MENTORING_AVERAGE.check(facts.replace(counts={Count.MENTORING_HOURS: 6}))


def test_deadline_rules_say_the_due_date() -> None:
    """'A mentor must be assigned by ...' with the actual date."""
    facts = Facts(pathway="induction", today=date(2025, 10, 1),
                  dates={KeyDate.ENROLLED_ON: date(2025, 8, 15)})
    assert induction_rules.IND_MENTOR_IN_TIME.explain(facts) == ("A mentor must be assigned by September 14, "
                                                   "2025 (mentor assigned: not recorded).")


def test_sign_off_rules_carry_the_key_and_role_for_task_queues() -> None:
    """The app queues a task for (key, role); the rule names who clears it."""
    assert casc_rules.CASC_IIP_1_APPROVED.signoff == ("iip1_approved", Role.PROGRAM_DIRECTOR)
    assert casc_rules.CASC_IIP_1_APPROVED.clears is Role.PROGRAM_DIRECTOR
    assert casc_rules.CASC_IIP_1_APPROVED.explain(HAPPY["casc"].replace(signoffs=frozenset())) == \
        "Your program director approves IIP 1."


@pytest.mark.parametrize("pathway", ["pip", "induction", "casc"])
def test_every_rule_has_a_stable_key_a_source_and_a_message(pathway: str) -> None:
    """Keys are namespaced; every rule can be explained on any facts."""
    empty = Facts(pathway=pathway, today=date(2026, 1, 1))
    for key, rule in definition(pathway, 1).rules.items():
        assert key.split(".")[0] in (pathway, "common") and rule.source
        for facts in (empty, HAPPY[pathway]):
            assert rule.explain(facts) and rule.title(facts)


def test_requirements_group_every_rule_with_status_for_the_dashboard() -> None:
    """Groups feed the checklist and its progress bars."""
    groups = engine.requirements("casc", 1, HAPPY["casc"])
    assert [g.label for g in groups] == ["Admission", "Year 1", "Year 2", "Exit & experience",
                                         "Credential"]
    assert all(g.complete for g in groups)
    partial = HAPPY["casc"].replace(counts={Count.COACHING_WEEKS_Y1: 23})
    year1 = next(g for g in engine.requirements("casc", 1, partial) if g.label == "Year 1")
    coaching = next(i for i in year1.items if i.rule is casc_rules.CASC_COACHING_Y1)
    assert coaching.progress == (23, 40) and not coaching.met and year1.met < year1.total


def test_events_from_gives_a_button_or_the_reasons() -> None:
    """Enabled events are buttons; blocked ones carry the reasons."""
    facts = HAPPY["pip"].replace(counts={Count.REVIEWS_HELD: 2, Count.PRESERVICE_HOURS: 120})
    options = {o.event: o for o in engine.events_from("pip", 1, "plan_established", facts)}
    assert set(options) == {"declare_intern_ready", "expire_permit", "withdraw"}
    ready = options["declare_intern_ready"]
    assert not ready.enabled and ready.target == "intern_ready"
    # The message names who must attend a review for it to count (pip_review_needs_* settings).
    assert ready.reasons == (("2 of 3 reviews of your tracker held and signed with someone from your "
                              "district (HR or credential analyst), your direct supervisor (site "
                              "administrator), your mentor and your teacher-preparation program support "
                              "provider present."),)
    assert Role.CANDIDATE in ready.by and not ready.automatic
    assert options["withdraw"].enabled and options["expire_permit"].automatic


def test_a_count_nobody_recorded_does_not_meet_an_at_most_rule() -> None:
    """"0 long-term emergency permits" is not an answer until the analyst or HR records it: the
    PIP eligibility rule is not met, and says who records the fact; a recorded 0 meets it."""
    rule = definition("pip", 1).rules["pip.prior_permits_within_limit"]
    counts = {k: v for k, v in HAPPY["pip"].counts.items() if k != Count.PRIOR_EMERGENCY_PERMITS}
    unrecorded = HAPPY["pip"].replace(counts=counts)
    assert not rule.check(unrecorded)
    assert rule.status(unrecorded) is RuleStatus.NOT_RECORDED
    assert rule.explain(unrecorded) == ("Long-term emergency permits held before: not recorded yet; your "
                                        "credential analyst or district HR records it.")
    assert rule.check(unrecorded.replace(counts={**counts, Count.PRIOR_EMERGENCY_PERMITS: 0}))


def test_a_yes_no_fact_nobody_recorded_does_not_meet_a_rule_on_its_absence() -> None:
    """Subject-matter competence "not already met" holds once the analyst records "no", not before."""
    rule = definition("pip", 1).rules["pip.smc_not_already_met"]
    unrecorded = HAPPY["pip"].replace(answered_no=frozenset())
    assert not rule.check(unrecorded)
    assert rule.status(unrecorded) is RuleStatus.NOT_RECORDED
    assert "not recorded yet; your credential analyst records it" in rule.explain(unrecorded)
    assert rule.check(unrecorded.replace(answered_no={Flag.SMC_ALREADY_MET}))
    assert not rule.check(unrecorded.replace(flags={Flag.SMC_ALREADY_MET}))


def test_totals_the_product_works_out_are_never_unrecorded() -> None:
    """Signed-log totals default to 0 and read as 0: only facts people record can be missing."""
    rule = definition("pip", 1).rules["pip.reviews_held"]
    facts = HAPPY["pip"].replace(counts={})
    assert rule.status(facts) is RuleStatus.NOT_MET


def test_too_many_permits_make_a_candidate_ineligible_whether_or_not_competence_was_recorded() -> None:
    """Ineligibility holds on what was recorded (six permits), not on the other fact's answer."""
    rule = definition("pip", 1).rules["pip.found_ineligible"]
    facts = HAPPY["pip"].replace(answered_no=frozenset(), counts={**HAPPY["pip"].counts, Count.PRIOR_EMERGENCY_PERMITS: 6})
    assert rule.check(facts)
    counts = {k: v for k, v in HAPPY["pip"].counts.items() if k != Count.PRIOR_EMERGENCY_PERMITS}
    assert not rule.check(facts.replace(counts=counts))
