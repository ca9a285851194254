"""Induction support in real Chromium at phone and desktop sizes (issue 29): the teacher records an
observation of a colleague with her reflection, her mentor a just-in-time contact and a CSTP assessment,
the program director feedback to the mentor; the teacher then reads everything but that feedback,
which her mentor reads. Every page is checked by visit()/submit(): status, no sideways scroll, axe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    DEMO,
    LiveServer,
    assert_flash,
    place,
    section_link,
    submit,
    unique_token,
    visit,
)

pytestmark = pytest.mark.browser


def _form(page: Any, summary: str) -> Any:
    """The fold-out form whose summary reads `summary`, opened."""
    details = page.locator("details.support-form", has=page.locator("summary", has_text=summary))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def test_support_is_recorded_by_teacher_mentor_and_director_and_the_feedback_stays_from_the_teacher(
        page: Any, person: Any, live_server: LiveServer) -> None:
    token = unique_token(page)
    enrollment_id, email = place(live_server, "induction-mentor-assigned", f"Rosa Medina {token}")
    support = f"/enrollments/{enrollment_id}/support"
    reflection = f"Ms. Lee's turn-and-talk kept every table speaking ({token})."
    feedback = f"Your weekly check-ins build trust; try more co-planning ({token})."

    # The teacher finds Support in her section bar and records an observation with her reflection.
    teacher = person(email)
    visit(teacher, f"/enrollments/{enrollment_id}", "support-dashboard-teacher")
    submit(teacher, section_link(teacher, "Support"), "support-teacher-empty")
    form = _form(teacher, "Record an observation")
    form.get_by_label("Colleague observed").fill("Ms. Lee, grade 3")
    form.get_by_label("Focus standard").select_option(index=2)
    form.get_by_label("Reflection").fill(reflection)
    submit(teacher, form.get_by_role("button", name="Save"), "support-observation-saved")
    assert_flash(teacher, "Observation saved.")
    assert teacher.get_by_text(reflection).is_visible()
    assert teacher.get_by_role("heading", name="Feedback to the mentor").count() == 0

    # Her mentor records a just-in-time contact and an assessment on the six CSTP standards.
    mentor = person(DEMO["mentor"])
    visit(mentor, support, "support-mentor")
    assert mentor.get_by_text(reflection).is_visible()
    form = _form(mentor, "Record a just-in-time contact")
    form.get_by_label("Minutes").fill("15")
    form.get_by_label("What it was about").fill(f"Parent email about homework ({token})")
    submit(mentor, form.get_by_role("button", name="Save"), "support-contact-saved")
    assert_flash(mentor, "Just-in-time contact saved.")
    form = _form(mentor, "Record a CSTP assessment")
    for n in range(1, 7):
        form.locator("fieldset", has_text=f"CSTP {n}:").get_by_label("3 of 5 · Applying").check()
    form.get_by_label("Comment (optional)").fill("Steady growth in discussion routines.")
    submit(mentor, form.get_by_role("button", name="Save"), "support-assessment-saved")
    assert_flash(mentor, "CSTP assessment saved.")

    # The program director writes feedback to the mentor from the same page.
    director = person(DEMO["director"])
    visit(director, support, "support-director")
    form = _form(director, "Write feedback to the mentor")
    form.get_by_label("Feedback for the mentor").fill(feedback)
    submit(director, form.get_by_role("button", name="Save"), "support-feedback-saved")
    assert_flash(director, "Feedback to the mentor saved.")
    assert director.get_by_text(feedback).is_visible()

    # The teacher reads the contact and the assessment, never the feedback; her mentor reads it.
    visit(teacher, support, "support-teacher-after")
    assert teacher.get_by_text(f"Parent email about homework ({token})").is_visible()
    assert teacher.get_by_text("Steady growth in discussion routines.").is_visible()
    assert teacher.get_by_text(feedback).count() == 0
    visit(mentor, support, "support-mentor-after")
    assert mentor.get_by_text(feedback).is_visible()

