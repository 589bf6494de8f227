"""IMAGE_TAMPERING cue "bilevel_copy": a digit cell pasted onto a bi-level (1-bit) page."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from classifiers.checks import bilevel_copy as bc
from classifiers.checks import image_forensics, page_pixels
from pipeline.types import Document, Page, RiskFlag, Word
from tests.classifiers.amount_sheet import amount_sheet
from tests.classifiers.boxes import overlaps

ROOT = Path(__file__).resolve().parents[2]
DPI = 200.0
K = DPI / 72.0


def _page(seed: int, *, rows: int = 12, skew: float = 1.1, noise: float = 6.0, font: int = 22) -> tuple[np.ndarray, Page]:
    """A bi-level 'scan' of rows of amounts (many repeated digits): drawn, turned a little, blurred,
    noised, JPEG-compressed and thresholded at 165, as ``samples.scan`` saves a BMP; OCR-like word
    boxes in points."""
    import cv2

    rng = np.random.default_rng(seed)
    img, amounts = amount_sheet(rng, rows, font)
    h, w = img.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
    img = cv2.warpAffine(img, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=240.0)
    img = cv2.GaussianBlur(img, (0, 0), 0.8) + rng.normal(0, noise, img.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=60)
    img = np.asarray(Image.open(buf))
    words = []
    for text, (x0, y0, x1, y1) in amounts:  # the box around the turned word, as OCR reads it
        pts = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x0, y1, 1.0], [x1, y1, 1.0]]) @ turn.T
        (a, b), (c, d) = pts.min(axis=0), pts.max(axis=0)
        words.append(Word(text=text, source="ocr", bbox=(a / K, (b - 1) / K, c / K, (d + 1) / K)))
    return np.where(img > 165, 255, 0).astype(np.uint8), Page(number=1, width=w / K, height=h / K, dpi=DPI, words=words)


def _paste(img: np.ndarray, page: Page, src: int, dst: int, at: float = 2.4, frm: float = 1.3
           ) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """``img`` with a cell 0.55 x the box height wide and the box height tall cut from word ``src``
    (``frm`` cells from its left) and pasted over word ``dst`` (``at`` cells from its left), as
    ``samples.tamper`` image_copy does; returns it and the pasted box in points."""
    out = img.copy()
    sx0, sy0 = (round(v * K) for v in page.words[src].bbox[:2])
    tx0, ty0, ty1 = (round(page.words[dst].bbox[i] * K) for i in (0, 1, 3))
    hgt = ty1 - ty0
    cw = int(hgt * 0.55)
    sx, tx = sx0 + int(frm * cw), tx0 + int(at * cw)
    out[ty0:ty0 + hgt, tx:tx + cw] = img[sy0:sy0 + hgt, sx:sx + cw]
    return out, (tx / K, ty0 / K, (tx + cw) / K, (ty0 + hgt) / K)


def _cue(flags: list[RiskFlag]) -> list[RiskFlag]:
    return [f for f in flags if f.code == "IMAGE_TAMPERING" and f.evidence.get("cue") == "bilevel_copy"]


def _flags(img: np.ndarray, page: Page) -> list[RiskFlag]:
    return bc.bilevel_flags(page_pixels.identity(img), page.words, 1, K)


# ---- synthetic bi-level pages ----

@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_clean_bilevel_page_is_not_flagged_though_glyphs_repeat_exactly(seed: int) -> None:
    img, page = _page(seed)
    assert _cue(image_forensics.check_page(img, page)) == []
    ink = bc.ink_of(img)
    assert ink is not None
    boxes, h = bc.number_boxes(page_pixels.identity(img), bc.latin_numbers(page.words), K)
    found = bc.regions(ink, boxes, h)
    # the page is judged, and whole digits do repeat pixel for pixel on it: what the cue must tell apart
    assert sum(r.width >= bc.MIN_W * h for r in found) >= 1


@pytest.mark.parametrize(("src", "dst", "at"), [(4, 31, 2.4), (7, 20, 1.4), (2, 34, 3.3), (16, 3, 1.4)])
def test_pasted_cell_is_flagged_red_with_its_box(src: int, dst: int, at: float) -> None:
    # cells whose cut lines cross strokes; one cut in the gaps between glyphs, or through a single thin
    # bar, leaves nothing to tell it from a natural repeat (26 of 36 random cells on these synthetic pages)
    img, page = _page(4)
    bad, pasted = _paste(img, page, src, dst, at)
    flags = _cue(image_forensics.check_page(bad, page))
    assert len(flags) == 1 and flags[0].severity == "red"
    ev = flags[0].evidence
    assert ev["page"] == 1 and (overlaps(ev["bbox"], pasted) or overlaps(ev["copy_of"], pasted))
    assert max(ev["cut_rows"]) >= 3


@pytest.mark.parametrize(("seed", "word", "at"), [(1, 6, 1.3), (2, 18, 1.35), (3, 27, 1.35)])
def test_cell_smeared_a_few_pixels_over_its_own_digits_is_flagged(seed: int, word: int, at: float) -> None:
    # a digit cell pasted 5-6 px from where it was cut, at a digit height of 33 px: only a strip as
    # wide as the shift repeats, narrower than the usual windows (vou_0040 in samples.tamper seed 23)
    img, page = _page(seed, font=36)
    bad, pasted = _paste(img, page, word, word, at, 1.0)
    flags = _cue(image_forensics.check_page(bad, page))
    assert len(flags) == 1 and flags[0].severity == "red"
    assert overlaps(flags[0].evidence["bbox"], pasted)  # the strip and the source beside it, one box
    assert _cue(image_forensics.check_page(img, page)) == []


def test_grey_pages_are_left_to_the_other_cues() -> None:
    img, page = _page(4)
    bad, _ = _paste(img, page, 4, 31, 2.4)
    assert _flags(bad, page)
    grey = np.clip(bad.astype(np.int16) + np.random.default_rng(0).integers(-3, 4, bad.shape), 0, 255).astype(np.uint8)
    assert bc.ink_of(grey) is None and _flags(grey, page) == []


def test_page_stored_a_quarter_turned_is_read_along_its_text() -> None:
    from extractors.preprocess import rotate

    img, page = _page(4)
    bad, pasted = _paste(img, page, 7, 20, 1.4)
    stored = rotate(bad, 270)  # the file holds the page on its side; the pipeline turned it upright
    assert np.array_equal(rotate(stored, 90), bad)
    turned = page.model_copy(update={"rotation": 90})
    m = page_pixels.page_map(turned, bad.shape, (stored.shape[1], stored.shape[0]), (stored.shape[1], stored.shape[0]))
    flags = bc.bilevel_flags(page_pixels.StoredPage(stored, m), page.words, 1, K)
    assert flags and flags[0].severity == "red"
    assert overlaps(flags[0].evidence["bbox"], pasted) or overlaps(flags[0].evidence["copy_of"], pasted)


def test_words_mostly_of_letters_are_not_searched() -> None:
    """Latin capitals share stems ('FI' and 'FE' agree up to the E's arms): their repeats end on
    glyph structure, like a cut line. Amounts, ids and currency codes with digits stay."""
    texts = ["1.000,00", "RMB1,234.00", "91320106914B2077XE", "INV-2024-001", "Rechnung", "Invoice2", "金额", "¥12.00"]
    words = [Word(text=t, source="ocr", bbox=(0, 0, 10, 10)) for t in texts]
    assert [w.text for w in bc.latin_numbers(words)] == ["1.000,00", "RMB1,234.00", "91320106914B2077XE",
                                                         "INV-2024-001", "¥12.00"]


# ---- the verdict on grown regions ----

def _region(width: int, deep: tuple[int, int], shift: int = 300) -> bc.Region:
    return bc.Region(100, 50, 100 + width, 72, shift, 40 if shift > 100 else 0, deep[0], deep[1], width, 0, 0)


def test_judge_needs_cut_lines_through_strokes() -> None:
    h = 30.0
    assert bc.judge([_region(18, (0, 0)), _region(20, (1, 0))], h) is None  # whole glyphs repeated
    assert bc.judge([_region(18, (1, 0))], h) is None  # a stroke printed a pixel wider
    sev = bc.judge([_region(18, (0, 4))], h)
    assert sev is not None and sev[0] == "red"
    sev = bc.judge([_region(18, (3, 1))], h)
    assert sev is not None and sev[0] == "red"
    sev = bc.judge([_region(18, (3, 0))], h)  # one stroke cut through
    assert sev is not None and sev[0] == "yellow"
    sev = bc.judge([_region(18, (2, 0))], h)  # as deep as glyphs touching a neighbour get, now and then
    assert sev is not None and sev[0] == "yellow"
    sev = bc.judge([_region(18, (1, 1))], h)
    assert sev is not None and sev[0] == "yellow"
    assert bc.judge([_region(10, (5, 5))], h) is None  # narrower than a digit cell
    mostly_paper = bc.Region(100, 50, 160, 72, 300, 40, 5, 0, 12, 0, 0)  # a glyph's edge and white beyond
    assert bc.judge([mostly_paper], h) is None


def test_judge_is_careful_where_whole_strings_repeat() -> None:
    h = 30.0
    many = [_region(40, (0, 0), shift=200 + i) for i in range(bc.BUSY_MAX + 1)]  # a render: numbers repeat whole
    assert bc.judge([*many[:bc.WIDE_MAX + 1], _region(18, (2, 0))], h) is None
    assert bc.judge([*many[:bc.WIDE_MAX], _region(18, (2, 0))], h) is not None
    assert bc.judge([*many, _region(18, (3, 0))], h) is None
    assert bc.judge([*many[1:], _region(18, (3, 0))], h) is not None
    sev = bc.judge([*many, _region(18, (4, 0))], h)
    assert sev is not None and sev[0] == "red"


def test_judge_on_a_cell_pasted_over_its_own_number() -> None:
    h = 30.0
    assert bc.judge([_region(8, (3, 0), shift=8)], h) is None  # as wide as its shift: red or nothing
    sev = bc.judge([_region(8, (4, 0), shift=8)], h)
    assert sev is not None and sev[0] == "red"
    assert bc.judge([_region(5, (4, 0), shift=8)], h) is None  # narrower than its shift


def test_judge_leaves_a_slanted_stroke_repeating_along_itself() -> None:
    """A real invoice's logo: a thick diagonal equals itself moved (10, 13) px along it, and its
    ends looked like cut lines (red on a clean 1-bit render). A smear moves along the line."""
    h = 35.0
    stroke = bc.Region(302, 571, 315, 625, 10, 13, 5, 5, 13, 0, 0)
    assert stroke.along_itself and bc.judge([stroke], h) is None
    smear = bc.Region(302, 571, 315, 600, 10, 0, 5, 5, 13, 0, 0)
    sev = bc.judge([smear], h)
    assert not smear.along_itself and sev is not None and sev[0] == "red"


# ---- a committed bi-level scan, through the pipeline (OCR) ----

@pytest.fixture(scope="module")
def inv_0010() -> Document:
    from pipeline.runner import process_path
    from pipeline.settings import get_settings

    doc = process_path(ROOT / "samples" / "committed" / "inv_0010.bmp", get_settings())[0]
    assert doc.scanned and doc.images and doc.data
    return doc


def test_committed_bilevel_scan_gets_no_red(inv_0010: Document) -> None:
    flags = image_forensics.check(inv_0010)
    assert [f for f in flags if f.severity == "red"] == [] and _cue(flags) == []


def test_committed_bilevel_scan_with_a_cell_pasted(inv_0010: Document) -> None:
    page = inv_0010.pages[0]
    amounts = [w for w in page.words if w.text.lstrip("¥￥").replace(".", "").isdigit() and "." in w.text]
    dst = max(amounts, key=lambda w: w.bbox[2] - w.bbox[0])
    src = next(w for w in amounts if w is not dst)
    stored = page_pixels.stored_page(inv_0010, page, inv_0010.images[page.number].shape[:2])
    assert stored is not None
    a = np.asarray(Image.open(io.BytesIO(inv_0010.data or b"")).convert("L")).copy()
    k = page.dpi / 72.0
    (sx0, sy0, _, _), (tx0, ty0, _, ty1) = stored.box(src.bbox, k), stored.box(dst.bbox, k)
    hgt = ty1 - ty0
    cw = int(hgt * 0.55)
    sx, tx = sx0 + int(1.3 * cw), tx0 + int(2.4 * cw)
    a[ty0:ty0 + hgt, tx:tx + cw] = a[sy0:sy0 + hgt, sx:sx + cw]
    buf = io.BytesIO()
    Image.fromarray(a).convert("1").save(buf, "BMP")
    bad = inv_0010.model_copy()
    bad.attach_data(buf.getvalue())
    flags = _cue(image_forensics.check(bad))
    pasted = stored.points((tx, ty0, tx + cw, ty0 + hgt), k)
    assert flags and flags[0].severity in ("red", "yellow")
    assert overlaps(flags[0].evidence["bbox"], tuple(pasted)) or overlaps(flags[0].evidence["copy_of"], tuple(pasted))
