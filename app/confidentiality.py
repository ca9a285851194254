"""Confidentiality as the app asks it: each installed pathway's table (its package's
`confidentiality` module, see `workflows.confidentiality`), and which table rules on each plan
kind, each confidential log kind and each plan filed as a document. app/policy.py asks
`may_read`; the access matrix (app/access.py) and its test check the pages against it.
"""

from __future__ import annotations

from workflows.confidentiality import NOBODY, Channel, Content, Table
from workflows.registry import plugin, plugins
from workflows.roles import Role

__all__ = ["CONFIDENTIALITY", "DOCUMENTS", "NOTES_OF", "PLANS", "Channel", "Content", "may_read", "plan_owners", "table"]

CONFIDENTIALITY: dict[str, Table] = {p.name: p.confidentiality for p in plugins()}
PLANS: dict[str, tuple[str, Content]] = {kind: (p.name, Content.PLAN) for p in plugins() for kind in p.plan_kinds}
NOTES_OF: dict[str, tuple[str, Content]] = {kind: (p.name, Content.NOTES) for p in plugins()
                                            for kind in p.confidential_logs}
DOCUMENTS: dict[str, tuple[str, Content]] = {str(evidence): PLANS[kind] for p in plugins()
                                             for kind, evidence in p.plan_documents.items()}


def table(pathway: str) -> Table:
    """The pathway's table (nobody reads anything on a pathway no longer installed)."""
    return CONFIDENTIALITY.get(pathway, NOBODY)


def may_read(roles: frozenset[Role], what: tuple[str, Content], channel: Channel) -> bool:
    """Whether `roles` may read `what` (pathway, content) through `channel`."""
    pathway, content = what
    return table(pathway).may_read(roles, content, channel)


def plan_owners(evidence_kind: str) -> frozenset[Role]:
    """Who writes the plan filed as a document of `evidence_kind`: the candidate and the plan's
    co-author (nobody, for a document that is not a plan)."""
    if evidence_kind not in DOCUMENTS:
        return frozenset()
    co_author = plugin(DOCUMENTS[evidence_kind][0]).plan_co_author
    return frozenset({Role.CANDIDATE} | ({co_author} if co_author else set()))


def plan_co_author(kind: str) -> Role | None:
    """The supporter who writes plan `kind` with the candidate (the mentor or the coach)."""
    return plugin(PLANS[kind][0]).plan_co_author if kind in PLANS else None
