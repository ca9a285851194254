"""Email: every message renders text and HTML with its link, and SMTP delivers it to a real server."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import mail
from app.models import DigestItem, User
from app.services.notifications import emails as n
from tests.app import mail_words
from tests.app.mail_server import Recorder, html_part, smtp_server, text_part  # noqa: F401  (fixture)
from workflows.deadlines import Deadline

LINK = "http://localhost/enrollments/7"
ANA = User(id=1, email="ana@example.org", name="Ana Ruiz", password_hash="")
DIRECTOR = User(id=2, email="dir@example.org", name="Dee Rector", password_hash="")
DEADLINE = Deadline(key="mentor_assignment", label="Mentor assigned", due=date(2026, 3, 1),
                    rule_key="induction.mentor_within_days", source="Teacher Induction precondition 2 (CTC)", met=False)
PURGE = Deadline(key="recommendation_window", label="Answer the fitness questions and pay", due=date(2026, 4, 1),
                 rule_key="common.recommendation_purged", source="Complete Your Recommendation (CTC)", met=False)

# Every message the issue lists, composed from plain data: (builder, words the reader must see).
MESSAGES: dict[str, tuple[Any, list[str]]] = {
    "invitation": (lambda: n.invitation_email("new@example.org", "Noor", "Dee Rector", "Ana Ruiz", "Induction 2026",
                                              "mentor", LINK, date(2026, 2, 1)),
                   ["Dee Rector", "Ana Ruiz’s support team", "as mentor", "Induction 2026", "1 February 2026"]),
    "invitation by the candidate": (lambda: n.invitation_email("new@example.org", "Noor", "Ana Ruiz", None, "Induction 2026",
                                                               "district HR", LINK), ["Ana Ruiz", "their support team", "district HR"]),
    "password reset": (lambda: n.password_reset_email(ANA, LINK), ["reset the password"]),
    "task assigned": (lambda: n.task_assigned_email(DIRECTOR, "Ana Ruiz", "Admitted sign-off", LINK, date(2026, 2, 3)),
                      ["Ana Ruiz", "Admitted sign-off", "3 February 2026"]),
    "task decided": (lambda: n.task_decided_email(ANA, "Transcripts", "Dee Rector", "verified", LINK),
                     ["Transcripts", "verified", "Dee Rector"]),
    "sent back": (lambda: n.sent_back_email(ANA, "Transcripts", "Dee Rector", "Page 2 is missing", LINK),
                  ["Transcripts", "Page 2 is missing"]),
    "step advanced": (lambda: n.step_advanced_email(ANA, "Year 1", None, LINK), ["Year 1"]),
    "deadline reminder": (lambda: n.deadline_reminder_email(ANA, DEADLINE, 30, LINK),
                          ["Mentor assigned", "in 30 days", "1 March 2026", "precondition 2"]),
    "recommendation reminder": (lambda: n.deadline_reminder_email(ANA, PURGE, 7, LINK),
                                ["CTC Online", "fitness questions", "1 April 2026"]),
    "deadline escalation": (lambda: n.deadline_escalation_email(DIRECTOR, "Ana Ruiz", DEADLINE, LINK),
                            ["Ana Ruiz", "Mentor assigned", "passed unmet"]),
    "sign-off overdue": (lambda: n.signoff_overdue_email(DIRECTOR, "Ana Ruiz", "Admitted sign-off", "Program director",
                                                         date(2026, 1, 5), LINK), ["Ana Ruiz", "5 January 2026"]),
    "weekly log nudge": (lambda: n.log_nudge_email(ANA, "coaching", date(2026, 1, 5), LINK),
                         ["coaching", "5 January 2026", "11 January 2026"]),
    "recommendation steps": (lambda: n.recommendation_steps_email(ANA, date(2026, 1, 1), date(2026, 4, 1), LINK),
                             ["fitness questions", "Pay the application fee", "1 April 2026"]),
    "digest": (lambda: n.digest_email(ANA, [DigestItem(dedupe_key="a", user_id=1, subject="s", summary="Transcripts: verified",
                                                       link=LINK)], LINK), ["Transcripts: verified"]),
}


@pytest.mark.parametrize("name", list(MESSAGES))
def test_every_message_has_a_text_and_an_html_part_that_link_to_the_action(app: Flask, name: str) -> None:
    build, words = MESSAGES[name]
    with app.test_request_context():
        email = build()
        message = mail.compose(email.to_email, email.subject, email.template, **email.context)
    text, html = text_part(message), html_part(message)
    for body in (text, html):
        assert LINK in body
        for word in words:
            assert word in body, f"{word!r} missing from the {name} email"
    assert "<" not in text  # plain text, not HTML with the tags showing
    # The pages' word check reads every email too (subject and both parts), as the browser journeys' mail does.
    assert mail_words.problems(message.as_bytes()) == []


def test_the_email_word_check_catches_raw_words_and_subjects_keep_single_spaces(app: Flask) -> None:
    with app.test_request_context():
        email = n.log_to_sign_email(ANA, "Ana Ruiz", "review_meeting", date(2026, 2, 3), 1, LINK)
        message = mail.compose(email.to_email, email.subject, email.template, **email.context)
    found = mail_words.problems(message.as_bytes())
    assert any("review_meeting" in p for p in found), found
    assert n.Email("a@example.org", " Due 3 May:  Mentor assigned ", "x", summary=" Due ").subject == \
        "Due 3 May: Mentor assigned"


def test_html_parts_escape_what_people_typed(app: Flask) -> None:
    with app.test_request_context():
        email = n.sent_back_email(ANA, "Transcripts", "Dee", "<script>alert(1)</script>", LINK)
        message = mail.compose(email.to_email, email.subject, email.template, **email.context)
    assert "<script>" not in html_part(message)
    assert "<script>alert(1)</script>" in text_part(message)


def test_smtp_delivers_the_message_to_a_real_server(app_config: dict[str, Any], smtp_server: tuple[Recorder, int]) -> None:
    from app import create_app

    recorder, port = smtp_server
    app = create_app({**app_config, "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port})
    transmitting: list[bool] = []
    with app.test_request_context():
        email = n.task_decided_email(ANA, "Transcripts", "Dee Rector", "verified", LINK)
        message = mail.compose(email.to_email, email.subject, email.template, **email.context)
        mail.send(message, before_transmit=lambda: transmitting.append(True))
    [received] = recorder.to("ana@example.org")
    assert transmitting == [True]
    assert received["Subject"] == "Transcripts: verified"
    assert received["Message-ID"] == message["Message-ID"]
    assert LINK in text_part(received) and LINK in html_part(received)


def test_the_folder_backend_keeps_one_file_per_message_id(app: Flask) -> None:
    with app.test_request_context():
        message = mail.compose("ana@example.org", "Hello", "step_advanced", message_id="<fixed@credential-tracker>",
                               user=ANA, step="Year 1", program=None, link=LINK)
        mail.send(message)
        mail.send(message)
    assert len(list(Path(app.config["MAIL_FOLDER"]).glob("*.eml"))) == 1
