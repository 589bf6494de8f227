"""IMAGE_TAMPERING cue ``erased``: digits painted over with flat paper and typed anew.

Whoever changes an amount on a scan with an image editor paints the old digits over with one
paper colour and types new ones on it. The scanner's noise, on every bit of paper around the
print, is gone from the painted patch. The page-wide noise cue (``image_forensics``) looks for
three quiet 16-px blocks of paper; a patch of two or three digits holds fewer, mostly ink, and
passes. Here the paper inside one number's box is compared slot by slot. Each glyph
(``glyph_consistency.cut_word``) owns the columns from the midpoints to its neighbours. A
slot's noise is the mean |grey − 3×3 median| over its paper: pixels ``PAPER_GAP`` px or more
from ink. Paper scanned bright enough to clip white keeps the noise that dips below white; paint
of that white has none. Bi-level pages have no noise anywhere and are not judged. A run of ``MIN_RUN`` to ``MAX_RUN`` slots whose noisiest slot stays under ``QUIET`` x
the median of the number's other slots is flagged, where those carry ``MIN_NOISE`` at least, and
so do the page's slots in the median (5 of 50 real images, digital PNGs, have flat white paper
around most numbers and noisy texture around a few: every slot of theirs at 0.00 in the median).

What the cue cannot see: a patch saved as JPEG afterwards. Re-encoding lays its own residue on
the painted paper (seed 2727's inv_0029, q76: 0.81 of the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from statistics import median

import numpy as np

from classifiers.checks.glyph_consistency import Glyph, WordCuts, numbers, to_pixels
from pipeline.types import RiskFlag, Word

PAPER_GAP = 2.5  # px from the nearest ink: paper, not a glyph's blurred rim
MIN_PAPER = 30  # paper pixels a slot needs to be judged
MIN_RUN, MAX_RUN = 2, 6  # an edit of a few digits
QUIET = 0.1
MIN_NOISE = 0.5  # grey levels of residual on the number's other slots: noise there to lose
MIN_GLYPHS = 4
BRIGHTER = 4  # grey levels: quiet paper brighter than the rest's by more is a highlight or glare, not paint


@dataclass(frozen=True)
class QuietRun:
    """A run of slots ``start:end`` of a number, its noisiest slot's noise and the rest's median."""

    start: int
    end: int
    noise: float
    rest: float
    box: tuple[int, int, int, int]  # pixels

    @property
    def ratio(self) -> float:
        return self.noise / self.rest


Slot = tuple[float, float]  # (paper noise, paper grey level)


def slot_noise(gray: np.ndarray, glyphs: list[Glyph], box: tuple[int, int, int, int]) -> list[Slot | None]:
    """Paper noise and grey level of each glyph's slot in the word box (None: too little paper)."""
    import cv2

    x0, y0, x1, y1 = box
    H, W = gray.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0:
        return [None] * len(glyphs)
    paper_level, ink_level = float(np.percentile(crop, 90)), float(np.percentile(crop, 2))
    ink = (crop < (paper_level + ink_level) / 2).astype(np.uint8)
    paper = cv2.distanceTransform(1 - ink, cv2.DIST_L2, 3) >= PAPER_GAP
    resid = np.abs(crop.astype(np.int16) - cv2.medianBlur(np.ascontiguousarray(crop), 3).astype(np.int16))
    cuts = [x0] + [(a.x1 + b.x0) // 2 for a, b in pairwise(glyphs)] + [x1]
    out: list[Slot | None] = []
    for a, b in pairwise(cuts):
        cols = np.s_[:, max(0, a - x0):max(0, b - x0)]
        m = paper[cols]
        out.append((float(resid[cols][m].mean()), float(crop[cols][m].mean())) if m.sum() >= MIN_PAPER else None)
    return out


def quietest_run(slots: list[Slot | None], glyphs: list[Glyph]) -> QuietRun | None:
    """The run of slots whose noisiest slot is quietest against the median of the others, its paper
    no brighter than theirs (by ``BRIGHTER``)."""
    best: QuietRun | None = None
    n = len(slots)
    for i in range(n):
        for j in range(i + MIN_RUN, min(n, i + MAX_RUN) + 1):
            run = [v for v in slots[i:j] if v is not None]
            rest = [v for v in slots[:i] + slots[j:] if v is not None]
            if len(run) < MIN_RUN or len(rest) < 2:
                continue
            noise, rest_noise = max(v[0] for v in run), median(v[0] for v in rest)
            if rest_noise < MIN_NOISE or (best is not None and noise / rest_noise >= best.ratio):
                continue
            if min(v[1] for v in run) > median(v[1] for v in rest) + BRIGHTER:
                continue
            best = QuietRun(i, j, noise, rest_noise, (glyphs[i].x0, min(g.y0 for g in glyphs[i:j]),
                                                      glyphs[j - 1].x1, max(g.y1 for g in glyphs[i:j])))
    return best


def page_quiet_runs(gray: np.ndarray, words: list[Word], k: float,
                    cuts: WordCuts | None = None) -> list[tuple[Word, QuietRun]]:
    """Every judged number's quietest run; none on a page whose slots carry under ``MIN_NOISE`` in the
    median (a digital page: its paper is flat but where a textured background shows through)."""
    cut_of = cuts or WordCuts(gray)
    cut = []
    for w in numbers(words):
        box = to_pixels(w.bbox, k)
        glyphs, _ = cut_of(box)
        if len(glyphs) >= MIN_GLYPHS:
            cut.append((w, glyphs, slot_noise(gray, glyphs, box)))
    noise = [v[0] for _, _, slots in cut for v in slots if v is not None]
    if not noise or median(noise) < MIN_NOISE:
        return []
    out = []
    for w, glyphs, slots in cut:
        run = quietest_run(slots, glyphs)
        if run is not None:
            out.append((w, run))
    return out


def erased_flags(gray: np.ndarray, words: list[Word], page: int, k: float,
                 cuts: WordCuts | None = None) -> list[RiskFlag]:
    """One yellow flag per page with a number holding a run of slots under ``QUIET``; evidence: its box."""
    found = sorted((x for x in page_quiet_runs(gray, words, k, cuts) if x[1].ratio < QUIET), key=lambda x: x[1].ratio)
    if not found:
        return []

    def pts(b: tuple[int, int, int, int]) -> list[float]:
        return [round(v / k, 1) for v in b]

    w, run = found[0]
    return [RiskFlag(
        code="IMAGE_TAMPERING", severity="yellow",
        message=f"page {page}: the paper around digits of {w.text!r} carries {run.ratio:.2f} of the scan noise found "
                f"around the number's other digits: they may have been painted over and written anew",
        evidence={"page": page, "bbox": pts(run.box), "cue": "erased", "ratio": round(run.ratio, 3),
                  "regions": [pts(r.box) for _, r in found]})]
