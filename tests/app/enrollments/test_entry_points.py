"""Candidates and staff come in by different doors: the sign-up page is the candidates'; staff join by
the invitation their district sends."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def words(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    main = page[page.index("<main"):page.index("</main>")] if "<main" in page else page
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def staff_part(text: str, start: str) -> str:
    return text[text.index(start):]


def test_the_sign_up_page_is_for_candidates_and_sends_staff_to_their_invitation(client: FlaskClient) -> None:
    text = words(client, "/auth/sign-up")
    assert "Create a candidate account" in text and "For candidates starting a pathway" in text
    staff = staff_part(text, "Working for a district or program?")
    assert "do not create an account here" in staff
    assert "invitation email your district sends" in staff


def test_the_sign_in_page_tells_staff_to_join_through_their_invitation(client: FlaskClient) -> None:
    page = client.get("/auth/sign-in").get_data(as_text=True)
    text = words(client, "/auth/sign-in")
    assert "New candidate? Create a candidate account" in text
    assert "staff join through the invitation email their district sends" in text
    # The staff sentence links nowhere: the candidate sign-up is offered to candidates only.
    staff = page[page.index("staff join through"):]
    staff = staff[:staff.index("</p>")]
    assert "<a " not in staff


def test_the_staff_words_on_sign_up_link_to_no_wizard(client: FlaskClient) -> None:
    page = client.get("/auth/sign-up").get_data(as_text=True)
    section = page[page.index('id="staff-heading"'):]
    section = section[:section.index("</section>")]
    assert "<a " not in section and "/enrol" not in section
