"""The app's one clock: a test or a debug run may move it; production never does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app import clock, create_app
from app.config import ConfigurationError
from app.models import utcnow
from tests import today as suite_clock


def test_the_clock_is_the_system_clock_by_default(app) -> None:
    app.config["CLOCK_OFFSET_SECONDS"] = 0  # the suite runs on a day of its own (tests/today.py)
    with app.app_context():
        assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_an_offset_moves_now_today_and_every_new_timestamp(app) -> None:
    app.config["CLOCK_OFFSET_SECONDS"] += 40 * 86400
    with app.app_context():
        assert clock.now() - suite_clock.now() > timedelta(days=39, hours=23)
        assert utcnow() - suite_clock.now() > timedelta(days=39, hours=23)
        assert (clock.today() - suite_clock.today()).days == 40


def test_today_is_counted_in_the_services_zone(app) -> None:
    with app.app_context():
        assert clock.today("Pacific/Kiritimati") - clock.today("Pacific/Pago_Pago") == timedelta(days=1)


def test_production_refuses_a_moved_clock(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("CLOCK_OFFSET_SECONDS", "3600")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigurationError, match="only when testing"):
        create_app()


def test_a_clock_offset_that_is_not_a_number_stops_the_start(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("CLOCK_OFFSET_SECONDS", "next week")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigurationError, match="number of seconds"):
        create_app({"TESTING": True})


def test_code_outside_any_app_reads_the_harness_offset(app) -> None:
    """Rows a test arranges outside an app are stamped on the suite's day (tests/today.py), not the machine's."""
    assert abs(clock.now() - suite_clock.now()) < timedelta(seconds=5)
    assert abs(utcnow() - suite_clock.now()) < timedelta(seconds=5)
