"""What is late on an enrolment, and why: each open deadline's rule in words and its source, so the
candidate's home names the rule behind a late mentor or ILP as the director's pages do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from app.services.enrollments.words import source_words
from app.services.progress.dashboard import Dashboard
from workflows.registry import definition
from workflows.rules import Rule


@dataclass(frozen=True)
class Overdue:
    """A deadline passed and not dealt with, with the rule that set it and its source, in words."""

    label: str
    due: date
    days_left: int
    rule: str
    source: str


def deadline_rules(board: Dashboard) -> dict[str, Any]:
    """Each open deadline's rule in words and its source (key -> (rule, source)); the overdue ones
    listed with theirs."""
    rules = definition(board.enrollment.pathway, board.enrollment.pathway_version).rules
    said: dict[str, tuple[str, str]] = {}
    overdue: list[Overdue] = []
    for deadline, left in board.deadlines:
        rule = rules.get(deadline.rule_key)
        text = board.said(rule.explain(board.facts)) if rule is not None else deadline.label
        said[deadline.key] = (text, source_words(deadline.source))
        if left < 0:
            overdue.append(Overdue(deadline.label, deadline.due, left, text, source_words(deadline.source)))
    return {"deadline_rules": said, "overdue": overdue}


def cited(rule: Rule | None, mine: list[Any], waiting: list[Any], sort: Callable[[], None]) -> None:
    """Sort one rule's line (`sort` adds it to the next steps `mine` or to `waiting`), then name the
    rule's source on what it added: every blocked item says which rule it answers to."""
    mine_from, waiting_from = len(mine), len(waiting)
    sort()
    if rule is None or not rule.source:
        return
    source = source_words(rule.source)
    mine[mine_from:] = [replace(step, source=step.source or source) for step in mine[mine_from:]]
    waiting[waiting_from:] = [replace(w, source=w.source or source) for w in waiting[waiting_from:]]
