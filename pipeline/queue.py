"""Queue adapters: one job per document id, run in-process (embedded default) or on rq/Redis.

``get_queue(settings)`` picks rq when ``settings.queue.redis_url`` is set, else a thread
pool inside the calling process. Both take a document id, never a pickled object, and
answer ``is_alive(job_id)`` so the reaper (``pipeline.jobs.reap``) can re-queue documents
whose job was lost (a SIGKILLed worker, a restarted API process).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.settings import Settings

log = logging.getLogger("docintel.queue")

#: Name of the rq queue every docintel worker listens on.
QUEUE_NAME = "docintel"

#: Seconds between rq retries of a failed job: attempt n waits BACKOFF[n-1] (the last repeats).
BACKOFF: tuple[int, ...] = (2, 10, 60, 300)


class ServiceSettings(BaseSettings):
    """Service options (``DOCINTEL_SERVICE_*``). Kept here until they join ``Settings`` as a group."""

    model_config = SettingsConfigDict(env_prefix="DOCINTEL_SERVICE_")

    in_process_workers: int = 1
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_retries: int = 5
    #: Test hook: seconds a job sleeps after marking its document processing (0 in production).
    test_job_sleep_s: float = 0.0


def new_job_id(document_id: str) -> str:
    return f"{document_id}-{uuid.uuid4().hex[:8]}"


class JobQueue(Protocol):
    kind: str

    def enqueue(self, document_id: str, job_id: str) -> None: ...

    def enqueue_webhook(self, payload: dict[str, Any]) -> None: ...

    def is_alive(self, job_id: str) -> bool: ...

    def depth(self) -> int: ...

    def ping(self) -> bool: ...

    def close(self) -> None: ...


class InProcessQueue:
    """A thread pool in this process; retries with backoff like rq; what it holds dies with the process."""

    kind = "in-process"

    def __init__(self, settings: Settings, workers: int | None = None, backoff: tuple[float, ...] = (0.5, 2.0, 5.0)):
        self.settings = settings
        n = workers or ServiceSettings().in_process_workers
        self.pool = ThreadPoolExecutor(max_workers=max(1, n), thread_name_prefix="docintel-job")
        self.backoff = backoff
        # webhook deliveries wait out their backoff here, never in a document job's thread
        self.webhooks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="docintel-webhook")
        self._closed = threading.Event()
        self._alive: set[str] = set()
        self._lock = threading.Lock()

    def enqueue(self, document_id: str, job_id: str) -> None:
        with self._lock:
            self._alive.add(job_id)
        self.pool.submit(self._run, document_id, job_id)

    def _run(self, document_id: str, job_id: str) -> None:
        from pipeline.jobs import process_document

        retries = self.settings.queue.retries
        try:
            for attempt in range(retries + 1):
                try:
                    process_document(document_id, settings=self.settings, job_id=job_id,
                                     final_attempt=attempt >= retries)
                    return
                except Exception:
                    log.exception("job %s failed (attempt %d of %d)", job_id, attempt + 1, retries + 1)
                    if attempt < retries:
                        time.sleep(self.backoff[min(attempt, len(self.backoff) - 1)])
        finally:
            with self._lock:
                self._alive.discard(job_id)

    def enqueue_webhook(self, payload: dict[str, Any]) -> None:
        from pipeline.jobs import deliver_webhook

        attempts = ServiceSettings().webhook_retries + 1

        def run() -> None:
            for attempt in range(attempts):
                try:
                    deliver_webhook(payload)
                    return
                except Exception as exc:  # noqa: BLE001
                    log.warning("webhook attempt %d of %d failed: %s", attempt + 1, attempts, exc)
                    if attempt + 1 < attempts and self._closed.wait(min(2 ** attempt, 30)):
                        break  # closing: what is in memory is lost with the process anyway
            log.error("webhook not delivered", extra={"document_id": payload.get("id"), "attempts": attempts})

        self.webhooks.submit(run)

    def is_alive(self, job_id: str) -> bool:
        with self._lock:
            return job_id in self._alive

    def depth(self) -> int:
        with self._lock:
            return len(self._alive)

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        self._closed.set()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.webhooks.shutdown(wait=False, cancel_futures=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RqQueue:
    """rq on Redis: retries with backoff (needs a worker started ``with_scheduler=True``), job timeout."""

    kind = "rq"

    def __init__(self, settings: Settings):
        from redis import Redis
        from rq import Queue

        assert settings.queue.redis_url
        self.settings = settings
        self.redis = Redis.from_url(settings.queue.redis_url, socket_connect_timeout=3)
        self.queue = Queue(QUEUE_NAME, connection=self.redis, default_timeout=settings.queue.job_timeout)

    def _retry(self, n: int) -> Any:
        from rq import Retry

        return Retry(max=n, interval=list(BACKOFF[:n]) or [BACKOFF[0]]) if n > 0 else None

    def enqueue(self, document_id: str, job_id: str) -> None:
        self.queue.enqueue("pipeline.jobs.process_document", document_id, job_id=job_id,
                           job_timeout=self.settings.queue.job_timeout, retry=self._retry(self.settings.queue.retries),
                           result_ttl=86400, failure_ttl=7 * 86400, description=f"process document {document_id}")

    def enqueue_webhook(self, payload: dict[str, Any]) -> None:
        self.queue.enqueue("pipeline.jobs.deliver_webhook", payload, retry=self._retry(ServiceSettings().webhook_retries),
                           job_timeout=60, result_ttl=3600, failure_ttl=7 * 86400)

    def is_alive(self, job_id: str) -> bool:
        """Queued, scheduled or deferred; or started by a worker that is still alive."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job, JobStatus
        from rq.worker import Worker

        try:
            job = Job.fetch(job_id, connection=self.redis)
        except NoSuchJobError:
            return False
        status = job.get_status(refresh=True)
        if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
            return True
        if status != JobStatus.STARTED:
            return False
        if not job.worker_name:
            return False
        worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name, connection=self.redis)
        if worker is None:
            return False  # its heartbeat key expired
        # same machine and the process is gone (SIGKILL): dead although its key has not expired yet
        return not (worker.hostname == socket.gethostname() and worker.pid and not _pid_alive(worker.pid))

    def depth(self) -> int:
        return int(self.queue.count)

    def ping(self) -> bool:
        return bool(self.redis.ping())

    def close(self) -> None:
        self.redis.close()


def get_queue(settings: Settings, *, workers: int | None = None) -> JobQueue:
    """rq when ``settings.queue.redis_url`` is set, else an in-process thread pool."""
    if settings.queue.redis_url:
        return RqQueue(settings)
    return InProcessQueue(settings, workers=workers)
