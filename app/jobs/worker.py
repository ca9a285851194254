"""The RQ worker for this app: built once, quick to notice lost work, patient with Redis.

Run it as `rq worker -w app.jobs.worker.AppWorker --with-scheduler --serializer json --url
"$REDIS_URL" default`, or as `python -m app.jobs.worker` (the same, after waiting for Redis to
answer; extra arguments go to `rq worker`). Compared with RQ's own worker:

- The app is built once per worker process and every job runs in it, in the worker's own process
  (RQ's SimpleWorker: no work horse forked per job). A forked horse had to build the app again,
  import what the job needs, compile its SQL and templates, and throw all of it away: seconds
  per job. The job's time limit still holds (RQ's SIGALRM death penalty works without a fork);
  a job that crashes the whole process is handled like a lost worker (below), under a
  supervisor that restarts it (docs/systemd/).
- A running job's heartbeat is renewed every WORKER_JOB_HEARTBEAT_SECONDS by a thread beside
  the job and lapses after twice that; maintenance runs every WORKER_MAINTENANCE_SECONDS. So a
  job left "started" by a worker that vanished (machine lost, SIGKILL) is retried by another
  worker within a minute, not after RQ's ten. Delivery stays at most once
  (app/services/notifications/emails.py).
- The scheduler's lock (who runs due retries) lives WORKER_SCHEDULER_LOCK_SECONDS instead of RQ's
  61 s, and idle workers try for it at each maintenance: when the worker holding it dies, another
  takes over within seconds and retries run when due.
- When Redis goes away the worker waits and reconnects, instead of quitting.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from types import FrameType
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import SimpleWorker
from rq.defaults import DEFAULT_JOB_MONITORING_INTERVAL, DEFAULT_MAINTENANCE_TASK_INTERVAL
from rq.exceptions import StopRequested
from rq.job import Job
from rq.scheduler import RQScheduler
from rq.scripts import ACQUIRE_OR_REFRESH_LOCK_SCRIPT, acquire_or_refresh_lock
from rq.utils import now, utcformat

from app import observability
from app.jobs import context

log = logging.getLogger(__name__)
REDIS_WAIT_SECONDS = 2.0
SCHEDULER_STOP_SECONDS = 3.0
PR_SET_PDEATHSIG = 1  # <sys/prctl.h>
REDIS_LOST = (RedisConnectionError, RedisTimeoutError)


class AppScheduler(RQScheduler):
    """RQ's scheduler with a short lock, so a dead worker's lock frees quickly."""

    lock_seconds = 10

    @property
    def should_reacquire_locks(self) -> bool:
        """Try for missing locks every lock period (RQ waits 120 s)."""
        if self._queue_names == self.acquired_locks:
            return False
        if not self.lock_acquisition_time:
            return True
        return (datetime.now() - self.lock_acquisition_time).total_seconds() > self.lock_seconds

    def work(self) -> None:
        """RQ's scheduler loop, in its own process, which ends when the worker's does."""
        _die_with_parent()
        super().work()

    def acquire_locks(self, auto_start: bool = False) -> set[str]:
        """RQ's acquire_locks, with `lock_seconds` as the lock's lifetime."""
        successful = set()
        for name in self._queue_names:
            outcome = acquire_or_refresh_lock(self.connection, self.get_locking_key(name), self.name,
                                              self.lock_seconds)
            if outcome in ("acquired", "refreshed"):
                successful.add(name)
                if outcome == "acquired":
                    self.log.info("Acquired scheduler lock for %s", name)
        self._scheduled_job_registries = []
        self._acquired_locks = successful
        self.lock_acquisition_time = datetime.now()
        if self._acquired_locks and auto_start and (not self._process or not self._process.is_alive()):
            self.start()
        return successful

    def heartbeat(self) -> None:
        """RQ's heartbeat, refreshing the locks for `lock_seconds`."""
        self.last_heartbeat = now()
        names = sorted(self._acquired_locks)
        script = self.connection.register_script(ACQUIRE_OR_REFRESH_LOCK_SCRIPT)
        with self.connection.pipeline() as pipeline:
            pipeline.hset(self.key, "last_heartbeat", utcformat(self.last_heartbeat))
            pipeline.expire(self.key, self.lock_seconds + self.interval)
            for name in names:
                script(keys=[self.get_locking_key(name)], args=[self.name, self.lock_seconds], client=pipeline)
            results = pipeline.execute()
        lost = {name for name, outcome in zip(names, results[2:], strict=True) if outcome == 0}
        if lost:
            self.log.warning("Scheduler locks for %s were taken over by another scheduler", ", ".join(sorted(lost)))
            self._acquired_locks -= lost
            self._scheduled_job_registries = []


