"""The web-process memory bench running end to end on a small dataset: a real gunicorn worker serves every
bench page and its peak RSS is read and printed (the figure is checked for shape, never against the budget)."""

from __future__ import annotations

import json

import pytest

from bench.scale.memory import peak_rss
from bench.scale.runner import build, database
from tests.app.programs.test_scale import server_url


def test_the_peak_rss_of_a_web_process_is_measured_and_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with database(30, server_url()) as (url, db):
        mb = peak_rss(url, build(url, 30), 30, db)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert lines == [{"metric": "peak_rss", "value": mb, "unit": "MB", "enrollments": 30, "db": db,
                      "page": "web process"}]
    assert 20 < mb < 2000  # a Python process serving the app, in megabytes (not kB, not bytes)
