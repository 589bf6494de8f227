"""Fixtures for storage tests: SQLite files, a throwaway PostgreSQL database, a moto S3 server.

PostgreSQL: ``DOCINTEL_TEST_PG_URL`` (an admin URL to an existing database, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``, then user ``root``). Each run creates
``docintel_test_<random>`` from it and drops it afterwards. When no server answers the
tests skip on a laptop and fail on CI (``CI=true``).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `pytest tests/storage` without an installed package
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, delete
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from storage.db import make_engine, session_factory, upgrade
from storage.tables import Base

DEFAULT_PG_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _psycopg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _find_pg_admin() -> tuple[URL | None, str]:
    try:
        import psycopg
    except ImportError:
        return (
            None,
            "the psycopg driver is not installed: pip install 'psycopg[binary]'",
        )

    env_url = os.environ.get("DOCINTEL_TEST_PG_URL")
    candidates = [env_url] if env_url else list(DEFAULT_PG_URLS)
    problems = []
    for candidate in candidates:
        url = make_url(candidate).set(drivername="postgresql+psycopg")
        try:
            with psycopg.connect(_psycopg_dsn(url), connect_timeout=3):
                return url, ""
        except psycopg.Error as err:
            problems.append(f"{url.render_as_string(hide_password=True)}: {str(err).strip().splitlines()[0]}")
    return None, "; ".join(problems)


@pytest.fixture(scope="session")
def pg_admin_url() -> URL:
    url, why = _find_pg_admin()
    if url is None:
        message = f"PostgreSQL not reachable ({why}); set DOCINTEL_TEST_PG_URL to an admin URL"
        if on_ci():
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def pg_database(pg_admin_url: URL) -> Iterator[Callable[[], str]]:
    """A factory: each call creates ``docintel_test_<random>`` and returns its URL; all dropped at the end."""
    import psycopg
    from psycopg import sql

    created: list[str] = []

    def create() -> str:
        name = f"docintel_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_psycopg_dsn(pg_admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return pg_admin_url.set(database=name).render_as_string(hide_password=False)

    yield create
    with psycopg.connect(_psycopg_dsn(pg_admin_url), autocommit=True) as conn:
        for name in created:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def pg_migrated_engine(pg_database: Callable[[], str]) -> Iterator[Engine]:
    engine = make_engine(pg_database())
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated engine on each backend, empty at the start of every test."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'db' / 'docintel.sqlite3'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    eng = request.getfixturevalue("pg_migrated_engine")
    yield eng
    with eng.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as s:
        yield s


@pytest.fixture(scope="session")
def s3_endpoint(s3_server: str) -> str:
    """``127.0.0.1:<port>`` of the session's moto S3 server (plain HTTP)."""
    return s3_server