class AppWorker(SimpleWorker):
    """An RQ worker that builds the app once, runs every job in it, and recovers lost work quickly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        app = context.worker_app()
        config = app.config
        # `rq worker` passes its defaults explicitly; ours replace them unless the operator chose.
        if kwargs.get("maintenance_interval", DEFAULT_MAINTENANCE_TASK_INTERVAL) == DEFAULT_MAINTENANCE_TASK_INTERVAL:
            kwargs["maintenance_interval"] = config["WORKER_MAINTENANCE_SECONDS"]
        if kwargs.get("job_monitoring_interval", DEFAULT_JOB_MONITORING_INTERVAL) == DEFAULT_JOB_MONITORING_INTERVAL:
            kwargs["job_monitoring_interval"] = config["WORKER_JOB_HEARTBEAT_SECONDS"]
        super().__init__(*args, **kwargs)
        self._redis_lost = False
        self._terminating = False  # SIGTERM or SIGINT came: no new life, whatever state RQ was in
        self.scheduler_lock_seconds = int(config["WORKER_SCHEDULER_LOCK_SECONDS"])
        _warm_up(app)

    @property
    def dequeue_timeout(self) -> int:
        """Wait for a job no longer than one maintenance interval (RQ: 405 s), so an idle worker
        still looks for abandoned jobs and an orphaned scheduler lock on time."""
        return max(1, min(super().dequeue_timeout, int(self.maintenance_interval)))

    def get_heartbeat_ttl(self, job: Job) -> int:
        """A running job's heartbeat lasts two monitoring intervals (the thread below renews it)."""
        return 2 * int(self.job_monitoring_interval)

    def perform_job(self, job: Job, queue: Any) -> bool:
        """Run the job here, with a thread renewing its heartbeat while it runs."""
        done = threading.Event()

        def beat() -> None:
            while not done.wait(self.job_monitoring_interval):
                try:
                    self.maintain_heartbeats(job)
                except RedisError as error:  # the job carries on; a lapse only means "maybe lost"
                    log.warning("Worker %s: heartbeat for %s failed: %s", self.name, job.id, error)

        heart = threading.Thread(target=beat, name=f"heartbeat-{job.id}", daemon=True)
        heart.start()
        # Log lines written while the job runs name it, and the request that queued it.
        token = observability.job_context.set({"job_id": job.id, "request_id": (job.meta or {}).get("request_id") or ""})
        try:
            return super().perform_job(job, queue)
        finally:
            observability.job_context.reset(token)
            done.set()
            heart.join()

    def _start_scheduler(self, burst: bool = False, logging_level: str | None = "INFO",
                         date_format: str = "%H:%M:%S", log_format: str = "%(asctime)s %(message)s") -> None:
        """RQ's _start_scheduler, with AppScheduler."""
        self.scheduler = AppScheduler(self.queues, connection=self.connection, serializer=self.serializer,
                                      logging_level=logging_level if logging_level is not None else self.log.level,
                                      date_format=date_format, log_format=log_format)
        self.scheduler.lock_seconds = self.scheduler_lock_seconds
        self.scheduler.acquire_locks()
        if self.scheduler.acquired_locks:
            if burst:
                try:
                    self.scheduler.register_birth()
                    self.scheduler.enqueue_scheduled_jobs()
                finally:
                    self.scheduler.release_locks()
                    self.scheduler.register_death()
            else:
                self.scheduler.start()

    def work(self, burst: bool = False, *args: Any, **kwargs: Any) -> bool:
        """RQ's work loop, started again whenever it ended because Redis went away.

        Redis may go at any point of a life: while starting (birth, subscribing, the scheduler),
        in maintenance, between jobs. RQ then quits, by an exception or by leaving its loop; so a
        life that ended without a stop request is judged by whether Redis answers, not by where
        it broke. A stop signal ends the worker in every state: RQ answers one that comes while
        it waits for Redis by leaving its loop as if Redis were gone, so the signal itself is
        remembered (`_terminating`) and no new life begins after it."""
        worked = False
        while True:
            self._redis_lost = False
            try:
                worked = super().work(burst, *args, **kwargs) or worked
            except REDIS_LOST:
                self._redis_lost = True
                self._let_go()
            except StopRequested:
                self._terminating = True
            if self._terminating or self._stop_requested:
                self._let_go()
                return worked
            if not (self._redis_lost or not redis_answers(self.connection)):
                return worked
            if not self._wait_for_redis():
                return worked
            self._stop_requested = False
            self.last_cleaned_at = None

    def _install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT are remembered, then handled as RQ does (warm, then cold)."""
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGTERM, self._on_stop_signal)

    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._terminating:  # a second signal: RQ's cold shutdown
            self.request_force_stop(signum, frame)
            return
        self._terminating = True
        self.request_stop(signum, frame)

    def _wait_for_redis(self) -> bool:
        """Wait until Redis answers (True) or a stop signal comes (False), trying every few seconds."""
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        try:
            while not self._terminating:
                if redis_answers(self.connection):
                    return True
                log.warning("Worker %s: Redis unavailable; trying again in %.0f s", self.name, REDIS_WAIT_SECONDS)
                deadline = time.monotonic() + REDIS_WAIT_SECONDS
                while not self._terminating and time.monotonic() < deadline:
                    time.sleep(0.1)
        except StopRequested:
            self._terminating = True
        return False

    def stop_scheduler(self) -> None:
        """RQ's stop_scheduler, but never waiting on a stuck scheduler for more than a few seconds."""
        process = self.scheduler._process if self.scheduler else None
        if process is None or not process.pid:
            return
        with suppress(OSError):
            os.kill(process.pid, signal.SIGTERM)
        process.join(SCHEDULER_STOP_SECONDS)
        if process.is_alive():
            log.warning("Worker %s: scheduler %d did not stop; killing it", self.name, process.pid)
            with suppress(OSError):
                os.kill(process.pid, signal.SIGKILL)
            process.join(SCHEDULER_STOP_SECONDS)

    def dequeue_job_and_maintain_ttl(self, *args: Any, **kwargs: Any) -> Any:
        """RQ's dequeue (which waits for Redis itself), noting a lost connection for `work`."""
        with self._noting_lost_redis():
            return super().dequeue_job_and_maintain_ttl(*args, **kwargs)

    def heartbeat(self, *args: Any, **kwargs: Any) -> Any:
        """RQ's heartbeat, noting a lost connection for `work`."""
        with self._noting_lost_redis():
            return super().heartbeat(*args, **kwargs)

    def check_for_suspension(self, burst: bool) -> None:
        """RQ's suspension check, noting a lost connection for `work`."""
        with self._noting_lost_redis():
            super().check_for_suspension(burst)

    def run_maintenance_tasks(self) -> None:
        """RQ's maintenance (cleaning registries, the scheduler's lock), noting a lost connection."""
        with self._noting_lost_redis():
            super().run_maintenance_tasks()

    def execute_job(self, *args: Any, **kwargs: Any) -> Any:
        """RQ's execute_job, noting a lost connection for `work`."""
        with self._noting_lost_redis():
            return super().execute_job(*args, **kwargs)

    @contextmanager
    def _noting_lost_redis(self) -> Iterator[None]:
        """Remember that Redis went away here (so a brief outage that is over by the time the loop
        has ended still starts a new life), and let RQ handle the error as it does."""
        try:
            yield
        except REDIS_LOST:
            self._redis_lost = True
            raise

    def teardown(self) -> None:
        """RQ's teardown; with Redis gone, what it would record there is simply skipped."""
        try:
            super().teardown()
        except RedisError as error:
            self._redis_lost = True
            log.warning("Worker %s: Redis unavailable at teardown: %s", self.name, error)
            self._let_go()

    def _let_go(self) -> None:
        """Stop what a life cut off by Redis leaves running (its scheduler process and its pubsub
        thread), so the next life does not run two of each."""
        if self.scheduler:
            self.stop_scheduler()
        if self.pubsub_thread:
            self.pubsub_thread.stop()  # its loop closes the connection; no Redis needed
            self.pubsub_thread.join(timeout=1)
            self.pubsub_thread = None

    def register_birth(self) -> None:
        """RQ's register_birth; a life of this worker cut off by Redis is marked over first."""
        if self.connection.exists(self.key) and not self.connection.hexists(self.key, "death"):
            self.connection.hset(self.key, "death", utcformat(now()))
        super().register_birth()


