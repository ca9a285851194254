"""The candidate's pathway as a drawing: the main route down the page, branches beside it, the path taken.

Server-rendered (templates/candidate/_pathway.html draws these shapes as inline SVG; no script, no CDN).
One column reads on a phone: each step is a row, the main route a line at the left, a branch (the
Early Completion Option, an extension) a lane to its right, and edges that skip rows arc round the left.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from app.services.enrollments.words import day_in_words
from workflows.pathway_map import PathwayMap

ROW = 38  # px between rows: a label and its date line, with room to tap between
TOP = 22
SPINE_X, BRANCH_X, BYPASS_X, LABEL_X = 28, 56, 8, 74
WIDTH = 360


@dataclass(frozen=True)
class Node:
    """A step drawn as a circle with its name and, once reached, the date."""

    state: str
    label: str
    x: int
    y: int
    status: str  # "done", "current", "todo"
    branch: bool
    note: str  # "Reached 2 March 2026", "Now, since ...", "Optional", ""


@dataclass(frozen=True)
class Line:
    """A transition drawn as a path; `taken` when the enrolment went that way."""

    d: str
    taken: bool


@dataclass(frozen=True)
class Drawing:
    """Everything the template draws, and the same in words."""

    nodes: list[Node]
    lines: list[Line]
    height: int
    width: int
    taken: list[tuple[str, str]]  # (label, date in words), in the order reached
    ahead: list[str]  # main-route steps not reached yet
    optional: list[str]  # branches not taken


def draw(shape: PathwayMap, current: str, taken: list[str], reached: dict[str, datetime]) -> Drawing:
    """Lay out `shape` for an enrolment at `current` that went through `taken` (oldest first)."""
    rows = shape.rows()
    if current not in rows:  # a way out (withdrawn, expired): drawn at the end, as where it stands
        rows.append(current)
    visited = set(taken)
    index = {state: i for i, state in enumerate(rows)}

    def x_of(state: str) -> int:
        return BRANCH_X if state in shape.branches or state in shape.exits else SPINE_X

    def y_of(state: str) -> int:
        return TOP + index[state] * ROW

    nodes = []
    for state in rows:
        status = "current" if state == current else "done" if state in visited else "todo"
        when = reached.get(state)
        if status == "current":
            note = f"You are here, since {day_in_words(when)}" if when else "You are here"
        elif status == "done":
            note = f"Reached {day_in_words(when)}" if when else "Done"
        else:
            note = "Optional" if state in shape.branches else ""
        nodes.append(Node(state, shape.labels.get(state, state), x_of(state), y_of(state), status,
                          state in shape.branches, note))

    steps_taken = {(a, b) for a, b in itertools.pairwise(taken)}
    lines, drawn = [], set()
    for edge in shape.edges:
        pair = (edge.source, edge.target)
        if pair in drawn or edge.source not in index or edge.target not in index:
            continue
        if edge.target in shape.exits and edge.target != current:
            continue  # ways out are listed in words, not drawn as a fan of lines
        drawn.add(pair)
        lines.append(Line(_path(x_of(edge.source), y_of(edge.source), x_of(edge.target), y_of(edge.target)),
                          pair in steps_taken))
    lines.sort(key=lambda line: line.taken)  # the path taken is drawn last, on top
    return Drawing(
        nodes=nodes, lines=lines, height=TOP * 2 + (len(rows) - 1) * ROW, width=WIDTH,
        taken=[(shape.labels.get(s, s), day_in_words(reached.get(s))) for s in _once(taken)],
        ahead=[shape.labels[s] for s in shape.spine if s not in visited],
        optional=[shape.labels[s] for s in shape.branches if s not in visited])


def _path(x1: int, y1: int, x2: int, y2: int) -> str:
    """A straight line between neighbours in a lane, else a curve (round the left when it skips rows)."""
    rows_apart = abs(y2 - y1) // ROW
    if x1 == x2 and rows_apart == 1 and y2 > y1:
        return f"M{x1} {y1} L{x2} {y2}"
    if rows_apart <= 1 and x1 != x2:
        return f"M{x1} {y1} C{x2} {y1} {x2} {y1} {x2} {y2}" if y2 > y1 else f"M{x1} {y1} C{x1} {y2} {x1} {y2} {x2} {y2}"
    return f"M{x1} {y1} C{BYPASS_X} {y1} {BYPASS_X} {y2} {x2} {y2}"


def _once(states: list[str]) -> list[str]:
    """Each state once, where it was last reached (a return to Year 1 lists Year 1 at its new place)."""
    last = {state: i for i, state in enumerate(states)}
    return [state for i, state in enumerate(states) if last[state] == i]
