"""The word check of the pages (tests/app/words.py), applied to an email the server sent."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

from tests.app.words import offences


def problems(raw: bytes) -> list[str]:
    """What reads wrong in one email: its subject's spacing, and raw words in its subject and bodies."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    subject = str(message["Subject"] or "")
    found = []
    if subject != subject.strip() or "  " in subject:
        found.append(f"subject with stray spaces: {subject!r}")
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    texts = [f"<p>{_escape(subject)}</p>"]
    if plain is not None:
        texts.append("<pre>" + _escape(plain.get_content()) + "</pre>")
    if html is not None:
        texts.append(html.get_content())
    for text in texts:
        found += [f"{offence} (subject {subject!r})" for offence in offences(text)]
    return sorted(set(found))


def _escape(text: str) -> str:
    return re.sub(r"[<>&]", lambda m: {"<": "&lt;", ">": "&gt;", "&": "&amp;"}[m.group(0)], text)
