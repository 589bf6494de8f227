"""Load test: N concurrent uploads over loopback against `docintel serve` with 1, 2 and 4 rq workers.

    .venv/bin/python bench/load.py --n 24 --workers 1 2 4 [--redis redis://127.0.0.1:6379/14]

Each round: a fresh home (SQLite + local store), the API (uvicorn) in this process on a free
port, k ``docintel worker`` subprocesses, N uploads at once from N threads, each polled until
its record is ready. Prints documents/min (N over first upload → last result) and the p50/p95
time from upload to result. Uses the small digital PDFs in samples/committed (no OCR).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
FILES = ["inv_0008.pdf", "vou_0003.pdf", "vou_0012.pdf", "inv_0016.pdf", "inv_0007.pdf"]


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def one_round(n: int, workers: int, redis_url: str) -> dict[str, float]:
    import httpx
    import uvicorn
    from redis import Redis
    from rq import Worker

    from api.app import create_app
    from pipeline.settings import get_settings
    from storage import service_repository as srepo

    Redis.from_url(redis_url).flushdb()
    home = Path(tempfile.mkdtemp(prefix="docintel-load-"))
    settings = get_settings(home=home, queue={"redis_url": redis_url})
    app = create_app(settings)
    with app.state.sessions.begin() as s:
        key = srepo.create_api_key(s, org="bench", role="clerk", name="bench").key
    port = _port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    env = {**os.environ, "DOCINTEL_HOME": str(home), "DOCINTEL_QUEUE__REDIS_URL": redis_url,
           "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--name", f"load-{workers}-{i}"],
                              cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i in range(workers)]
    conn = Redis.from_url(redis_url)
    while len(Worker.all(connection=conn)) < workers or not server.started:
        time.sleep(0.2)
    base, headers = f"http://127.0.0.1:{port}", {"X-API-Key": key}
    blobs = [(name, (REPO / "samples" / "committed" / name).read_bytes()) for name in FILES]

    def run(i: int) -> tuple[float, float]:
        name, data = blobs[i % len(blobs)]
        with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
            t0 = time.perf_counter()
            r = c.post("/api/v1/documents", files={"file": (f"{i}-{name}", data)})
            if r.status_code != 202:
                raise RuntimeError(f"upload answered {r.status_code}: {r.text[:300]}")
            doc = r.json()[0]
            while True:
                r = c.get(f"/api/v1/documents/{doc['id']}")
                if r.status_code != 200:
                    raise RuntimeError(f"GET answered {r.status_code}: {r.text[:300]}")
                if r.json()["status"] in ("done", "partial", "failed"):
                    break
                time.sleep(0.1)
            return t0, time.perf_counter()

    try:
        with ThreadPoolExecutor(n) as pool:
            spans = list(pool.map(run, range(n)))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
        server.should_exit = True
    lat = sorted(end - start for start, end in spans)
    wall = max(e for _, e in spans) - min(s for s, _ in spans)
    return {"workers": workers, "docs_per_min": n / wall * 60, "p50_s": statistics.median(lat),
            "p95_s": lat[max(0, round(0.95 * len(lat)) - 1)], "wall_s": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=24, help="concurrent uploads per round")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--redis", default=os.environ.get("DOCINTEL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = ap.parse_args()
    print(f"{args.n} concurrent uploads ({', '.join(FILES)} in turn), cpu count {os.cpu_count()}")
    print(f"{'workers':>7} {'docs/min':>9} {'p50 s':>7} {'p95 s':>7} {'wall s':>7}")
    for k in args.workers:
        r = one_round(args.n, k, args.redis)
        print(f"{r['workers']:>7} {r['docs_per_min']:>9.1f} {r['p50_s']:>7.2f} {r['p95_s']:>7.2f} {r['wall_s']:>7.2f}",
              flush=True)


if __name__ == "__main__":
    main()
