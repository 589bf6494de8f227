"""IMAGE_TAMPERING cue ``shift_repeat``: a digit pasted over its own number, a few pixels off.

A forger who copies a digit from the same amount pastes it a few pixels (under a digit's width,
or a digit or two) from where it was cut. ``copy_move`` does not see that: its cells must not
overlap their source and need corners away from the cut. Where the file stores pixels losslessly
(PNG, grey or palette) the paste leaves a vertical strip, as tall as the digit, that repeats the
pixels beside it exactly, scan noise included: in each number box, for each horizontal shift
``d`` from ``MIN_SHIFT`` px to ``MAX_SHIFT`` digit heights, a window ``HEIGHT`` digit heights
tall and ``d`` (at most ``WIDTH`` digit heights) wide that equals the window ``d`` to its right
pixel for pixel, where at least ``MIN_INFO`` of its pixels differ from their right and their lower
neighbour (noise or curved ink edges: not blank or clipped paper, not the flat inside of a
stroke, not a step of one grey level running down the paper). A window anywhere in the box is
compared with the pixels up to ``MAX_SHIFT`` beyond it, past the box if need be: OCR may end an
amount right after a pasted digit that it reads as no digit (``RMB14`` ``<`` ``,551.84``).

On lossy pages (JPEG, WebP, JPEG in TIFF or PDF) the copy is only close: per number box, the
best window's squared difference to the one ``d`` to its right, over the least that moving that
one by a pixel (either axis) leaves (``near_strips``). On a page with a JPEG history
(``copy_move.codec``) that ratio is scaled by what pasting either window onto the other and
compressing again leaves of their difference (``recompressed_strips``; strips of ``MIN_MODEL_SHIFT``
px or more: narrower ones lose most of any difference to the compression). Yellow when it is under
``NEAR_MAX`` (``NEAR_MODELLED`` when scaled) and under ``STANDOUT`` x the best of any other number
on the page (natural repeats of one digit come in many numbers; a copy in one).

Calibration (``samples.generate`` seed 4242 + ``samples.tamper`` seed 5; 81 clean scan pages in
six formats, 18 ``image_copy``, 8 of them pasted 4-18 px from their source in the same amount):
the two PNG copies had exact windows, clean non-bi-level pages none past 0.11 informative (right
neighbour only). Near: the WebP copies score 0.037 and 0.040, 0.14 and 0.24 of the next number; no
clean page with a window under 0.08 has one under 0.41 of its next number. Bi-level pages repeat glyph
edges exactly (0.18 on clean BMP pages, copies 0.08-0.27): not judged. Renders (no paper noise,
``copy_move.paper_variation``) and pages with exact repeats in ``RENDERED`` or more numbers (the
same glyph drawn twice by software: two real invoice PNGs on a textured background have them in
12 and 14 numbers) are not judged either; on scans only the pasted number has one.
Seed 4242 + ``samples.tamper`` seed 4242 (63 clean scans, 40 real invoice and receipt images) and
four more copies on each clean page, 56 of them from the same amount: exact windows 0.56-0.84
informative on the PNG copies, none on clean scans (a real invoice JPEG, digital, had a strip of
paper 255 | 254 repeating at 0.67 under the right-neighbour-only count; its paper is too smooth to
be judged, 0.15). Scaled: JPEG and TIFF copies 5-50 px off 0.000-0.040 (one at 0.50 of its next
number: missed), clean pages' best 0.028 and up at 0.56-0.99 of their next number (0.35 for ``//``
printed twice, at 0.105). Not scaled: WebP copies 0.003-0.094 at 0.01-0.25 of the next number,
clean WebP pages 0.066 and up at 0.65 and up. ``MAX_SHIFT`` 1.3 -> 2 digit heights found a WebP copy
47 px off (``copy_move`` has no model for WebP) for 0.015 s a page. Missed: a smear of 1-4 px on a
lossy page (6 of the 56, 0.09-0.37), copies on re-rendered image PDFs (every pixel resampled and
compressed again: copy and source differ as much as two prints), a digit pasted onto itself.

Session 15: the JPEG model settles the paste's blocks (``copy_move.recompressed``), and a JPEG page
whose paper is clipped white (no paper noise: not ``scanned``) is judged when the model explains one
strip under ``CLIPPED_STANDOUT`` x the best of any other number: a 13-px smear on a q42 colour JPEG
scored 0.0 of the next; clean pages of three sets and the real images raise nothing new.

Session 16: a box keeps its best window of each width, not only its best overall: a 5-px smear on a
q67 JPEG in TIFF (``samples.tamper`` seed 23, vou_0035) ranked under a natural repeat of a whole
digit in its own amount until the JPEG model scaled it (0.066 -> 0.021). It still scored 0.47 of the
next number's natural repeat (digits printed twice side by side, ``STANDOUT`` 0.4). No two glyphs repeat
closer than a digit's advance by themselves, so a strip under ``SMEAR_SHIFT`` digit heights from its
neighbour is judged on its own, under ``NEAR_MODELLED``: the closest such strip on a clean page is
0.105 (seed 8686), 0.247 (seed 5353) and 0.135 on the 50 real invoice and receipt images. With more
windows in play the JPEG model is kept to those within ``MODEL_MAX`` of their neighbour: a clean
contract page's 0.87 was scaled to 0.0. On the cached pages of seeds 5353 and 8686 (227 clean, copied,
redrawn and blotted scans) and the real images, vou_0035 is the one page that changed.
"""

