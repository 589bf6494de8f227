"""The ``paddleocr`` package (optional extra ``[paddle]``, ~1.3 GB) on the PP-OCRv6 ONNX
files through its ONNX Runtime engine, offline.

``settings.paddle_model_dir`` must hold ``det/`` and ``rec/`` folders, each with
``inference.onnx`` + ``inference.yml`` (written by ``docintel models paddle-dir``).
Measured (notes.md): 3.25 s/page, 2.3 GB peak; rapidocr reads the same models faster.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from extractors.ocr.base import make_line, sort_lines
from pipeline.errors import OcrUnavailable
from pipeline.settings import OcrSettings
from pipeline.types import Line

INSTALL_HINT = "paddleocr is not installed: pip install .[paddle] and run `docintel models paddle-dir`"


class PaddleOcrEngine:
    """``OcrEngine`` over ``paddleocr.PaddleOCR`` (3.x predict API)."""

    name = "paddleocr"

    def __init__(self, cfg: OcrSettings) -> None:
        try:
            from paddleocr import PaddleOCR
        except ImportError as e:
            raise OcrUnavailable(INSTALL_HINT) from e
        root = Path(cfg.paddle_model_dir or "")
        det, rec = root / "det", root / "rec"
        if not cfg.paddle_model_dir or not all((d / "inference.onnx").is_file() for d in (det, rec)):
            raise OcrUnavailable(
                f"paddleocr model dir {root} lacks det/ and rec/ inference.onnx: "
                "run `docintel models paddle-dir`"
            )
        try:
            self._ocr = PaddleOCR(
                engine="onnxruntime",
                text_detection_model_dir=str(det),
                text_recognition_model_dir=str(rec),
                use_doc_orientation_classify=False,
                use_doc_unwarping=False,
                use_textline_orientation=False,
                text_det_limit_side_len=cfg.det_limit_side_len or None,
                text_det_limit_type="max" if cfg.det_limit_side_len else None,
                cpu_threads=cfg.threads,
            )
        except Exception as e:
            raise OcrUnavailable(f"paddleocr could not start: {e}") from e
        self._lock = threading.Lock()

    def recognize(self, image: np.ndarray, dpi: float) -> list[Line]:
        with self._lock:
            results = list(self._ocr.predict(image))
        scale = 72.0 / dpi
        lines: list[Line] = []
        for res in results:
            r = res.json.get("res", res) if hasattr(res, "json") else res
            for text, score, poly in zip(r["rec_texts"], r["rec_scores"], r["rec_polys"]):
                if text.strip():
                    lines.append(make_line(text, float(score), np.asarray(poly), scale))
        return sort_lines(lines)
