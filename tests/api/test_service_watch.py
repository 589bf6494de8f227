"""``docintel watch`` / ``ingest``: a dropped file is processed and moved with a sidecar; same bytes once; restarts."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

from test_service_support import SAMPLES


def _watcher(tmp_path: Path, folder: Path, **kw):
    from api.watch import FolderWatcher
    from pipeline.settings import get_settings

    return FolderWatcher(folder, get_settings(home=tmp_path / "home"), settle_s=kw.pop("settle_s", 0.3),
                         poll_s=0.1, **kw)


def test_service_watch_moves_with_sidecar_and_recognises_same_bytes(tmp_path):
    inbox = tmp_path / "inbox"
    w = _watcher(tmp_path, inbox)
    stop = threading.Event()
    t = threading.Thread(target=w.run, kwargs={"stop": stop}, daemon=True)
    t.start()
    try:
        # a file that is still growing is not taken
        growing = inbox / "inv.pdf"
        data = (SAMPLES / "inv_0008.pdf").read_bytes()
        with growing.open("wb") as fh:
            fh.write(data[:1000])
            fh.flush()
            for i in range(1000, len(data), 20000):
                threading.Event().wait(0.1)
                fh.write(data[i:i + 20000])
                fh.flush()
        shutil.copy(SAMPLES / "inv_0008.pdf", inbox / "copy-of-inv.pdf")
        (inbox / "broken.pdf").write_bytes(b"\x00garbage" * 20)
        for _ in range(300):
            if len(w.moved) == 3:
                break
            threading.Event().wait(0.1)
    finally:
        stop.set()
        t.join(5)
    # whichever of the two was taken first is processed, the other recognised; the growing file was
    # only taken once complete (a partial read would have other bytes, hence no duplicate)
    sides = [json.loads((inbox / "processed" / f"{n}.json").read_text()) for n in ("inv.pdf", "copy-of-inv.pdf")]
    side = next(s for s in sides if s["status"] == "done")
    dup = next(s for s in sides if s["status"] == "duplicate")
    assert side["records"][0]["fields"]["invoice_number"] and side["records"][0]["sha256"] == side["sha256"]
    assert dup["duplicate_of"] == side["document_id"]
    failed = json.loads((inbox / "failed" / "broken.pdf.json").read_text())
    assert failed["status"] == "failed" and "unsupported file type" in failed["errors"][0]["message"]
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == []


class _LostQueue:
    """A queue whose jobs die with the process (what an in-process queue is after a crash)."""

    kind = "lost"

    def enqueue(self, document_id: str, job_id: str) -> None:
        pass

    def is_alive(self, job_id: str) -> bool:
        return False


def test_service_watch_restart_neither_loses_nor_double_counts(tmp_path):
    from storage import service_repository as srepo
    from storage.tables import DocumentRow

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "vou_0003.pdf", inbox / "vou.pdf")
    first = _watcher(tmp_path, inbox, settle_s=0, queue=_LostQueue())
    first.step()  # submitted; the process "dies" before its job runs
    assert (inbox / "vou.pdf").exists()
    with first.ingestor.sessions() as s:
        assert s.query(DocumentRow).count() == 1
    # restart: the pending document is re-queued, the file waited for, nothing submitted twice
    second = _watcher(tmp_path, inbox, settle_s=0)
    second.run(once=True, timeout_s=30)
    side = json.loads((inbox / "processed" / "vou.pdf.json").read_text())
    assert side["status"] == "done"
    with second.ingestor.sessions() as s:
        assert s.query(DocumentRow).count() == 1
        assert srepo.get_watch_file(s, folder=str(inbox.resolve()), sha256=side["sha256"]).state == "done"
    # the same bytes dropped again after the restart: recognised, not processed
    shutil.copy(SAMPLES / "vou_0003.pdf", inbox / "vou-again.pdf")
    second.run(once=True, timeout_s=10)
    assert json.loads((inbox / "processed" / "vou-again.pdf.json").read_text())["duplicate_of"] == side["document_id"]
    with second.ingestor.sessions() as s:
        assert s.query(DocumentRow).count() == 1
