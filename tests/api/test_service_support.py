"""Fixtures and helpers for the service tests (no tests here; imported by tests/api/test_service_*.py).

Real services: Redis at 127.0.0.1:6379 (db index ``REDIS_DB``, flushed before and after),
PostgreSQL at 127.0.0.1:5432 (a throwaway ``docintel_svc_<random>`` database, dropped after),
and S3 through ``moto.server.ThreadedMotoServer`` over plain HTTP on a free local port.
A missing Redis or PostgreSQL skips on a laptop and fails on CI (``CI=true``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port  # noqa: F401 - re-exported for the service tests

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "committed"
REDIS_DB = 13  # this suite's own Redis database index
PG_ADMIN_URLS = ("postgresql+psycopg://postgres@127.0.0.1:5432/test", "postgresql+psycopg://root@127.0.0.1:5432/test")


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(message: str) -> None:
    if on_ci():
        pytest.fail(message)
    pytest.skip(message)


def flushed_redis(env: str, db: int) -> Iterator[str]:
    """A Redis URL of a db index of our own (``env`` overrides it), flushed before and after."""
    url = os.environ.get(env, f"redis://127.0.0.1:6379/{db}")
    try:
        from redis import Redis

        r = Redis.from_url(url, socket_connect_timeout=2)
        r.ping()
    except Exception as exc:  # noqa: BLE001
        unavailable(f"Redis not reachable at {url} ({exc}); set {env}")
    r.flushdb()
    yield url
    r.flushdb()
    r.close()


@pytest.fixture()
def redis_url() -> Iterator[str]:
    yield from flushed_redis("DOCINTEL_TEST_REDIS_URL", REDIS_DB)


@pytest.fixture()
def pg_url() -> Iterator[str]:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    admin = None
    for candidate in ([os.environ["DOCINTEL_TEST_PG_URL"]] if os.environ.get("DOCINTEL_TEST_PG_URL") else PG_ADMIN_URLS):
        url = make_url(candidate)
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            with psycopg.connect(dsn, connect_timeout=3):
                admin = (url, dsn)
                break
        except psycopg.Error:
            continue
    if admin is None:
        unavailable("PostgreSQL not reachable at 127.0.0.1:5432; set DOCINTEL_TEST_PG_URL")
    name = f"docintel_svc_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin[1], autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield admin[0].set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin[1], autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture()
def s3_endpoint(s3_server: str) -> str:
    """S3 is the session's ``moto.server.ThreadedMotoServer`` over HTTP (no credentials checked)."""
    return f"http://{s3_server}"


def make_key(app: Any, *, org: str = "acme", role: str = "clerk", name: str = "张三") -> dict[str, str]:
    """Headers with a fresh API key of ``role`` in ``org``."""
    from storage import service_repository as srepo

    with app.state.sessions.begin() as session:
        key = srepo.create_api_key(session, org=org, role=role, name=name).key
    return {"X-API-Key": key}


def upload(client: Any, headers: dict[str, str], *names: str) -> list[dict[str, Any]]:
    files = [("file", (n, (SAMPLES / n).read_bytes(), "application/octet-stream")) for n in names]
    r = client.post("/api/v1/documents", files=files, headers=headers)
    assert r.status_code == 202, r.text
    return r.json()


def wait_done(client: Any, headers: dict[str, str], doc_id: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/api/v1/documents/{doc_id}", headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        if body["status"] in ("done", "partial", "failed"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"document {doc_id} still {body['status']} after {timeout}s: {body}")
        time.sleep(0.2)


def service_env(home: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTEL_")}
    env.update({"DOCINTEL_HOME": str(home), "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", **settings})
    return env


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen[bytes]:
    """``docintel worker`` in a subprocess (rq SimpleWorker with the scheduler) and a process group of
    its own: rq forks its scheduler, which outlives a worker killed alone (``stop`` ends the group)."""
    fh = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--name", name, "--reap-every", "2"],
                            cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    try:  # what it forked (rq's scheduler), when it leads a process group of its own
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
