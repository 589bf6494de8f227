"""IMAGE_TAMPERING cue "copy_move": a piece of a number copied from elsewhere on the same page."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from classifiers.checks import copy_move, image_forensics, page_pixels
from pipeline.types import Document, Page, RiskFlag, Word
from tests.classifiers.amount_sheet import amount_sheet
from tests.classifiers.boxes import overlaps

DPI = 200.0
K = DPI / 72.0


def _jpeg(a: np.ndarray, q: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())))


def _page(seed: int, *, noise: float = 4.0, quality: int | None = 75, rows: int = 14, skew: float = 0.0
          ) -> tuple[np.ndarray, Page]:
    """A grey 'scan' of rows of amounts (many repeated digits), with OCR-like word boxes in points;
    ``skew`` (degrees) turns the sheet a little, as on a scanner: every glyph lands on its own phase."""
    import cv2

    rng = np.random.default_rng(seed)
    img, amounts = amount_sheet(rng, rows, 30)
    h, w = img.shape
    words = [Word(text=text, source="ocr", bbox=(x0 / K, y0 / K, x1 / K, y1 / K)) for text, (x0, y0, x1, y1) in amounts]
    if skew:
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
        img = cv2.warpAffine(img, turn, (w, h), flags=cv2.INTER_CUBIC, borderValue=240.0)
        moved = []
        for wd in words:
            x0, y0, x1, y1 = (v * K for v in wd.bbox)
            cx, cy = turn @ np.array([(x0 + x1) / 2, (y0 + y1) / 2, 1.0])
            ox, oy = cx - (x0 + x1) / 2, cy - (y0 + y1) / 2
            moved.append(wd.model_copy(update={"bbox": ((x0 + ox) / K, (y0 + oy - 2) / K, (x1 + ox) / K, (y1 + oy + 2) / K)}))
        words = moved
    img = cv2.GaussianBlur(img, (0, 0), 0.6) + rng.normal(0, noise, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if quality is not None:
        img = _jpeg(img, quality)
    return img, Page(number=1, width=w / K, height=h / K, dpi=DPI, words=words)


def _paste(img: np.ndarray, page: Page, src: int, dst: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A copy of ``img`` with one digit cell of word ``src`` pasted over the third digit of word
    ``dst`` (as ``samples.tamper`` image_copy does); returns it and the pasted box in points."""
    out = img.copy()
    sx0, sy0 = (round(v * K) for v in page.words[src].bbox[:2])
    tx0, ty0, ty1 = (round(page.words[dst].bbox[i] * K) for i in (0, 1, 3))
    hgt = ty1 - ty0
    cw = int(hgt * 0.7)
    sx, tx = sx0 + 3 * cw // 2, tx0 + 2 * cw + 3
    out[ty0:ty0 + hgt, tx:tx + cw] = img[sy0:sy0 + hgt, sx:sx + cw]
    return out, (tx / K, ty0 / K, (tx + cw) / K, (ty0 + hgt) / K)


def _copy(flags: list[RiskFlag]) -> list[RiskFlag]:
    return [f for f in flags if f.code == "IMAGE_TAMPERING" and f.evidence.get("cue") == "copy_move"]


# ---- the cue on page images ----

@pytest.mark.parametrize("resave", [None, 75], ids=["lossless", "jpeg-resaved"])
def test_copied_digit_is_flagged_red_with_its_box(resave: int | None) -> None:
    img, page = _page(2)
    bad, pasted = _paste(img, page, src=4, dst=22)
    if resave is not None:  # the forger saves the page again at the scan's quality
        bad = _jpeg(bad, resave)
    flags = _copy(image_forensics.check_page(bad, page))
    assert flags and flags[0].severity == "red"
    ev = flags[0].evidence
    assert ev["page"] == 1 and (overlaps(ev["bbox"], pasted) or overlaps(ev["copy_of"], pasted))


