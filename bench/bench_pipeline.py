"""Pipeline speed and memory on the committed samples: the digital path and the OCR path.

Each path runs in its own process so peak RSS is its own. Digital is pinned to one
core; OCR uses the configured threads (2 by default). Prints pages/s, s/page, peak
memory, and for OCR the share of time spent outside the OCR engine call.

    .venv/bin/python bench/bench_pipeline.py [--samples samples/committed] [--repeat 3]
    .venv/bin/python bench/bench_pipeline.py --workers 2 --threads 2 --repeat 2   # batch throughput
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _files(folder: Path, scanned: bool) -> list[Path]:
    out = []
    for gt in sorted(folder.glob("*.json")):
        meta = json.loads(gt.read_text(encoding="utf-8"))
        if bool(meta.get("scanned")) == scanned and meta.get("variant") != "docx":
            out.append(folder / meta["file"])
    return out


def run_path(kind: str, folder: Path, repeat: int) -> dict:
    from pipeline.runner import process_bytes
    from pipeline.settings import get_settings
    from pipeline.stage import StageContext

    if kind == "digital" and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    settings = get_settings(home="/tmp/docintel-bench")
    files = _files(folder, scanned=(kind == "scanned"))
    blobs = [(f.name, f.read_bytes()) for f in files]
    # warm-up, untimed: models (OCR, the contract NER) load once per process, as in a worker
    warm = StageContext(settings=settings)
    for name, data in blobs[:3] if kind == "scanned" else blobs:
        process_bytes(data, name, settings, ctx=warm)
    ctx = StageContext(settings=settings)
    pages = 0
    t0 = time.perf_counter()
    for _ in range(repeat):
        for name, data in blobs:
            for doc in process_bytes(data, name, settings, ctx=ctx):
                pages += len(doc.pages)
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ocr = ctx.timings.get("ocr_engine", 0.0)
    checks = ctx.timings.get("checks", 0.0)
    return {"overhead_beyond_ocr_without_checks": round((elapsed - ocr - checks) / elapsed, 3) if ocr else None,"path": kind, "files": len(files), "pages": pages, "seconds": round(elapsed, 2),
            "pages_per_s": round(pages / elapsed, 2), "s_per_page": round(elapsed / pages, 3),
            "peak_rss_mb": round(peak_mb), "ocr_engine_s": round(ocr, 2),
            "overhead_beyond_ocr": round((elapsed - ocr) / elapsed, 3) if ocr else None,
            "stages": {k: round(v, 2) for k, v in sorted(ctx.timings.items())}}


def _warm_worker(threads: int) -> None:
    from pipeline.runner import process_bytes
    from pipeline.settings import get_settings

    os.environ["DOCINTEL_OCR__THREADS"] = str(threads)
    settings = get_settings(home="/tmp/docintel-bench")
    warm = _files(REPO / "samples" / "committed", scanned=True)[0]
    process_bytes(warm.read_bytes(), warm.name, settings)


def _pages_of(path: str) -> int:
    from pipeline.runner import process_bytes
    from pipeline.settings import get_settings

    data = Path(path).read_bytes()
    return sum(len(d.pages) for d in process_bytes(data, Path(path).name, get_settings(home="/tmp/docintel-bench")))


def run_workers(folder: Path, repeat: int, workers: int, threads: int) -> dict:
    """Throughput of the scanned path with ``workers`` processes of ``threads`` OCR threads each
    (``docintel extract --jobs``), models warmed in each worker first."""
    from concurrent.futures import ProcessPoolExecutor

    files = [str(f) for f in _files(folder, scanned=True)] * repeat
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm_worker, initargs=(threads,)) as pool:
        list(pool.map(time.sleep, [0.5] * workers))  # every worker started and warm
        t0 = time.perf_counter()
        pages = sum(pool.map(_pages_of, files))
        elapsed = time.perf_counter() - t0
    return {"path": f"scanned, {workers} workers x {threads} threads", "pages": pages,
            "seconds": round(elapsed, 2), "pages_per_s": round(pages / elapsed, 2),
            "s_per_page": round(elapsed / pages, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=Path, default=REPO / "samples" / "committed")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--path", choices=["digital", "scanned"], help="run one path in this process")
    ap.add_argument("--workers", type=int, help="scanned throughput with N worker processes")
    ap.add_argument("--threads", type=int, default=2, help="OCR threads per worker (with --workers)")
    args = ap.parse_args()
    if args.workers:
        print(json.dumps(run_workers(args.samples, args.repeat, args.workers, args.threads)))
        return
    if args.path:
        print(json.dumps(run_path(args.path, args.samples, args.repeat)))
        return
    for kind, repeat in (("digital", args.repeat * 5), ("scanned", 1)):
        out = subprocess.run([sys.executable, __file__, "--path", kind, "--samples", str(args.samples),
                              "--repeat", str(repeat)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        line = (f"{kind:8s} {r['pages']:4d} pages  {r['pages_per_s']:7.2f} pages/s  {r['s_per_page']:.3f} s/page  "
                f"peak {r['peak_rss_mb']} MB")
        if r["overhead_beyond_ocr"] is not None:
            line += (f"  OCR engine {r['ocr_engine_s']} s, pipeline overhead {r['overhead_beyond_ocr'] * 100:.1f} %"
                     f" ({r['overhead_beyond_ocr_without_checks'] * 100:.1f} % without the risk checks)")
        print(line)
        print("         stages:", r["stages"])


if __name__ == "__main__":
    main()
