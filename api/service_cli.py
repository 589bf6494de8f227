"""Service commands: serve, worker, watch, ingest, db upgrade, keys (registered in ``api.cli``)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer

from pipeline.settings import get_settings

db_app = typer.Typer(help="the records database", no_args_is_help=True)
keys_app = typer.Typer(help="API keys", no_args_is_help=True)


def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port")] = 8000,
          workers: Annotated[int | None, typer.Option(help="in-process job threads (embedded mode)")] = None
          ) -> None:
    """Run the API and the clerk pages (uvicorn). Embedded mode runs the jobs in this process too."""
    import uvicorn

    from api.app import create_app

    uvicorn.run(create_app(get_settings(), workers=workers), host=host, port=port, log_level="warning")


def worker(burst: Annotated[bool, typer.Option(help="exit when the queue is empty")] = False,
           metrics_port: Annotated[int | None, typer.Option(help="serve Prometheus metrics on this port")] = None,
           reap_every: Annotated[float, typer.Option(help="seconds between checks for lost jobs")] = 60.0,
           name: Annotated[str | None, typer.Option(help="worker name")] = None) -> None:
    """An rq worker (DOCINTEL_QUEUE__REDIS_URL): loads the models once, re-queues lost jobs, then works."""
    from rq import SimpleWorker

    from api.logs import setup_logging
    from pipeline import jobs
    from pipeline.queue import RqQueue

    settings = get_settings()
    setup_logging()
    if not settings.queue.redis_url:
        typer.echo("set DOCINTEL_QUEUE__REDIS_URL: without Redis, jobs run inside `docintel serve`", err=True)
        raise typer.Exit(2)
    jobs.warm_up(settings)
    jobs.ingestor_for(settings)
    queue = jobs.queue_for(settings)
    assert isinstance(queue, RqQueue)
    jobs.reap(settings, queue)
    stop = threading.Event()

    def reaper() -> None:
        while not stop.wait(reap_every):
            try:
                jobs.reap(settings, queue, grace_s=reap_every / 2)
            except Exception:  # noqa: BLE001
                jobs.log.exception("reaper failed")

    threading.Thread(target=reaper, daemon=True, name="docintel-reaper").start()
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)
    # SimpleWorker: jobs run in this process, so the models loaded above are reused by every job.
    w = SimpleWorker([queue.queue], connection=queue.redis, name=name)
    try:
        w.work(with_scheduler=True, burst=burst, logging_level="WARNING")
    finally:
        stop.set()


def watch(folder: Annotated[Path, typer.Argument(help="the batch folder")],
          org: Annotated[str, typer.Option(help="organisation the documents belong to")] = "default",
          settle: Annotated[float, typer.Option(help="seconds a file must stay unchanged")] = 2.0) -> None:
    """Watch a folder: each new file is processed, then moved to processed/ or failed/ with a JSON sidecar."""
    from api.logs import setup_logging
    from api.watch import FolderWatcher

    setup_logging()
    w = FolderWatcher(folder, get_settings(), org=org, settle_s=settle)
    typer.echo(f"watching {w.folder} (Ctrl-C to stop)", err=True)
    try:
        w.run()
    except KeyboardInterrupt:
        pass


def ingest(folder: Annotated[Path, typer.Argument(help="a folder of documents")],
           org: Annotated[str, typer.Option(help="organisation the documents belong to")] = "default") -> None:
    """Process every file in a folder once (as `watch` would), then exit."""
    from api.logs import setup_logging
    from api.watch import FolderWatcher

    setup_logging()
    w = FolderWatcher(folder, get_settings(), org=org, settle_s=0)
    w.run(once=True)
    typer.echo(f"{len(w.moved)} files moved", err=True)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database to the latest revision."""
    from sqlalchemy.engine import make_url

    from storage.db import current_revision, upgrade

    settings = get_settings()
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.db_url, revision)
    typer.echo(f"{make_url(settings.db_url).render_as_string(hide_password=True)}: at {current_revision(settings.db_url)}")


@keys_app.command("create")
def keys_create(org: Annotated[str, typer.Option(help="organisation")],
                role: Annotated[str, typer.Option(help="clerk | reviewer | integration | admin")],
                name: Annotated[str, typer.Option(help="whose key (shown in the audit trail)")] = "") -> None:
    """Create an API key and print it (only its hash is stored)."""
    from storage import service_repository as srepo
    from storage.db import make_engine, session_factory, upgrade

    settings = get_settings()
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    try:
        upgrade(engine)
        with session_factory(engine).begin() as session:
            try:
                new = srepo.create_api_key(session, org=org, role=role, name=name)
            except ValueError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from None
            key = new.key
    finally:
        engine.dispose()
    typer.echo(key)


@keys_app.command("list")
def keys_list(org: Annotated[str, typer.Option(help="organisation")]) -> None:
    """List an organisation's keys (ids, roles, names; never the keys)."""
    from storage import service_repository as srepo
    from storage.db import make_engine, session_factory

    engine = make_engine(get_settings().db_url)
    try:
        with session_factory(engine)() as session:
            for r in srepo.list_api_keys(session, org=org):
                typer.echo(f"{r.id}\t{r.role}\t{r.name}\t{'revoked' if r.revoked_at else 'active'}")
    finally:
        engine.dispose()
