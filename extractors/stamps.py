"""Seal and stamp lettering: red text that is not page content.

Invoices carry a 全国统一发票监制章 through the title and a 发票专用章 over the
remarks; both are lettering in seal red. Red text that is Chinese, or tiny (the tax
id in a seal's centre), is stamp text and is kept apart from the page's words; large
red digits (the red "No 12345678" of paper invoices) stay content.
"""

from __future__ import annotations

import math
import re

import numpy as np

from pipeline.types import Word

CJK = re.compile(r"[\u3400-\u9fff]")
SMALL_PT = 10.0
TITLE_PT = 14.0  # red Chinese print this tall is a form title, not seal lettering
SEAL_AREA = 0.001  # a seal covers at least this share of the page image
SEAL_PT = (30.0, 190.0)  # seal width and height in points (发票专用章 40×30 mm, round seals up to 58 mm)
RED_SHARE = 0.4  # share of a word's ink pixels in seal red for an OCR word to be red  # lettering inside a seal is smaller than any printed field


def _seal_red(r: float, g: float, b: float) -> bool:
    """Seal red on a 0..1 scale: strong red with green and blue low and alike.

    The brown-red of printed invoice forms (0.62, 0.32, 0.04) and the dark red of
    e-invoice titles (0.5, 0, 0) are not seal red: brown has green far above blue,
    dark red is too dark.
    """
    return r >= 0.6 and g <= 0.55 * r and b <= 0.55 * r and abs(g - b) <= 0.2 and r - max(g, b) >= 0.3


