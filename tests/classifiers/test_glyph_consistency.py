"""IMAGE_TAMPERING cue "glyph": digits redrawn in another font, size or baseline inside a printed number."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from classifiers.checks import glyph_consistency as gc
from classifiers.checks import image_forensics
from pipeline.types import Page, RiskFlag, Word
from tests.classifiers.boxes import overlaps

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "samples" / "committed"
PRINT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
EDIT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DPI = 200.0
K = DPI / 72.0
MONEY = re.compile(r"\d[\d,]*\.\d{2}$")


def _glyph(flags: list[RiskFlag]) -> list[RiskFlag]:
    return [f for f in flags if f.code == "IMAGE_TAMPERING" and f.evidence.get("cue") == "glyph"]


# ---- pure functions ----

def test_is_number() -> None:
    assert gc.is_number("¥1,234.56") and gc.is_number("2024-03-15") and gc.is_number("RMB42,751.74")
    assert not gc.is_number("12")  # too few digits
    assert not gc.is_number("发票号码12")  # mostly not digits
    assert not gc.is_number("4*86+9*+5-46")  # the cipher block of a VAT invoice
    assert not gc.is_number("*5*-2204+30") and not gc.is_number("*9*+5-46")  # ... however it starts
    assert gc.is_number("*964.16")  # an amount whose ¥ OCR read as a star
    assert not gc.is_number("*4-19096")  # a piece of the cipher block


def _row(heights: list[int], bottoms: list[int]) -> list[gc.Glyph]:
    return [gc.Glyph(x0=20 * i, y0=b - h, x1=20 * i + 12, y1=b, stroke=3.0)
            for i, (h, b) in enumerate(zip(heights, bottoms))]


def test_odd_run_finds_taller_digits_and_spares_a_uniform_number() -> None:
    uniform = _row([20] * 8, [100] * 8)
    assert gc.odd_run(uniform) is not None and gc.odd_run(uniform).deviation < 0.05  # type: ignore[union-attr]
    redrawn = _row([20, 20, 28, 28, 29, 20, 20], [100, 100, 106, 105, 106, 100, 100])
    run = gc.odd_run(redrawn)
    assert run is not None and (run.start, run.end) == (2, 5)
    assert run.deviation >= gc.RED_DEV and run.height_ratio > 1.3 and run.shift > 0.2
    one_odd = _row([20, 20, 28, 20, 20, 20], [100] * 6)  # a single odd glyph (a ¥ sign) is no run
    assert gc.odd_run(one_odd).deviation < 0.05  # type: ignore[union-attr]


def test_odd_digit_finds_one_pasted_digit_of_another_size_but_not_a_sign_or_a_pixel() -> None:
    # ¥854933.84 with its 9 pasted over from a smaller amount: 3 px shorter, sitting 4 px high
    # (4141 inv_0002: what the two-glyph runs could not see)
    row = _row([26, 18, 18, 18, 15, 18, 18, 18, 18], [100, 100, 100, 100, 96, 100, 100, 100, 100])
    printed = list("¥85493384")
    assert gc.odd_run(row).deviation < gc.YELLOW_DEV  # type: ignore[union-attr]
    odd = gc.odd_digit(row, printed)
    assert odd is not None and (odd.start, odd.end) == (4, 5) and odd.deviation >= gc.DIGIT_DEV
    assert odd.height_ratio < 0.9 and odd.shift < -0.15
    # the taller ¥ is not a digit; a digit 2 px off is a scan's edge (clean digits reach 2 px)
    assert gc.odd_digit(_row([26] + [18] * 8, [100] * 9), printed) is None
    assert gc.odd_digit(_row([26, 18, 18, 18, 16, 18, 18, 18, 18], [100] * 9), printed) is None
    # glyphs and characters must pair one to one: else which glyph is which digit is unknown
    assert gc.odd_digit(row, printed[1:]) is None
    # ... unless the number is an amount and the glyph is shorter than the rest: a pasted piece that
    # brought a neighbour's edge along (4141 inv_0017: 8 glyphs for 10 characters)
    pieces = [*row[:4], gc.Glyph(x0=76, y0=82, x1=79, y1=100, stroke=3.0), *row[4:]]  # an edge, full height
    odd = gc.odd_digit(pieces, printed, amount=True)
    assert odd is not None and odd.start == 5 and odd.height_ratio < 0.9
    taller = _row([26, 18, 18, 18, 21, 18, 18, 18], [100, 100, 100, 100, 102, 100, 100, 100])  # a stroke through it
    assert gc.odd_digit(taller, printed, amount=True) is None
    # a redrawn digit far taller than the rest (9393 inv_0056: its neighbour, touching the rule, was dropped)
    redrawn = _row([26, 18, 18, 18, 32, 18, 18, 18], [100, 100, 100, 100, 110, 100, 100, 100])
    odd = gc.odd_digit(redrawn, printed, amount=True)
    assert odd is not None and odd.start == 4 and odd.deviation >= gc.YELLOW_DEV


def test_one_odd_digit_is_a_yellow_flag_a_run_stays_red() -> None:
    odd = gc.odd_digit(_row([18, 18, 18, 14, 18, 18], [100, 100, 100, 96, 100, 100]), list("123456"))
    assert odd is not None
    word = Word(text="123456", bbox=(0, 0, 10, 10), source="ocr")
    judged = gc.Judged(odd, word, False, gc.DIGIT_DEV / gc.YELLOW_DEV, digit=True)
    assert judged.capped and judged.level >= gc.YELLOW_DEV
    run = gc.odd_run(_row([20, 20, 28, 28, 29, 20, 20], [100, 100, 106, 105, 106, 100, 100]))
    assert run is not None and not gc.Judged(run, word, False, 1.0).capped


def test_half_a_number_taller_than_the_other_half_is_searched() -> None:
    # 4 of 8 digits redrawn 0.29 taller: each half is within 0.14 of the median, yet the halves differ
    # by twice that (the median-based shortcut skipped such a number)
    row = _row([17, 17, 22, 22, 22, 22, 17, 17], [100, 100, 105, 105, 105, 105, 100, 100])
    assert not gc._uniform(row)
    run = gc.odd_run(row)
    assert run is not None and (run.start, run.end) == (2, 6) and run.deviation > 0.28
    assert gc._uniform(_row([20, 21, 20, 21, 20], [100, 101, 100, 100, 101]))  # a pixel or two: spared


def test_end_run_judges_a_number_redrawn_but_for_its_last_glyph() -> None:
    # ¥7529.45 with 7529 drawn over in a far larger size: only one cent glyph is left at the page's height
    row = _row([35, 35, 36, 37, 21], [110, 110, 111, 112, 96])
    assert gc.odd_run(row) is not None and gc.odd_run(row).deviation < gc.YELLOW_DEV  # type: ignore[union-attr]
    run = gc.end_run(row, page_height=20)
    assert run is not None and (run.start, run.end) == (0, 4) and run.deviation >= gc.RED_DEV
    # a number printed large (a title's date, a big invoice number) whose last glyph came out short:
    # the page's digits are that large too, or the short glyph is no nearer the page's height
    assert gc.end_run(row, page_height=34) is None
    assert gc.end_run(row, page_height=28) is None
    # nor when the lone glyph is a currency sign (₹ stands shorter than the digits in many fonts)
    assert gc.end_run(row, page_height=20, digit_ends=(True, False)) is None


def test_capital_labels_stay_for_the_comparison() -> None:
    row = _row([20] * 8, [100] * 8)
    assert gc.digits_only(row, "RMB42751") == row  # capitals stand at the digits' height
    assert gc.digits_only(row, "No345678") == row[2:]  # a lower-case letter has the x-height


def test_odd_run_follows_a_leaning_baseline() -> None:
    # a seal legend or residual skew: the baseline climbs 1.5 px per glyph, the heights agree
    # (judged against a level baseline, the last five glyphs would stand 0.4 of a height off: red)
    leaning = _row([20] * 10, [round(100 - 1.5 * i) for i in range(10)])
    run = gc.odd_run(leaning)
    assert run is None or run.deviation < gc.YELLOW_DEV / 2


def test_two_numbers_of_two_sizes_read_as_one_word_are_no_run() -> None:
    # an invoice number in large type printed beside its code in small type, read by OCR as one word
    assert gc.odd_run(_row([30] * 8 + [18] * 10, [100] * 8 + [95] * 10)) is None


def test_doubtful_cuts_cap_the_flag_at_yellow() -> None:
    row = _row([20] * 8, [100] * 8)
    assert not gc.doubtful(row, "12345678")
    assert gc.doubtful(row, "123456")  # more blobs than characters: another line's ink, a seal's legend
    assert gc.doubtful(row, "1234567J")  # letters in an id have their own heights (J descends)
    assert not gc.doubtful(row, "CNY12345")  # a leading label is cut off before judging
    merged = [*row[:2], gc.Glyph(x0=40, y0=80, x1=75, y1=100, stroke=3.0), *row[4:]]  # two digits touching,
    merged[1] = gc.Glyph(x0=30, y0=88, x1=45, y1=100, stroke=3.0)  # and a stroke broken off under them
    assert gc.doubtful(merged, "1234567")


def test_numbers_joins_pieces_of_one_number_but_not_labels() -> None:
    def w(text: str, x0: float, x1: float, y0: float = 100) -> Word:
        return Word(text=text, bbox=(x0, y0, x1, y0 + 12), source="ocr")

    words = [w("小写", 40, 60), w("：", 60, 64), w("¥19", 66, 80), w(":", 80, 83), w("287600", 83, 120),
             w("2024", 300, 320), w("号码", 330, 350), w("12345678", 420, 470), w("12345678", 470, 520, y0=130)]
    got = [(n.text, n.bbox[0], n.bbox[2]) for n in gc.numbers(words)]
    # the colon after the label stays out; ¥19 : 287600 (OCR split the number at an edited digit) is one;
    # numbers far apart or on another line stay apart
    assert got == [("¥19:287600", 66, 120), ("2024", 300, 320), ("12345678", 420, 470), ("12345678", 470, 520)]


# ---- a synthetic scanned row of numbers ----

NUMBERS = ["¥1867432.15", "2024-03-15", "91310115MA1K4LX8Q2", "RMB42,751.74", "30567.00", "30457"]


def _scan(img: Image.Image, seed: int) -> Image.Image:
    import cv2

    a = np.asarray(img.convert("L"), np.float32)
    a = cv2.GaussianBlur(a, (0, 0), 0.6)
    a = np.clip(a * 0.92 + 8 + np.random.default_rng(seed).normal(0, 4, a.shape), 0, 255).astype(np.uint8)
    return _jpeg(Image.fromarray(a), 70)


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def _synthetic_page() -> tuple[Image.Image, list[Word]]:
    """Numbers printed at 11 pt and 200 dpi on a 'scanned' page, with OCR-like word boxes (as
    loose as rapidocr's: about 1.8 x the digit height)."""
    img = Image.new("L", (1400, 120 + 70 * len(NUMBERS)), 242)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(PRINT_FONT, 42)
    words = []
    for i, text in enumerate(NUMBERS):
        x, y = 120, 60 + 70 * i
        draw.text((x, y), text, font=font, fill=30)
        l, t, r, b = draw.textbbox((x, y), text, font=font)
        words.append(Word(text=text, bbox=((l - 3) / K, (t - 11) / K, (r + 3) / K, (b + 11) / K), source="ocr"))
    return _scan(img, 1), words


def _redraw(img: Image.Image, word: Word, first: int, n: int, scale: float, dy: int) -> tuple[Image.Image, Word, tuple]:
    """Erase ``n`` characters of ``word`` from the ``first``-th and draw other digits over them in
    DejaVu Sans, ``scale`` x the box height, ``dy`` px lower, flat ink, no scan noise."""
    font = ImageFont.truetype(PRINT_FONT, 42)
    x0, y0, x1, y1 = gc.to_pixels(word.bbox, K)
    left = x0 + 3 + int(font.getlength(word.text[:first]))
    right = x0 + 3 + int(font.getlength(word.text[:first + n]))
    a = np.asarray(img).copy()
    a[y0 + 2:y1 - 2, left:right] = int(np.median(a[y0:y1, x0:x1]))
    out = Image.fromarray(a)
    draw = ImageDraw.Draw(out)
    size = int((y1 - y0) * scale)
    new = "".join(str((int(c) + 3) % 10) if c.isdigit() else c for c in word.text[first:first + n])
    draw.text((left, y0 + dy), new, font=ImageFont.truetype(EDIT_FONT, size), fill=35)
    l, t, r, b = draw.textbbox((left, y0 + dy), new, font=ImageFont.truetype(EDIT_FONT, size))
    box = (min(x0, l) / K, min(y0, t) / K, max(x1, r) / K, max(y1, b) / K)  # OCR boxes the new ink too
    text = word.text[:first] + new + word.text[first + n:]
    return _jpeg(out, 75), Word(text=text, bbox=box, source="ocr"), (l / K, t / K, r / K, b / K)


def _page(words: list[Word], img: Image.Image) -> Page:
    return Page(number=1, width=img.width / K, height=img.height / K, dpi=DPI, words=words)


def test_synthetic_clean_page_has_no_glyph_flag() -> None:
    img, words = _synthetic_page()
    gray = np.asarray(img)
    assert gc.glyph_flags(gray, words, 1, K) == []
    for w in words:  # every number is cut into glyphs and judged
        glyphs = gc.word_glyphs(gray, gc.to_pixels(w.bbox, K))
        assert len(glyphs) >= len(re.sub(r"[,.\-]", "", w.text)) - 1, w.text
        run = gc.odd_run(glyphs)
        assert run is not None and run.deviation < gc.RED_DEV / 2, (w.text, run)


@pytest.mark.parametrize(("index", "first", "n", "scale", "dy"), [
    (0, 3, 3, 1.15, 2),   # ¥1867432.15: three integer digits, larger, lower
    (3, 6, 2, 1.0, -2),   # RMB42,751.74: two digits, the box height, higher
    (4, 1, 3, 1.2, 0),    # 30567.00
    (5, 1, 4, 1.3, 0),    # 30457 all but its first digit: no two printed glyphs left to compare with
])
def test_synthetic_redrawn_digits_are_flagged_over_the_edit(index: int, first: int, n: int, scale: float,
                                                            dy: int) -> None:
    img, words = _synthetic_page()
    bad, new_word, drawn = _redraw(img, words[index], first, n, scale, dy)
    words = words[:index] + [new_word] + words[index + 1:]
    flags = image_forensics.check_page(np.asarray(bad), _page(words, bad))
    glyph = _glyph(flags)
    assert len(glyph) == 1 and glyph[0].severity == "red"
    ev = glyph[0].evidence
    assert ev["page"] == 1 and ev["word"] == new_word.text and ev["deviation"] >= gc.RED_DEV
    # the box is on the redrawn digits, not on the untouched rest of the number
    assert overlaps(ev["bbox"], drawn)
    assert abs(ev["bbox"][0] - drawn[0]) <= 4 and ev["bbox"][2] <= drawn[2] + 4


def test_synthetic_one_digit_redrawn_higher_is_a_yellow_flag_over_it() -> None:
    img, words = _synthetic_page()
    bad, new_word, drawn = _redraw(img, words[0], 4, 1, 0.8, -4)  # ¥1867432.15: its 7 in another font, 4 px higher
    flags = image_forensics.check_page(np.asarray(bad), _page([new_word, *words[1:]], bad))
    glyph = _glyph(flags)
    assert len(glyph) == 1 and glyph[0].severity == "yellow" and "1 character is" in glyph[0].message
    ev = glyph[0].evidence
    assert ev["word"] == new_word.text and ev["deviation"] >= gc.DIGIT_DEV and ev["baseline_shift"] < -0.15
    assert overlaps(ev["bbox"], drawn) and ev["bbox"][2] - ev["bbox"][0] < 2 * (drawn[2] - drawn[0])


def test_ink_past_the_digits_band_lighter_than_the_digits_is_an_overlay_not_an_edit() -> None:
    """A grey seal's ring crossing three digits of a contract's account number made them measure 1.58 x
    taller (seed 5353: red on a clean page). What reaches past the reference band is lighter than the
    digits' own ink: an overlay, yellow at most. Digits redrawn taller are one ink top to bottom."""
    run = gc.OddRun(2, 5, 0.58, 1.58, 0.0, 1.0, (40, 40, 100, 100), (60.0, 90.0))
    for extra, overlay in ((150, True), (51, True), (35, False)):  # 51: seed 6161's darker ring, 21 lighter
        gray = np.full((140, 140), 230, np.uint8)
        gray[60:90, 45:55] = gray[60:90, 65:75] = gray[60:90, 85:95] = 30  # three digit stems, 30 px tall
        gray[42:60, 50:53] = gray[90:99, 70:73] = extra  # strokes joined to them above and below the band
        assert gc.overlaid(gray, run) is overlay
    assert not gc.overlaid(np.full((140, 140), 230, np.uint8), run)  # no ink: nothing to judge


# ---- committed scans, through the pipeline (OCR) ----

def _scanned(name: str):  # type: ignore[no-untyped-def]
    from pipeline.runner import process_path
    from pipeline.settings import get_settings

    doc = process_path(COMMITTED / name, get_settings())[0]
    assert doc.scanned and doc.images
    return doc


@pytest.fixture(scope="module")
def inv_0005():  # type: ignore[no-untyped-def]
    return _scanned("inv_0005.png")


@pytest.mark.parametrize("name", ["inv_0001.tif", "vou_0011.webp"])
def test_clean_committed_scans_raise_no_glyph_flag(name: str) -> None:
    doc = _scanned(name)
    for page in doc.pages:
        flags = image_forensics.check_page(doc.images[page.number], page)
        assert _glyph(flags) == [] and [f for f in flags if f.severity == "red"] == []


def test_committed_scan_with_digits_redrawn(inv_0005) -> None:  # type: ignore[no-untyped-def]
    import cv2

    from extractors.ocr import get_engine
    from pipeline.settings import get_settings

    page = inv_0005.pages[0]
    img = inv_0005.images[1]
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
    assert _glyph(image_forensics.check_page(img, page)) == []  # untouched: no flag
    # the widest amount: its integer digits before ".dd" erased and three others drawn, as samples.tamper does
    # (DejaVu Sans at 1.15 x the OCR box height; tamper draws at 0.95-1.2 x: on this page 1.1 x gives a yellow
    # flag and 1.05 x none, digits under ~1.12 x the printed ones on their baseline are below the thresholds)
    target = max((w for w in page.words if MONEY.search(w.text) and sum(c.isdigit() for c in w.text) >= 5),
                 key=lambda w: w.bbox[2] - w.bbox[0])
    x0, y0, x1, y1 = gc.to_pixels(target.bbox, K)
    hgt, digit_w = y1 - y0, int((y1 - y0) * 0.55)
    ex1 = x1 - 3 * digit_w
    ex0 = ex1 - 3 * digit_w
    a = gray.copy()
    a[y0:y1, ex0:ex1] = int(np.median(a[max(0, y0 - 6):y0, x0:x1]))
    pil = Image.fromarray(a)
    draw = ImageDraw.Draw(pil)
    font = ImageFont.truetype(EDIT_FONT, int(hgt * 1.15))
    draw.text((ex0, y0 + 1), "808", font=font, fill=int(np.percentile(gray[y0:y1, x0:x1], 3)))
    drawn = tuple(v / K for v in draw.textbbox((ex0, y0 + 1), "808", font=font))
    bad = _jpeg(pil, 75)
    arr = np.asarray(bad)
    lines = get_engine(get_settings().ocr).recognize(np.stack([arr] * 3, axis=-1), page.dpi)
    words = [w for ln in lines for w in (ln.words or [])]
    flags = image_forensics.check_page(arr, page.model_copy(update={"words": words}))
    glyph = _glyph(flags)
    assert len(glyph) == 1 and glyph[0].severity == "red", flags
    assert overlaps(glyph[0].evidence["bbox"], drawn)
