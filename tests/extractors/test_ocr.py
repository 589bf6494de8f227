"""OCR engines on a page drawn in the test (known text, known boxes)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from extractors.ocr import OcrEngine, get_engine
from extractors.ocr.base import chars_to_words
from extractors.ocr.testpage import FONT_PATH, invoice_page
from extractors.ocr.textnorm import fix_numeric, normalize_text
from pipeline.settings import OcrSettings

pytestmark = pytest.mark.skipif(not FONT_PATH.exists(), reason="needs fonts-wqy-microhei")

TOTAL_WORDS = "价税合计(大写)伍拾陆万玖仟伍佰贰拾圆整"


@pytest.fixture(scope="session")
def engine() -> OcrEngine:
    return get_engine(OcrSettings())  # cached: every test module shares one instance


@pytest.fixture(scope="session")
def page() -> tuple[np.ndarray, list]:
    return invoice_page(dpi=200, n_rows=8)


@pytest.fixture(scope="session")
def lines(engine, page):
    return engine.recognize(page[0], 200)


def _find(lines, needle: str):
    return next(ln for ln in lines if needle in normalize_text(ln.text))


def test_get_engine_is_cached(engine) -> None:
    assert get_engine(OcrSettings()) is engine
    assert isinstance(engine, OcrEngine)


def test_rapidocr_reads_known_text(lines) -> None:
    texts = {normalize_text(ln.text).replace(" ", "") for ln in lines}
    assert TOTAL_WORDS in texts
    assert any(t.endswith("¥569520.00") for t in texts)
    assert "发票号码:24312000000123456789" in texts
    assert all(ln.source == "ocr" and 0 < ln.confidence <= 1 for ln in lines)


def test_boxes_are_points_where_drawn(lines, page) -> None:
    _, drawn = page
    for d in drawn:
        if d.text.startswith(("价税合计", "发票号码", "开票人")):
            ln = _find(lines, normalize_text(d.text)[:4])
            assert all(abs(a - b) < 4 for a, b in zip(ln.bbox, d.bbox)), (ln.bbox, d.bbox)


def test_words_split_label_and_value(lines, page) -> None:
    ln = _find(lines, "发票号码")
    words = [w.text for w in ln.words]
    assert words[0] == "发票号码" and words[-1] == "24312000000123456789"
    value = ln.words[-1].bbox
    assert value[0] > ln.bbox[0] + 30 and abs(value[2] - ln.bbox[2]) < 4
    amount = _find(lines, "569520").words[-1]
    assert normalize_text(amount.text) == "¥569520.00"
    drawn = next(d for d in page[1] if d.text.endswith("¥569520.00"))
    assert abs(amount.bbox[2] - drawn.bbox[2]) < 4


def test_chars_to_words_splits_on_space_kind_and_gap() -> None:
    def q(x0: float, x1: float) -> list[list[float]]:
        return [[x0, 0], [x1, 0], [x1, 10], [x0, 10]]

    chars = [("金", 1.0, q(0, 10)), ("额", 1.0, q(10, 20)), ("：", 1.0, q(20, 25)),
             ("1", 0.9, q(26, 31)), ("2", 1.0, q(31, 36)), ("X", 1.0, q(60, 66))]
    words = chars_to_words("金额：12 X", chars, 0.5)
    assert [w.text for w in words] == ["金额", "：", "12", "X"]
    assert words[2].bbox == (13.0, 0.0, 18.0, 5.0) and words[2].confidence == 0.9
    assert chars_to_words("different", chars, 1.0) is None


def test_normalize_text() -> None:
    assert normalize_text("⼦公司（大写）￥１２：\u200bAB") == "子公司(大写)¥12:AB"
    assert fix_numeric("1O0.l2I") == "100.121"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr not installed")
def test_tesseract_reads_most(page) -> None:
    pytest.importorskip("pytesseract")
    img, drawn = page
    lines = get_engine(OcrSettings(engine="tesseract")).recognize(img, 200)
    got = "".join(normalize_text(ln.text) for ln in lines).replace(" ", "")
    want = "".join(normalize_text(d.text) for d in drawn).replace(" ", "")
    hits = sum(1 for ch in set(want) if ch in got)
    assert hits / len(set(want)) > 0.8
    assert "24312000000123456789" in got
    ln = next(ln for ln in lines if "24312000000123456789" in ln.text.replace(" ", ""))
    d = next(d for d in drawn if d.text.startswith("发票号码"))
    assert abs(ln.bbox[0] - d.bbox[0]) < 5 and abs(ln.bbox[3] - d.bbox[3]) < 5


def test_a_vertical_stack_of_characters_becomes_one_line_per_row() -> None:
    """The unit column 项/项/月 read as one tall box gives each row its own character."""
    from extractors.ocr.base import sort_lines
    from pipeline.types import Line, Word

    stack = Line(text="项项月", bbox=(300.0, 100.0, 310.0, 160.0), words=[Word(text="项项月", bbox=(300.0, 100.0, 310.0, 160.0))])
    rows = [Line(text=f"row{i}", bbox=(50.0, 102.0 + 20 * i, 120.0, 112.0 + 20 * i)) for i in range(3)]
    out = sort_lines([stack, *rows])
    assert [ln.text for ln in out] == ["row0", "项", "row1", "项", "row2", "月"]
    wide = Line(text="项目名称", bbox=(50.0, 10.0, 100.0, 22.0))
    assert [ln.text for ln in sort_lines([wide])] == ["项目名称"]
    # rows set tight (12.5 pt apart, the box 15 pt wide): units alone still split, a label stays whole
    tight = Line(text="项项", bbox=(249.0, 171.0, 264.0, 196.0))
    assert [ln.text for ln in sort_lines([tight])] == ["项", "项"]
    label = Line(text="付款人", bbox=(20.0, 300.0, 35.0, 345.0))
    assert [ln.text for ln in sort_lines([label])] == ["付款人"]


def _reads_like(other, lines) -> None:
    """``other`` (the test page read another way) has the same text and words where ``lines`` has them."""
    squash = lambda ls: {normalize_text(ln.text).replace(" ", "") for ln in ls}
    assert TOTAL_WORDS in squash(other) and "发票号码:24312000000123456789" in squash(other)
    assert len(squash(other) & squash(lines)) >= 0.9 * len(squash(lines))
    wide: dict[str, list] = {}
    for w in (w for ln in lines for w in ln.words or []):
        wide.setdefault(w.text, []).append(w.bbox)
    moved = [min(max(abs(a - b) for a, b in zip(w.bbox, box)) for box in wide[w.text])
             for ln in other for w in ln.words or [] if w.text in wide]
    assert len(moved) > 20 and float(np.median(moved)) < 2.0 and float(np.percentile(moved, 90)) < 6.0


def test_narrowed_recognition_reads_the_same_text_and_keeps_word_boxes(lines, page) -> None:
    """Line crops narrowed before recognition (``rec_width_scale``, less work per line) read the same
    page, and the words' boxes still fall where they were drawn: the crop and the padded batch shrink
    by the same factor, so character positions map back unchanged."""
    _reads_like(get_engine(OcrSettings(rec_width_scale=0.7)).recognize(page[0], 200), lines)


def test_batches_of_short_lines_padded_less_read_as_paddleocrs_320_px(lines, page) -> None:
    """The default pads a recognition batch to its own widest line (at least ``rec_min_width`` = 160 px),
    not to PaddleOCR's 320 px: same text, same word boxes as the 320-px padding on the test page."""
    assert OcrSettings().rec_min_width < 320
    _reads_like(lines, get_engine(OcrSettings(rec_min_width=320)).recognize(page[0], 200))


