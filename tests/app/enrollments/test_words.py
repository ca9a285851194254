"""No page reads like the rule book: every demo person's pages are scanned for raw rule keys, snake_case
words, raw enum values, "[C]" markers, digests, file paths and needless decimals ("1.0 of 3").

Each demo account (a candidate of each pathway, every approver role, the service administrator) signs
in, and the test follows the links from their home page, two clicks deep, to every page they reach.
Every offence on every page is collected and reported together, in one assertion at the end.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

from flask import Flask
from sqlmodel import Session

from app.demo.people import APPROVERS, CANDIDATES, DEMO_PASSWORD
from app.models import DeliveryStatus, LogKind, OrganisationKind, PlanKind, RecommendationStatus, TaskStatus
from tests.app.words import enum_values, offences, visible_text
from tests.conftest import Auth
from workflows.facts import EvidenceKind, EvidenceStatus, Pathway
from workflows.roles import Role
from workflows.rules import RuleStatus

ACCOUNTS = {**{f"candidate ({pathway})": account for pathway, account in CANDIDATES.items()},
            **{str(role): account for role, account in APPROVERS.items()}}
RAW_VALUES = enum_values(DeliveryStatus, LogKind, OrganisationKind, PlanKind, RecommendationStatus, TaskStatus,
                         EvidenceKind, EvidenceStatus, Pathway, Role, RuleStatus)
# Not pages to read: files, feeds, the API, and the sign-out (a POST anyway).
_NOT_PAGES = re.compile(r"^/(?:static|api)/|\.(?:csv|zip|ics|json|pdf|js|webmanifest)$|/evidence/\d+(?:/|$)"
                        r"|/preview$|/packet$|^/auth/sign-out")
_LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]+)')
PAGES_PER_PERSON = 45
DEPTH = 2


def pattern(url: str) -> str:
    """A page's address with its numbers written <id>: one pattern stands for every candidate's page."""
    return re.sub(r"\d+", "<id>", url)


# Where a person's crawl starts: home, and the pages no link leads to (a bookmark, the address bar).
STARTS = ("/", "/auth/api-tokens", "/admin/clock", "/inbox/delegations")


def crawl(client, starts: tuple[str, ...] = STARTS) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every page reachable from `starts` within DEPTH clicks, one per pattern: {address: html}."""
    pages: dict[str, str] = {}
    seen = {pattern(start) for start in starts}
    queue = deque([(start, 0) for start in starts])
    while queue and len(pages) < PAGES_PER_PERSON:
        url, depth = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[url] = html
        if depth == DEPTH:
            continue
        for href in _LINK.findall(html):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.netloc or not parts.path.startswith("/") or _NOT_PAGES.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if pattern(link) not in seen:
                seen.add(pattern(link))
                queue.append((link, depth + 1))
    return pages


def test_no_page_shows_a_rule_key_a_snake_case_word_or_a_raw_value(app: Flask, session: Session) -> None:
    seeded = app.test_cli_runner().invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    found: list[str] = []
    crawled: set[str] = set()
    anonymous = app.test_client()
    public = {url: anonymous.get(url).get_data(as_text=True)
              for url in ("/auth/sign-in", "/auth/sign-up", "/auth/reset", "/offline", "/no/such/page")}
    for who, pages in [("anyone", public)] + [(who, _pages_of(app, account.email)) for who, account in ACCOUNTS.items()]:
        for url, html in pages.items():
            crawled.add(pattern(url))
            found += [f"{who} · {url} · {offence}" for offence in offences(html, RAW_VALUES)]
    assert len(crawled) > 30, f"the crawl reached only {sorted(crawled)}"
    assert not found, f"{len(found)} pieces of raw text on rendered pages:\n" + "\n".join(found)


def _pages_of(app: Flask, email: str) -> dict[str, str]:
    client = app.test_client()
    assert Auth(client).sign_in(email, DEMO_PASSWORD).status_code == 302, email
    return crawl(client)


def test_the_scanner_reads_only_what_people_read() -> None:
    html = """<html><head><style>.a_b{}</style><script>var rule_key = 1;</script></head><body>
      <p title="year1_active" data-x="induction.mentor_within_days">Year 1 under way, 1 of 3, 40 of 120 hours</p>
      <details class="audit-details"><summary>Audit details</summary>sha 9f2c...</details>
      <details><summary>Audit details</summary><code>""" + "ab" * 32 + """</code></details>
      <p>Write to pip.teacher@demo.credential-tracker.org</p></body></html>"""
    assert offences(html, RAW_VALUES) == []
    assert "Year 1 under way" in visible_text(html) and "rule_key" not in visible_text(html)
    bad = """<p>Rule induction.mentor_within_days</p><p>layout in docs/ctc-packet.md</p><p>Year1 complete</p>
      <p>1.0 of 3</p><p>40.0 of 120.0</p><p>1426 days left</p><span class="badge">open</span>
      <p>Pip requires basic skills [C]</p><p>Default: True</p><p>Reaches 3 open enrolment(s)</p><p>""" + "0f" * 32 + """</p>
      <p>Attend the review meeting meeting</p><p>1 mentoring hours</p><p>Source: Rule book §1.5 A10</p><td>None</td>"""
    kinds = {offence.split(":")[0] for offence in offences(bad, RAW_VALUES)}
    assert kinds == {"rule key", "snake_case word", "file path", "word run together", "needless decimal",
                     "long countdown in days (say months)", "raw value", "config marker", "raw yes/no value",
                     "plural in brackets", "digest", "acronym in the wrong case", "word repeated",
                     "one with a plural", "rule book reference"}
    fine = "<p>0 of 1 hour · 1 self-assessment · 5 CCR §80054(d) · Pacific/Pago Pago · None of these yet · IIP 1</p>"
    assert offences(fine, RAW_VALUES) == []
