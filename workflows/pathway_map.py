"""The shape of a pathway, read from its machine: the main route, the optional branches, the way forward.

Pure: the same states and transitions the Mermaid diagrams (workflows/diagrams/*.mmd) are generated
from. The main route ("spine") is the first simple route from the initial state to the success state
taken in the machine's event order, so the two-year track (declared first) is the main route and the
Early Completion Option a branch beside it. Final states other than success are ways out, not steps.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

from workflows.registry import definition


@dataclass(frozen=True)
class Edge:
    """One transition: `event` takes an enrolment from `source` to `target`."""

    source: str
    event: str
    label: str
    target: str


@dataclass(frozen=True)
class PathwayMap:
    """A pathway's states arranged as a main route with branches beside it."""

    labels: dict[str, str]  # state -> label, in declaration order
    spine: tuple[str, ...]  # the main route, initial to success
    branches: dict[str, str]  # branch state -> the spine state it hangs from
    exits: frozenset[str]  # final states other than success (withdrawn, expired...)
    edges: tuple[Edge, ...]

    def rows(self) -> list[str]:
        """Every step in reading order: each spine state, then the branches hanging from it."""
        ordered = []
        for state in self.spine:
            ordered.append(state)
            ordered.extend(b for b in self.labels if self.branches.get(b) == state)
        return ordered

    def is_side_step(self, event: str, source: str) -> bool:
        """Whether `event` from `source` leaves the way forward (a branch, a way out, or back)."""
        forward = self.forward(source)
        return not forward or forward[0].event != event

    def forward(self, state: str) -> list[Edge]:
        """The way from `state` to the success state: along the main route, or from a branch the
        shortest way back to it, never through a way out."""
        success = self.spine[-1]
        if state in self.spine:
            steps = self.spine[self.spine.index(state):]
            return [next(e for e in self.edges if e.source == a and e.target == b) for a, b in itertools.pairwise(steps)]
        seen, queue = {state}, deque([(state, [])])  # type: ignore[var-annotated]
        while queue:
            here, route = queue.popleft()
            if here == success:
                return route
            for edge in self.edges:
                if edge.source == here and edge.target not in seen and edge.target not in self.exits:
                    seen.add(edge.target)
                    queue.append((edge.target, route + [edge]))
        return []


def _edges(pathway: str, version: int) -> tuple[Edge, ...]:
    machine = definition(pathway, version).machine
    found = []
    for state in machine.states:
        for transition in state.transitions:
            for event in transition.events:
                found.append(Edge(str(state.value), event.id, _event_label(machine, event.id),
                                  str(transition.target.value)))
    return tuple(found)


def _event_label(machine: object, event_id: str) -> str:
    for event in machine.events:  # type: ignore[attr-defined]
        if event.id == event_id:
            return str(event.name)
    return event_id


def _spine(initial: str, success: str, edges: tuple[Edge, ...], exits: frozenset[str]) -> tuple[str, ...]:
    """The first simple route from `initial` to `success`, following the declared event order."""
    def walk(here: str, route: list[str]) -> list[str] | None:
        if here == success:
            return route
        for edge in edges:
            if edge.source == here and edge.target not in route and edge.target not in exits:
                found = walk(edge.target, route + [edge.target])
                if found:
                    return found
        return None

    return tuple(walk(initial, [initial]) or [initial])


def pathway_map(pathway: str, version: int) -> PathwayMap:
    """The main route, branches and ways out of one pathway version."""
    defn = definition(pathway, version)
    labels = {str(s.value): str(s.name) for s in defn.machine.states}
    exits = frozenset(str(s.value) for s in defn.machine.states if s.final and s.value != defn.success)
    initial = str(defn.machine.initial_state.value)
    edges = _edges(pathway, version)
    spine = _spine(initial, defn.success, edges, exits)
    branches: dict[str, str] = {}
    # A branch hangs from the earliest spine state that leads into it, else from the branch before it.
    pending = [s for s in labels if s not in spine and s not in exits]
    for _ in range(len(pending)):
        for state in pending:
            if state in branches:
                continue
            sources = [e.source for e in edges if e.target == state]
            on_spine = [spine.index(s) for s in sources if s in spine]
            if on_spine:
                branches[state] = spine[min(on_spine)]
            else:
                anchored = [branches[s] for s in sources if s in branches]
                if anchored:
                    branches[state] = anchored[0]
    return PathwayMap(labels, spine, branches, exits, edges)
