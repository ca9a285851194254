"""Every route of the url map, sent ids beyond any column and control characters: never a 500 (issue 28).

The walk reuses the access matrix's world (a candidate on each pathway with a person in every role):
each route is asked as someone it lets in, so the values reach the view and its queries, not just
the sign-in redirect. On PostgreSQL (TEST_DATABASE_URL) the ids beyond its 32-bit columns matter most.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms.fields.core import UnboundField

import app as app_package
from app import access, inputs
from app.api import blueprint as api_blueprint
from app.models import User
from app.services.team import api_tokens
from tests.app.infrastructure.test_access_matrix import (
    FORMS,
    SIGN_OUTS,
    World,
    _client,
    _person,
    _url,
    world_on_own_database,
)

# Beyond PostgreSQL's integer, SQLite's and psycopg's 64 bits, and any machine word.
HUGE = [2**31, 2**63, 2**64, 10**30]
HOSTILE_TEXTS = ["a\x00b", "line\x1bescape", "bell\x07", "\x7f"]


@pytest.fixture(scope="module")
def world(database_template: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The access matrix's world, built for this module."""
    yield from world_on_own_database(database_template, tmp_path_factory)


def _field_names() -> set[str]:
    """Every input name the app reads: its forms' fields, the names views read, the API's query models."""
    names: set[str] = set()

    def forms(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from forms(sub)

    for form in forms(FlaskForm):
        names |= {name for name in dir(form) if isinstance(getattr(form, name, None), UnboundField)}
    source = Path(app_package.__file__).parent
    pattern = re.compile(r"request\.(?:form|args)\.get(?:list)?\(\s*\"(\w+)\"")
    for module in source.rglob("*.py"):
        names |= set(pattern.findall(module.read_text()))
    for operation in api_blueprint.OPERATIONS:
        for model in (operation.query, operation.body, operation.multipart):
            if model is not None:
                names |= set(model.model_fields)
    for fields in FORMS.values():
        names |= set(fields)
    return names - {"csrf_token"}


def _allowed_subject(endpoint: str, method: str, case: str) -> str:
    entry = access.ACCESS[(endpoint, method)]
    subjects = [s for s in access.SUBJECTS if s != access.ANONYMOUS] + [access.ANONYMOUS]
    return next((s for s in subjects if entry.expect(s, case) == access.OK), access.ANONYMOUS)


def _cells(world: World) -> list[tuple[str, str, Any, str]]:
    cells = []
    for (endpoint, method), entry in access.ACCESS.items():
        case_name = entry.cases[0]
        base, _, variant = case_name.partition("/")
        cells.append((endpoint, method, world.cases[base], variant))
    # Sign-outs end the client's sign-in: last.
    return sorted(cells, key=lambda cell: cell[0] in SIGN_OUTS)


def _int_arguments(world: World, endpoint: str) -> list[str]:
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint)
    return [name for name, converter in rule._converters.items()
            if isinstance(converter, inputs.RecordIdConverter)]


def _with_id(url: str, good: int, huge: int) -> str:
    # The case's own id in the path, swapped for one beyond every column.
    return re.sub(rf"/{good}(?=/|$)", f"/{huge}", url, count=1)


def test_ids_beyond_every_column_in_any_url_answer_404(world: World) -> None:
    problems = []
    for endpoint, method, case, variant in _cells(world):
        url = _url(world, case, endpoint, variant)
        values = {**case.values, **case.by_endpoint.get(endpoint, {}), **case.variants.get(variant, {})}
        person = _person(world, case, _allowed_subject(endpoint, method, case_key(world, case)))
        client, token = _client(world, person)
        for name in _int_arguments(world, endpoint):
            for huge in HUGE:
                bad = _with_id(url, values[name], huge)
                response = client.open(bad, method=method, data={"csrf_token": token})
                if response.status_code != 404:
                    problems.append(f"{method} {bad}: {response.status_code}")
    assert problems == []


def case_key(world: World, case: Any) -> str:
    return next(name for name, c in world.cases.items() if c is case)