def is_red_rgb(color: object) -> bool:
    """A PDF fill colour (gray, RGB or CMYK tuple) that is seal red."""
    if not isinstance(color, (tuple, list)):
        return False
    c = [float(v) for v in color if isinstance(v, (int, float))]
    if len(c) == 3:
        return _seal_red(*c)
    if len(c) == 4:
        cy, m, y, k = c
        return _seal_red((1 - cy) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return False


def is_stamp_text(word: Word) -> bool:
    """Seal lettering. On images only words inside a detected seal count: printed forms
    photographed or scanned show their brown-red labels as red too."""
    if word.source == "ocr":
        return word.in_seal
    height = word.font_size or (word.bbox[3] - word.bbox[1])
    return word.red and (height < SMALL_PT or (height < TITLE_PT and bool(CJK.search(word.text))))


def mark_red_ocr_words(words: list[Word], image: np.ndarray, dpi: float) -> None:
    """Set ``red`` on OCR words whose ink pixels are mostly seal red.

    Per pixel: ink is anything clearly darker than the paper in some channel; seal
    red is ink whose red channel stands 50 above green and blue, with green and blue
    alike (brown form print has green far above blue). Scans wash seals out to pink,
    so the test is on pixel shares, not on the mean colour.
    """
    from extractors.preprocess.color import red_mask, seal_mask, stamp_boxes

    scale = dpi / 72.0
    h = image.shape[0]
    for word, share in zip(words, seal_red_shares(words, image, dpi)):
        if share is not None:
            word.red = share > RED_SHARE and not DATE_PIECE.fullmatch(word.text.strip())
    red_words = [wd for wd in words if wd.red]
    if not red_words:
        return
    lo, hi = SEAL_PT[0] * scale, SEAL_PT[1] * scale
    seal_red = red_mask(image)
    seals = [b for b in stamp_boxes(seal_mask(seal_red), min_area_frac=SEAL_AREA)
             if lo <= b[2] - b[0] <= hi and lo <= b[3] - b[1] <= hi]
    rings: list[tuple[float, float, float, float, float]] | None = None
    for word in red_words:
        cx, cy = (word.bbox[0] + word.bbox[2]) / 2 * scale, (word.bbox[1] + word.bbox[3]) / 2 * scale
        word.in_seal = any(sx0 <= cx <= sx1 and sy0 <= cy <= sy1 for sx0, sy0, sx1, sy1 in seals)
        if not word.in_seal and not AMOUNT.search(word.text):
            # a seal stamped on the form's red-brown frame is one red region with it: find it by its ring
            if rings is None:
                rings = [r for r in seal_rings(255 - seal_red, dpi) if r[1] >= HEADER_SHARE * h]
            word.in_seal = any(_inside(r, cx, cy) for r in rings)


def seal_red_shares(words: list[Word], image: np.ndarray, dpi: float) -> list[float | None]:
    """Per word, the share of its ink pixels in seal red (None: under 10 ink pixels, or off the page)."""
    scale = dpi / 72.0
    h, w = image.shape[:2]
    paper = np.percentile(image.reshape(-1, 3)[:: max(1, h * w // 20000)], 90, axis=0)
    ink_px, red_px = _ink_and_seal_red_counts(image, paper)
    out: list[float | None] = []
    for word in words:
        x0, y0, x1, y1 = (round(v * scale) for v in word.bbox)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        n = int(ink_px[y1, x1] - ink_px[y0, x1] - ink_px[y1, x0] + ink_px[y0, x0]) if x1 > x0 and y1 > y0 else 0
        red = int(red_px[y1, x1] - red_px[y0, x1] - red_px[y1, x0] + red_px[y0, x0]) if n else 0
        out.append(red / n if n >= 10 else None)
    return out


def _ink_and_seal_red_counts(image: np.ndarray, paper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integral images (``cv2.integral``) of the page's ink pixels and of its seal-red ink pixels, so that
    each word's shares are four lookups, not a crop of its own.

    Ink is anything more than 60 darker than the paper in some channel; seal red is ink whose red
    channel stands more than 50 above green and blue, with green and blue less than 40 apart."""
    import cv2

    b, g, r = cv2.split(image)
    # v < paper - 60 for an integer v is v < ceil(paper - 60)
    ink = np.zeros(b.shape, np.uint8)
    for plane, level in zip((b, g, r), paper):
        ink |= plane < math.ceil(float(level) - 60)
    red = (cv2.subtract(r, cv2.max(g, b)) > 50) & (cv2.absdiff(g, b) < 40) & (ink > 0)
    return cv2.integral(ink), cv2.integral(red.view(np.uint8))


RING_NEAR = 0.6  # share of an outline within 8 % of its fitted ellipse: a seal (QR codes and blobs score < 0.4)
AMOUNT = re.compile(r"[¥￥]|\d\.\d{2}$")  # seals carry names and ids, never amounts: print under a seal stays
# nor a date's pieces: a seal's ring through 2021年9月19日 leaves its thin glyphs mostly red (a contract's
# signing date under both parties' seals was lost as seal lettering, seed 9494)
DATE_PIECE = re.compile(r"\d{1,4}\s*[年月日]?|[年月日]")
MIN_RING_TEXT_PT = 9.0  # seal lettering is at least this tall; smaller is a remark printed under the seal
HEADER_SHARE = 0.15  # a ring centred this high on the page is the 监制 oval on the form title: the title stays
GRAY_SPREAD = 12  # mean |B-G|, |G-R| below this: a grey scan (the seal's red is gone)


def seal_rings(gray: np.ndarray, dpi: float) -> list[tuple[float, float, float, float, float]]:
    """Seal outlines on a grey page image, as ellipses (cx, cy, a, b, angle) in pixels of ``gray``.

    Without colour a seal is its ring: ruling lines are opened away (the ring crosses the
    table's border), small gaps closed, and each remaining outline of seal size whose
    points lie on a fitted ellipse is kept. Works at half resolution (~20 ms an A4 page).
    """
    import cv2

    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    k = dpi / 72.0 / 2
    # a washed-out seal is lighter than print: anything clearly darker than the paper is ink
    paper = float(np.percentile(small[::4, ::4], 90))
    ink = ((small < paper - 45) * 255).astype(np.uint8)
    span = int(40 * k)
    lines = (cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (span, 1)))
             | cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, span))))
    ink = cv2.subtract(ink, cv2.dilate(lines, np.ones((3, 3), np.uint8)))
    ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    lo, hi = SEAL_PT[0] * k, SEAL_PT[1] * k
    out = []
    for c in contours:
        _, _, w, h = cv2.boundingRect(c)
        if not (lo <= w <= hi and lo <= h <= hi) or len(c) < 40:
            continue
        (cx, cy), (a, b), ang = cv2.fitEllipse(c)
        pts = c[:, 0, :].astype(np.float32)
        t = np.deg2rad(ang)
        dx, dy = pts[:, 0] - cx, pts[:, 1] - cy
        r = np.hypot((dx * np.cos(t) + dy * np.sin(t)) / (a / 2), (-dx * np.sin(t) + dy * np.cos(t)) / (b / 2))
        near = float((np.abs(r - 1) < 0.08).mean())
        ring = (cx * 2, cy * 2, a * 2, b * 2, float(ang))
        if near >= RING_NEAR and not any(_inside(r, ring[0], ring[1]) for r in out):  # halves cut by a line: one
            out.append(ring)
    return out


def _inside(ring: tuple[float, float, float, float, float], x: float, y: float) -> bool:
    cx, cy, a, b, ang = ring
    t = np.deg2rad(ang)
    dx, dy = x - cx, y - cy
    return ((dx * np.cos(t) + dy * np.sin(t)) / (a / 2)) ** 2 + ((-dx * np.sin(t) + dy * np.cos(t)) / (b / 2)) ** 2 <= 1


def _ring_box(ring: tuple[float, float, float, float, float], margin: float) -> tuple[float, float, float, float]:
    """The ellipse's bounding box, grown by ``margin`` of its size (arc lettering's boxes poke out)."""
    cx, cy, a, b, ang = ring
    t = np.deg2rad(ang)
    hw = np.hypot(a / 2 * np.cos(t), b / 2 * np.sin(t)) * (1 + margin)
    hh = np.hypot(a / 2 * np.sin(t), b / 2 * np.cos(t)) * (1 + margin)
    return cx - hw, cy - hh, cx + hw, cy + hh


def mark_gray_seal_words(words: list[Word], image: np.ndarray, dpi: float) -> None:
    """On a grey scan, words centred in a seal ring and not reaching past it are its lettering (``in_seal``).

    A word reaching out of the ring (the invoice title under the 监制 oval, a remark the seal
    covers only in part) stays page text.
    """
    import cv2

    if image.ndim == 3:
        sample = image[:: max(1, image.shape[0] // 200), :: max(1, image.shape[1] // 200)].astype(np.int16)
        if float(np.abs(sample[..., 0] - sample[..., 1]).mean() + np.abs(sample[..., 1] - sample[..., 2]).mean()) > GRAY_SPREAD:
            return
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    else:
        gray = image
    scale = dpi / 72.0
    for ring in seal_rings(gray, dpi):
        if ring[1] < HEADER_SHARE * gray.shape[0]:
            continue
        rx0, ry0, rx1, ry1 = _ring_box(ring, margin=0.06)
        for word in words:
            x0, y0, x1, y1 = (v * scale for v in word.bbox)
            if (_inside(ring, (x0 + x1) / 2, (y0 + y1) / 2) and rx0 <= x0 and x1 <= rx1 and ry0 <= y0 and y1 <= ry1
                    and not AMOUNT.search(word.text) and word.bbox[3] - word.bbox[1] >= MIN_RING_TEXT_PT):
                word.in_seal = True


def split_stamps(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """(content words, stamp words)."""
    content, stamps = [], []
    for word in words:
        (stamps if is_stamp_text(word) else content).append(word)
    return content, stamps
