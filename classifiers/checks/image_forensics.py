"""IMAGE_TAMPERING: local edits on a scanned or photographed page.

Three cues, all on the grey page image of OCR'd pages (``doc.images``), all limited to the
text (OCR word boxes) where an edit changes what a page says:

* **Glyph consistency** (``glyph_consistency``): the digits of one printed number share font,
  size and baseline; a run of them drawn over an amount, a date or an id in another size or
  on another baseline is flagged red (yellow for a smaller misfit). Evidence: the run's box.
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
  not judged.
* **Copy-move.** ORB keypoints matched against themselves; pairs whose high-pass residual
  patches (noise included) correlate above ``COPY_CORR`` — genuine repeated glyphs share
  shape but not noise — and agree on one displacement (``MIN_PAIRS`` pairs within 2 px)
  mark a pasted region: red. Shifts by whole 8-px JPEG blocks are ignored (identical content
  compresses identically there: a digital page saved as JPEG tripped it), and so are pages
  without sensor noise (median block noise under ``MIN_COPY_NOISE``: 8 of 30 real bank receipts,
  digital PNGs, tripped it). It finds large pastes; a one-digit patch (``samples.tamper``
  ``image_copy``) is mostly missed: ORB's 31-px descriptors are wider than the patch, and after
  the scan's JPEG pass and the re-save, best matches of genuine repeated digits correlate as
  well in their residuals (up to 0.96) as true copies (0.3–0.96).

Evidence: the suspicious box in points (and the copy source for copy-move).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from classifiers.checks.glyph_consistency import glyph_flags
from pipeline.types import Document, Page, RiskFlag

BLOCK = 16
QUIET_RATIO = 0.1
MIN_PAGE_NOISE = 0.8
MIN_COPY_NOISE = 0.2  # generated scans 0.3 and up, digital bank receipts saved as PNG 0.0
MIN_BLOCKS = 3
MAX_QUIET_SHARE = 0.1  # scans: at most 8 % quiet blocks; a digital page saved as JPEG: 16 %
COPY_CORR, MIN_PAIRS, ORB_FEATURES, MAX_HAMMING = 0.9, 3, 3000, 40
PATCH = 10  # half side of the residual patch compared for copy-move
MIN_PAPER = 40  # paper pixels a patch pair needs to compare noise


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


def noise_flags(gray: np.ndarray, text: np.ndarray, page: int, k: float,
                measured: tuple[np.ndarray, np.ndarray, float] | None = None) -> list[RiskFlag]:
    noise, judged, ref = measured or paper_noise(gray, text)
    if ref < MIN_PAGE_NOISE:
        return []
    quiet = judged & (noise < QUIET_RATIO * ref)
    if quiet.sum() > MAX_QUIET_SHARE * judged.sum():  # silent paper all over: a render, not a scan
        return []
    groups = [g for g in _groups(quiet) if len(g) >= MIN_BLOCKS]
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


def _on_jpeg_grid(dx: float, dy: float) -> bool:
    """A shift by whole 8-px JPEG blocks: identical content (a repeated label, a digital page
    saved as JPEG) compresses into identical residue there, with no pasting."""
    return abs(dx - 8 * round(dx / 8)) <= 0.75 and abs(dy - 8 * round(dy / 8)) <= 0.75


def copy_move_flags(gray: np.ndarray, text: np.ndarray, page: int, k: float,
                    measured: tuple[np.ndarray, np.ndarray, float] | None = None) -> list[RiskFlag]:
    import cv2

    if (measured or paper_noise(gray, text))[2] < MIN_COPY_NOISE:
        return []  # no sensor noise (a digital page saved as an image): repeated text has identical residue

    orb = cv2.ORB_create(nfeatures=ORB_FEATURES, fastThreshold=10)
    kps, desc = orb.detectAndCompute(gray, text.astype(np.uint8) * 255)
    if desc is None or len(kps) < 10:
        return []
    matches = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(desc, desc, k=3)
    resid = gray.astype(np.float32) - cv2.medianBlur(gray, 3).astype(np.float32)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    paper = cv2.dilate(ink, np.ones((5, 5), np.uint8)) == 0  # noise is compared on paper, never on glyph edges
    h, w = gray.shape
    pairs: list[tuple[float, float, float, float]] = []
    for ms in matches:
        for m in ms:
            if m.queryIdx >= m.trainIdx or m.distance > MAX_HAMMING:
                continue
            (x1, y1), (x2, y2) = kps[m.queryIdx].pt, kps[m.trainIdx].pt
            if abs(x1 - x2) + abs(y1 - y2) < 8 or _on_jpeg_grid(x2 - x1, y2 - y1):
                continue
            xi1, yi1, xi2, yi2 = int(x1), int(y1), int(x2), int(y2)
            if min(xi1, yi1, xi2, yi2) < PATCH or max(xi1, xi2) >= w - PATCH or max(yi1, yi2) >= h - PATCH:
                continue
            s1 = (slice(yi1 - PATCH, yi1 + PATCH + 1), slice(xi1 - PATCH, xi1 + PATCH + 1))
            s2 = (slice(yi2 - PATCH, yi2 + PATCH + 1), slice(xi2 - PATCH, xi2 + PATCH + 1))
            both = paper[s1] & paper[s2]
            if both.sum() < MIN_PAPER:
                continue
            p1, p2 = resid[s1][both], resid[s2][both]
            p1, p2 = p1 - p1.mean(), p2 - p2.mean()
            den = float(np.sqrt((p1 * p1).sum() * (p2 * p2).sum()))
            if den > 0 and float((p1 * p2).sum()) / den >= COPY_CORR:
                pairs.append((x1, y1, x2, y2))
    if len(pairs) < MIN_PAIRS:
        return []
    arr = np.array(pairs)
    d = arr[:, 2:] - arr[:, :2]
    best: np.ndarray | None = None
    for i in range(len(arr)):
        near = np.abs(d - d[i]).max(axis=1) <= 2.0
        if best is None or near.sum() > best.sum():
            best = near
    if best is None or best.sum() < MIN_PAIRS:
        return []
    sel = arr[best]
    pad = 6

    def box(xs: np.ndarray, ys: np.ndarray) -> list[float]:
        return [round(float(xs.min() - pad) / k, 1), round(float(ys.min() - pad) / k, 1),
                round(float(xs.max() + pad) / k, 1), round(float(ys.max() + pad) / k, 1)]

    a_box, b_box = box(sel[:, 0], sel[:, 1]), box(sel[:, 2], sel[:, 3])
    return [RiskFlag(code="IMAGE_TAMPERING", severity="red",
                     message=f"page {page}: a piece of the page was copied onto another place "
                             f"({int(best.sum())} matching points share one shift and the same scan noise)",
                     evidence={"page": page, "bbox": b_box, "copy_of": a_box, "cue": "copy_move"})]


def check_page(img: np.ndarray, page: Page) -> list[RiskFlag]:
    gray = _gray(img)
    k = page.dpi / 72.0
    text = _text_mask(page, gray.shape[:2], k)
    if not text.any():
        return []
    measured = paper_noise(gray, text)
    return (noise_flags(gray, text, page.number, k, measured) + copy_move_flags(gray, text, page.number, k, measured)
            + glyph_flags(gray, page.words, page.number, k))


def check(doc: Document) -> list[RiskFlag]:
    flags: list[RiskFlag] = []
    for page in doc.pages:
        img: Any = doc.images.get(page.number)
        if img is not None:
            flags += check_page(img, page)
    return flags