def _die_with_parent() -> None:
    """Ask Linux to end this process when its parent (the worker) ends, however it ends (SIGKILL
    included), so no scheduler is left behind holding locks and database connections."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError) as error:
        log.warning("scheduler: cannot tie its life to the worker's: %s", error)
    if os.getppid() == 1:  # the worker ended before the request took effect
        os._exit(0)


def _warm_up(app: Any) -> None:
    """Import every job module and compile the email templates once, before the first job."""
    from app.services.notifications import registry

    registry.names()  # imports every handler module

    for name in app.jinja_env.list_templates():
        if name.startswith("email/"):
            app.jinja_env.get_template(name)


def redis_answers(connection: Redis) -> bool:
    """Whether Redis answers a ping now."""
    try:
        return bool(connection.ping())
    except RedisError:
        return False


def wait_for_redis(connection: Redis) -> None:
    """Block until Redis answers, trying every few seconds."""
    while True:
        try:
            connection.ping()
            return
        except RedisError as error:
            log.warning("Redis unavailable (%s); trying again in %.0f s", error, REDIS_WAIT_SECONDS)
            time.sleep(REDIS_WAIT_SECONDS)


def _stop_before_starting(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> None:
    """`python -m app.jobs.worker [rq worker options]`: wait for Redis, then run AppWorker."""
    from rq.cli import main as rq_main

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    logging.basicConfig(level=logging.INFO)
    # Asked to stop while still waiting for Redis (or starting up), the worker simply ends, cleanly:
    # nothing has run yet. AppWorker installs its own handlers once its first life begins.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, _stop_before_starting)
    wait_for_redis(Redis.from_url(url, socket_connect_timeout=2))
    rq_main(["worker", "-w", "app.jobs.worker.AppWorker", "--with-scheduler", "--serializer", "json",
             "--url", url, *(sys.argv[1:] if argv is None else argv)], prog_name="rq")


if __name__ == "__main__":
    main()
