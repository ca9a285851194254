"""What a program's staffing leaves nobody to do, said on its staff page before it bites.

Read from the pathway's own definition, so a new pathway needs nothing here: the roles that take its
steps, give its sign-offs and file its documents (program- or organisation-wide), the pool roles its
candidates are given from, and the documents whose only possible verifier is the person who files
them (one credential analyst filing the PIP eligibility worksheet), which then go to the program
director (progress/turns.py), or to nobody when there is no director either.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app import policy
from app.models import Enrollment, Organisation, Program
from app.services.progress.turns import FALLBACK, filed_by_staff
from app.services.signoffs import queueing
from app.services.team import staff
from workflows.registry import definition, versions
from workflows.roles import Role

# Roles held for one candidate: given from the pool, never program-wide.
PER_CANDIDATE = frozenset({Role.CANDIDATE, Role.MENTOR, Role.COACH, Role.SITE_ADMINISTRATOR})


def gaps(session: Session, organisation: Organisation, program: Program) -> list[str]:
    """Plain sentences, most blocking first: roles nobody holds, empty pool roles, uploads only their
    uploader could verify."""
    spec = definition(program.pathway, max(versions(program.pathway)))
    needed: set[Role] = {role for event in spec.events.values() if not event.automatic for role in event.by}
    needed |= {rule.signoff[1] for rule in spec.rules.values() if rule.signoff is not None}
    filed = filed_by_staff(program.pathway)
    filers: dict[Role, list[str]] = {}
    for rule in spec.rules.values():
        if rule.evidence_kind is not None and rule.evidence_kind.value in filed and rule.clears not in PER_CANDIDATE:
            filers.setdefault(rule.clears, [])
            if rule.evidence_kind.label not in filers[rule.clears]:
                filers[rule.clears].append(rule.evidence_kind.label)
    needed |= set(filers)
    holders = {role: staff.holders(session, organisation, program, role) for role in needed | {
        Role.CREDENTIAL_ANALYST, FALLBACK} if role not in PER_CANDIDATE}
    found = [f"Nobody is {role.in_sentence} here: their steps and sign-offs wait until someone is."
             for role in sorted(needed - PER_CANDIDATE, key=lambda r: r.value) if not holders[role]]
    found += [f"No {role.in_sentence} in the pool: candidates cannot be given one."
              for role in sorted(needed & policy.POOL_ROLES, key=lambda r: r.value)
              if not staff.pool(session, program, role)]
    for role, kinds in sorted(filers.items(), key=lambda item: item[0].value):
        verifiers = holders[role] | holders[Role.CREDENTIAL_ANALYST]
        if len(verifiers) != 1:
            continue
        what = _listed(kinds)
        if holders[FALLBACK] - verifiers:
            found.append(f"One {role.in_sentence} only: what they file ({what}) goes to the program director "
                         f"to verify. Add a second {role.in_sentence} so that another can verify it.")
        else:
            found.append(f"One {role.in_sentence} only, and no other program director: nobody can verify what "
                         f"they file ({what}). Add a second {role.in_sentence} or a program director.")
    found += _own_files_to_sign(program, spec, filers, holders)
    return found


def _own_files_to_sign(program: Program, spec: Any, filers: dict[Role, list[str]],
                       holders: dict[Role, set[int]]) -> list[str]:
    """A role held by one person who both files a document and signs off the step it belongs to:
    nobody signs off their own evidence, so that sign-off waits for a second holder."""
    found = []
    probe = Enrollment(pathway=program.pathway, pathway_version=spec.version)
    for rule in spec.rules.values():
        if rule.signoff is None:
            continue
        key, role = rule.signoff
        own = {r.evidence_kind.label for r in queueing.covered_rules(probe, key.value)
               if r.evidence_kind is not None and r.evidence_kind.label in filers.get(role, [])}
        if own and len(holders.get(role, set())) == 1:
            sentence = (f"One {role.in_sentence} only: nobody signs off a document they filed, so the "
                        f"{key.label} sign-off over the {_listed(sorted(own))} needs a second {role.in_sentence}.")
            if sentence not in found:
                found.append(sentence)
    return found


def _listed(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]

