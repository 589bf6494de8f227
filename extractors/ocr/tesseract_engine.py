"""Tesseract 5 through pytesseract (``chi_sim+eng``, ``--psm 6``), one OpenMP thread.

Measured on 2 cores (notes.md): 9.5 s/page with OpenMP threads, 1.1 s with
``OMP_THREAD_LIMIT=1``; weaker than rapidocr on capital numerals and ¥.
"""

from __future__ import annotations

import os
import shutil
import threading

import numpy as np

from extractors.ocr.base import sort_lines, union_bbox
from pipeline.errors import OcrUnavailable
from pipeline.settings import OcrSettings
from pipeline.types import Line, Word

LANGS = "chi_sim+eng"
CONFIG = "--psm 6"
APT_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"


def _cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def join_words(words: list[str]) -> str:
    """Tesseract splits Chinese into one 'word' per character: join without spaces
    between CJK neighbours, with one space elsewhere."""
    out = ""
    for w in words:
        if out and not (_cjk(out[-1]) or _cjk(w[0])):
            out += " "
        out += w
    return out


def split_on_gaps(words: list[Word], factor: float = 2.0) -> list[list[Word]]:
    """``--psm 6`` reads a page as one block, so a row of two columns comes back as one
    line: split where the gap between words exceeds ``factor`` x the line height."""
    words = sorted(words, key=lambda w: w.bbox[0])
    h = float(np.median([w.bbox[3] - w.bbox[1] for w in words]))
    out = [[words[0]]]
    for w in words[1:]:
        if w.bbox[0] - out[-1][-1].bbox[2] > factor * h:
            out.append([w])
        else:
            out[-1].append(w)
    return out


class TesseractEngine:
    """``OcrEngine`` over the tesseract binary."""

    name = "tesseract"

    def __init__(self, cfg: OcrSettings) -> None:
        try:
            import pytesseract
        except ImportError as e:
            raise OcrUnavailable("pytesseract is not installed: pip install pytesseract") from e
        if shutil.which("tesseract") is None:
            raise OcrUnavailable(f"the tesseract binary is not installed: {APT_HINT}")
        os.environ["OMP_THREAD_LIMIT"] = "1"  # inherited by the tesseract child processes
        try:
            langs = set(pytesseract.get_languages(config=""))
        except Exception as e:  # pragma: no cover - broken installation
            raise OcrUnavailable(f"tesseract does not run ({e}): {APT_HINT}") from e
        missing = {"chi_sim", "eng"} - langs
        if missing:
            raise OcrUnavailable(
                f"tesseract language data missing ({', '.join(sorted(missing))}): {APT_HINT}"
            )
        self._tess = pytesseract
        self.cfg = cfg
        self._lock = threading.Lock()

    def recognize(self, image: np.ndarray, dpi: float) -> list[Line]:
        rgb = image[:, :, ::-1] if image.ndim == 3 else image
        data = self._tess.image_to_data(
            np.ascontiguousarray(rgb),
            lang=LANGS,
            config=f"{CONFIG} --dpi {int(dpi)}",
            output_type=self._tess.Output.DICT,
        )
        scale = 72.0 / dpi
        groups: dict[tuple[int, int, int, int], list[Word]] = {}
        for i, text in enumerate(data["text"]):
            text = (text or "").strip()
            conf = float(data["conf"][i])
            if not text or conf < 0:
                continue
            x, y, w, h = (data[k][i] for k in ("left", "top", "width", "height"))
            key = (data["page_num"][i], data["block_num"][i], data["par_num"][i], data["line_num"][i])
            groups.setdefault(key, []).append(
                Word(
                    text=text,
                    bbox=(x * scale, y * scale, (x + w) * scale, (y + h) * scale),
                    confidence=conf / 100.0,
                    source="ocr",
                )
            )
        lines = [
            Line(
                text=join_words([w.text for w in ws]),
                bbox=union_bbox([w.bbox for w in ws]),
                words=ws,
                confidence=float(np.mean([w.confidence for w in ws])),
                source="ocr",
            )
            for group in groups.values()
            for ws in split_on_gaps(group)
        ]
        return sort_lines(lines)
