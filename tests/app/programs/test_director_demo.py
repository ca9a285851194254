"""The director's demo cohort: a ready CASC candidate the demo director can recommend."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session, select

from app.demo import cohort as demo_director
from app.demo import people
from app.demo import seed as seed_service
from app.models import Enrollment, User
from tests.app.director_fixtures import signed_in


def test_the_demo_cohort_is_added_once_and_shows_on_the_directors_pages(app: Flask, session: Session) -> None:
    with app.app_context():
        seed_service.seed(session)
        demo_director.seed_cohort(session)
        demo_director.seed_cohort(session)  # a re-run changes nothing
    rosa = session.exec(select(User).where(User.email == "ready.admin@demo.credential-tracker.org")).one()
    assert session.exec(select(Enrollment).where(Enrollment.candidate_id == rosa.id)).one().state == "ready_for_recommendation"
    client = signed_in(app, "director@demo.credential-tracker.org", people.DEMO_PASSWORD)
    enrollment = session.exec(select(Enrollment).where(Enrollment.candidate_id == rosa.id)).one()
    page = client.get(f"/programs/{enrollment.program_id}/recommendations").get_data(as_text=True)
    assert "Rosa Delgado" in page and "Submit the recommendations" in page
    at_risk = client.get(f"/programs/{enrollment.program_id}/at-risk").get_data(as_text=True)
    assert "Marcus Bell" in at_risk and "Logs behind pace" in at_risk
