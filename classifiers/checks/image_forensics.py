"""IMAGE_TAMPERING: local edits on a scanned or photographed page.

Seven cues on OCR'd pages, all limited to the text (OCR word boxes) where an edit changes what
a page says; glyph consistency and the two noise cues on the grey page image as OCR read it
(``doc.images``), the three copy cues on the pixels as the file stores them, the gap cue on the
words OCR read:

* **Glyph consistency** (``glyph_consistency``): the digits of one printed number share font,
  size and baseline; a run of them drawn over an amount, a date or an id in another size or
  on another baseline is flagged red (yellow for a smaller misfit, or a doubtful cut of the
  glyphs; yellow for a single digit pasted from a number in another size). Evidence: the run's box.
* **Noise inconsistency.** A scanner leaves sensor noise and JPEG residue everywhere on the
  paper. Digits erased with a flat fill and redrawn by software carry almost none. The
  page is cut into 16-px blocks; in each, the mean absolute high-pass residual
  (grey − 3×3 median) over paper pixels (away from ink) is the block's noise. Blocks
  below ``QUIET_RATIO`` of the page's median noise, in a group of ``MIN_BLOCKS`` touching
  blocks, are flagged yellow only. Quantised PNG, WebP and JPEG-in-TIFF smooth the paper
  unevenly: at 0.35 / 2 blocks this fired on 20 of 59 clean generated scans, at 0.1 / 3 on none
  (nor on the committed scans or 10 real invoice photos and scans; it still finds 5 of 31
  redrawn amounts, which the glyph cue finds too). Pages whose own noise
  is under ``MIN_PAGE_NOISE`` (bi-level scans, heavy smoothing), or with more than
  ``MAX_QUIET_SHARE`` quiet blocks (no sensor noise at all: a digital page saved as JPEG), are
  not judged. A patch must touch a printed number (an amount, a date, an id: what an edit
  changes) and paper clipped white counts as no patch: session 12, on three generated sets (189
  clean scans) the cue's yellow flags on clean pages fell from 8 to 3, and on 50 real images from
  3 to 1 (a viewer's flat toolbar in a screenshot, a highlight), with no tampered file lost.
* **Erased paper** (``erased_paper``): the same loss of noise inside one number's box, slot by
  slot around its glyphs: digits painted over and typed anew leave two or three slots of paper
  without the noise of the number's other slots, too small a patch for the 16-px blocks (yellow;
  not on bi-level pages, which have no noise to lose).
* **Copy-move** (``copy_move``): a piece of a printed number that repeats another place on
  the page down to its scan noise (or to what the page's JPEG compression makes of it) was
  copied there: red, yellow for a closer call; evidence: the cell and the place it repeats.
  It reads the stored pixels (``page_pixels``): deskewing and rendering resample every pixel
  and wipe the trace. (An ORB keypoint matcher did this before: 0.19 s a page, and blind to
  one-digit patches: 1 of 30.)
* **Shifted repeat** (``shift_repeat``): a digit copied from the same number and pasted a few
  pixels from where it was cut (overlapping its source: ``copy_move`` cannot see it) leaves a
  strip that repeats its neighbour exactly on a lossless page (red), or far more closely than any
  other number on the page repeats itself on a lossy one (yellow).
* **Bi-level copy** (``bilevel_copy``): on a 1-bit page, where the other two cues find no scan
  noise to go by, a piece of a number that repeats another place pixel for pixel and ends on
  straight cut lines through the strokes, where natural repeats of a glyph end in the gaps
  between glyphs (red; yellow for a shallower cut).
* **Gap** (``number_gaps``): an amount OCR read with a digit missing from its thousands groups
  (``1,387,,34.86``) or an upright stroke in a digit's place (``955|60``): a digit cut out or
  covered (yellow).

Numbers a seal's red ink crosses are left out of the glyph cue (``unsealed``). It scores the
page's words for seal red a second time (the OCR stage did, for ``Word.red``); the cost is under what
``bench/bench_checks.py`` can tell apart.

Evidence: the suspicious box in points (and the copy source for copy-move).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from classifiers.checks.bilevel_copy import bilevel_flags
from classifiers.checks.copy_move import copy_flags
from classifiers.checks.erased_paper import erased_flags
from classifiers.checks.glyph_consistency import WordCuts, glyph_flags, numbers
from classifiers.checks.number_gaps import gap_flags
from classifiers.checks.page_pixels import StoredPage, identity, stored_page
from classifiers.checks.shift_repeat import shift_flags
from extractors.stamps import seal_red_shares
from pipeline.types import Document, Page, RiskFlag, Word

BLOCK = 16
QUIET_RATIO = 0.1
MIN_PAGE_NOISE = 0.8
MIN_BLOCKS = 3
CLIPPED = 250  # grey level from which paper is clipped white
MAX_QUIET_SHARE = 0.1  # scans: at most 8 % quiet blocks; a digital page saved as JPEG: 16 %
MIXED_RED = 0.15  # a word with this share of its ink in seal red is crossed by a seal (red print: > 0.4)


def _gray(img: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img


def _text_mask(page: Page, shape: tuple[int, int], k: float, grow: int = 4) -> np.ndarray:
    m = np.zeros(shape, dtype=bool)
    for w in page.words:
        x0, y0, x1, y1 = (round(v * k) for v in w.bbox)
        m[max(0, y0 - grow):y1 + grow, max(0, x0 - grow):x1 + grow] = True
    return m


def _blocks(a: np.ndarray) -> np.ndarray:
    h, w = a.shape[0] // BLOCK * BLOCK, a.shape[1] // BLOCK * BLOCK
    return a[:h, :w].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK).sum(axis=(1, 3))


def _groups(mask: np.ndarray) -> list[np.ndarray]:
    import cv2

    n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    return [np.argwhere(labels == i) for i in range(1, n)]


def paper_noise(gray: np.ndarray, text: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(noise per 16-px block, blocks judged, the page's median block noise; 0 when fewer than 20
    blocks can be judged). Noise: mean |grey − 3×3 median| over paper pixels away from ink."""
    import cv2

    resid = np.abs(gray.astype(np.int16) - cv2.medianBlur(gray, 3).astype(np.int16)).astype(np.float32)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = cv2.dilate(ink, np.ones((5, 5), np.uint8)) > 0
    paper = (~ink) & text
    n_paper = _blocks(paper.astype(np.float32))
    n_text = _blocks(text.astype(np.float32))
    noise = _blocks(resid * paper) / np.maximum(n_paper, 1)
    judged = (n_paper >= BLOCK * BLOCK * 0.3) & (n_text >= BLOCK * BLOCK * 0.9)
    ref = float(np.median(noise[judged])) if judged.sum() >= 20 else 0.0
    return noise, judged, ref


