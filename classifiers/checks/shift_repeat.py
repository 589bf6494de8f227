"""IMAGE_TAMPERING cue ``shift_repeat``: a digit pasted over its own number, a few pixels off.

A forger who copies a digit from the same amount pastes it a few pixels (under a digit's width,
or a digit or two) from where it was cut. ``copy_move`` does not see that: its cells must not
overlap their source and need corners away from the cut. Where the file stores pixels losslessly
(PNG, grey or palette) the paste leaves a vertical strip, as tall as the digit, that repeats the
pixels beside it exactly, scan noise included: in each number box, for each horizontal shift
``d`` from ``MIN_SHIFT`` px to ``MAX_SHIFT`` digit heights, a window ``HEIGHT`` digit heights
tall and ``d`` (at most ``WIDTH`` digit heights) wide that equals the window ``d`` to its right
pixel for pixel, where at least ``MIN_INFO`` of its pixels differ from their right neighbour
(noise or ink edges: not blank or clipped paper, not the flat inside of a stroke).

On lossy pages (JPEG, WebP, JPEG in TIFF or PDF) the copy is only close: per number box, the
best window's squared difference to the one ``d`` to its right, over the least that moving that
one by a pixel (either axis) leaves (``near_strips``); yellow when it is under ``NEAR_MAX`` and
under ``STANDOUT`` x the best of any other number on the page (natural repeats of one digit
come in many numbers; a copy in one).

Calibration (``samples.generate`` seed 4242 + ``samples.tamper`` seed 5; 81 clean scan pages in
six formats, 18 ``image_copy``, 8 of them pasted 4-18 px from their source in the same amount):
exact windows on clean non-bi-level pages reach 0.11 informative, the two PNG copies 1.0.
Near: the WebP copies score 0.037 and 0.040, 0.14 and 0.24 of the next number; no clean page
with a window under 0.08 has one under 0.41 of its next number. Bi-level pages repeat glyph
edges exactly (0.18 on clean BMP pages, copies 0.08-0.27): not judged. Renders (no paper noise,
``copy_move.paper_variation``) and pages with exact repeats in ``RENDERED`` or more numbers (the
same glyph drawn twice by software: two real invoice PNGs on a textured background have them in
12 and 14 numbers) are not judged either; on scans only the pasted number has one. Not seen: a
smear of 1-2 px, a digit pasted onto itself, copies on re-rendered image PDFs (every pixel
resampled and compressed again: copy and source differ as much as two prints).
"""

from __future__ import annotations

import numpy as np

from classifiers.checks.copy_move import MIN_PAPER, area_mask, number_boxes, paper_variation
from classifiers.checks.page_pixels import StoredPage
from pipeline.types import RiskFlag, Word

MIN_SHIFT = 3  # px: a copy smeared by one or two pixels leaves too narrow a strip
MAX_SHIFT = 1.3  # x digit height: a digit or two along the same number
HEIGHT, WIDTH = 0.8, 0.3  # x digit height: the window
MIN_INFO = 0.5  # share of the window's pixels that differ from their right neighbour; clean pages 0.11 at most
MIN_HEIGHT = 12  # px
RENDERED = 2  # numbers with an exact repeat (share over MIN_INFO / 5): a page drawn by software, not a scan
GROW = 0.3  # x digit height each side of a number box: the paste may reach past it
MIN_CHANGE = 30.0  # mean squared change of a window shifted by one pixel: ink edges or strong noise
NEAR_MAX = 0.08  # lossy pages: a window this close to its neighbour, relative to that change ...
STANDOUT = 0.4  # ... and closer by this factor than the best window of any other number: yellow
MAX_NEAR_HEIGHT = 48  # px: its cost grows with the square of the digit height (0.8 s a page at 70 px)