def test_a_cell_needs_ink_in_its_middle_rows_not_only_at_its_rim() -> None:
    from classifiers.checks import copy_move

    img, page = _page(11)
    g = img.astype(np.float32)
    a, b = (tuple(round(v * K) for v in page.words[i].bbox) for i in (3, 9))  # two amounts, rows apart
    hgt = a[3] - a[1]
    cw, ch = round(copy_move.CELL_W * hgt), round(copy_move.CELL_H * hgt)

    def cells(ya: int, yb: int) -> copy_move.Cells:
        x, y = np.array([a[0] + cw]), np.array([ya])
        one = np.ones(1)
        return copy_move.Cells(x, y, np.array([b[0] + cw]) - x, np.array([yb]) - y, one, one, one, cw, ch)

    on_digits = cells(a[1] + (hgt - ch) // 2, b[1] + (hgt - ch) // 2)
    assert copy_move.inked_middle(g, on_digits).all()
    # the paper above two numbers with the tips of their glyphs reaching into the cell's bottom rows
    # (a clean q65 JPEG: '4' under '4' at one phase scored 0.07 of its page's floor, red)
    tips = cells(a[1] - ch + ch // 5, b[1] - ch + ch // 5)
    assert not copy_move.inked_middle(g, tips).any()


def test_natural_repeats_on_a_low_quality_jpeg_page_are_no_red() -> None:
    """Under ``RED_MIN_QUALITY`` the compression quantises away the scan noise that tells a copy from a
    natural repeat: clean q44 pages hold digits that repeat 'exactly' (0.00 of the floor here; a '1'
    at the same phase in a column of amounts scored 0.03 on a clean generated scan, seed 5353). Such a
    page's copy-move cells are yellow at most: for review, not a stop."""
    flagged = []
    for seed in (2, 5):
        img, page = _page(seed, quality=44)
        flags = _copy(image_forensics.check_page(img, page))
        assert all(f.severity == "yellow" for f in flags)
        flagged += flags
    assert flagged  # the case exists: these clean pages do score as copies
    assert copy_move.RED_MIN_QUALITY > 44


def test_clean_scan_with_repeated_digits_is_not_flagged() -> None:
    for seed in (3, 4, 5):
        img, page = _page(seed)
        assert _copy(image_forensics.check_page(img, page)) == []
        cells = copy_move.measure(page_pixels.identity(img), page.words, K)
        assert cells is not None and len(cells.x) >= copy_move.MIN_CELLS  # judged, not skipped


def test_flat_pages_are_not_judged() -> None:
    clean, page = _page(5, noise=0.0, quality=None)  # a rendered page: white paper, identical digits
    bad, _ = _paste(clean, page, src=4, dst=22)
    assert copy_move.measure(page_pixels.identity(clean), page.words, K) is None
    assert _copy(image_forensics.check_page(bad, page)) == []
    sparse, page2 = _page(6, rows=2)  # mostly blank paper, two rows of numbers
    assert _copy(image_forensics.check_page(sparse, page2)) == []


def test_codec_finds_the_quality_of_a_jpeg_page() -> None:
    img, page = _page(7, quality=58)
    boxes, _ = copy_move.number_boxes(page_pixels.identity(img), page.words, K)
    found = copy_move.codec(page_pixels.identity(img), boxes)
    assert found is not None and found[1] == 58
    png, page = _page(7, quality=None)
    assert copy_move.codec(page_pixels.identity(png), boxes) is None


def test_codec_finds_the_quality_when_some_blocks_are_no_fixed_point() -> None:
    # a colour JPEG's channels clip when decoded (a VAT invoice's tinted paper): the grey plane of some
    # of its blocks is then no fixed point at any quality; the median over blocks still finds it
    rng = np.random.default_rng(0)
    for seed in (7, 8):
        img, page = _page(seed, quality=58)
        by, bx = np.mgrid[0:img.shape[0], 0:img.shape[1]] // 8
        off = np.where((by + bx) % 4 == 0, rng.integers(-3, 4, img.shape), 0)  # one block in four
        bad = np.clip(img.astype(np.int16) + off, 0, 255).astype(np.uint8)
        boxes, _ = copy_move.number_boxes(page_pixels.identity(bad), page.words, K)
        found = copy_move.codec(page_pixels.identity(bad), boxes)
        assert found is not None and found[1] == 58


def _paste_by(img: np.ndarray, page: Page, dst: int, dx: int, dy: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A copy of ``img`` with the cell (dx, dy) px away pasted over the third digit of word ``dst``."""
    out = img.copy()
    tx0, ty0, ty1 = (round(page.words[dst].bbox[i] * K) for i in (0, 1, 3))
    hgt = ty1 - ty0
    cw = int(hgt * 0.7)
    tx = tx0 + 2 * cw + 3
    out[ty0:ty0 + hgt, tx:tx + cw] = img[ty0 + dy:ty0 + dy + hgt, tx + dx:tx + dx + cw]
    return out, (tx / K, ty0 / K, (tx + cw) / K, (ty0 + hgt) / K)


@pytest.mark.parametrize("quality", [None, 70])
@pytest.mark.parametrize("seed", [24, 25])
def test_lossless_copy_whole_jpeg_blocks_away_is_flagged_red(seed: int, quality: int | None) -> None:
    # a copy whole 8 x 8 blocks away (from the amount one row up and one column left), saved losslessly
    # on a page with or without a JPEG history (a generated PNG of a JPEG scan was missed when such
    # shifts were set aside on JPEG pages)
    img, page = _page(seed, quality=quality)
    bad, pasted = _paste_by(img, page, dst=22, dx=-416, dy=-72)
    flags = _copy(image_forensics.check_page(bad, page))
    assert flags and flags[0].severity == "red"
    assert overlaps(flags[0].evidence["bbox"], pasted) or overlaps(flags[0].evidence["copy_of"], pasted)
    assert _copy(image_forensics.check_page(img, page)) == []


def test_recompressed_cells_at_the_page_edge() -> None:
    # a cell 2 px above the bottom edge of a JPEG page: its tile on the 8 x 8 grid reaches past the
    # page (a clean image PDF crashed the check with an IndexError before the planes were padded)
    import cv2

    rng = np.random.default_rng(3)
    page = cv2.GaussianBlur((rng.random((100, 120)) * 255).astype(np.uint8), (0, 0), 1.5)
    x, y, dx, dy, w, h = np.array([50]), np.array([68]), np.array([-40]), np.array([-50]), 10, 30
    page[68:98, 50:60] = page[18:48, 10:20]  # the cell is a copy of its counterpart ...
    page = copy_move._jpeg(page, 75)  # ... and the page was saved as JPEG after the paste
    copied = copy_move.recompressed([page], 75, x, y, dx, dy, w, h)
    other = copy_move.recompressed([page], 75, x, y, np.array([-30]), dy, w, h)
    assert np.isfinite(copied).all() and np.isfinite(other).all()
    assert copied[0] < 0.2 * other[0]


def test_settled_model_explains_a_copy_on_a_low_quality_jpeg_page() -> None:
    """The forger compressed the paste with the page's pixels from before that save around it; the stored
    ones have been through the paste's blocks. Giving them back (``settle``) makes the model of a copy all
    but exact (a q41 colour JPEG copy, seed 5353 inv_0018: 0.27 of its page's floor, 0.04 settled) while a
    wrong counterpart stays far off."""
    img, page = _page(3, quality=41)
    img = _jpeg(img, 41)  # a scan saved twice, as the generator's are
    bad, _ = _paste(img, page, src=5, dst=20)
    bad = _jpeg(bad, 41)  # the forger's save
    sx0, sy0 = (round(v * K) for v in page.words[5].bbox[:2])
    tx0, ty0, ty1 = (round(page.words[20].bbox[i] * K) for i in (0, 1, 3))
    hgt = ty1 - ty0
    cw = int(hgt * 0.7)
    sx, tx = sx0 + 3 * cw // 2, tx0 + 2 * cw + 3  # as _paste cuts it
    x, y, dx, dy, w, h = np.array([tx + 2]), np.array([ty0 + 3]), np.array([sx - tx]), np.array([sy0 - ty0]), cw - 4, hgt - 6
    plain = copy_move.recompressed([bad], 41, x, y, dx, dy, w, h)[0]
    settled = copy_move.recompressed([bad], 41, x, y, dx, dy, w, h, copy_move.SETTLE)[0]
    wrong = copy_move.recompressed([bad], 41, x, y, dx + 70, dy, w, h, copy_move.SETTLE)[0]
    assert settled < 0.3 * plain and settled < 0.01 * wrong


def _noise(flags: list[RiskFlag]) -> list[RiskFlag]:
    return [f for f in flags if f.code == "IMAGE_TAMPERING" and f.evidence.get("cue") == "noise"]


def _flatten(img: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """``img`` with the pixels in ``box`` set to the paper's grey: erased by software, no scan noise."""
    out = img.copy()
    x0, y0, x1, y1 = box
    out[y0:y1, x0:x1] = int(np.median(img))
    return out


def test_noise_cue_flags_a_quiet_patch_over_an_amount_not_elsewhere() -> None:
    clean, page = _page(31, noise=6.0, quality=None)
    assert _noise(image_forensics.check_page(clean, page)) == []
    x0, y0, _, y1 = (round(v * K) for v in page.words[16].bbox)
    erased = _flatten(clean, (x0 + 40, y0 - 4, x0 + 130, y1 + 4))  # digits erased in an amount
    flags = _noise(image_forensics.check_page(erased, page))
    assert len(flags) == 1 and flags[0].severity == "yellow"
    assert overlaps(flags[0].evidence["bbox"], page.words[16].bbox)
    # the same flat patch under a label between the columns (a viewer's toolbar button in a screenshot,
    # flat UI grey): no number is there to have been changed
    label = Word(text="添加到", source="ocr", bbox=(260 / K, 395 / K, 420 / K, 445 / K))
    labelled = page.model_copy(update={"words": [*page.words, label]})
    assert _noise(image_forensics.check_page(clean, labelled)) == []
    ui = _flatten(clean, (262, 397, 418, 443))
    assert _noise(image_forensics.check_page(ui, labelled)) == []


def test_noise_cue_leaves_paper_clipped_white() -> None:
    clean, page = _page(32, noise=6.0, quality=None)
    x0, y0, _, y1 = (round(v * K) for v in page.words[16].bbox)
    clipped = clean.copy()
    clipped[y0 - 4:y1 + 4, x0 + 40:x0 + 130] = 255  # the camera's highlight, not an eraser
    assert _noise(image_forensics.check_page(clipped, page)) == []


# ---- the stored pixels and their map to the pipeline's page ----

@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("skew", [0.0, 1.7])
def test_page_map_undoes_turn_and_deskew(rotation: int, skew: float) -> None:
    import cv2

    from extractors.preprocess import deskew, rotate

    rng = np.random.default_rng(0)
    stored = cv2.GaussianBlur((rng.random((300, 200)) * 255).astype(np.uint8), (0, 0), 2)
    upright = rotate(stored, rotation)
    pipeline = deskew(upright, skew) if skew else upright
    m = page_pixels.page_map(Page(number=1, width=1, height=1, rotation=rotation, skew=skew), pipeline.shape,
                             (stored.shape[1], stored.shape[0]), (stored.shape[1], stored.shape[0]))
    back = cv2.warpAffine(stored, m, (pipeline.shape[1], pipeline.shape[0]), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    assert np.abs(back[30:-30, 30:-30].astype(float) - pipeline[30:-30, 30:-30]).mean() < 0.5


def test_stored_page_reads_the_file_not_the_deskewed_image() -> None:
    from extractors.preprocess import deskew

    img, page = _page(8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG")
    doc = Document(id="d", sha256="", source="x.png", mime="image/png")
    doc.attach_data(buf.getvalue())
    turned = deskew(np.dstack([img] * 3), 1.2)
    stored = page_pixels.stored_page(doc, page.model_copy(update={"skew": 1.2}), turned.shape[:2])
    assert stored is not None and np.array_equal(stored.gray, img)
    box = stored.points(stored.box((100.0, 100.0, 120.0, 110.0), K), K)
    assert abs(box[0] - 100) < 4 and abs(box[3] - 110) < 4  # there and back, grown by the turn
    no_file = Document(id="e", sha256="", source="y")
    assert page_pixels.stored_page(no_file, page, img.shape) is None


# ---- shift_repeat: a digit pasted over its own number a few pixels off ----

def _shift_paste(img: np.ndarray, page: Page, word: int, d: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A copy of ``img`` where a digit-wide cell of word ``word`` is replaced by the cell ``d`` px to
    its right (as ``samples.tamper`` image_copy does when the source is the same amount)."""
    out = img.copy()
    x0, y0, _, y1 = (round(v * K) for v in page.words[word].bbox)
    hgt = y1 - y0
    cw = int(hgt * 0.55)
    tx = x0 + 2 * cw
    out[y0:y0 + hgt, tx:tx + cw] = img[y0:y0 + hgt, tx + d:tx + d + cw]
    return out, (tx / K, y0 / K, (tx + cw) / K, (y0 + hgt) / K)


def _resave(a: np.ndarray, fmt: str, **kw: object) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, fmt, **kw)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))


def _shift(flags: list[RiskFlag]) -> list[RiskFlag]:
    return [f for f in flags if f.code == "IMAGE_TAMPERING" and f.evidence.get("cue") == "shift_repeat"]


@pytest.mark.parametrize("d", [5, 9, 16])
def test_digit_pasted_a_few_pixels_off_is_red_on_a_lossless_page(d: int) -> None:
    clean, page = _page(11, quality=None)
    bad, pasted = _shift_paste(clean, page, word=20, d=d)
    bad = _resave(bad, "PNG")
    flags = _shift(image_forensics.check_page(bad, page))
    assert flags and flags[0].severity == "red"
    assert overlaps(flags[0].evidence["bbox"], pasted) or overlaps(flags[0].evidence["copy_of"], pasted)
    assert _shift(image_forensics.check_page(_resave(clean, "PNG"), page)) == []


def test_digit_pasted_a_few_pixels_off_is_yellow_on_a_webp_page() -> None:
    clean, page = _page(12, quality=None, noise=8.0, skew=0.6)  # a skewed scan: every digit on its own phase
    bad, pasted = _shift_paste(clean, page, word=25, d=14)
    flags = _shift(image_forensics.check_page(_resave(bad, "WEBP", quality=75), page))
    assert flags and flags[0].severity == "yellow"
    assert overlaps(flags[0].evidence["bbox"], pasted) or overlaps(flags[0].evidence["copy_of"], pasted)
    for seed in (12, 13):
        clean, page = _page(seed, quality=None, noise=8.0, skew=0.6)
        assert _shift(image_forensics.check_page(_resave(clean, "WEBP", quality=75), page)) == []


@pytest.mark.parametrize("d", [6, 9])
@pytest.mark.parametrize("cut", [False, True], ids=["word", "word-cut-after-the-patch"])
def test_digit_pasted_a_few_pixels_off_is_yellow_on_a_jpeg_page(d: int, cut: bool) -> None:
    # re-saved at the scan's quality the strip repeats its neighbour not much more closely than the best
    # other number repeats itself (0.03 against 0.07); pasted there and compressed again it does (0.009
    # against 0.06). OCR may end the word right after the patch (a pasted digit read as none): the
    # strip's neighbour then lies past its box.
    clean, page = _page(16, quality=70, noise=6.0, skew=0.6)
    bad, pasted = _shift_paste(clean, page, word=20, d=d)
    if cut:
        w = page.words[20]
        words = list(page.words)
        words[20] = w.model_copy(update={"bbox": (w.bbox[0], w.bbox[1], pasted[2], w.bbox[3])})
        page = page.model_copy(update={"words": words})
    flags = _shift(image_forensics.check_page(_jpeg(bad, 70), page))
    assert flags and flags[0].severity == "yellow"
    assert overlaps(flags[0].evidence["bbox"], pasted) or overlaps(flags[0].evidence["copy_of"], pasted)
    for seed in (15, 16, 17):
        clean, page = _page(seed, quality=70, noise=6.0, skew=0.6)
        assert _shift(image_forensics.check_page(_jpeg(clean, 70), page)) == []


@pytest.mark.parametrize("quality", [60, 67])
def test_digit_smeared_closer_than_a_digit_is_yellow_without_standing_out(quality: int) -> None:
    # a cell pasted 4 px from where it was cut (under 0.3 digit heights): the strip repeats its neighbour
    # only about as closely as whole digits repeat in other numbers (vou_0035 in samples.tamper seed 23:
    # 0.47 of them, 0.4 needed), but no two glyphs lie that close by themselves
    clean, page = _page(18, quality=quality, noise=6.0, skew=0.6)
    bad, pasted = _shift_paste(clean, page, word=10, d=4)
    flags = _shift(image_forensics.check_page(_jpeg(bad, quality), page))
    assert flags and flags[0].severity == "yellow" and "closer than one digit" in flags[0].message
    assert overlaps(flags[0].evidence["bbox"], pasted) or overlaps(flags[0].evidence["copy_of"], pasted)
    for seed in (15, 16, 17, 18):
        clean, page = _page(seed, quality=quality, noise=6.0, skew=0.6)
        assert _shift(image_forensics.check_page(_jpeg(clean, quality), page)) == []


def test_rendered_and_bilevel_pages_are_not_judged_for_shifted_repeats() -> None:
    flat, page = _page(14, noise=0.0, quality=None)  # software draws the same glyph the same way twice
    bad, _ = _shift_paste(flat, page, word=20, d=9)
    assert _shift(image_forensics.check_page(bad, page)) == []
    noisy, page = _page(14, quality=None)
    bad, _ = _shift_paste(noisy, page, word=20, d=9)
    bilevel = np.where(bad > 165, 255, 0).astype(np.uint8)
    assert _shift(image_forensics.check_page(bilevel, page)) == []


def test_glyph_cue_leaves_out_an_invoice_number_glued_to_its_code():
    """A paper VAT invoice prints its number large and its code small right after it; OCR reads them as
    one word, two numbers in two sizes (a real 机打专票 photo got a red flag for it)."""
    from classifiers.checks.image_forensics import glued
    from pipeline.types import Word

    words = [Word(text="No004727035100191160", bbox=(10, 10, 120, 20), source="ocr"),
             Word(text="1456.31", bbox=(10, 40, 60, 50), source="ocr")]
    assert [w.text for w in glued(words, ("00472703", "5100191160"))] == ["1456.31"]
    assert glued(words, ("00472703", "")) == words  # one value known: nothing is left out


def test_numbers_a_seal_crosses_are_left_out_of_the_glyph_cue() -> None:
    """A washed-out seal's id printed across black text: 0.21 of its ink seal red (seed 9393 inv_0031,
    red on a clean page). A number with no red in it, or a grey page, keeps every word."""
    img = np.full((200, 400, 3), 235, np.uint8)
    img[40:60, 20:180] = (30, 30, 30)  # a black number's strokes
    img[120:140, 20:180] = (30, 30, 30)  # black text ...
    img[120:140, 100:180] = (40, 40, 220)  # ... with a seal's red lettering over half of it (BGR)
    plain = Word(text="571789674", bbox=(10 / K, 35 / K, 190 / K, 65 / K), source="ocr")
    crossed = Word(text="571789674", bbox=(10 / K, 115 / K, 190 / K, 145 / K), source="ocr")
    assert image_forensics.unsealed([plain, crossed], img, DPI) == [plain]
    assert image_forensics.unsealed([plain, crossed], img[:, :, 0], DPI) == [plain, crossed]
