"""Helpers for API tests: tokens made through the real service, a client that sends them."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.test import TestResponse

from app.models import User
from app.services.team import api_tokens


def token_for(app: Flask, session: Session, user: User, days: int = 30) -> str:
    """A working token for `user`, made by the service the tokens page uses."""
    with app.app_context():
        _, secret = api_tokens.create(session, user, "Tests", days)
    session.commit()
    return secret


class Api:
    """A JSON client holding one bearer token."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get("/api/v1" + path, headers=self._headers(), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        if json is None and "data" not in kwargs:
            json = {}
        return self.client.post("/api/v1" + path, headers=self._headers(), json=json, **kwargs)


def api_as(app: Flask, session: Session, user: User) -> Api:
    """An API client acting as `user`."""
    return Api(app.test_client(), token_for(app, session, user))