def test_rec_width_scale_out_of_range_is_a_clear_settings_error() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="rec_width_scale"):
        OcrSettings(rec_width_scale=0)


def test_openvino_recogniser_top1_in_graph_equals_argmax_of_the_full_output(engine) -> None:
    """The recogniser session hands back only the best class per time step and its probability
    (TopK in the OpenVINO graph): exactly the argmax and max of the model's full output, on a batch
    split over both streams."""
    from extractors.ocr.rapidocr_engine import _OpenVinoRec

    rec = engine._rec
    assert isinstance(rec.session, _OpenVinoRec)  # the default backend is OpenVINO (a core dependency)
    import openvino as ov

    full = ov.Core().compile_model(rec.session.model, "CPU").create_infer_request()
    batch = np.random.default_rng(7).uniform(-1, 1, (5, 3, 48, 200)).astype(np.float32)
    full.infer({0: batch})
    probs = full.get_output_tensor().data
    top = rec.session(batch)
    assert top.index.shape == probs.shape[:2]
    assert np.array_equal(top.index, probs.argmax(axis=2))
    assert np.allclose(top.prob, probs.max(axis=2), atol=1e-6)


def test_detection_reads_only_the_inked_part_and_boxes_stay_on_the_page(engine, lines, page) -> None:
    """A page with wide bare margins is detected on its inked part only (at the page's scale): same text,
    and every box where it is on the whole page."""
    from extractors.ocr.rapidocr_engine import INK_MARGIN, inked_area

    img = page[0]
    pad = 400
    wide = np.full((img.shape[0] + 2 * pad, img.shape[1] + 2 * pad) + img.shape[2:], 255, img.dtype)
    wide[pad:pad + img.shape[0], pad:pad + img.shape[1]] = img
    x0, y0, x1, y1 = inked_area(wide)
    assert x0 >= pad - INK_MARGIN - 4 and y0 >= pad - INK_MARGIN - 4  # the bare pad is left out
    assert x1 <= pad + img.shape[1] + INK_MARGIN + 4 and y1 <= pad + img.shape[0] + INK_MARGIN + 4
    shift = pad * 72 / 200
    moved = [ln.model_copy(update={"bbox": tuple(v - shift for v in ln.bbox),
                                   "words": [w.model_copy(update={"bbox": tuple(v - shift for v in w.bbox)})
                                             for w in ln.words or []]}) for ln in engine.recognize(wide, 200)]
    _reads_like(moved, lines)
    assert inked_area(np.full((50, 60, 3), 255, np.uint8)) == (0, 0, 60, 50)  # blank: the whole page