from __future__ import annotations

import numpy as np

from classifiers.checks.copy_move import (
    SETTLE,
    area_mask,
    codec,
    number_boxes,
    paper_variation,
    recompressed,
    windows,
)
from classifiers.checks.page_pixels import StoredPage
from pipeline.types import RiskFlag, Word

SCANNED_PAPER = 0.2  # copy_move.paper_variation a page needs to be judged (0.1 let a clean image PDF at 0.197
# through, yellow: its repeats are closer than on a noisier page; copy_move itself judges from 0.1)
MIN_SHIFT = 3  # px: a copy smeared by one or two pixels leaves too narrow a strip
MAX_SHIFT = 2.0  # x digit height: a digit or two along the same number
HEIGHT, WIDTH = 0.8, 0.3  # x digit height: the window
MIN_INFO = 0.3  # share of the window's pixels unlike their right and lower neighbours; clean scans: 0, copies 0.56 up
MIN_HEIGHT = 12  # px
RENDERED = 2  # numbers with an exact repeat (share over MIN_INFO / 5): a page drawn by software, not a scan
GROW = 0.3  # x digit height each side of a number box: the paste may reach past it
MIN_CHANGE = 30.0  # mean squared change of a window shifted by one pixel: ink edges or strong noise
NEAR_MAX = 0.12  # lossy pages: a window this close to its neighbour, relative to that change ...
NEAR_MODELLED = 0.06  # ... or this close once JPEG re-compression has been accounted for (recompressed_strips) ...
STANDOUT = 0.4  # ... and closer by this factor than the best window of any other number: yellow
CLIPPED_STANDOUT = 0.1  # ... or by this one on a JPEG page with no paper noise (session 15: a smear 0.0 of the next;
# a clean q41 page 0.38)
MIN_MODEL_SHIFT = 5  # px: narrower strips lose most of any difference to a JPEG compression
MODEL_MAX = 0.3  # a window this far from its neighbour (x a one-pixel move) is no copy, whatever the JPEG did
# (session 16: a clean contract page's 0.87 was scaled to 0.0)
SMEAR_SHIFT = 0.3  # x digit height: a strip repeating its neighbour this close is judged without STANDOUT,
# under NEAR_MODELLED on any page (the nearest clean one: 0.135, a real invoice PNG not modelled)
MAX_NEAR_HEIGHT = 48  # px: its cost grows with the square of the digit height (0.8 s a page at 70 px)