def _band(gray: np.ndarray, box: tuple[int, int, int, int], hs: int, grow: int, dmax: int
          ) -> tuple[np.ndarray, int, int] | None:
    """The middle ``hs`` rows of a number box, ``grow`` px wider each side, with a row of margin
    above and below: (pixels, left x, top y of the rows); None where it does not fit."""
    H, W = gray.shape
    x0, y0, x1, y1 = box
    ya, xa = (y0 + y1 - hs) // 2, max(0, x0 - grow)
    band = gray[max(0, ya - 1):ya + hs + 1, xa:min(W, x1 + grow)]
    if ya < 1 or ya + hs + 1 > H or band.shape[1] - dmax - 2 <= max(4, hs // 2):  # room for a window
        return None
    return band, xa, ya


def _windows_1d(cols: np.ndarray, w: int) -> np.ndarray:
    """Sums over every run of ``w`` columns of the last axis."""
    c = np.concatenate([np.zeros(cols.shape[:-1] + (1,), cols.dtype), np.cumsum(cols, axis=-1)], axis=-1)
    return c[..., w:] - c[..., :-w]


def exact_strips(gray: np.ndarray, boxes: list[tuple[int, int, int, int]], h: float
                 ) -> list[tuple[float, int, int, int, int, int, int]]:
    """(informative share, x, y, w, h, shift, box index) of the best exact window of each number
    box that has one: the middle ``HEIGHT`` of the box, ``d`` (at most ``WIDTH`` digit heights)
    wide, equal pixel for pixel to the window ``d`` to its right."""
    hs, cap, dmax = max(6, round(HEIGHT * h)), max(3, round(WIDTH * h)), round(MAX_SHIFT * h)
    found = []
    for i, box in enumerate(boxes):
        cut = _band(gray, box, hs, round(GROW * h), dmax)
        if cut is None:
            continue
        a, xa, ya = cut
        n = a.shape[1] - dmax - 2
        mid = a[1:-1]
        info = (mid[:, 1:n + 1] != mid[:, :n]).sum(axis=0)  # pixels unlike their right neighbour, per column
        shifts = np.arange(MIN_SHIFT, dmax + 1)
        bad = np.stack([(mid[:, :n] != mid[:, d:d + n]).sum(axis=0) for d in shifts])
        widths = np.minimum(shifts, cap)
        best = None
        for ws in np.unique(widths):
            j = np.flatnonzero(widths == ws)
            good = np.where(_windows_1d(bad[j], int(ws)) == 0, _windows_1d(info, int(ws))[None, :], -1)
            k, xx = divmod(int(np.argmax(good)), good.shape[1])
            share = good[k, xx] / (hs * ws)
            if share > 0 and (best is None or share > best[0]):
                best = (float(share), xa + xx, ya, int(ws), hs, int(shifts[j[k]]), i)
        if best is not None:
            found.append(best)
    return found


def shift_flags(stored: StoredPage, words: list[Word], page: int, k: float) -> list[RiskFlag]:
    """Red where a number holds a strip that repeats its neighbour pixel for pixel; yellow where
    one repeats it far more closely than anything else on the page repeats itself."""
    boxes, h = number_boxes(stored, words, k)
    if len(boxes) < 2 or h < MIN_HEIGHT:
        return []
    gray = stored.gray

    def scanned() -> bool:  # not bi-level, not rendered: there glyphs repeat exactly by themselves
        return paper_variation(gray, area_mask(gray.shape, boxes, h)) >= MIN_PAPER

    strips = exact_strips(gray, boxes, h)
    if len({s[6] for s in strips if s[0] >= MIN_INFO / 5}) >= RENDERED:
        return []
    hits = [s for s in strips if s[0] >= MIN_INFO]
    if hits and not scanned():
        return []
    if hits:
        share, x, y, w, hh, d, _ = max(hits)
        return [_flag(page, stored, k, "red", (x, y, w, hh, d), round(share, 3),
                      f"a strip of a printed number repeats the pixels {d} px beside it exactly, scan noise included")]
    near = sorted(near_strips(gray, boxes, h)) if h <= MAX_NEAR_HEIGHT else []
    if not near:
        return []
    r, x, y, w, hh, d, i = near[0]
    second = min((v[0] for v in near if v[6] != i), default=np.inf)
    if r > NEAR_MAX or r >= STANDOUT * second or not scanned():
        return []
    return [_flag(page, stored, k, "yellow", (x, y, w, hh, d), round(r / max(second, 1e-9), 3),
                  f"a strip of a printed number repeats the pixels {d} px beside it far more closely than any "
                  f"other number on the page repeats itself")]


def _flag(page: int, stored: StoredPage, k: float, severity: str, at: tuple[int, int, int, int, int], score: float,
          what: str) -> RiskFlag:
    x, y, w, hh, d = at
    return RiskFlag(
        code="IMAGE_TAMPERING", severity=severity,  # type: ignore[arg-type]
        message=f"page {page}: {what}: a digit may have been cut and pasted back a little off its place",
        evidence={"page": page, "bbox": stored.points((x, y, x + w, y + hh), k), "cue": "shift_repeat",
                  "copy_of": stored.points((x + d, y, x + d + w, y + hh), k), "score": score})


def _diff_cols(a: np.ndarray, hs: int, n: int, shifts: np.ndarray, dy: int) -> np.ndarray:
    """(shift, x): column sums of the squared difference of the band's rows and those ``dy`` lower,
    ``d`` to the right."""
    mid = a[1:-1, :n]
    return np.stack([((mid - a[1 + dy:hs + 1 + dy, d:d + n]) ** 2).sum(axis=0) for d in shifts])


def _best_ratio(cols: list[np.ndarray], shifts: np.ndarray, cap: int, hs: int) -> tuple[float, int, int, int]:
    """(ratio, x, width, shift) of the best window: ``cols[0]`` the level differences, the others
    those one row off; windows as wide as the shift, from 4 px to ``cap``."""
    best = (np.inf, 0, 0, 0)
    widths = np.clip(shifts, 4, cap)
    for ws in np.unique(widths[1:-1]):
        j = np.flatnonzero(widths == ws)
        j = j[(j > 0) & (j < len(shifts) - 1)]
        level = _windows_1d(cols[0], int(ws))
        here = level[j]
        alt = np.minimum.reduce([level[j - 1], level[j + 1]] + [_windows_1d(c[j], int(ws)) for c in cols[1:]])
        r = np.where(alt >= MIN_CHANGE * hs * ws, here / np.maximum(alt, 1e-6), np.inf)
        at = int(np.argmin(r))
        k, xx = divmod(at, r.shape[1])
        if r[k, xx] < best[0]:
            best = (float(r[k, xx]), xx, int(ws), int(shifts[j[k]]))
    return best


def near_strips(gray: np.ndarray, boxes: list[tuple[int, int, int, int]], h: float
                ) -> list[tuple[float, int, int, int, int, int, int]]:
    """(ratio, x, y, w, h, shift, box index) of the best window of each number box: the squared
    difference of a window (the middle ``HEIGHT`` of the box) and the one ``d`` to its right, over
    the least that moving the latter by one pixel (either axis) leaves, among windows where that
    is at least ``MIN_CHANGE`` a pixel (ink edges or strong noise, not blank paper). Vertical moves
    are tried only in boxes whose horizontal ratio (a lower bound) is under ``NEAR_MAX`` /
    ``STANDOUT``: the others can neither be flagged nor stop a flag."""
    hs, cap, dmax = max(6, round(HEIGHT * h)), max(4, round(WIDTH * h)), round(MAX_SHIFT * h)
    shifts = np.arange(MIN_SHIFT - 1, dmax + 2)
    found = []
    for i, box in enumerate(boxes):
        cut = _band(gray, box, hs, round(GROW * h), dmax)
        if cut is None:
            continue
        a, xa, ya = cut[0].astype(np.float32), cut[1], cut[2]
        n = a.shape[1] - dmax - 2
        level = [_diff_cols(a, hs, n, shifts, 0)]
        r, xx, ws, d = _best_ratio(level, shifts, cap, hs)
        if r <= NEAR_MAX / STANDOUT:
            r, xx, ws, d = _best_ratio(level + [_diff_cols(a, hs, n, shifts, dy) for dy in (-1, 1)], shifts, cap, hs)
        if np.isfinite(r):
            found.append((r, xa + xx, ya, ws, hs, d, i))
    return found
