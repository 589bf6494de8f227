"""The ``paddleocr`` package (optional extra ``[paddle]``) on the PP-OCRv6 ONNX files
through its ONNX Runtime engine, offline (no paddlepaddle needed).

``settings.paddle_model_dir`` must hold ``det/`` and ``rec/`` folders, each with
``inference.onnx`` + ``inference.yml`` (written by ``docintel models paddle-dir``). With
local model folders paddleocr never asks a model host; ``PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK``
is set anyway so a misconfiguration fails fast instead of probing four hosts.
"""

from __future__ import annotations

import importlib.abc
import importlib.metadata
import os
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

from extractors.ocr.base import CharBox, make_line, sort_lines
from extractors.ocr.paddle_models import DET_NAME, REC_NAME, is_paddle_dir
from pipeline.errors import OcrUnavailable
from pipeline.settings import OcrSettings
from pipeline.types import Line

# the Makefile installs paddleocr/paddlex with --no-deps (their pins clash with opencv-python-headless, numpy)
INSTALL_HINT = ("the paddleocr engine needs the optional extra: pip install .[paddle] && "
                "pip install --no-deps paddleocr==3.7.0 paddlex==3.7.2 (make install does both)")
DIR_HINT = ("run `docintel models paddle-dir` and set DOCINTEL_OCR__PADDLE_MODEL_DIR to the folder it prints "
            "(or use DOCINTEL_OCR__ENGINE=rapidocr, which reads the same models)")


def _import_paddleocr() -> Any:
    try:
        from paddleocr import PaddleOCR
    except ImportError as e:
        raise OcrUnavailable(f"{INSTALL_HINT} ({e})") from e
    return PaddleOCR


class _OpencvAlias(importlib.abc.MetaPathFinder):
    """Answers a metadata lookup of ``opencv-contrib-python`` with ``opencv-python-headless``.

    paddlex imports ``cv2`` and builds its OCR pipeline only when the *distribution*
    opencv-contrib-python (pinned 4.10) is installed. The project ships opencv-python-headless:
    the same ``cv2`` (the two wheels overwrite each other's files), and paddlex's OCR path uses
    no contrib module. Must be in place before paddlex is imported: it checks at import time."""

    names = frozenset({"opencv-contrib-python", "opencv_contrib_python"})

    def find_spec(self, *args: object, **kwargs: object) -> None:
        return None

    def find_distributions(self, context: Any = None) -> list[importlib.metadata.Distribution]:
        name = getattr(context, "name", None)
        if not name or name.lower().replace(".", "-") not in self.names:
            return []
        try:
            return [importlib.metadata.distribution("opencv-python-headless")]
        except importlib.metadata.PackageNotFoundError:
            return []


def _prepare_paddlex() -> None:
    """Before paddlex is imported (it reads both at import): never probe model hosts, accept cv2."""
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    try:
        importlib.metadata.distribution("opencv-contrib-python")
    except importlib.metadata.PackageNotFoundError:
        if not any(isinstance(f, _OpencvAlias) for f in sys.meta_path):
            sys.meta_path.append(_OpencvAlias())


_prepare_paddlex()  # here, not in the engine: paddlex may be imported by someone else before it starts


class PaddleOcrEngine:
    """``OcrEngine`` over ``paddleocr.PaddleOCR`` (3.x ``predict`` API, ``engine="onnxruntime"``)."""

    name = "paddleocr"

    def __init__(self, cfg: OcrSettings) -> None:
        root = Path(cfg.paddle_model_dir).expanduser() if cfg.paddle_model_dir else None
        if root is None:
            raise OcrUnavailable(f"OCR engine paddleocr needs a model folder: {DIR_HINT}")
        if not is_paddle_dir(root):
            raise OcrUnavailable(f"paddleocr model folder {root} lacks det/ and rec/ inference.onnx + "
                                 f"inference.yml: {DIR_HINT}")
        paddle_ocr = _import_paddleocr()
        kwargs: dict[str, Any] = {}
        if cfg.det_limit_side_len > 0:  # 0 keeps the model's own default (736, "min")
            kwargs = {"text_det_limit_side_len": cfg.det_limit_side_len, "text_det_limit_type": "max"}
        try:
            self._ocr = paddle_ocr(
                engine="onnxruntime",
                engine_config={"intra_op_num_threads": cfg.threads, "inter_op_num_threads": 1},
                device="cpu",
                text_detection_model_name=DET_NAME,
                text_detection_model_dir=str(root / "det"),
                text_recognition_model_name=REC_NAME,
                text_recognition_model_dir=str(root / "rec"),
                use_doc_orientation_classify=False,
                use_doc_unwarping=False,
                use_textline_orientation=False,
                return_word_box=True,  # word boxes, for label/value words (see char_boxes)
                **kwargs,
            )
        except Exception as e:
            raise OcrUnavailable(f"paddleocr could not start on {root}: {e}") from e
        self._lock = threading.Lock()  # one pipeline object, not safe to share across threads

    def recognize(self, image: np.ndarray, dpi: float) -> list[Line]:
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        with self._lock:
            results = list(self._ocr.predict(np.ascontiguousarray(image)))
        scale = 72.0 / dpi
        lines: list[Line] = []
        for res in results:
            words = res.get("text_word") or [None] * len(res["rec_texts"])
            regions = res.get("text_word_region") or [None] * len(res["rec_texts"])
            for text, score, poly, wds, regs in zip(res["rec_texts"], res["rec_scores"], res["rec_polys"], words, regions):
                if text.strip():
                    chars = char_boxes(wds, regs, float(score)) if wds is not None else None
                    lines.append(make_line(text, float(score), np.asarray(poly), scale, chars))
        return sort_lines(lines)


def char_boxes(words: list[str], regions: Any, score: float) -> list[CharBox]:
    """Per-character boxes from paddleocr's word boxes (one per CJK char, one per Latin/digit
    run): a run's box is shared out evenly, so ``make_line`` can split label from value."""
    out: list[CharBox] = []
    for word, quad in zip(words, regions):
        chars = [c for c in word if not c.isspace()]
        if not chars:
            continue
        q = np.asarray(quad, dtype=float).reshape(-1, 2)
        x0, y0, x1, y1 = q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()
        step = (x1 - x0) / len(chars)
        for k, ch in enumerate(chars):
            a, b = x0 + k * step, x0 + (k + 1) * step
            out.append((ch, score, [[a, y0], [b, y0], [b, y1], [a, y1]]))
    return out
