"""OCR engines compared on the same pages: CER, field accuracy, seconds per page, peak memory.

Pages: synthetic A4 invoice-like pages with known text (``extractors.ocr.testpage``),
degraded like scans (skew, noise, blur, JPEG; ``samples.scan``) for the character error
rate, and the committed scanned samples (``samples/committed``, ground truth JSON) for
field accuracy through the whole pipeline. Each engine runs in its own process so its
peak RSS is its own. Also: detection scale (``det_limit_side_len``) vs recall of small print.

    .venv/bin/python bench/bench_ocr.py [--pages 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CONFIGS = {
    "rapidocr-openvino": {"DOCINTEL_OCR__ENGINE": "rapidocr", "DOCINTEL_OCR__BACKEND": "openvino"},
    "rapidocr-onnxruntime": {"DOCINTEL_OCR__ENGINE": "rapidocr", "DOCINTEL_OCR__BACKEND": "onnxruntime"},
    "rapidocr-openvino-det1280": {"DOCINTEL_OCR__ENGINE": "rapidocr", "DOCINTEL_OCR__BACKEND": "openvino",
                                  "DOCINTEL_OCR__DET_LIMIT_SIDE_LEN": "1280"},
    "rapidocr-openvino-det960": {"DOCINTEL_OCR__ENGINE": "rapidocr", "DOCINTEL_OCR__BACKEND": "openvino",
                                 "DOCINTEL_OCR__DET_LIMIT_SIDE_LEN": "960"},
    "rapidocr-openvino-rec0.7": {"DOCINTEL_OCR__ENGINE": "rapidocr", "DOCINTEL_OCR__BACKEND": "openvino",
                                 "DOCINTEL_OCR__REC_WIDTH_SCALE": "0.7"},
    "tesseract": {"DOCINTEL_OCR__ENGINE": "tesseract"},
    "paddleocr": {"DOCINTEL_OCR__ENGINE": "paddleocr"},
}


def _pages(n: int, small_pt: float | None = None):
    import numpy as np
    from PIL import Image

    from extractors.ocr.testpage import invoice_lines, render_texts
    from samples.scan import degrade, scan_params

    out = []
    for k in range(n):
        items = invoice_lines()
        if small_pt:
            items = [(x, y, t, small_pt) for x, y, t, _ in items]
        img, drawn = render_texts(items)
        rng = random.Random(100 + k)
        params = {**scan_params(rng), "rotation": 0}
        pil = degrade(Image.fromarray(img[:, :, ::-1]), rng, params)
        out.append((np.asarray(pil.convert("RGB"))[:, :, ::-1].copy(), drawn))
    return out


def _cer(engine, pages) -> tuple[float, float]:
    from extractors.normalize.text import normalize_text
    from extractors.ocr.testpage import edit_distance
    from extractors.preprocess import upright

    errors = total = 0
    t0 = time.perf_counter()
    for img, drawn in pages:
        img, _, _ = upright(img, engine)  # as the pipeline does: deskew before reading
        lines = engine.recognize(img, 200.0)
        got = "".join(normalize_text(ln.text, keep_punct=False).replace(" ", "") for ln in lines)
        want = "".join(normalize_text(d.text, keep_punct=False).replace(" ", "") for d in drawn)
        errors += edit_distance(got, want)
        total += len(want)
    return errors / max(total, 1), (time.perf_counter() - t0) / len(pages)


def run_engine(name: str, n_pages: int) -> dict:
    from api.evaluate import evaluate_folder
    from extractors.ocr import get_engine
    from pipeline.errors import OcrUnavailable
    from pipeline.settings import get_settings

    if name == "paddleocr" and not os.environ.get("DOCINTEL_OCR__PADDLE_MODEL_DIR"):  # built from the rapidocr wheel
        from extractors.ocr.paddle_models import build_paddle_dir

        os.environ["DOCINTEL_OCR__PADDLE_MODEL_DIR"] = str(build_paddle_dir(Path(tempfile.mkdtemp(prefix="docintel-pd-"))))
    settings = get_settings(home=tempfile.mkdtemp(prefix="docintel-bench-"))
    try:
        engine = get_engine(settings.ocr)
    except OcrUnavailable as exc:
        return {"engine": name, "unavailable": str(exc)}
    cer, s_page = _cer(engine, _pages(n_pages))
    cer_small, _ = _cer(engine, _pages(1, small_pt=6.5))
    scans = Path(tempfile.mkdtemp(prefix="docintel-scans-"))
    for gt in (REPO / "samples" / "committed").glob("*.json"):
        meta = json.loads(gt.read_text(encoding="utf-8"))
        if meta.get("scanned"):
            shutil.copy(gt, scans / gt.name)
            shutil.copy(gt.parent / meta["file"], scans / meta["file"])
    t0 = time.perf_counter()
    result = evaluate_folder(scans)
    pipeline_s = time.perf_counter() - t0
    pages = sum(json.loads(p.read_text())["pages"] for p in scans.glob("*.json"))
    acc = result.overall["scanned"]
    return {"engine": name, "cer": round(cer, 4), "cer_6.5pt": round(cer_small, 4), "ocr_s_per_page": round(s_page, 2),
            "field_accuracy": round(acc.rate, 3), "pipeline_s_per_page": round(pipeline_s / max(pages, 1), 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=3)
    ap.add_argument("--engine", choices=sorted(CONFIGS), help="run one engine in this process")
    args = ap.parse_args()
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.pages)))
        return
    print(f"{'engine':26s} {'CER':>7s} {'CER 6.5pt':>9s} {'OCR s/pg':>8s} {'fields':>7s} {'pipeline s/pg':>13s} {'peak MB':>8s}")
    for name, env in CONFIGS.items():
        out = subprocess.run([sys.executable, __file__, "--engine", name, "--pages", str(args.pages)],
                             check=False, capture_output=True, text=True, env={**os.environ, **env})
        lines = out.stdout.strip().splitlines()
        if out.returncode or not lines:
            print(f"{name:26s} failed: {out.stderr.strip().splitlines()[-1:] or '?'}")
            continue
        r = json.loads(lines[-1])
        if "unavailable" in r:
            print(f"{name:26s} unavailable: {r['unavailable']}")
            continue
        print(f"{name:26s} {r['cer']:7.2%} {r['cer_6.5pt']:9.2%} {r['ocr_s_per_page']:8.2f} {r['field_accuracy']:7.3f} "
              f"{r['pipeline_s_per_page']:13.2f} {r['peak_rss_mb']:8d}")


if __name__ == "__main__":
    main()