def number_blocks(words: list[Word], shape: tuple[int, int], k: float) -> np.ndarray:
    """The 16-px blocks over the printed numbers (amounts, dates, ids; ``glyph_consistency.numbers``),
    one block around: where an edit changes what a page says about money."""
    m = np.zeros((shape[0] // BLOCK, shape[1] // BLOCK), dtype=bool)
    for w in numbers(words):
        x0, y0, x1, y1 = (round(v * k) // BLOCK for v in w.bbox)
        m[max(0, y0 - 1):y1 + 2, max(0, x0 - 1):x1 + 2] = True
    return m


def noise_flags(gray: np.ndarray, text: np.ndarray, page: int, k: float, near: np.ndarray | None = None) -> list[RiskFlag]:
    """``near``: the blocks a quiet patch must touch (default: anywhere in the text)."""
    noise, judged, ref = paper_noise(gray, text)
    if ref < MIN_PAGE_NOISE:
        return []
    quiet = judged & (noise < QUIET_RATIO * ref)
    if quiet.sum() > MAX_QUIET_SHARE * judged.sum():  # silent paper all over: a render, not a scan
        return []
    quiet &= _blocks((gray >= CLIPPED).astype(np.float32)) < BLOCK * BLOCK / 2  # clipped white has no noise to lose
    groups = [g for g in _groups(quiet) if len(g) >= MIN_BLOCKS and (near is None or near[tuple(g.T)].any())]
    if not groups:
        return []

    def box_of(g: np.ndarray) -> list[float]:
        (r0, c0), (r1, c1) = (int(v) for v in g.min(axis=0)), (int(v) for v in g.max(axis=0) + 1)
        return [round(c0 * BLOCK / k, 1), round(r0 * BLOCK / k, 1), round(c1 * BLOCK / k, 1), round(r1 * BLOCK / k, 1)]

    main = max(groups, key=len)  # one flag per page: the largest patch, every patch in the evidence
    level = float(noise[tuple(main.T)].mean())
    return [RiskFlag(
        code="IMAGE_TAMPERING", severity="yellow",  # yellow: at 0.15 it still tripped 1 in 59 clean scans
        message=f"page {page}: a patch of the text area is almost free of the scan noise found on the rest of "
                f"the page ({level:.2f} against {ref:.2f}): it may have been erased or written over by software",
        evidence={"page": page, "bbox": box_of(main), "cue": "noise", "blocks": len(main),
                  "regions": [box_of(g) for g in groups]})]


def glued(words: list[Word], apart: tuple[str, ...]) -> list[Word]:
    """``words`` less those OCR glued from two of the values in ``apart``: a paper VAT invoice prints
    its number large and its code small right after it (No 00472703 5100191160), and one word of two
    numbers in two sizes is no edit (a real 机打专票 photo was flagged red for it)."""
    values = [v for v in apart if v]
    if len(values) < 2:
        return words
    return [w for w in words if sum(v in "".join(ch for ch in w.text if ch.isdigit()) for v in values) < 2]


def unsealed(words: list[Word], img: np.ndarray, dpi: float) -> list[Word]:
    """``words`` less those a seal's red ink crosses (``MIXED_RED`` of their ink): the glyph cut of a
    seal's id over printed black or green text mixes the two, and a washed-out seal is too pink for
    its lettering to count as red (seed 9393 inv_0031, a clean TIFF: the seal's id across 销售方：（章）,
    0.21 of its ink seal red, judged red as digits twice their neighbours' height)."""
    if img.ndim != 3:
        return words
    return [w for w, share in zip(words, seal_red_shares(words, img, dpi)) if share is None or share < MIXED_RED]


def check_page(img: np.ndarray, page: Page, stored: StoredPage | None = None,
               apart: tuple[str, ...] = ()) -> list[RiskFlag]:
    """The cues on one page image (as OCR read it); ``stored``: the file's own pixels of the page,
    for copy-move (default: ``img`` itself); ``apart``: values printed side by side in two sizes
    (the glyph cue does not judge a word that holds two of them)."""
    gray = _gray(img)
    k = page.dpi / 72.0
    text = _text_mask(page, gray.shape[:2], k)
    if not text.any():
        return []
    stored = stored or identity(img)
    near = number_blocks(page.words, gray.shape[:2], k)
    cuts = WordCuts(gray)
    return (noise_flags(gray, text, page.number, k, near) + copy_flags(stored, page.words, page.number, k)
            + shift_flags(stored, page.words, page.number, k) + bilevel_flags(stored, page.words, page.number, k)
            + glyph_flags(gray, unsealed(glued(page.words, apart), img, page.dpi), page.number, k, cuts)
            + (erased_flags(gray, page.words, page.number, k, cuts) if stored.levels > 2 else [])
            + gap_flags(page.words, page.number))


def check(doc: Document) -> list[RiskFlag]:
    flags: list[RiskFlag] = []
    for page in doc.pages:
        img: Any = doc.images.get(page.number)
        if img is not None:
            flags += check_page(img, page, stored_page(doc, page, img.shape[:2]),
                                (doc.value("invoice_number") or "", doc.value("invoice_code") or ""))
    return flags
