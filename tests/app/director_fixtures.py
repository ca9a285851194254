"""Shared helpers for the director tests: signed-in clients and a CASC candidate driven to ready."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.app.pathway_driver import PathwayDriver
from tests.conftest import Auth, csrf_token, signed_in  # noqa: F401  (signed_in re-exported)
from workflows.roles import Role

CASC_TO_READY = [("verify_employment", Role.CREDENTIAL_ANALYST), ("admit", Role.PROGRAM_DIRECTOR),
                 ("start_year1", Role.CANDIDATE), ("complete_year1", Role.PROGRAM_DIRECTOR),
                 ("start_year2", Role.CANDIDATE), ("complete_year2", Role.CANDIDATE),
                 ("pass_exit_interview", Role.PROGRAM_DIRECTOR)]


def post(client: FlaskClient, page: str, action: str, data: dict | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """POST a form with the CSRF token the page hands out."""
    return client.post(action, data={"csrf_token": csrf_token(client, page), **(data or {})}, **kwargs)


def ready_casc(app: Flask, session: Session, **kwargs: object) -> PathwayDriver:
    """A CASC candidate at "ready for recommendation"."""
    driver = PathwayDriver(app, session, "casc", **kwargs)  # type: ignore[arg-type]
    for event, role in CASC_TO_READY:
        driver.advance(event, role)
    assert driver.refresh().state == "ready_for_recommendation"
    return driver
