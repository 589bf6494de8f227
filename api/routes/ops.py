"""Health, readiness (DB, queue, storage) and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from storage import service_repository as srepo
from storage.tables import STATUSES

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The database, the queue and the object store answer (503 naming what does not)."""
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["db"] = "ok"
    except Exception as exc:  # noqa: BLE001 (reported as not ready)
        checks["db"] = f"error: {type(exc).__name__}"
    try:
        checks["queue"] = "ok" if state.queue.ping() else "error: no answer"
    except Exception as exc:  # noqa: BLE001 (reported as not ready)
        checks["queue"] = f"error: {type(exc).__name__}"
    try:
        state.store.exists("readyz/probe")
        checks["storage"] = "ok"
    except Exception as exc:  # noqa: BLE001 (reported as not ready)
        checks["storage"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503)


class ServiceCollector(Collector):
    """Documents by status (from the DB) and queue depth, read at scrape time."""

    def __init__(self, app_state: Any):
        self.state = app_state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        docs = GaugeMetricFamily("docintel_documents", "Documents by status", labels=["status"])
        try:
            with self.state.sessions() as session:
                counts = srepo.count_by_status(session)
            for s in STATUSES:
                docs.add_metric([s], counts.get(s, 0))
        except Exception:  # noqa: BLE001, S110 (a scrape must not fail)
            pass
        yield docs
        depth = GaugeMetricFamily("docintel_queue_depth", "Jobs waiting or running", labels=["queue"])
        try:
            depth.add_metric([self.state.queue.kind], self.state.queue.depth())
        except Exception:  # noqa: BLE001, S110 (a scrape must not fail)
            pass
        yield depth


_registered: list[ServiceCollector] = []


def install_collector(app_state: Any) -> None:
    """One collector per process, pointed at the latest app (tests create several)."""
    if _registered:
        _registered[0].state = app_state
        return
    c = ServiceCollector(app_state)
    REGISTRY.register(c)
    _registered.append(c)


@router.get("/metrics", response_class=Response)
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
