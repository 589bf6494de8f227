"""``create_app(settings)``: the extraction API, the clerk pages and the ops endpoints in one FastAPI app.

Embedded default (no Redis configured): jobs run in a thread pool inside this process, and
documents left queued or processing by an earlier run are re-queued at start. With
``settings.queue.redis_url`` jobs go to rq and ``docintel worker`` processes them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from api.logs import setup_logging
from api.routes import documents, keys, ops, pages, receivables
from pipeline import jobs
from pipeline.queue import JobQueue, get_queue
from pipeline.settings import Settings
from storage.ingest import Ingestor

log = logging.getLogger("docintel.api")


def create_app(settings: Settings, *, queue: JobQueue | None = None, workers: int | None = None) -> FastAPI:
    """Migrate the database, open the store and the queue, and build the app."""
    setup_logging()
    ingestor = Ingestor(settings)  # runs the migrations
    queue = queue or get_queue(settings, workers=workers)
    jobs.register(settings, ingestor, queue)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if queue.kind == "in-process":  # rq documents are the workers' to reap
            requeued = jobs.reap(settings, queue)
            if requeued:
                log.warning("re-queued documents left by an earlier run", extra={"documents": requeued})
        yield
        queue.close()
        ingestor.close()

    app = FastAPI(title="docintel", version="0.1.0", lifespan=lifespan,
                  description="Chinese invoices, bank receipts and contracts in; records (records.md) and risk "
                              "flags out. Authenticate with an `X-API-Key` header (`docintel keys create`).")
    app.state.settings = settings
    app.state.engine = ingestor.engine
    app.state.sessions = ingestor.sessions
    app.state.store = ingestor.store
    app.state.queue = queue
    ops.install_collector(app.state)

    @app.middleware("http")
    async def access_log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        t0 = time.perf_counter()
        response = await call_next(request)
        if request.url.path not in ("/healthz", "/metrics"):
            log.info("request", extra={"method": request.method, "path": request.url.path,
                                       "status": response.status_code,
                                       "ms": round((time.perf_counter() - t0) * 1000, 1)})
        return response

    app.include_router(documents.router)
    app.include_router(receivables.router)
    app.include_router(keys.router)
    app.include_router(ops.router)
    app.include_router(pages.router)
    return app