def _band(gray: np.ndarray, box: tuple[int, int, int, int], hs: int, grow: int, dmax: int, cap: int
          ) -> tuple[np.ndarray, int, int, int] | None:
    """The middle ``hs`` rows of a number box, ``grow`` px wider each side, with a row of margin
    above and below and ``dmax`` + ``cap`` + 2 more columns on the right, so that a window
    (``cap`` px wide at most) anywhere in the box meets the pixels up to ``dmax`` beyond it, even
    past the box (OCR may cut an amount where a pasted digit reads as no digit):
    (pixels, left x, top y of the rows, columns where windows lie); None where it does not fit."""
    H, W = gray.shape
    x0, y0, x1, y1 = box
    ya, xa, xb = (y0 + y1 - hs) // 2, max(0, x0 - grow), x1 + grow
    band = gray[max(0, ya - 1):ya + hs + 1, xa:min(W, xb + cap + dmax + 2)]
    n = min(xb + cap, xa + band.shape[1] - dmax - 2) - xa
    if ya < 1 or ya + hs + 1 > H or n <= max(4, hs // 2):  # room for a window
        return None
    return band, xa, ya, n


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
        cut = _band(gray, box, hs, round(GROW * h), dmax, cap)
        if cut is None:
            continue
        a, xa, ya, n = cut
        mid = a[1:-1]
        # pixels unlike their right and their lower neighbour, per column: noise or a curved edge, not a
        # step of one grey level running down flat paper (a JPEG's rounding on a real invoice image)
        info = ((mid[:, 1:n + 1] != mid[:, :n]) & (a[2:, :n] != mid[:, :n])).sum(axis=0)
        shifts = np.arange(MIN_SHIFT, dmax + 1)
        bad = (mid[:, None, :n] != _shifted(mid, shifts, n)).sum(axis=0)
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
        return paper_variation(gray, area_mask(gray.shape, boxes, h)) >= SCANNED_PAPER

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
    near = near_strips(gray, boxes, h) if h <= MAX_NEAR_HEIGHT else []
    if not near:
        return []
    near, modelled = recompressed_strips(stored, boxes, near)
    level = NEAR_MODELLED if modelled else NEAR_MAX
    r, x, y, w, hh, d, i = min(near)
    second = min((v[0] for v in near if v[6] != i), default=np.inf)
    # a JPEG page whose paper is clipped white has no paper noise to go by (paper_variation), but its
    # glyph edges keep theirs: judged when the JPEG model explains one strip far better than any other
    if r <= level and r < (STANDOUT if scanned() else CLIPPED_STANDOUT if modelled else 0.0) * second:
        return [_flag(page, stored, k, "yellow", (x, y, w, hh, d), round(r / max(second, 1e-9), 3),
                      f"a strip of a printed number repeats the pixels {d} px beside it far more closely than any "
                      f"other number on the page repeats itself")]
    # closer than a digit's advance no glyph repeats by itself: a strip that close is judged on its own
    smears = [v for v in near if v[5] < SMEAR_SHIFT * h and v[0] <= NEAR_MODELLED]
    if not smears or not (modelled or scanned()):
        return []
    r, x, y, w, hh, d, i = min(smears)
    return [_flag(page, stored, k, "yellow", (x, y, w, hh, d), round(r / NEAR_MODELLED, 3),
                  f"a strip of a printed number repeats the pixels {d} px beside it, closer than one digit to "
                  f"the next, as closely as a copy")]


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
    diff = a[1:-1, None, :n] - _shifted(a[1 + dy:hs + 1 + dy], shifts, n)
    return np.einsum("ysx,ysx->sx", diff, diff)


def _shifted(a: np.ndarray, shifts: np.ndarray, n: int) -> np.ndarray:
    """(rows, shift, n): the ``n`` columns of ``a`` that start ``d`` to the right, for each shift ``d``
    (one view: a loop over the shifts cost twice as much)."""
    return np.lib.stride_tricks.sliding_window_view(a, n, axis=1)[:, shifts]


def _best_ratios(cols: list[np.ndarray], shifts: np.ndarray, cap: int, hs: int) -> list[tuple[float, int, int, int]]:
    """(ratio, x, width, shift) of the best window of each width: ``cols[0]`` the level differences,
    the others those one row off; windows as wide as the shift, from 4 px to ``cap``."""
    found = []
    widths = np.clip(shifts, 4, cap)
    sums = [np.concatenate([np.zeros((len(c), 1), c.dtype), np.cumsum(c, axis=1)], axis=1) for c in cols]
    for ws in np.unique(widths[1:-1]):
        j = np.flatnonzero(widths == ws)
        j = j[(j > 0) & (j < len(shifts) - 1)]

        def window(c: np.ndarray, rows: np.ndarray, ws: int = int(ws)) -> np.ndarray:
            return c[rows, ws:] - c[rows, :-ws]

        here = window(sums[0], j)
        alt = np.minimum.reduce([window(sums[0], j - 1), window(sums[0], j + 1)] + [window(c, j) for c in sums[1:]])
        r = np.where(alt >= MIN_CHANGE * hs * ws, here / np.maximum(alt, 1e-6), np.inf)
        k, xx = divmod(int(np.argmin(r)), r.shape[1])
        if np.isfinite(r[k, xx]):
            found.append((float(r[k, xx]), xx, int(ws), int(shifts[j[k]])))
    return found


def near_strips(gray: np.ndarray, boxes: list[tuple[int, int, int, int]], h: float
                ) -> list[tuple[float, int, int, int, int, int, int]]:
    """(ratio, x, y, w, h, shift, box index) of the best window of each width in each number box:
    the squared difference of a window (the middle ``HEIGHT`` of the box) and the one ``d`` to its
    right, over the least that moving the latter by one pixel (either axis) leaves, among windows
    where that is at least ``MIN_CHANGE`` a pixel (ink edges or strong noise, not blank paper). A
    box keeps one window per width (a smear's narrow strip may rank under a natural repeat of a
    whole digit until the JPEG model has its say). Vertical moves are tried only in boxes whose
    horizontal ratio (a lower bound) is under ``NEAR_MAX`` / ``STANDOUT``: the others can neither
    be flagged nor stop a flag."""
    hs, cap, dmax = max(6, round(HEIGHT * h)), max(4, round(WIDTH * h)), round(MAX_SHIFT * h)
    shifts = np.arange(MIN_SHIFT - 1, dmax + 2)
    found = []
    for i, box in enumerate(boxes):
        cut = _band(gray, box, hs, round(GROW * h), dmax, cap)
        if cut is None:
            continue
        a, xa, ya, n = cut[0].astype(np.float32), *cut[1:]
        level = [_diff_cols(a, hs, n, shifts, 0)]
        best = _best_ratios(level, shifts, cap, hs)
        if min((b[0] for b in best), default=np.inf) <= NEAR_MAX / STANDOUT:
            best = _best_ratios(level + [_diff_cols(a, hs, n, shifts, dy) for dy in (-1, 1)], shifts, cap, hs)
        found += [(r, xa + xx, ya, ws, hs, d, i) for r, xx, ws, d in best]
    return found


def recompressed_strips(stored: StoredPage, boxes: list[tuple[int, int, int, int]],
                        near: list[tuple[float, int, int, int, int, int, int]]
                        ) -> tuple[list[tuple[float, int, int, int, int, int, int]], bool]:
    """(``near`` with each ratio scaled, on a JPEG page (``copy_move.codec``), by how much of the
    windows' difference pasting either onto the other and compressing again leaves, whether it was):
    a copy differs from its source by what the last compression did to it; two prints differ by
    more. Strips under ``MIN_MODEL_SHIFT``, or further than ``MODEL_MAX`` from their neighbour, keep
    their ratio."""
    found = codec(stored, boxes)
    if found is None:
        return near, False
    g = stored.gray.astype(np.float32)
    out = list(near)
    modelled = [v[5] >= MIN_MODEL_SHIFT and v[0] <= MODEL_MAX for v in near]
    for w in {v[3] for v, m in zip(near, modelled) if m}:
        at = [j for j, v in enumerate(near) if v[3] == w and modelled[j]]
        x, y, d = (np.array([near[j][c] for j in at]) for c in (1, 2, 5))
        hs = near[at[0]][4]
        plain = ((windows(g, x, y, w, hs) - windows(g, x + d, y, w, hs)) ** 2).mean(axis=(1, 2))
        # either window pasted onto the other
        both = recompressed(*found, np.r_[x + d, x], np.r_[y, y], np.r_[-d, d], np.zeros(2 * len(x), int), w, hs, SETTLE)
        forward = np.minimum(both[:len(x)], both[len(x):])
        for j, f, pl in zip(at, forward, plain):
            r, *rest = near[j]
            out[j] = (r * min(1.0, float(f) / max(float(pl), 1e-6)), *rest)
    return out, True