def test_numbers_beyond_every_column_in_any_field_never_answer_500(world: World) -> None:
    names = _field_names()
    problems, sent = [], 0
    for endpoint, method, case, variant in _cells(world):
        url = _url(world, case, endpoint, variant)
        person = _person(world, case, _allowed_subject(endpoint, method, case_key(world, case)))
        for huge in HUGE[:2]:
            client, token = _client(world, person)
            fields = {name: str(huge) for name in names}
            if method == "GET":
                response = client.get(url, query_string=fields)
            else:
                response = client.open(url, method=method, data={**fields, "csrf_token": token})
            sent += 1
            response.get_data()  # a streamed export runs its queries now
            response.close()
            if response.status_code >= 500:
                problems.append(f"{method} {url} with every field {huge}: {response.status_code}")
            if endpoint in SIGN_OUTS:
                world.clients.pop(person.id if person else None, None)
    print(f"hostile numbers: {sent} requests, {len(names)} field names")
    assert problems == []


def test_control_characters_in_any_field_are_a_clear_400_everywhere(world: World) -> None:
    names = sorted(_field_names())
    problems = []
    for index, (endpoint, method, case, variant) in enumerate(_cells(world)):
        if endpoint in SIGN_OUTS:
            continue
        url = _url(world, case, endpoint, variant)
        person = _person(world, case, _allowed_subject(endpoint, method, case_key(world, case)))
        client, token = _client(world, person)
        text = HOSTILE_TEXTS[index % len(HOSTILE_TEXTS)]
        field = {names[index % len(names)]: text}
        response = (client.get(url, query_string=field) if method == "GET"
                    else client.open(url, method=method, data={**field, "csrf_token": token}))
        body = response.get_data(as_text=True)
        if response.status_code != 400 or "control character" not in body:
            problems.append(f"{method} {url} with {field!r}: {response.status_code}")
    assert problems == []


@pytest.fixture
def api_secret(world: World) -> str:
    with Session(world.app.extensions["db_engine"]) as session, world.app.app_context():
        director = session.get(User, world.cases["induction"].logins["program_director"].id)
        _, secret = api_tokens.create(session, director, "Hostile input", 30)
        session.commit()
    return secret


def test_the_api_answers_hostile_ids_bodies_and_names_without_a_500(world: World, api_secret: str) -> None:
    client = world.app.test_client()
    headers = {"Authorization": f"Bearer {api_secret}"}
    names = _field_names()
    problems = []
    for rule in world.app.url_map.iter_rules():
        if not rule.endpoint.startswith(access.BEARER_PREFIX):
            continue
        values = {name: ("enrol" if name == "event" else 1) for name in rule.arguments}
        with world.app.test_request_context():
            from flask import url_for
            good = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):  # type: ignore[operator]
            for name, converter in rule._converters.items():
                if isinstance(converter, inputs.RecordIdConverter):
                    with world.app.test_request_context():
                        bad = url_for(rule.endpoint, **{**values, name: 7}).replace("/7", f"/{2**63}", 1)
                    response = client.open(bad, method=method, headers=headers)
                    if response.status_code != 404:
                        problems.append(f"{method} {bad}: {response.status_code}")
            numbers = {name: 2**63 for name in names}
            response = (client.get(good, query_string=numbers, headers=headers) if method == "GET"
                        else client.open(good, method=method, json=numbers, headers=headers))
            if response.status_code >= 500:
                problems.append(f"{method} {good} with numbers: {response.status_code}")
            nul = {"name": "a\x00b", "comment": "a\x00b", "reason": "\x00"}
            response = (client.get(good, query_string=nul, headers=headers) if method == "GET"
                        else client.open(good, method=method, json=nul, headers=headers))
            if response.status_code != 400:
                problems.append(f"{method} {good} with NUL: {response.status_code}")
    assert problems == []


def test_a_nul_in_the_sign_up_name_is_refused_before_anything_is_written(world: World) -> None:
    client = world.app.test_client()
    page = client.get("/auth/sign-up").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/auth/sign-up", data={"csrf_token": token, "name": "Ana\x00", "email": "nul@example.org",
                                                  "password": "correct horse battery",
                                                  "confirm": "correct horse battery"})
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)
    with Session(world.app.extensions["db_engine"]) as session:
        assert session.query(User).filter(User.email == "nul@example.org").count() == 0
