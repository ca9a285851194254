"""What a person reads on a rendered page, and the words that should never be in it.

`visible_text` drops what nobody reads (<script>, <style>, <template>, attributes, comments) and the
"audit details" disclosures, where digests and rule keys are kept on purpose for whoever audits
(mark one with `<details class="audit-details">` or a summary reading "Audit details").
`offences` names each raw key, snake_case word, enum value, digest, file path or needless decimal.
"""

from __future__ import annotations

import re
from enum import StrEnum
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "template", "noscript"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_INLINE = {"a", "abbr", "b", "code", "em", "i", "kbd", "mark", "q", "s", "small", "span", "strong", "sub", "sup",
           "time", "u", "var", "data", "bdi", "bdo", "cite", "dfn", "label"}


class _Text(HTMLParser):
    """Each element gathers its own text and hands it to its parent when it closes, so an element's whole
    text is known (a badge reading just "open") and an audit disclosure can be dropped with all it holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[dict] = [{"tag": "", "parts": [], "audit": False, "summary": None}]
        self.whole: list[str] = []  # the complete text of every element, stripped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        top = self.stack[-1]
        if tag in _VOID:
            top["parts"].append(" " if tag != "br" else "\n")
            return
        if tag == "summary" and self.stack[-1]["tag"] == "details":
            self.stack[-1]["summary"] = True
        classes = (dict(attrs).get("class") or "").split()
        audit = tag == "details" and "audit-details" in classes
        self.stack.append({"tag": tag, "parts": [], "audit": audit, "summary": None,
                           "aside": "visually-hidden" in classes})

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(frame["tag"] == tag for frame in self.stack[1:]):
            return
        while True:  # close elements left open (<li>, <p>, <option> may omit their end tags)
            frame = self.stack.pop()
            text = "".join(frame["parts"])
            parent = self.stack[-1]
            if frame["tag"] == "summary" and parent["tag"] == "details" and "audit details" in text.lower():
                parent["audit"] = True
            if not frame["audit"] and frame["tag"] not in _SKIPPED:
                if not frame.get("aside"):  # words for screen readers continue the text beside them
                    self.whole.append(" ".join(text.split()))
                separator = "" if frame["tag"] in _INLINE else "\n"
                parent["parts"].append(separator + text + separator)
            if frame["tag"] == tag:
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1]["parts"].append(data)

    def finish(self) -> str:
        self.close()
        while len(self.stack) > 1:
            self.handle_endtag(self.stack[-1]["tag"])
        return "".join(self.stack[0]["parts"])


def _read(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return parser.finish(), parser.whole


def visible_text(html: str) -> str:
    """The page's words, each block element's text on a line of its own."""
    return _read(html)[0]


# (pattern, what it is), searched in the visible text. Emails and web addresses are removed first.
CHECKS = [
    (re.compile(r"\b[a-z][a-z0-9]*(?:\.[a-z0-9_]+)*\.[a-z0-9]*_[a-z0-9_]+\b"), "rule key"),
    (re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"), "snake_case word"),
    (re.compile(r"\[[A-Z]\]"), "config marker"),
    (re.compile(r"\b[0-9a-fA-F]{64}\b"), "digest"),
    (re.compile(r"\b(?:[\w-]+/)+[\w.-]+\.(?:md|py|html|txt|json|toml|ya?ml)\b|\b[\w-]+\.(?:md|py)\b"), "file path"),
    (re.compile(r"\b\d+\.0\b"), "needless decimal"),
    (re.compile(r"\bYear\d"), "word run together"),
    (re.compile(r"\b(?:True|False)\b"), "raw yes/no value"),
    (re.compile(r"\w\(s\)"), "plural in brackets"),
    (re.compile(r"\b(?:Iip|Ilp|Pip|Casc|Cstp|Cpsel|Ctc|Hr|Cds)\b|\b(?:iip|ilp|pip|casc|cstp|cpsel|ctc|hr)\b"),
     "acronym in the wrong case"),
    # Place names are not repeated words ("Pacific/Pago Pago" in the time zones).
    (re.compile(r"\b(?!Pago\b)([A-Za-z]{2,}) \1\b", re.IGNORECASE), "word repeated"),
    (re.compile(r"(?<![\d.,])\b1 (?:[a-z-]+ )?(?:hours|entries|self-assessments|items|tasks|documents|logs|days|weeks"
                r"|months|candidates|meetings|sign-offs|steps|signatures|observations|records|people|mentors|years"
                r"|notes|contacts|assessments|reflections)\b"), "one with a plural"),
    # The rule book is ours; a regulation's section ("5 CCR §80054(d)") is a source people look up.
    (re.compile(r"\b[Rr]ule book\b|(?<!CCR )§ ?\d+\.\d"), "rule book reference"),
    (re.compile(r"\b(?:[6-9]\d|\d{3,}) days (?:left|to go|remaining|from now|overdue|late)\b"
                r"|\bin (?:[6-9]\d|\d{3,}) days\b"), "long countdown in days (say months)"),
]
# Not the app's words: email and web addresses, and the names of files people uploaded ("action_plan.pdf").
_NOT_OURS = re.compile(r"\S+@\S+|https?://\S+|\S+\.(?:pdf|docx?|xlsx?|odt|png|jpe?g|heic|gif|csv|zip|txt)\b",
                       re.IGNORECASE)


_EMPTY_VALUES = frozenset({"None", "null", "undefined", "nan"})


def enum_values(*enums: type[StrEnum]) -> frozenset[str]:
    """The lower-case values of the app's enums: shown alone as a line of text, one is a raw value."""
    return frozenset(str(member.value) for enum in enums for member in enum if str(member.value).islower())


def offences(html: str, raw_values: frozenset[str] = frozenset()) -> list[str]:
    """Each offending piece of text, as "what: text"."""
    text, elements = _read(html)
    text = _NOT_OURS.sub(" ", text)
    found = []
    for pattern, what in CHECKS:
        found += [f"{what}: {match.group(0)!r}" for match in pattern.finditer(text)]
    found += [f"raw value: {whole!r}" for whole in elements if whole in raw_values or whole in _EMPTY_VALUES]
    return sorted(set(found))
