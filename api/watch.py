"""A watched batch folder (``docintel watch DIR``) and a one-off ingest of a folder (``docintel ingest DIR``).

A file is taken once it stops changing (same size and mtime for ``settle_s``), then goes the
same way as an upload: original kept by sha256, a queued row, one job. When its documents
are finished it moves to ``DIR/processed/`` (or ``DIR/failed/``) with ``<name>.json`` beside it
holding the records or the error. State lives in the database (``watch_files``, one row per
folder and content hash), so:

- the same bytes twice are processed once: the second file is moved to ``processed/`` with a
  sidecar naming the first document (``"duplicate_of"``);
- a restart loses nothing and counts nothing twice: a file still in the folder whose content
  was already submitted under the same name is waited for, not submitted again; the file is
  moved before its row is marked done.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api import intake
from pipeline import jobs
from pipeline.queue import JobQueue
from pipeline.settings import Settings
from storage import repository as repo
from storage import service_repository as srepo
from storage.db import upgrade

log = logging.getLogger("docintel.watch")

#: Names that are still being written by some tool, or our own output.
SKIP_SUFFIXES = (".part", ".tmp", ".crdownload", ".json")
FINISHED = ("done", "partial", "failed")


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class FolderWatcher:
    def __init__(self, folder: Path, settings: Settings, *, org: str = "default", settle_s: float = 2.0,
                 poll_s: float = 0.5, queue: JobQueue | None = None):
        self.folder = Path(folder).expanduser().resolve()
        self.processed, self.failed = self.folder / "processed", self.folder / "failed"
        for d in (self.folder, self.processed, self.failed):
            d.mkdir(parents=True, exist_ok=True)
        self.settings, self.org, self.settle_s, self.poll_s = settings, org, settle_s, poll_s
        settings.home_dir.mkdir(parents=True, exist_ok=True)
        upgrade(settings.db_url)
        self.ingestor = jobs.ingestor_for(settings)
        self.queue = queue or jobs.queue_for(settings)
        self._seen: dict[Path, _Seen] = {}
        self._inflight: dict[Path, int] = {}  # file → watch_files.id
        self.moved: list[Path] = []
        if self.queue.kind == "in-process":
            jobs.reap(settings, self.queue)

    # --- scanning ------------------------------------------------------------------------------

    def _candidates(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir()
                      if p.is_file() and not p.name.startswith(".") and not p.name.endswith(SKIP_SUFFIXES))

    def _stable(self, path: Path, now: float) -> bool:
        try:
            st = path.stat()
        except FileNotFoundError:
            self._seen.pop(path, None)
            return False
        seen = self._seen.get(path)
        if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
            self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
            return self.settle_s <= 0
        return now - seen.since >= self.settle_s

    def step(self) -> None:
        """One pass: take settled new files, then finish files whose documents are done."""
        now = time.monotonic()
        for path in self._candidates():
            if path not in self._inflight and self._stable(path, now):
                self._take(path)
        self._finish_ready()

    @property
    def busy(self) -> bool:
        return bool(self._inflight) or bool(self._candidates())

    def run(self, *, once: bool = False, stop: threading.Event | None = None, timeout_s: float | None = None) -> None:
        """Watch until ``stop`` is set; ``once``: until every file present has been moved."""
        t0 = time.monotonic()
        while not (stop and stop.is_set()):
            self.step()
            if once and not self.busy:
                return
            if timeout_s is not None and time.monotonic() - t0 > timeout_s:
                raise TimeoutError(f"files still waiting in {self.folder}")
            time.sleep(self.poll_s)

    # --- taking a file -------------------------------------------------------------------------

    def _take(self, path: Path) -> None:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        name = intake.safe_label(path.name)
        folder = str(self.folder)
        with self.ingestor.sessions() as session:
            known = srepo.get_watch_file(session, folder=folder, sha256=sha)
            if known is not None:
                if known.name == name and known.state == "submitted" and known.document_id:
                    self._inflight[path] = known.id  # restarted while it was being processed
                    log.info("waiting for a file submitted before a restart", extra={"file": name})
                    return
                self._move(path, self.processed, {"source": name, "sha256": sha, "status": "duplicate",
                                                  "duplicate_of": known.document_id, "first_seen_as": known.name})
                return
            try:
                mime = intake.check(data, name, self.settings)
            except intake.Rejected as exc:
                srepo.add_watch_file(session, folder=folder, sha256=sha, name=name, document_id=None, state="failed")
                session.commit()
                self._move(path, self.failed, {"source": name, "sha256": sha, "status": "failed",
                                               "errors": [{"stage": "intake", "message": exc.message}]})
                return
            row = intake.register(session, self.ingestor.store, data=data, name=name, mime=mime, org=self.org)
            wf = srepo.add_watch_file(session, folder=folder, sha256=sha, name=name, document_id=row.id)
            session.commit()
            doc_id, wf_id = row.id, wf.id
        jobs.submit(self.settings, doc_id, self.queue)
        self._inflight[path] = wf_id
        log.info("file submitted", extra={"file": name, "document_id": doc_id})

    def _finish_ready(self) -> None:
        for path, wf_id in list(self._inflight.items()):
            with self.ingestor.sessions() as session:
                from storage.tables import WatchFileRow

                wf = session.get(WatchFileRow, wf_id)
                row = repo.get_document(session, id=wf.document_id) if wf and wf.document_id else None
                if row is None or row.status not in FINISHED:
                    continue
                records = [r.record for r in srepo.list_ingest(session, ingest_id=row.ingest_id) if r.record]
                ok = row.status != "failed"
                sidecar: dict[str, Any] = {"source": wf.name, "sha256": wf.sha256, "document_id": row.id,
                                           "status": row.status, "records": records, "errors": row.errors}
            if path.exists():
                self._move(path, self.processed if ok else self.failed, sidecar)
            with self.ingestor.sessions.begin() as session:
                srepo.set_watch_state(session, id=wf_id, state="done" if ok else "failed")
            del self._inflight[path]

    def _move(self, path: Path, dest_dir: Path, sidecar: dict[str, Any]) -> Path:
        dest = dest_dir / path.name
        if dest.exists():
            dest = dest_dir / f"{path.stem}-{sidecar['sha256'][:8]}-{int(time.time())}{path.suffix}"
        side = dest.with_name(dest.name + ".json")
        tmp = side.with_name(side.name + ".part")
        tmp.write_text(json.dumps(sidecar, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        tmp.replace(side)
        path.replace(dest)
        self._seen.pop(path, None)
        self.moved.append(dest)
        log.info("file moved", extra={"file": path.name, "to": str(dest), "status": sidecar.get("status")})
        return dest