def test_character_boxes_mapped_line_by_line_equal_rapidocrs_own(engine, page) -> None:
    """Character quads mapped back to the page one line at a time (one array operation) are rapidocr's
    own, point by point, on a straight and on a skewed page (float rounding may move a corner by 1 px)."""
    import cv2
    from rapidocr.cal_rec_boxes import CalRecBoxes

    ocr = engine._ocr
    ours = ocr.cal_rec_boxes
    assert type(ours) is not CalRecBoxes
    img = page[0]
    h, w = img.shape[:2]
    skewed = cv2.warpAffine(img, cv2.getRotationMatrix2D((w / 2, h / 2), 2.5, 1.0), (w, h),
                            borderValue=(255, 255, 255))
    n = exact = 0
    for im in (img, skewed):
        try:
            ocr.cal_rec_boxes = CalRecBoxes()
            theirs = ocr(im, return_word_box=True, return_single_char_box=True).word_results
        finally:
            ocr.cal_rec_boxes = ours
        mine = ocr(im, return_word_box=True, return_single_char_box=True).word_results
        assert [[c[0] for c in ln] for ln in mine] == [[c[0] for c in ln] for ln in theirs]
        for a, b in ((a, b) for la, lb in zip(mine, theirs) for a, b in zip(la, lb)):
            n += 1
            exact += a[2] == b[2]
            assert np.abs(np.asarray(a[2]) - np.asarray(b[2])).max() <= 1
    assert n > 300 and exact >= 0.99 * n


def test_detector_input_from_a_table_equals_rapidocrs_arithmetic(engine, page) -> None:
    """The detector's input read from a 256-entry table is rapidocr's own float arithmetic, value for value."""
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    det = engine._ocr._load_det_model()
    ours = det.get_preprocess()
    assert type(ours) is not DetPreProcess
    theirs = DetPreProcess(det.limit_side_len, det.limit_type, det.mean, det.std)
    noisy = np.clip(page[0].astype(np.int16) + np.random.default_rng(3).integers(-40, 40, page[0].shape), 0, 255)
    for img in (page[0], noisy.astype(np.uint8)):
        a, b = ours(img), theirs(img)
        assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
        assert np.array_equal(a, b)
