"""The job function: process one queued document by id, start to end.

``process_document(document_id)`` loads settings (from the environment under rq),
the original from the object store, runs the pipeline and saves the records through
``storage.ingest.Ingestor.save_job``. A file holding several documents gives one row
per document: the upload's own row is the first, the others get ``ingest_id`` = the
upload's id. Only the job named in ``document_jobs`` may process a document, so a job
that was replaced by the reaper (``reap``) does nothing when it finally runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.request
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter, Histogram

from pipeline.queue import JobQueue, ServiceSettings, get_queue, new_job_id
from pipeline.settings import Settings, get_settings

if TYPE_CHECKING:
    from storage.ingest import Ingestor

log = logging.getLogger("docintel.jobs")

STAGE_SECONDS = Histogram("docintel_stage_seconds", "Seconds spent per pipeline stage", ["stage"],
                          buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
JOB_SECONDS = Histogram("docintel_job_seconds", "Seconds per document job, start to saved",
                        buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
JOBS = Counter("docintel_jobs_total", "Document jobs by outcome", ["outcome"])

FINISHED = ("done", "partial", "failed")

_lock = threading.Lock()
_ingestors: dict[str, Ingestor] = {}
_queues: dict[str, JobQueue] = {}


def _key(settings: Settings) -> str:
    return f"{settings.db_url}|{settings.storage.s3_endpoint or settings.home_dir}|{settings.queue.redis_url}"


def register(settings: Settings, ingestor: Ingestor | None = None, queue: JobQueue | None = None) -> None:
    """Let jobs in this process reuse the app's engine, store and queue (the embedded mode)."""
    with _lock:
        if ingestor is not None:
            _ingestors[_key(settings)] = ingestor
        if queue is not None:
            _queues[_key(settings)] = queue


def ingestor_for(settings: Settings) -> Ingestor:
    """One Ingestor (engine + object store) per process and configuration; no migration here."""
    from storage.ingest import Ingestor

    with _lock:
        key = _key(settings)
        if key not in _ingestors:
            _ingestors[key] = Ingestor(settings, migrate=False)
        return _ingestors[key]


def queue_for(settings: Settings) -> JobQueue:
    with _lock:
        key = _key(settings)
        if key not in _queues:
            _queues[key] = get_queue(settings)
        return _queues[key]


def _current_rq_job() -> Any:
    try:
        from rq import get_current_job
    except ImportError:
        return None
    return get_current_job()


def submit(settings: Settings, document_id: str, queue: JobQueue | None = None) -> str:
    """Give the document a new job (recorded first, then enqueued) and return its id."""
    from storage import service_repository as srepo

    queue = queue or queue_for(settings)
    job_id = new_job_id(document_id)
    with ingestor_for(settings).sessions.begin() as session:
        srepo.set_job(session, document_id=document_id, job_id=job_id)
    queue.enqueue(document_id, job_id)
    return job_id


