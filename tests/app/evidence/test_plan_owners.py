"""A plan filed as a document (the ILP, an IIP) is written only by its owners, the candidate and the
plan's co-author, on every path: the upload form, the upload route, the API and the plan editor.
An evaluator who could replace the ILP would un-verify it and block the next step (issue 29)."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import Evidence, Membership
from tests.api.helpers import api_as
from tests.app.pathway_driver import PathwayDriver, pdf_bytes
from tests.conftest import csrf_token, signed_in
from workflows.roles import EVALUATOR_ROLES, Role

PLANS = {"induction": ("ilp", Role.MENTOR), "casc": ("iip_1", Role.COACH)}


def _driver(app: Flask, session: Session, pathway: str) -> PathwayDriver:
    driver = PathwayDriver(app, session, pathway)
    co_author = PLANS[pathway][1]
    session.add(Membership(user_id=driver.person(co_author).id, role=co_author.value, enrollment_id=driver.enrollment.id))
    session.commit()
    return driver


def _plans_on_file(session: Session, driver: PathwayDriver, kind: str) -> list[Evidence]:
    session.expire_all()
    return list(session.exec(select(Evidence).where(Evidence.enrollment_id == driver.enrollment.id, Evidence.kind == kind)))


def _upload(app: Flask, driver: PathwayDriver, role: Role, kind: str):  # type: ignore[no-untyped-def]
    client = signed_in(app, driver.person(role).email)
    page = f"/enrollments/{driver.enrollment.id}"
    return client, client.post(f"{page}/evidence", data={"csrf_token": csrf_token(client, page), "kind": kind,
                                                         "file": (io.BytesIO(pdf_bytes("plan")), "plan.pdf")})


@pytest.mark.parametrize("pathway", sorted(PLANS))
@pytest.mark.parametrize("role", sorted(EVALUATOR_ROLES | {Role.CREDENTIAL_ANALYST}))
def test_nobody_but_the_plans_owners_files_it_on_the_page_or_the_api(app: Flask, session: Session, pathway: str,
                                                                      role: Role) -> None:
    driver = _driver(app, session, pathway)
    kind = PLANS[pathway][0]
    client, response = _upload(app, driver, role, kind)
    assert response.status_code == 403
    assert "Only the candidate and their" in response.get_data(as_text=True)
    # The form does not offer the plan to them at all.
    form = client.get(f"/enrollments/{driver.enrollment.id}?kind={kind}").get_data(as_text=True)
    assert f'<option value="{kind}"' not in form
    api = api_as(app, session, driver.person(role))
    refused = api.post(f"/enrollments/{driver.enrollment.id}/evidence", json=None,
                       data={"kind": kind, "file": (io.BytesIO(pdf_bytes("plan")), "plan.pdf")},
                       content_type="multipart/form-data")
    assert refused.status_code == 403 and "Only the candidate" in refused.get_json()["detail"]
    assert _plans_on_file(session, driver, kind) == []


@pytest.mark.parametrize("role", sorted(EVALUATOR_ROLES))
def test_an_evaluator_cannot_edit_or_share_the_ilp(app: Flask, session: Session, role: Role) -> None:
    driver = _driver(app, session, "induction")
    client = signed_in(app, driver.person(role).email)
    page = f"/enrollments/{driver.enrollment.id}"
    token = csrf_token(client, page)
    for path in (f"{page}/plans/ilp", f"{page}/plans/ilp/submit"):
        assert client.post(path, data={"csrf_token": token, "revision": "0"}).status_code == 404, path
    assert _plans_on_file(session, driver, "ilp") == []


@pytest.mark.parametrize("pathway", sorted(PLANS))
def test_the_candidate_and_the_co_author_file_it(app: Flask, session: Session, pathway: str) -> None:
    driver = _driver(app, session, pathway)
    kind, co_author = PLANS[pathway]
    for role in (Role.CANDIDATE, co_author):
        _, response = _upload(app, driver, role, kind)
        assert response.status_code == 302, role
    assert [row.uploaded_by_id for row in _plans_on_file(session, driver, kind)] == [
        driver.candidate.id, driver.person(co_author).id]


def test_other_documents_are_still_filed_by_the_district(app: Flask, session: Session) -> None:
    driver = _driver(app, session, "casc")
    _, response = _upload(app, driver, Role.DISTRICT_HR, "experience_letter")
    assert response.status_code == 302
    assert len(_plans_on_file(session, driver, "experience_letter")) == 1
