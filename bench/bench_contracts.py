"""Contract understanding speed: segmentation + term rules (+ model) per contract, on text already laid out.

    .venv/bin/python bench/bench_contracts.py [folder-with-contracts] [--repeat 5]

Layout comes from the pipeline once (digital files only); the timed part is
extractors.contracts.terms.extract_terms, with and without the spaCy model.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default=str(REPO / "samples" / "committed"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from extractors.contracts.terms import extract_terms
    from extractors.layout import page_index
    from extractors.ner.model import get_model
    from pipeline.runner import process_path
    from pipeline.settings import get_settings

    settings = get_settings(home=tempfile.mkdtemp())
    docs = []
    for gt in sorted(Path(args.folder).glob("con_*.json")):
        meta = json.loads(gt.read_text(encoding="utf-8"))
        if meta.get("scanned"):
            continue
        for d in process_path(gt.parent / meta["file"], settings):
            docs.append((d, page_index(d.pages)))
    t0 = time.perf_counter()
    get_model()
    load = time.perf_counter() - t0
    for use_model in (False, True):
        t0 = time.perf_counter()
        n = 0
        for _ in range(args.repeat):
            for d, index in docs:
                d.fields.clear()
                extract_terms(d, index, use_model=use_model)
                n += 1
        dt = time.perf_counter() - t0
        print(f"{'rules + model' if use_model else 'rules only   '}: {n} contracts, {1000 * dt / max(n, 1):.1f} ms/contract")
    print(f"model load (once per process): {load:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
