"""The rq failure path: a failing job is retried with backoff, then the document is marked ``failed``.

Real Redis (its own database index ``REDIS_DB``, flushed before and after), PostgreSQL and S3
(moto) as in distributed mode. The API runs in the test process (TestClient); the worker is an
in-process rq ``SimpleWorker`` run in burst mode with the scheduler, again and again until the
job is finished, so scheduled retries are moved back to the queue when they fall due.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_service_support import (  # noqa: F401 (fixtures)
    flushed_redis,
    make_key,
    pg_url,
    s3_endpoint,
    unavailable,
    upload,
)

REDIS_DB = 11  # this file's own Redis database index (test_service_support uses 13)
BACKOFF = (2, 3)  # seconds before retry 1 and 2 (production: pipeline.queue.BACKOFF)
RETRIES = 2


@pytest.fixture()
def own_redis_url() -> Iterator[str]:
    yield from flushed_redis("DOCINTEL_TEST_FAILURES_REDIS_URL", REDIS_DB)


@pytest.fixture()
def stack(tmp_path: Path, pg_url: str, own_redis_url: str, s3_endpoint: str,  # noqa: F811
          monkeypatch: pytest.MonkeyPatch):
    from api.app import create_app
    from pipeline import queue as queue_mod
    from pipeline.settings import get_settings

    monkeypatch.setattr(queue_mod, "BACKOFF", BACKOFF)
    # the job function reads its settings from the environment, as in a `docintel worker` process
    for name in [k for k in os.environ if k.startswith("DOCINTEL_")]:
        monkeypatch.delenv(name)
    env = {"DOCINTEL_HOME": str(tmp_path / "home"), "DOCINTEL_DB__URL": pg_url,
           "DOCINTEL_QUEUE__REDIS_URL": own_redis_url, "DOCINTEL_QUEUE__RETRIES": str(RETRIES),
           "DOCINTEL_STORAGE__S3_ENDPOINT": s3_endpoint, "DOCINTEL_STORAGE__S3_BUCKET": "docintel-failures"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    app = create_app(get_settings())  # migrates PostgreSQL; the jobs below reuse its engine and store
    assert app.state.queue.kind == "rq"
    with TestClient(app) as client:
        yield app, client


@pytest.fixture()
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every run of the job function: when, and how many rq retries it had left."""
    from pipeline import jobs

    seen: list[dict[str, Any]] = []
    real = jobs.process_document

    def spy(document_id: str, **kw: Any) -> str:
        job = jobs._current_rq_job()
        seen.append({"at": time.monotonic(), "retries_left": job.retries_left if job else None})
        return real(document_id, **kw)

    monkeypatch.setattr(jobs, "process_document", spy)  # rq resolves "pipeline.jobs.process_document" per run
    return seen


def burst(app: Any) -> None:
    """One burst: move due retries to the queue, run what is queued, return when the queue is empty."""
    from rq import SimpleWorker

    q = app.state.queue
    SimpleWorker([q.queue], connection=q.redis, name=f"t-{uuid.uuid4().hex[:8]}").work(
        burst=True, with_scheduler=True, logging_level="WARNING")


def work_until_finished(app: Any, client: TestClient, headers: dict[str, str], doc_id: str,
                        timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        burst(app)
        body = client.get(f"/api/v1/documents/{doc_id}", headers=headers).json()
        if body["status"] in ("done", "partial", "failed"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{doc_id} still {body['status']} after {timeout}s: {body}")
        time.sleep(0.25)


def _job(app: Any, job_id: str) -> Any:
    from rq.job import Job

    return Job.fetch(job_id, connection=app.state.queue.redis)


def test_service_rq_job_retried_with_backoff_then_failed(stack, attempts):
    """The stored original vanishes before the worker runs: 1 + RETRIES attempts, then ``failed`` with the reason."""
    from rq.job import JobStatus
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry

    from storage import service_repository as srepo
    from storage.objects import original_key

    app, client = stack
    clerk = make_key(app)
    doc = upload(client, clerk, "inv_0008.pdf")[0]
    app.state.store.delete(original_key(doc["sha256"]))
    with app.state.sessions() as session:
        job_id = srepo.get_job(session, document_id=doc["id"]).job_id
    job = _job(app, job_id)
    assert job.retries_left == RETRIES and job.retry_intervals == list(BACKOFF)

    # first attempt: fails, the document goes back to queued with the reason, the retry is scheduled
    burst(app)
    assert len(attempts) == 1
    body = client.get(f"/api/v1/documents/{doc['id']}", headers=clerk).json()
    assert body["status"] == "queued" and body["attempts"] == 1, body
    assert body["errors"][0]["stage"] == "job" and body["errors"][0]["message"].endswith("(will retry)")
    assert _job(app, job_id).get_status() == JobStatus.SCHEDULED
    assert job_id in ScheduledJobRegistry(queue=app.state.queue.queue)
    assert app.state.queue.is_alive(job_id)  # a scheduled retry is alive: the reaper must leave it be

    final = work_until_finished(app, client, clerk, doc["id"])
    assert final["status"] == "failed", final
    assert final["attempts"] == 1 + RETRIES and len(attempts) == 1 + RETRIES
    assert [a["retries_left"] for a in attempts] == [2, 1, 0]
    # rq schedules in whole seconds, so a retry may come up to 1 s before its interval is over
    gaps = [b["at"] - a["at"] for a, b in pairwise(attempts)]
    for gap, wait in zip(gaps, BACKOFF):
        assert wait - 1.0 <= gap <= wait + 4.0, gaps
    assert final["record"] is None
    [err] = final["errors"]
    assert err["stage"] == "job"
    assert err["message"].startswith("processing failed: ObjectNotFound") and "will retry" not in err["message"]
    assert _job(app, job_id).get_status() == JobStatus.FAILED
    assert job_id in FailedJobRegistry(queue=app.state.queue.queue)
    assert not app.state.queue.is_alive(job_id)
    listed = client.get("/api/v1/documents?status=failed", headers=clerk).json()["items"]
    assert [i["id"] for i in listed] == [doc["id"]]


def test_service_rq_transient_failure_recovers_on_retry(stack, attempts, monkeypatch: pytest.MonkeyPatch):
    """The pipeline raises once: the retry processes the document and the retry's error note is gone."""
    import pipeline.runner

    real = pipeline.runner.process_bytes
    calls = []

    def flaky(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("object store hiccup")
        return real(*args, **kw)

    monkeypatch.setattr(pipeline.runner, "process_bytes", flaky)
    app, client = stack
    clerk = make_key(app)
    doc = upload(client, clerk, "inv_0008.pdf")[0]
    burst(app)
    body = client.get(f"/api/v1/documents/{doc['id']}", headers=clerk).json()
    assert body["status"] == "queued"
    assert body["errors"][0]["message"] == ("processing failed: ConnectionError: object store hiccup (will retry)")
    final = work_until_finished(app, client, clerk, doc["id"])
    assert final["status"] == "done", final
    assert final["attempts"] == 2 and len(attempts) == 2
    assert final["errors"] == [] and final["record"]["fields"]["invoice_number"]
