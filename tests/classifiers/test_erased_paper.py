"""IMAGE_TAMPERING cue "erased": digits painted over with flat paper and typed anew; and the
numbers the glyph cues read, joined over a stroke OCR took for a letter."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from classifiers.checks import erased_paper, glyph_consistency, image_forensics
from pipeline.types import Page, RiskFlag, Word
from tests.classifiers.amount_sheet import FONT, amount_sheet
from tests.classifiers.boxes import overlaps

DPI = 200.0
K = DPI / 72.0
PAD = 5  # px: OCR boxes stand off the ink


def _page(seed: int, noise: float = 5.0, paper: float = 0.0) -> tuple[np.ndarray, Page]:
    """A grey lossless 'scan' of rows of amounts (scan noise everywhere), with OCR-like word boxes;
    ``paper`` brightens the sheet (at 12 its paper clips white where the noise does not dip)."""
    rng = np.random.default_rng(seed)
    img, amounts = amount_sheet(rng, 8, 30)
    img = np.clip(cv2.GaussianBlur(img, (0, 0), 0.6) + paper + rng.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
    words = [Word(text=t, source="ocr", bbox=((x0 - PAD) / K, (y0 - PAD) / K, (x1 + PAD) / K, (y1 + PAD) / K))
             for t, (x0, y0, x1, y1) in amounts]
    return img, Page(number=1, width=img.shape[1] / K, height=img.shape[0] / K, dpi=DPI, words=words)


def _retype(img: np.ndarray, word: Word, first: int, count: int, text: str) -> tuple[np.ndarray, list[float]]:
    """``img`` with ``count`` digits of ``word`` from digit ``first`` painted over with the paper's
    median grey and ``text`` typed there in another font size (``samples.tamper``'s image_draw);
    returns it and the painted box in points."""
    x0, y0, x1, y1 = (round(v * K) for v in word.bbox)
    digit = (x1 - x0 - 2 * PAD) / len(word.text)
    ex0, ex1 = round(x0 + PAD + first * digit), round(x0 + PAD + (first + count) * digit)
    out = img.copy()
    out[y0 - 1:y1 + 1, ex0:ex1] = int(np.median(img))
    pil = Image.fromarray(out)
    ImageDraw.Draw(pil).text((ex0, y0 + PAD - 2), text, font=ImageFont.truetype(FONT, y1 - y0 - 2 * PAD + 4), fill=30)
    return np.asarray(pil), [ex0 / K, y0 / K, ex1 / K, y1 / K]


def _erased(flags: list[RiskFlag]) -> list[RiskFlag]:
    return [f for f in flags if f.code == "IMAGE_TAMPERING" and f.evidence.get("cue") == "erased"]


def _png(a: np.ndarray) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())))


def test_digits_painted_over_and_typed_anew_are_flagged_yellow_on_their_box() -> None:
    for seed, paper in ((41, 0.0), (42, 12.0)):  # paper clipped white where the noise does not dip below it
        clean, page = _page(seed, paper=paper)
        assert _erased(image_forensics.check_page(clean, page)) == []
        bad, box = _retype(clean, page.words[10], 1, 3, "907")
        flags = _erased(image_forensics.check_page(_png(bad), page))
        assert len(flags) == 1 and flags[0].severity == "yellow"
        assert overlaps(flags[0].evidence["bbox"], box) and flags[0].evidence["ratio"] < erased_paper.QUIET


def test_paper_brighter_than_the_rest_of_the_number_is_glare_not_paint() -> None:
    clean, page = _page(43)
    x0, y0, _, y1 = (round(v * K) for v in page.words[10].bbox)
    glare = clean.copy()
    patch = glare[y0:y1, x0 + 20:x0 + 90]
    patch[patch > 150] = 255  # the paper of three digits washed out white, their ink left as it was
    assert _erased(image_forensics.check_page(glare, page)) == []
    dimmed = clean.copy()
    patch = dimmed[y0:y1, x0 + 20:x0 + 90]
    patch[patch > 150] = int(np.median(clean))  # the same paper painted its own grey: paint
    assert _erased(image_forensics.check_page(dimmed, page)) != []


def test_a_bilevel_page_has_no_noise_to_judge() -> None:
    clean, page = _page(44)
    bad, _ = _retype(clean, page.words[10], 1, 3, "907")
    bilevel = np.where(bad < 140, 0, 255).astype(np.uint8)
    assert _erased(image_forensics.check_page(bilevel, page)) == []


def _w(text: str, x0: float, x1: float, y0: float = 100.0, y1: float = 112.0) -> Word:
    return Word(text=text, source="ocr", bbox=(x0, y0, x1, y1))


def test_a_number_is_joined_over_a_stroke_read_as_a_letter_only_where_it_touches_both_pieces() -> None:
    touching = [_w("¥955", 480, 508.3), _w("|", 508.3, 512.6), _w("60.64", 512.6, 541.8)]
    assert [w.text for w in glyph_consistency.numbers(touching)] == ["¥955|60.64"]
    apart = [_w("¥955", 480, 508.3), _w("|", 514, 516), _w("60.64", 522, 551)]  # a table rule between two cells
    assert [w.text for w in glyph_consistency.numbers(apart)] == ["¥955", "60.64"]
    word = [_w("955", 480, 500), _w("l", 500, 503), _w("kg", 503, 515)]  # not between two pieces of a number
    assert [w.text for w in glyph_consistency.numbers(word)] == ["955"]


def test_a_digital_page_with_a_textured_patch_behind_half_a_number_is_not_judged() -> None:
    img, page = _page(45, noise=0.0)  # a render: flat paper around every number
    x0, y0, x1, y1 = (round(v * K) for v in page.words[10].bbox)
    mid = (x0 + x1) // 2
    rng = np.random.default_rng(45)
    textured = img.astype(np.float32)
    textured[y0 - 6:y1 + 6, mid:x1 + 40] += rng.normal(0, 6, (y1 - y0 + 12, x1 + 40 - mid))  # a background pattern
    textured = np.clip(textured, 0, 255).astype(np.uint8)
    runs = erased_paper.quietest_run(*_slots(textured, page.words[10]))
    assert runs is not None and runs.ratio < erased_paper.QUIET  # alone, the half on flat paper looks painted
    assert _erased(image_forensics.check_page(textured, page)) == []  # the page's own paper has no noise


def _slots(img: np.ndarray, word: Word) -> tuple[list[erased_paper.Slot | None], list[glyph_consistency.Glyph]]:
    box = glyph_consistency.to_pixels(word.bbox, K)
    glyphs, _ = glyph_consistency.cut_word(img, box)
    return erased_paper.slot_noise(img, glyphs, box), glyphs
