"""The one way names read in running text, and rules' messages said about the candidate to anyone else."""

from __future__ import annotations

import re

import pytest

from workflows.facts import EvidenceKind
from workflows.registry import current, plugins
from workflows.roles import Role
from workflows.vocabulary import about_the_candidate, agree, counted, in_sentence, sentence, step_in_sentence


@pytest.mark.parametrize(("label", "inside"), [
    ("District HR", "district HR"), ("Mentor", "mentor"), ("IIP 1 (CPSEL 1–3)", "IIP 1 (CPSEL 1–3)"),
    ("CL-777 administrator verification", "CL-777 administrator verification"),
    ("Certificate of Clearance (CL-900)", "Certificate of Clearance (CL-900)"), ("Live Scan receipt", "Live Scan receipt"),
    ("U.S. Constitution course", "U.S. Constitution course"), ("Year 1 orientation record", "Year 1 orientation record"),
    ("Official transcripts", "official transcripts"), ("Preparation-program support provider",
                                                       "preparation-program support provider"), ("", ""),
])
def test_a_label_inside_a_sentence_keeps_its_acronyms_and_names(label: str, inside: str) -> None:
    assert in_sentence(label) == inside
    assert sentence(inside) == label[:1].upper() + label[1:]


def test_no_role_or_document_reads_with_a_broken_acronym() -> None:
    for name in [r.in_sentence for r in Role] + [k.in_sentence for k in EvidenceKind]:
        assert not re.search(r"\b(?:hr|iip|ilp|pip|ctc|cpsel|cstp|[a-z]\.s\.)\b", name), name
        assert not re.search(r"\b[A-Z][a-z]+[A-Z]", name), name


def test_counted_says_one_in_the_singular() -> None:
    assert [counted(1, "hour"), counted(0, "hour"), counted(1.5, "hour"), counted(2, "entry", "entries")] == \
        ["1 hour", "0 hours", "1.5 hours", "2 entries"]


def test_every_rule_message_said_about_the_candidate_has_no_you_left() -> None:
    messages = {rule.message for p in plugins() for rule in current(p.name).rules.values() if rule.message}
    assert len(messages) > 40
    for message in messages:
        said = about_the_candidate(message)
        assert not re.search(r"\b(?:you|your|yours)\b", said, re.IGNORECASE), (message, said)
        assert said[:1] == message[:1].upper() or said.startswith("The candidate"), said


@pytest.mark.parametrize(("to_the_candidate", "about_them"), [
    ("Your credential analyst signs off that you are intern-ready.",
     "The candidate’s credential analyst signs off that they are intern-ready."),
    ("Write IIP 1 on CPSEL 1–3 with your coach and upload it; your coach verifies it.",
     "The candidate writes IIP 1 on CPSEL 1–3 with their coach and uploads it; their coach verifies it."),
    ("Official transcripts. You entered it; it counts once your credential analyst confirms it.",
     "Official transcripts. The candidate entered it; it counts once their credential analyst confirms it."),
    ("Attend the Year 1 orientation; your program director records it.",
     "The candidate attends the Year 1 orientation; their program director records it."),
    ("Your ILP was shared with someone who evaluates you.", "The candidate’s ILP was shared with someone who evaluates them."),
])
def test_a_message_to_the_candidate_is_said_about_them(to_the_candidate: str, about_them: str) -> None:
    assert about_the_candidate(to_the_candidate) == about_them


@pytest.mark.parametrize(("filled", "agreed"), [
    ("0 of 1 pre-service clock hours verified", "0 of 1 pre-service clock hour verified"),
    ("1 mentoring hours logged over 1 weeks", "1 mentoring hour logged over 1 week"),
    ("1 of 3 CPSEL self-assessments completed", "1 of 3 CPSEL self-assessments completed"),
    ("11 hours, 21 years, 1.5 hours, 0.1 hours", "11 hours, 21 years, 1.5 hours, 0.1 hours"),
    ("0 of 1 years of successful full-time administrative experience",
     "0 of 1 year of successful full-time administrative experience"),
])
def test_a_one_takes_the_singular(filled: str, agreed: str) -> None:
    assert agree(filled) == agreed


def test_a_step_after_yes_starts_with_its_verb() -> None:
    assert [step_in_sentence(w) for w in ("Begin Year 1", "Withdraw", "IIP 1 approved")] == \
        ["begin Year 1", "withdraw", "IIP 1 approved"]
