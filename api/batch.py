"""Run many files through the pipeline in parallel and persist them in input order."""

from __future__ import annotations

import os
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


def per_worker(settings: Settings, jobs: int) -> Settings:
    """Settings for one of ``jobs`` worker processes: the cores are shared out, ``cores // jobs``
    OCR threads each, unless the OCR thread count was set explicitly. Each worker with the full
    count would put ``jobs`` x threads busy threads on the cores, and the OCR runtime slows down
    when its threads wait on one another."""
    if jobs <= 1 or "threads" in settings.ocr.model_fields_set:
        return settings
    threads = max(1, (os.cpu_count() or 1) // jobs)
    return settings.model_copy(update={"ocr": settings.ocr.model_copy(update={"threads": threads})})


def run_batch(files: list[Path], settings: Settings, jobs: int = 1,
              on_done: Callable[[Path, list[Document]], None] | None = None) -> Iterator[tuple[Path, list[Document]]]:
    """Yield (path, documents) in the order of ``files``; ``jobs`` > 1 uses worker processes."""
    if jobs <= 1 or len(files) <= 1:
        for f in files:
            yield f, _work((str(f), settings))
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    worker_settings = per_worker(settings, jobs)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for f, docs in zip(files, pool.map(_work, [(str(f), worker_settings) for f in files])):
            yield f, docs
