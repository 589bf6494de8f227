"""Run many files through the pipeline in parallel and persist them in input order."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.runner import process_path
from pipeline.settings import Settings
from pipeline.types import Document

SKIP_SUFFIXES = {".json", ".jsonl", ".md"}  # ground truth and notes beside samples


def collect(paths: list[Path]) -> list[Path]:
    """Files under the given paths, recursively, sorted; hidden files and sidecars skipped."""
    out: set[Path] = set()
    for p in paths:
        if p.is_dir():
            for f in p.rglob("*"):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts) \
                        and f.suffix.lower() not in SKIP_SUFFIXES:
                    out.add(f)
        else:
            out.add(p)
    return sorted(out)


def _work(args: tuple[str, Settings]) -> list[Document]:
    path, settings = args
    docs = process_path(Path(path), settings)
    for d in docs:
        d.images.clear()
        d.attach_data(None)
    return docs


WATCH_S = 2.0  # how often a worker checks that the process that started it is still there


def _watch(parent: int) -> None:
    """Worker initializer: exit once the process that started the pool is gone (killed, interrupted).
    A worker left behind holds its models (about 1.8 GB) and finishes work nobody will read; session 19
    found five such process trees after evaluations were stopped."""
    def loop() -> None:
        while True:
            time.sleep(WATCH_S)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=loop, name="watch-parent", daemon=True).start()


def run_batch(files: list[Path], settings: Settings, jobs: int = 1,
              on_done: Callable[[Path, list[Document]], None] | None = None) -> Iterator[tuple[Path, list[Document]]]:
    """Yield (path, documents) in the order of ``files``; ``jobs`` > 1 uses worker processes."""
    if jobs <= 1 or len(files) <= 1:
        for f in files:
            yield f, _work((str(f), settings))
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # workers start from a fresh server process, not forked from this one: a fork copies the OCR
    # runtime's thread pools mid-lock once this process has read a page, and the workers hang
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("forkserver"),
                             initializer=_watch, initargs=(os.getpid(),)) as pool:
        for f, docs in zip(files, pool.map(_work, [(str(f), settings) for f in files])):
            yield f, docs
