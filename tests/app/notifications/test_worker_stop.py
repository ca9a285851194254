"""A worker stops within seconds of SIGTERM in every state, a Redis outage included, and leaves nothing behind.

Before issue 28, a worker that had lived through a few seconds without Redis took SIGTERM as
"Redis is gone", began a new life under the same PID and ran on until killed; its scheduler,
a process of its own, could outlive it (parent PID 1). The waits below are guards against a hung
suite, not measurements (bench/worker_start_and_stop.py prints the figures).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.app.mail_server import smtp_server  # noqa: F401  (fixture)
from tests.app.notifications.test_jobs_redis import children, redis_url, smtp_config, wait_for  # noqa: F401  (fixtures)
from tests.app.notifications.test_worker import start_app_worker, stop
from tests.app.tcp_proxy import Proxy

pytestmark = pytest.mark.redis
STOP_GUARD_SECONDS = 30


def group_alive(pgid: int) -> bool:
    """Whether any process of the worker's group (the worker, its scheduler) still runs."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def with_scheduler(worker: subprocess.Popen[bytes]) -> int:
    # The process list is read once per try and kept: reading it again after the wait could race
    # a scheduler that is being replaced, and find nobody.
    found: list[int] = []

    def started() -> bool:
        found[:] = children(worker.pid)
        return bool(found)

    wait_for(started, "the worker's scheduler process", timeout=60)
    return found[0]


def assert_stops_on_sigterm(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        code = worker.wait(STOP_GUARD_SECONDS)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the worker ignored SIGTERM:\n{stop(worker)}") from None
    wait_for(lambda: not group_alive(worker.pid), "the worker's group to be empty", timeout=10)
    assert code == 0, stop(worker)


@pytest.fixture
def proxy(smtp_config: dict[str, Any]) -> Any:
    target = urlsplit(smtp_config["REDIS_URL"])
    proxy = Proxy(target.hostname or "127.0.0.1", target.port or 6379)
    proxy.open()
    yield proxy, f"redis://127.0.0.1:{proxy.port}{target.path}"
    proxy.close()


def test_an_idle_worker_stops_on_sigterm_with_its_scheduler(smtp_config: dict[str, Any], tmp_path: Path) -> None:
    worker = start_app_worker(smtp_config, tmp_path)
    try:
        with_scheduler(worker)
        assert_stops_on_sigterm(worker)
    finally:
        stop(worker)


@pytest.mark.parametrize("redis_back", [True, False], ids=["after-the-outage", "during-the-outage"])
def test_a_worker_stops_on_sigterm_after_or_during_a_redis_outage(
        smtp_config: dict[str, Any], tmp_path: Path, proxy: Any, redis_back: bool) -> None:
    tunnel, url = proxy
    worker = start_app_worker(smtp_config, tmp_path, url=url)
    try:
        with_scheduler(worker)
        tunnel.close()
        time.sleep(6)  # a few seconds without Redis: the worker waits rather than exits
        assert worker.poll() is None, stop(worker)
        if redis_back:
            tunnel.open()
            time.sleep(6)  # back, and reconnected
        assert_stops_on_sigterm(worker)
    finally:
        stop(worker)


def test_a_worker_killed_outright_leaves_no_scheduler_behind(smtp_config: dict[str, Any], tmp_path: Path) -> None:
    worker = start_app_worker(smtp_config, tmp_path)
    try:
        scheduler = with_scheduler(worker)
        os.kill(worker.pid, signal.SIGKILL)  # the worker only, as an OOM killer would
        worker.wait(10)
        wait_for(lambda: not Path(f"/proc/{scheduler}").exists()
                 or "zombie" in Path(f"/proc/{scheduler}/status").read_text().lower(),
                 "the scheduler to end with its worker", timeout=15)
    finally:
        stop(worker)


def test_a_worker_still_waiting_for_redis_at_start_stops_cleanly_on_sigterm(
        smtp_config: dict[str, Any], tmp_path: Path, proxy: Any) -> None:
    tunnel, url = proxy
    tunnel.close()  # Redis is not there when the worker starts
    worker = start_app_worker(smtp_config, tmp_path, url=url)
    try:
        time.sleep(4)  # it waits for Redis, trying every few seconds
        assert worker.poll() is None, stop(worker)
        assert_stops_on_sigterm(worker)
    finally:
        stop(worker)

