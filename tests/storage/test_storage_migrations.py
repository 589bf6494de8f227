from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.db import alembic_config, current_revision, make_engine, upgrade
from storage.tables import Base

TABLES = {"documents", "invoice_keys", "page_hashes", "page_bands", "corrections"}


def _head() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    return heads[0]


def _check_migrated(url: str) -> None:
    assert current_revision(url) == _head()
    engine = make_engine(url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}),
                Base.metadata,
            )
        assert diff == [], f"tables.py and the migrations disagree: {diff}"
    finally:
        engine.dispose()


def test_upgrade_sqlite_from_any_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # script_location must not depend on the working directory
    db = tmp_path / "new" / "sub" / "docintel.sqlite3"
    url = f"sqlite:///{db}"
    upgrade(url)
    assert db.is_file()
    _check_migrated(url)
    upgrade(url)  # already at head: no-op
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert int(conn.execute(text("PRAGMA busy_timeout")).scalar_one()) > 0
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_upgrade_postgresql(pg_database: Callable[[], str]) -> None:
    url = pg_database()
    upgrade(url)
    _check_migrated(url)


def test_downgrade_to_base_and_back_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    engine.dispose()
    upgrade(url)
    assert current_revision(url) == _head()
