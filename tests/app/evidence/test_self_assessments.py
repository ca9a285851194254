"""Self-assessments: six ratings on the program's scale, taken again over time, shown as a chart."""

from __future__ import annotations

import re
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import SelfAssessment
from app.services import Conflict, NotFound, NotPermitted
from app.services.evidence import charts, self_assessments
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import csrf_token, signed_in
from tests.today import TODAY
from workflows.facts import Count
from workflows.roles import Role

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def casc(app: Flask, session: Session) -> PathwayDriver:
    return PathwayDriver(app, session, "casc")


def page(driver: PathwayDriver) -> str:
    return f"/enrollments/{driver.enrollment.id}/self-assessments"


def ratings(base: int = 2) -> dict[str, str]:
    return {f"rating-{n}": str(min(5, base + n % 2)) for n in range(1, 7)}


def record(driver: PathwayDriver, taken_on: date, base: int = 2) -> SelfAssessment:
    row = self_assessments.record(driver.session, driver.refresh(), driver.candidate, taken_on=taken_on,
                                  ratings={str(n): base for n in range(1, 7)}, today=TODAY)
    driver.session.commit()
    return row


def test_the_candidate_records_a_self_assessment_and_it_counts(app: Flask, session: Session, casc: PathwayDriver) -> None:
    client = signed_in(app, casc.candidate.email)
    response = client.post(page(casc), data={"csrf_token": csrf_token(client, page(casc)),
                                             "taken_on": TODAY.isoformat(), **ratings()})
    assert response.status_code == 302
    row = session.exec(select(SelfAssessment)).one()
    assert row.standards == "cpsel" and row.ratings == {"1": 3, "2": 2, "3": 3, "4": 2, "5": 3, "6": 2}
    assert casc.facts().counts[Count.SELF_ASSESSMENTS] == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"taken_on": (TODAY + timedelta(days=1)).isoformat(), **ratings()}, "in the future"),
    ({"taken_on": (TODAY - timedelta(days=3 * 365)).isoformat(), **ratings()}, "more than a year before"),
    ({"taken_on": "soon", **ratings()}, "Enter the date"),
    ({"taken_on": TODAY.isoformat(), **ratings(), "rating-3": "9"}, "Rate CPSEL 3 from 1 to 5"),
    ({"taken_on": TODAY.isoformat(), **ratings(), "rating-4": "-1"}, "Rate CPSEL 4 from 1 to 5"),
    ({"taken_on": TODAY.isoformat(), **{k: v for k, v in ratings().items() if k != "rating-6"}}, "Rate CPSEL 6"),
    ({"taken_on": TODAY.isoformat(), **ratings(), "rating-7": "3"}, "six CPSEL standards"),
])
def test_bad_self_assessments_are_refused_and_nothing_is_stored(app: Flask, session: Session, casc: PathwayDriver,
                                                                data: dict, message: str) -> None:
    client = signed_in(app, casc.candidate.email)
    response = client.post(page(casc), data={"csrf_token": csrf_token(client, page(casc)), **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.exec(select(SelfAssessment)).all() == []


def test_a_second_self_assessment_on_the_same_day_is_refused(casc: PathwayDriver) -> None:
    record(casc, TODAY)
    with pytest.raises(Conflict):
        record(casc, TODAY, base=4)


def test_only_the_candidate_records_and_pip_keeps_none(app: Flask, session: Session, casc: PathwayDriver) -> None:
    with pytest.raises(NotPermitted):
        self_assessments.record(session, casc.refresh(), casc.people[Role.COACH], taken_on=TODAY,
                                ratings={str(n): 3 for n in range(1, 7)}, today=TODAY)
    pip = PathwayDriver(app, session, "pip")
    with pytest.raises(NotFound):
        self_assessments.record(session, pip.refresh(), pip.candidate, taken_on=TODAY,
                                ratings={str(n): 3 for n in range(1, 7)}, today=TODAY)
    assert signed_in(app, pip.candidate.email).get(page(pip)).status_code == 404


def test_the_chart_has_one_series_per_standard_and_a_table_with_the_same_numbers(app: Flask,
                                                                                 casc: PathwayDriver) -> None:
    record(casc, TODAY - timedelta(days=60), base=2)
    record(casc, TODAY - timedelta(days=30), base=3)
    record(casc, TODAY, base=5)
    body = signed_in(app, casc.candidate.email).get(page(casc)).get_data(as_text=True)
    svg_text = re.search(r"<svg class=\"chart\".*?</svg>", body, re.DOTALL).group(0)
    svg = ElementTree.fromstring(svg_text)  # well-formed XML
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "CPSEL self-assessments over time"
    assert "table below" in svg.find(f"{SVG}desc").text
    series = svg.findall(f"{SVG}g[@class='series']")
    assert [g.get("data-series") for g in series] == [f"CPSEL {n}" for n in range(1, 7)]
    for g in series:
        assert g.find(f"{SVG}polyline") is not None and len(g.findall(f"{SVG}circle")) == 3
    assert "CPSEL 1, " in svg_text and ": 5 (Innovating)" in svg_text  # each point names its value
    table = re.search(r'<table class="data-table">.*?</table>', body, re.DOTALL).group(0)
    assert table.count('<th scope="row">') == 3 and table.count('<th scope="col">') == 7
    assert "<td>5</td>" in table and "<td>2</td>" in table


def test_a_single_self_assessment_draws_points_without_lines() -> None:
    chart = charts.line_chart("c", "T", "D", [TODAY], [charts.Series("A", (3,)), charts.Series("B", (None,))], 1, 5)
    svg = ElementTree.fromstring(str(chart.svg))
    groups = svg.findall(f"{SVG}g[@class='series']")
    assert len(groups) == 2 and groups[0].find(f"{SVG}circle") is not None
    assert groups[0].find(f"{SVG}polyline") is None and groups[1].find(f"{SVG}circle") is None
    assert len({entry.dash for entry in chart.legend}) == 2  # told apart by more than colour


def test_chart_text_is_escaped() -> None:
    chart = charts.line_chart("c", "<script>", "a & b", [TODAY], [charts.Series("<b>", (1,))], 1, 5)
    assert "<script>" not in str(chart.svg) and "&lt;script&gt;" in str(chart.svg)
    ElementTree.fromstring(str(chart.svg))


def test_self_assessments_are_hidden_from_evaluators(app: Flask, casc: PathwayDriver) -> None:
    record(casc, TODAY)
    assert signed_in(app, casc.people[Role.SITE_ADMINISTRATOR].email).get(page(casc)).status_code == 404  # confidential: answered as a page that is not there
    assert signed_in(app, casc.people[Role.PROGRAM_DIRECTOR].email).get(page(casc)).status_code == 200


def test_another_candidate_gets_404(app: Flask, session: Session, casc: PathwayDriver) -> None:
    other = PathwayDriver(app, session, "casc")
    client = signed_in(app, other.candidate.email)
    assert client.get(page(casc)).status_code == 404
    response = client.post(page(casc), data={"csrf_token": csrf_token(client, page(other)),
                                             "taken_on": TODAY.isoformat(), **ratings()})
    assert response.status_code == 404
    assert session.exec(select(SelfAssessment)).all() == []
