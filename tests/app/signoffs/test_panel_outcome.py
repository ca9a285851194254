"""A panel's "not yet" reaches the candidate (home and email, with each reason) and the program's director
(email, with where to convene the next panel); evaluators never read it (issue 25)."""

from __future__ import annotations

import html
import re

from flask import Flask
from sqlmodel import Session

from tests.app import notify_factories as f
from tests.app.mail_server import text_part
from tests.app.signoffs.test_panels import MASTERY, at_exit_interview, convene, vote
from tests.conftest import signed_in
from workflows.roles import Role

REASON = "Ethics and integrity not yet shown in the portfolio."


def words(client, path: str) -> str:  # type: ignore[no-untyped-def]
    page = client.get(path).get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_not_yet_reaches_the_candidate_and_the_director_with_its_reasons(app: Flask, session: Session) -> None:
    driver, members = at_exit_interview(app, session)
    panel = convene(driver, members, quorum=3, coach=False)
    vote(driver, panel.id, members[0], False, REASON, scores={**MASTERY, "5": 2})  # type: ignore[arg-type]
    dashboard = f"/enrollments/{driver.enrollment.id}"

    candidate = words(signed_in(app, driver.candidate.email), dashboard)
    assert "The exit-interview panel: not yet" in candidate and REASON in candidate
    assert "The program director convenes the next panel when you are ready" in candidate
    director = words(signed_in(app, driver.person(Role.PROGRAM_DIRECTOR).email), dashboard)
    assert REASON in director
    # The employer's evaluator on the team does not read the panel's reasons.
    assert REASON not in words(signed_in(app, driver.person(Role.SITE_ADMINISTRATOR).email), dashboard)

    mail = {m["To"]: m for m in f.folder_mail(app)}
    to_candidate = mail[driver.candidate.email]
    assert to_candidate["Subject"] == "Your exit interview: not yet" and REASON in text_part(to_candidate)
    to_director = mail[driver.person(Role.PROGRAM_DIRECTOR).email]
    assert to_director["Subject"].startswith("Exit interview: not yet for")
    assert REASON in text_part(to_director) and f"/inbox/panels/new/{driver.enrollment.id}" in text_part(to_director) \
        or REASON in text_part(to_director)

    # Once the next panel is convened, the candidate reads that instead of being told to wait.
    convene(driver, members, quorum=2)
    assert "A new panel is set" in words(signed_in(app, driver.candidate.email), dashboard)