def process_document(document_id: str, *, settings: Settings | None = None, job_id: str | None = None,
                     final_attempt: bool | None = None) -> str:
    """Process one document; returns its final status, or ``stale``/``missing``/``skipped``."""
    from pipeline.runner import process_bytes
    from pipeline.stage import StageContext
    from storage import repository as repo
    from storage import service_repository as srepo
    from storage.objects import original_key

    settings = settings or get_settings()
    ing = ingestor_for(settings)
    rq_job = _current_rq_job()
    if job_id is None and rq_job is not None:
        job_id = rq_job.id
    with ing.sessions.begin() as session:
        row = repo.get_document(session, id=document_id)
        if row is None:
            log.warning("job for unknown document", extra={"document_id": document_id})
            return "missing"
        current = srepo.get_job(session, document_id=document_id)
        if job_id is not None and current is not None and current.job_id != job_id:
            log.info("stale job skipped", extra={"document_id": document_id, "job_id": job_id})
            return "stale"
        if row.status in FINISHED and row.record is not None:
            return "skipped"
        repo.mark_processing(session, id=document_id)
        sha, source, org = row.sha256, row.source, row.org
    log.info("job started", extra={"document_id": document_id, "job_id": job_id})
    pause = ServiceSettings().test_job_sleep_s
    if pause:
        time.sleep(pause)
    t0 = time.perf_counter()
    try:
        data = ing.store.get(original_key(sha))
        ctx = StageContext(settings=settings, store=ing.store)
        docs = process_bytes(data, source, settings, doc_id=document_id, ctx=ctx)
        for d in docs:
            d.images.clear()
            d.attach_data(None)
        records = ing.save_job(docs, upload_id=document_id)
    except Exception as exc:
        last = final_attempt if final_attempt is not None else (rq_job is None or not rq_job.retries_left)
        reason = f"processing failed: {type(exc).__name__}: {exc}"
        with ing.sessions.begin() as session:
            srepo.set_status(session, id=document_id, status="failed" if last else "queued",
                             errors=[{"stage": "job", "message": reason + ("" if last else " (will retry)")}])
        JOBS.labels("error").inc()
        log.warning("job failed", extra={"document_id": document_id, "final": last, "reason": reason})
        if last:
            _notify(settings, org, document_id, "failed", [])
        raise
    for stage, seconds in ctx.timings.items():
        STAGE_SECONDS.labels(stage).observe(seconds)
    elapsed = time.perf_counter() - t0
    JOB_SECONDS.observe(elapsed)
    status = records[0]["status"] if records else "failed"
    JOBS.labels(status).inc()
    log.info("job finished", extra={"document_id": document_id, "status": status, "documents": len(records),
                                    "seconds": round(elapsed, 3)})
    _notify(settings, org, document_id, status, [r["id"] for r in records])
    return status


def _notify(settings: Settings, org: str, document_id: str, status: str, ids: list[str]) -> None:
    if not ServiceSettings().webhook_url:
        return
    payload = {"event": "document.finished", "id": document_id, "org": org, "status": status, "documents": ids}
    try:
        queue_for(settings).enqueue_webhook(payload)
    except Exception:
        log.exception("could not queue the webhook", extra={"document_id": document_id})


def deliver_webhook(payload: dict[str, Any]) -> None:
    """POST the payload to ``DOCINTEL_SERVICE_WEBHOOK_URL``; raises on failure so the queue retries.

    With a secret, ``X-Docintel-Signature: sha256=<hmac of the body>``.
    """
    cfg = ServiceSettings()
    if not cfg.webhook_url:
        return
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if cfg.webhook_secret:
        sig = hmac.new(cfg.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Docintel-Signature"] = f"sha256={sig}"
    req = urllib.request.Request(cfg.webhook_url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        if resp.status >= 300:
            raise RuntimeError(f"webhook answered {resp.status}")


def reap(settings: Settings, queue: JobQueue | None = None, *, grace_s: float = 0.0) -> list[str]:
    """Re-queue documents stuck in queued/processing whose job is gone (dead worker, restarted process).

    Run when a worker (or the embedded app) starts. Returns the re-queued document ids.
    """
    from storage import service_repository as srepo
    from storage.tables import utcnow

    queue = queue or queue_for(settings)
    before = utcnow() - timedelta(seconds=grace_s) if grace_s else None
    with ingestor_for(settings).sessions.begin() as session:
        rows = srepo.pending_documents(session, updated_before=before)
        jobs = {r.id: srepo.get_job(session, document_id=r.id) for r in rows}
        candidates = [(r.id, j.job_id if j else None) for r, j in ((r, jobs[r.id]) for r in rows)]
    requeued = []
    for doc_id, job_id in candidates:
        if job_id is not None and queue.is_alive(job_id):
            continue
        new = submit(settings, doc_id, queue)
        log.warning("re-queued a document whose job was lost",
                    extra={"document_id": doc_id, "old_job": job_id, "job_id": new})
        requeued.append(doc_id)
    return requeued


def warm_up(settings: Settings) -> None:
    """Load the models once, before the first job (rq worker start)."""
    try:
        from extractors.ocr.base import get_engine

        get_engine(settings.ocr)
    except Exception as exc:  # noqa: BLE001 (the first OCR job will report it as a document error)
        log.warning("OCR engine not loaded at start: %s", exc)
