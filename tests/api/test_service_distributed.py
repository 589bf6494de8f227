"""Distributed mode: PostgreSQL + S3 (moto ThreadedMotoServer over HTTP) + rq with workers in subprocesses.

The API runs in the test process (TestClient); ``docintel worker`` runs as a separate process,
as in production. Needs Redis and PostgreSQL on 127.0.0.1 (skip on a laptop, fail on CI).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_service_support import (  # noqa: F401 (fixtures)
    make_key,
    pg_url,
    redis_url,
    s3_endpoint,
    service_env,
    start_worker,
    stop,
    upload,
    wait_done,
)


@pytest.fixture()
def stack(tmp_path: Path, pg_url: str, redis_url: str, s3_endpoint: str):  # noqa: F811
    from api.app import create_app
    from pipeline.settings import get_settings

    settings = get_settings(home=tmp_path / "home", db={"url": pg_url}, queue={"redis_url": redis_url, "retries": 2},
                            storage={"s3_endpoint": s3_endpoint, "s3_bucket": "docintel-test"})
    app = create_app(settings)  # migrates PostgreSQL
    env = service_env(tmp_path / "worker-home", DOCINTEL_DB__URL=pg_url, DOCINTEL_QUEUE__REDIS_URL=redis_url,
                      DOCINTEL_QUEUE__RETRIES="2", DOCINTEL_STORAGE__S3_ENDPOINT=s3_endpoint,
                      DOCINTEL_STORAGE__S3_BUCKET="docintel-test")
    with TestClient(app) as client:
        yield app, client, env, tmp_path


def _wait_status(client, headers, doc_id, wanted, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/documents/{doc_id}", headers=headers).json()
        if body["status"] == wanted:
            return body
        time.sleep(0.1)
    raise AssertionError(f"{doc_id} never reached {wanted}: {body}")


def test_service_distributed_upload_worker_record(stack):
    app, client, env, tmp = stack
    clerk = make_key(app)
    accepted = upload(client, clerk, "inv_0008.pdf", "vou_0003.pdf")
    assert client.get("/readyz").json()["queue"] == "ok"
    assert 'docintel_queue_depth{queue="rq"} 2.0' in client.get("/metrics").text
    worker = start_worker(env, "w-dist", tmp / "worker.log")
    try:
        inv = wait_done(client, clerk, accepted[0]["id"], timeout=60)
        vou = wait_done(client, clerk, accepted[1]["id"], timeout=30)
    finally:
        stop(worker)
    assert inv["status"] == "done" and inv["record"]["fields"]["invoice_number"], (tmp / "worker.log").read_text()
    assert vou["doc_type"] == "payment_voucher" and inv["attempts"] == 1
    page = client.get(f"/api/v1/documents/{inv['id']}/pages/1.png", headers=clerk)  # original read back from S3
    assert page.status_code == 200 and page.content[:4] == b"\x89PNG"


def test_service_worker_sigkill_mid_job_is_finished_by_next_worker(stack):
    app, client, env, tmp = stack
    clerk = make_key(app)
    doc = upload(client, clerk, "inv_0008.pdf")[0]
    slow = start_worker({**env, "DOCINTEL_SERVICE_TEST_JOB_SLEEP_S": "60"}, "w-doomed", tmp / "doomed.log")
    try:
        _wait_status(client, clerk, doc["id"], "processing", timeout=60)
        later = upload(client, clerk, "vou_0003.pdf")[0]  # queued behind the stuck job
        os.kill(slow.pid, signal.SIGKILL)
        slow.wait(10)
    finally:
        stop(slow)
    assert client.get(f"/api/v1/documents/{doc['id']}", headers=clerk).json()["status"] == "processing"
    worker = start_worker(env, "w-next", tmp / "next.log")
    try:
        done = wait_done(client, clerk, doc["id"], timeout=60)
        other = wait_done(client, clerk, later["id"], timeout=30)
    finally:
        stop(worker)
    assert done["status"] == "done" and done["attempts"] == 2, (tmp / "next.log").read_text()
    assert other["status"] == "done"
    assert "re-queued a document whose job was lost" in (tmp / "next.log").read_text()
    # nothing lost, nothing doubled: exactly the two documents
    assert len(client.get("/api/v1/documents", headers=clerk).json()["items"]) == 2
