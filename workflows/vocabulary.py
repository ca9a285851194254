"""How names read in running text, one way for every page and email.

Labels are written once, in their own case ("District HR", "IIP 1 (CPSEL 1–3)", "Mentor"); these
functions place them in a sentence without breaking an acronym: lower-casing a label whole is
how "district hr" and "Iip 1 (cpsel 1-3)" reached people, so nothing else should change a label's case.
"""

from __future__ import annotations

import re


def _proper(text: str) -> bool:
    """Whether the label starts with a name that keeps its capital: an acronym or a code ("IIP 1",
    "CL-777", "U.S. Constitution"), or a proper name whose next words are capitalised or a number
    ("Certificate of Clearance", "Live Scan receipt", "Early Completion Option", "Year 1")."""
    words = text.split()
    if not words:
        return False
    first = words[0]
    if len(first) > 1 and not first[1:].islower():
        return True
    return first[:1].isupper() and any(w[:1].isupper() and w[1:].islower() or w.isdigit() for w in words[1:3])


def sentence(text: object) -> str:
    """The text as a sentence starts: its first letter capitalised, the rest untouched."""
    text = str(text)
    return text[:1].upper() + text[1:]


def in_sentence(label: object) -> str:
    """A label inside a sentence: "District HR" -> "district HR"; "IIP 1", "CL-777" and "Live Scan" stay."""
    label = str(label)
    return label if _proper(label) else label[:1].lower() + label[1:]


def step_in_sentence(words: object) -> str:
    """A step's words after "Yes, " ("Begin Year 1" -> "begin Year 1"): a step starts with its verb, so
    only an acronym keeps its capital ("IIP 1 approved" stays)."""
    words = str(words)
    first = words.split(" ", 1)[0]
    return words if len(first) > 1 and not first[1:].islower() else words[:1].lower() + words[1:]


def counted(amount: float, one: str, many: str | None = None) -> str:
    """A count with its noun in the right number: "1 self-assessment", "3 hours", "1.5 hours"."""
    shown = f"{amount:g}" if isinstance(amount, float) else str(amount)
    return f"{shown} {one if amount == 1 else (many or one + 's')}"


_ONE = {"hours": "hour", "years": "year", "reviews": "review", "self-assessments": "self-assessment",
        "weeks": "week", "permits": "permit", "entries": "entry", "meetings": "meeting", "days": "day",
        "months": "month", "documents": "document"}
# "1", up to two words that describe the noun ("mentoring", "pre-service clock"), then a counted noun.
_ONE_WITH_PLURAL = re.compile(r"(?<![\d.,])\b1 ((?:(?!of\b)[A-Za-z][A-Za-z-]* ){0,2}?)(" + "|".join(_ONE) + r")\b")


def agree(text: str) -> str:
    """A message whose figures were filled in, with each "1" taking the singular: "0 of 1 pre-service clock
    hours" -> "0 of 1 pre-service clock hour", "1 mentoring hours logged" -> "1 mentoring hour logged"."""
    return _ONE_WITH_PLURAL.sub(lambda m: f"1 {m.group(1)}{_ONE[m.group(2)]}", text)


# A rule's message speaks to the candidate ("Your coach verifies your IIP 1"). Read by anyone else
# (a mentor, the analyst, a director) it is said about the candidate instead, clause by clause.
_ASKS = "attend|write|upload|present|enter|add|log|take|share|record|ask|invite"
_ASKED = re.compile(rf"^({_ASKS})\b(.*)$", re.IGNORECASE | re.DOTALL)
_AND_ASKED = re.compile(rf"\band ({_ASKS})\b")
_PRONOUNS = [
    (re.compile(r"^Your\b"), "The candidate’s"),
    (re.compile(r"^You\b"), "The candidate"),
    (re.compile(r"\byou (must|have|are|were|passed|can|cannot|will|need|may|do|did|had)\b"), r"they \1"),
    (re.compile(r"\byour\b"), "their"),
    (re.compile(r"\byou\b"), "them"),
]
_CLAUSES = re.compile(r"(?<=[.;:])\s+")


def _clause(text: str) -> str:
    asked = _ASKED.match(text)
    if asked:  # "Write IIP 1 … and upload it" -> "The candidate writes IIP 1 … and uploads it"
        rest = _AND_ASKED.sub(lambda m: f"and {m.group(1)}s", asked.group(2))
        text = f"The candidate {asked.group(1).lower()}s{rest}"
    for pattern, words in _PRONOUNS:
        text = pattern.sub(words, text)
    return text


def about_the_candidate(text: str) -> str:
    """A message written to the candidate, said to someone else: "Your credential analyst signs off that
    you are intern-ready." -> "The candidate’s credential analyst signs off that they are intern-ready."."""
    parts = _CLAUSES.split(text)
    clauses = [_clause(part) for part in parts]
    # A clause after ";" or ":" goes on the sentence: only a new sentence starts with a capital.
    for i in range(1, len(clauses)):
        if not parts[i - 1].endswith(".") and clauses[i].startswith("The candidate"):
            clauses[i] = "the candidate" + clauses[i][len("The candidate"):]
    return " ".join(clauses)
