"""A requirement in the approver's words: a rule's own message speaks to the candidate ("Your ...")."""

from __future__ import annotations

from workflows.facts import Facts
from workflows.rules import Rule, RuleStatus, role_name
from workflows.vocabulary import about_the_candidate


def explain(rule: Rule, facts: Facts) -> str:
    """Why a rule is unmet, said to whoever approves (the rule's own message, said about the candidate)."""
    status = rule.status(facts)
    if rule.evidence_kind is not None and status is RuleStatus.AWAITING_VERIFICATION:
        return f"the {rule.evidence_kind.label} is waiting to be verified by the {role_name(rule.clears)}."
    if rule.evidence_kind is not None and status is RuleStatus.SENT_BACK:
        return f"the {rule.evidence_kind.label} was sent back; a corrected copy is awaited from the candidate."
    if rule.evidence_kind is not None and status is RuleStatus.MISSING:
        return f"the {rule.evidence_kind.label} has not been uploaded yet."
    return about_the_candidate(rule.explain(facts))
