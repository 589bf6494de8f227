"""rapidocr (PP-OCRv6 small det/rec + v2 angle classifier, ONNX files inside the wheel).

Offline by construction: every model is passed as an explicit ``model_path`` into the
wheel's ``rapidocr/models`` folder, so rapidocr never consults its download table.

Inference backend: OpenVINO when ``openvino`` is importable and ``PREFER_OPENVINO`` is
true (same ONNX files, ~2-3x faster on CPU), else ONNX Runtime.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import threading
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from extractors.ocr.base import make_line, sort_lines
from pipeline.errors import OcrUnavailable
from pipeline.settings import OcrSettings
from pipeline.types import Line

PREFER_OPENVINO = True  # use OpenVINO when importable (measured faster; see README numbers)
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
# rapidocr shrinks any image whose long side exceeds Global.max_side_len (default 2000)
# before detection AND recognition; keep full resolution for recognition of small print
# (an A4 page at 300 dpi is 3508 px) and let Det.limit_side_len set the detection scale.
MAX_SIDE_LEN = 4000


def openvino_available() -> bool:
    return importlib.util.find_spec("openvino") is not None


def wheel_model_dir() -> Path:
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        raise OcrUnavailable("rapidocr is not installed: pip install rapidocr onnxruntime")
    return Path(spec.origin).parent / "models"


def build_params(cfg: OcrSettings, backend: str) -> dict[str, Any]:
    """rapidocr ``params`` for these settings; ``backend`` is 'onnxruntime' or 'openvino'."""
    from rapidocr.utils.typings import EngineType

    models = wheel_model_dir()
    for name in (DET_MODEL, REC_MODEL, CLS_MODEL):
        if not (models / name).is_file():
            raise OcrUnavailable(f"rapidocr model {name} missing from {models}: reinstall rapidocr")
    et = EngineType.OPENVINO if backend == "openvino" else EngineType.ONNXRUNTIME
    params: dict[str, Any] = {
        "Global.log_level": "warning",
        "Global.use_cls": cfg.use_cls,
        "Global.max_side_len": MAX_SIDE_LEN,
        "Det.model_path": str(models / DET_MODEL),
        "Rec.model_path": str(models / REC_MODEL),
        "Cls.model_path": str(models / CLS_MODEL),
        "Det.engine_type": et,
        "Rec.engine_type": et,
        "Cls.engine_type": et,
        "Rec.rec_img_shape": [3, 48, cfg.rec_min_width],
        "EngineConfig.onnxruntime.intra_op_num_threads": cfg.threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "EngineConfig.openvino.inference_num_threads": cfg.threads,
    }
    if cfg.det_limit_side_len > 0:  # 0 keeps rapidocr's own default (736, "min")
        params["Det.limit_side_len"] = cfg.det_limit_side_len
        params["Det.limit_type"] = "max"
    return params


class RapidOcrEngine:
    """``OcrEngine`` over rapidocr; one instance per process per configuration."""

    name = "rapidocr"

    def __init__(self, cfg: OcrSettings, backend: str | None = None) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as e:  # pragma: no cover - rapidocr is a core dependency
            raise OcrUnavailable(f"rapidocr cannot be imported ({e}): pip install rapidocr") from e
        if backend is None and cfg.backend != "auto":
            backend = cfg.backend
        if backend is None:
            backend = "openvino" if PREFER_OPENVINO and openvino_available() else "onnxruntime"
        self.backend = backend
        self.cfg = cfg
        try:
            self._ocr = RapidOCR(params=build_params(cfg, backend))
        except OcrUnavailable:
            raise
        except Exception as e:
            raise OcrUnavailable(f"rapidocr could not start on {backend}: {e}") from e
        self._lock = threading.Lock()  # a RapidOCR object is not safe to share across threads
        self._rec = rec = self._ocr._load_rec_model()  # rapidocr's lazily built recogniser, built now
        if backend == "openvino":
            rec.session = _OpenVinoRec(rec.session, cfg.threads)
            rec.postprocess_op = _Top1Decode(rec.postprocess_op)
        self._ocr.cal_rec_boxes = _char_boxes()
        det = self._ocr._load_det_model()
        det.get_preprocess = functools.partial(_det_preprocess, det)
        if cfg.rec_width_scale != 1.0:
            rec.resize_norm_img = functools.partial(_narrowed, rec.rec_image_shape, cfg.rec_width_scale)

    def recognize(self, image: np.ndarray, dpi: float) -> list[Line]:
        image = _bgr(image)
        x0, y0, x1, y1 = inked_area(image)
        crop = image[y0:y1, x0:x1]
        res: Any
        with self._lock:
            det = self._ocr._load_det_model()
            limit = self.cfg.det_limit_side_len
            if limit > 0 and max(image.shape[:2]) > limit:  # the page's detection scale, kept for its inked part
                det.limit_side_len = max(32, round(limit * max(crop.shape[:2]) / max(image.shape[:2])))
            try:
                res = self._ocr(
                    crop,
                    use_det=True,
                    use_cls=self.cfg.use_cls,
                    use_rec=True,
                    return_word_box=True,
                    return_single_char_box=True,
                )
            finally:
                if limit > 0:
                    det.limit_side_len = limit
        if not getattr(res, "txts", None) or res.boxes is None:
            return []
        scale = 72.0 / dpi
        words = _align_char_results(list(res.txts), _moved_chars(res.word_results, x0, y0))
        boxes = np.asarray(res.boxes, dtype=np.float64) + (x0, y0)
        lines = [
            make_line(txt, float(score), quad, scale, chars)
            for txt, score, quad, chars in zip(res.txts, res.scores, boxes, words)
        ]
        return sort_lines(lines)

    def score_crops(self, crops: list[np.ndarray]) -> list[tuple[float, int]]:
        """Recognition only (no detection) on single-line crops, batched: per crop the
        mean character score and the number of characters read. Upright text scores
        clearly higher than the same crop turned 180 degrees (used by ``preprocess``)."""
        from rapidocr.ch_ppocr_rec import TextRecInput

        if not crops:
            return []
        with self._lock:
            out = self._rec(TextRecInput(img=[_bgr(c) for c in crops]))
        return [(float(s) if t else 0.0, len(t.strip())) for t, s in zip(out.txts, out.scores)]


class _Top1(NamedTuple):
    """Per line and time step: the best class and its probability (what CTC greedy decoding reads)."""

    index: np.ndarray  # (lines, steps) int
    prob: np.ndarray  # (lines, steps) float


class _OpenVinoRec:
    """rapidocr's OpenVINO recogniser session with the best class per time step taken inside the graph,
    each batch split over two inference streams.

    The recogniser's output is a probability for each of 18,708 characters per time step: a 6-line
    batch of wide lines is ~100 MB that rapidocr copied out and scanned in numpy for its argmax and max.
    A TopK(1) on the graph's output hands back only those two numbers per step (same decode). And one
    small-line inference does not keep two cores busy: two streams of one thread each run two halves of
    the batch at once (16 % less OCR time per page measured on the committed scans)."""

    def __init__(self, session: Any, threads: int) -> None:
        import openvino as ov
        import openvino.opset13 as ops

        self._inner = session
        model = session.model.clone()
        probs = model.get_results()[0].input_value(0)
        probs.get_tensor().set_names(set())  # the CPU plugin looks for a result under the old output's name
        top = ops.topk(probs, 1, -1, "max", "none", "i32")
        top1 = ov.Model([ops.result(top.output(0)), ops.result(top.output(1))], model.get_parameters(), "rec_top1")
        streams = 2 if threads >= 2 else 1
        compiled = ov.Core().compile_model(top1, "CPU", {"NUM_STREAMS": str(streams), "INFERENCE_NUM_THREADS": str(threads)})
        self._requests = [compiled.create_infer_request() for _ in range(streams)]

    def __call__(self, batch: np.ndarray) -> _Top1:
        halves = np.array_split(batch, len(self._requests)) if batch.shape[0] >= 2 else [batch]
        used = self._requests[: len(halves)]
        for request, half in zip(used, halves):
            request.start_async({0: half})
        for request in used:
            request.wait()
        return _Top1(np.concatenate([r.get_output_tensor(1).data[..., 0] for r in used]),
                     np.concatenate([r.get_output_tensor(0).data[..., 0] for r in used]))

    def __getattr__(self, name: str) -> Any:  # the character list and other session queries
        return getattr(self._inner, name)


class _Top1Decode:
    """rapidocr's CTC decoder fed the in-graph top-1 (``_OpenVinoRec``) instead of the full output."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __call__(self, preds: _Top1, return_word_box: bool = False, **kw: Any) -> Any:
        return self._inner.decode(preds.index, preds.prob, return_word_box, kw.get("wh_ratio_list", (1.0,)),
                                  kw.get("max_wh_ratio", 1.0), remove_duplicate=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _det_preprocess(det: Any) -> Any:
    """rapidocr's detector input (resize, ``(v / 255 - mean) / std`` per channel, planar float32) with the
    per-pixel arithmetic read from a 256-entry table (``cv2.LUT``): the same numbers, 29 -> 4 ms on an
    A4 page (rapidocr computes it in float64 and copies it twice). Built per call, as rapidocr's own is:
    the detection scale (``limit_side_len``) may change from page to page (``recognize``)."""
    return _table_preprocess()(det.limit_side_len, det.limit_type, det.mean, det.std)


@functools.cache
def _table_preprocess() -> type:
    import cv2
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    class _TableDetPreProcess(DetPreProcess):
        def __call__(self, img: np.ndarray) -> np.ndarray | None:
            resized = self.resize(img)
            if resized is None:
                return None
            levels = np.arange(256, dtype=np.float32)[:, None]
            table = ((levels * self.scale - self.mean) / self.std).astype(np.float32)
            if resized.dtype != np.uint8 or resized.ndim != 3 or resized.shape[2] != table.shape[1]:
                return super().__call__(img)
            planes = cv2.LUT(resized, np.ascontiguousarray(table.reshape(1, 256, -1)))
            return np.ascontiguousarray(planes.transpose(2, 0, 1))[None]

    return _TableDetPreProcess


def _char_boxes() -> Any:
    """rapidocr's per-character box mapper with the crop-to-page mapping done per line, not per point.

    rapidocr maps each corner of each character box back through the crop's perspective with its own
    ``np.dot`` and re-orders each quad with a dozen numpy calls: ~2,400 corners on an invoice page,
    4 % of its OCR time. Here a line's corners go through the inverse perspective in one array
    operation; a quad that comes out in plain top-left, top-right, bottom-right, bottom-left order
    (what rapidocr's ``order_points`` returns for it) is kept as it is, any other goes through
    ``order_points``. Same integer corners (test_ocr)."""
    import cv2
    from rapidocr.cal_rec_boxes import CalRecBoxes
    from rapidocr.cal_rec_boxes.main import Direction

    class _LineWiseBoxes(CalRecBoxes):
        def __call__(self, imgs: Any, dt_boxes: Any, rec_res: Any, return_single_char_box: bool = False) -> Any:
            # rapidocr's, less its two deep copies a line (a third of its time): each line's character
            # boxes are new lists, and the mapping below leaves the detection box as it is
            word_results = []
            for idx, (img, box) in enumerate(zip(imgs, dt_boxes)):
                if rec_res.txts is None or img.size == 0 or rec_res.word_results is None:
                    continue
                h, w = img.shape[:2]
                texts, cells, confs = self.cal_ocr_word_box(
                    rec_res.txts[idx], np.array([[0, 0], [w, 0], [w, h], [0, h]]), rec_res.word_results[idx],
                    return_single_char_box)
                cells = self.reverse_rotate_crop_image(box, self.adjust_box_overlap(cells),
                                                       self.get_box_direction(box))
                word_results.append(list(zip(texts, confs, cells)))
            rec_res.word_results = tuple(word_results)
            return rec_res

        def reverse_rotate_crop_image(self, bbox_points: np.ndarray, word_points_list: Any,
                                      direction: Any) -> list[list[list[int]]]:
            if not word_points_list:
                return []
            left, top = int(np.min(bbox_points[:, 0])), int(np.min(bbox_points[:, 1]))
            bbox_points = bbox_points - np.array([left, top], dtype=bbox_points.dtype)
            crop_w = int(np.linalg.norm(bbox_points[0] - bbox_points[1]))
            crop_h = int(np.linalg.norm(bbox_points[0] - bbox_points[3]))
            std = np.array([[0, 0], [crop_w, 0], [crop_w, crop_h], [0, crop_h]], dtype=np.float32)
            _, inv = cv2.invert(cv2.getPerspectiveTransform(bbox_points, std))
            pts = np.asarray(word_points_list, dtype=np.float64).reshape(-1, 2)
            x, y = pts[:, 0], pts[:, 1]
            if direction == Direction.VERTICAL:  # rapidocr's s_rotate by -90 degrees about the origin
                a = math.radians(-90)
                x, y = x * math.cos(a) + y * math.sin(a) + crop_w, y * math.cos(a) - x * math.sin(a)
            hx = x * inv[0, 0] + y * inv[0, 1] + inv[0, 2]
            hy = x * inv[1, 0] + y * inv[1, 1] + inv[1, 2]
            hz = x * inv[2, 0] + y * inv[2, 1] + inv[2, 2]
            quads = np.stack([np.trunc(hx / hz + left), np.trunc(hy / hz + top)], axis=1).astype(np.int64)
            quads = quads.reshape(-1, 4, 2)
            cx = quads[:, :, 0].mean(axis=1)
            plain = ((quads[:, 0, 0] < cx) & (quads[:, 3, 0] < cx) & (quads[:, 1, 0] > cx) & (quads[:, 2, 0] > cx)
                     & (quads[:, 0, 1] < quads[:, 3, 1]) & (quads[:, 1, 1] < quads[:, 2, 1]))
            return [q.tolist() if ok else self.order_points(q.tolist()) for q, ok in zip(quads, plain)]

    return _LineWiseBoxes()


def _narrowed(shape: tuple[int, int, int], scale: float, img: np.ndarray, max_wh_ratio: float) -> np.ndarray:
    """rapidocr's ``resize_norm_img`` with every crop and the batch width narrowed by ``scale``.

    PP-OCRv6 rec sees a 48-px-high line; its cost grows with the width, and a printed CJK glyph
    spans more columns than the CTC head needs. Both the crop and the padded width shrink by the
    same factor, so character positions (fractions of the width) map back unchanged."""
    import cv2

    channels, height, _ = shape
    width = max(1, int(height * max_wh_ratio * scale))
    h, w = img.shape[:2]
    resized_w = max(1, min(width, math.ceil(height * w / h * scale)))
    resized = cv2.resize(img, (resized_w, height)).astype(np.float32).transpose((2, 0, 1)) / 255
    out = np.zeros((channels, height, width), dtype=np.float32)
    out[:, :, :resized_w] = (resized - 0.5) / 0.5
    return out


INK_DROP = 40  # grey levels under the paper's that count as ink
INK_MARGIN = 24  # px of paper kept around the inked area (the detector's context at the edges)
MIN_SAVING = 0.3  # share of the page's area below which the page is read whole (see inked_area)


def inked_area(image: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): the part of the page that holds ink, with a margin; the whole page when its
    margins are narrow. Detection costs as many pixels as it sees, and an A4 contract page is a
    third bare margin: the detector reads the inked part at the page's own scale."""
    h, w = image.shape[:2]
    small = image[::4, ::4]
    small = small.min(axis=2) if small.ndim == 3 else small  # the darkest channel: red ink is ink too
    paper = float(np.percentile(small, 90))
    ink = small < paper - INK_DROP
    rows, cols = np.flatnonzero(ink.sum(axis=1) >= 2), np.flatnonzero(ink.sum(axis=0) >= 2)
    if rows.size == 0 or cols.size == 0:
        return 0, 0, w, h
    x0, x1 = max(0, cols[0] * 4 - INK_MARGIN), min(w, cols[-1] * 4 + 4 + INK_MARGIN)
    y0, y1 = max(0, rows[0] * 4 - INK_MARGIN), min(h, rows[-1] * 4 + 4 + INK_MARGIN)
    if (x1 - x0) * (y1 - y0) > (1 - MIN_SAVING) * w * h:
        return 0, 0, w, h
    return int(x0), int(y0), int(x1), int(y1)


def _moved_chars(word_results: Any, dx: int, dy: int) -> Any:
    """rapidocr's per-character results (text, score, quad) with the quads moved by (dx, dy)."""
    if not word_results or (dx == 0 and dy == 0):
        return word_results
    return [[(t, sc, (np.asarray(q, dtype=np.float64) + (dx, dy)).tolist() if q is not None else None)
             for t, sc, q in line] for line in word_results]


def _bgr(img: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.stack([img] * 3, axis=-1) if img.ndim == 2 else img)


def _align_char_results(txts: list[str], word_results: Any) -> list[Any]:
    """Char boxes per line. rapidocr drops lines without boxes from ``word_results``, so
    when the counts differ, match each line to the next entry whose chars spell it."""
    wr = list(word_results or [])
    if len(wr) == len(txts):
        return wr
    out: list[Any] = []
    j = 0
    for t in txts:
        key = "".join(c for c in t if not c.isspace())
        if j < len(wr) and "".join(str(c[0]) for c in wr[j]) == key:
            out.append(wr[j])
            j += 1
        else:
            out.append(None)
    return out
