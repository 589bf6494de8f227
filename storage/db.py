"""Engine, sessions and migrations for the records database (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

#: The Alembic scripts folder, found next to this module (any cwd, installed or not).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: How long a SQLite writer waits for the lock before "database is locked", in ms.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _json_dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)  # readable Chinese in the SQLite file


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; loses no committed data on app crash
    finally:
        cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. SQLite: parent folder created, WAL, busy_timeout, foreign keys, any thread."""
    u = make_url(url)
    kwargs.setdefault("json_serializer", _json_dumps)
    if u.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(u, **kwargs)

    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("check_same_thread", False)
    database = u.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if in_memory:
        kwargs.setdefault("poolclass", StaticPool)  # one shared connection, else each sees an empty DB
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(u, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    return engine


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` built in code; ``url`` is only used when no connection is handed over."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | Engine, revision: str = "head") -> None:
    """Migrate the database at ``url`` (or behind an engine) to ``revision`` (default: the latest)."""
    engine = make_engine(url) if isinstance(url, str) else url
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if isinstance(url, str):
            engine.dispose()


def current_revision(url: str | Engine) -> str | None:
    """The revision the database is at (None when it was never migrated)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url) if isinstance(url, str) else url
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if isinstance(url, str):
            engine.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded rows usable after commit; use ``with factory.begin() as session:``."""
    return sessionmaker(bind=engine, expire_on_commit=False)


if __name__ == "__main__":  # python -m storage.db: migrate the configured database
    from pipeline.settings import get_settings

    _url = get_settings().db_url
    upgrade(_url)
    print(f"{make_url(_url).render_as_string(hide_password=True)}: at {current_revision(_url)}")
