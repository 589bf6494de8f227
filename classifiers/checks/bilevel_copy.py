"""IMAGE_TAMPERING cue ``bilevel_copy``: a digit cell pasted onto a bi-level (1-bit) page.

``copy_move`` and ``shift_repeat`` need scan noise: on a 1-bit page (BMP, fax TIFF) there is
none left, and two prints of one glyph are often the same pixels, gaps around them included. A
pasted cell repeats its source exactly too; what gives it away is where the agreement *ends*.
A natural repeat agrees over whole glyphs and stops where the neighbours differ: in the white
gap between glyphs, or one column into a stroke printed a pixel wider. A cell cut at an
arbitrary x ends on straight vertical cut lines through strokes: beyond the line the source
glyph goes on and the target's own glyph does something else, for several pixels.

1. Candidates. The stored pixels (``page_pixels``; a page stored a quarter turned is read
   transposed) are split at their two grey levels and, around the words printed in digits and
   few Latin letters (``latin_numbers``: CJK characters and Latin letters share strokes and
   components, and their partial matches end mid-stroke by nature), grown by ``GROW`` digit heights, every
   ``WIN_W`` x ``WIN_H`` window with ink edges in its rows and columns (``MIN_ACROSS``,
   ``MIN_DOWN``: glyphs, not a slanted table rule) is hashed. Windows whose hash occurs 2 to
   ``MAX_GROUP`` times pair up at least ``MIN_SHIFT`` digit heights apart; a shift whose
   repeated windows span ``MIN_SPAN`` (or most of the shift) is grown.
2. Region. From a window of that shift: rows up and down while they hold ink and agree, then
   columns left and right while the whole band agrees (``MAX_GROW`` at most). Judged when at
   least ``MIN_W`` wide with ink in ``MIN_INKED`` of its columns (not a glyph's edge and blank
   paper beyond), or, overlapping its source, as wide as the shift.
3. Edges. *Deep-cut* rows on each side: the edge column holds ink and the two columns beyond
   both differ between region and counterpart (one column only is a stroke printed a pixel
   wider), leaving out ink runs taller than ``RULE`` (a table rule beside the number).

Calibration (``h``: the median height of the number boxes): 98 clean bi-level scan pages
(40 ``samples.generate`` BMPs, 58 grey scans thresholded at 165 as the BMPs are), 48 noise-free
renders of generated invoices (plain; skewed and blurred; + noise) and 138 of the real digital
e-invoices in ``../shared/realdocs`` (the same three ways): natural exact repeats (7000 grown,
1600 judged on the generated pages) reach 2 deep-cut rows on one side (touching glyphs of a bold font, or a render's
partial glyph match), 1 on both. Copies: ``samples.tamper``'s own ``image_copy`` on 30 BMPs
(x2; 55 upright pages) and 84 cells pasted the same way on the 98 scan pages: 37 + 55 flagged.
Red from ``RED_DEEP`` (4 rows at h up to 37) on one side, or one less and 1 on the other: 28
and 43, no clean page. Yellow from 3 rows on a page with at most ``BUSY_MAX`` other judged
regions, or 2 rows (or 1 on both sides) with at most ``WIDE_MAX`` (renders repeat whole strings:
up to 128): 9 and 12 more, and one clean scan (0/2 rows, a bold 4 touching its neighbour).
Missed: cells cut in the gaps between glyphs or pasted over the same digit, pasted 1-2 px from
their source, or whose windows repeat more than ``MAX_GROUP`` times (noise-free renders: 6 of
46 copies found on the real e-invoices rendered plain, 19 of 46 with noise). A copy overlapping
its source is judged red or not at all. The flagged side is the target when its strokes stop
dead at the cut more often than its counterpart's (34 of 37). Cost: 0.035 s a bi-level page (0.09 at most);
other pages return at the two-level test.

Session 16: a cell pasted over its own number a few px from where it was cut (a smear) repeats only
in a strip as wide as the shift, narrower than a ``WIN_W`` window (``samples.tamper`` seed 23's
vou_0040: 5 px at h 28, missed). Shifts under a ``WIN_W`` window are hashed again in ``NARROW_W``
windows, which need ``NARROW_ACROSS`` ink edges per row (a strip across a bar has few); such a region
and its source are flagged as one box. Synthetic bi-level sheets (45 pages, digit heights 17-33,
smears of 4-8 px): 49 -> 88 of 270 smears flagged, clean pages unchanged (1 yellow). No new flag on 77
clean generated scans thresholded at 165, 168 renders of the real PDFs in ``../shared/realdocs``
(plain, skewed and blurred, + noise) or the generated BMPs.

Session 18, on 108 renders of the real PDFs thresholded at 165 (54 pages, plain and skewed + blurred):
12 red. Words mostly of letters are no longer searched ('FI' against 'FE': a shared stem), and a
region that overlaps its counterpart on a slant is a straight stroke moved along itself (a logo's
diagonal): 12 -> 7 red (yellow 6 -> 7). Left: runs of touching zeros on 4 pages ('000' against a
lone '0': the lone glyph's side, blank paper beyond it, reads as a cut line) and 3 others. A rule for those (a deep side
along a glyph's side with blank paper past it) also took red from 3 of 4 synthetic pastes: dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from classifiers.checks.copy_move import number_boxes
from classifiers.checks.page_pixels import StoredPage
from pipeline.types import RiskFlag, Word

WIN_W, WIN_H = 0.25, 0.6  # x digit height: the windows hashed
NARROW_ACROSS = 0.6  # ... and the ink edges per row they need (MIN_ACROSS): a strip across a bar has few
NARROW_W = 0.15  # x digit height: the windows hashed for shifts under WIN_W (a 5-px smear at h 28)
GROW = 0.3  # x digit height around each number box
MIN_ACROSS, MIN_DOWN = 1.0, 1.0  # ink edges per row across a window, per column down it: glyphs, not a rule
MAX_GROUP = 4  # a window with more exact repeats on the page is a common glyph part
MIN_SHIFT = 0.15  # x digit height
MIN_SPAN = 0.25  # x digit height (or 0.8 x the shift): the windows repeated at one shift span this to be grown
MAX_GROW = 3.0  # x digit height, columns each way
MAX_ROWS = 0.5  # x digit height, rows above and below the window
MIN_W = 0.45  # x digit height: a pasted cell is 0.55 wide; narrower natural repeats are common
MIN_INKED = 0.6  # share of the region's columns holding ink: not a glyph's edge and white paper beyond it
RED_DEEP = 0.12  # x digit height (at least 4): deep-cut rows on one side for red (or one less and 1 opposite)
WIDE_MAX = 6  # other judged regions on a page above which a shallow cut is not called yellow
BUSY_MAX = 16  # ... and a cut one row short of red
MIN_HEIGHT = 12  # px
RULE = 1.0  # x digit height: a vertical ink run this tall beside a number is a table rule, not a glyph
CURRENCY = frozenset("¥￥€£，。：")


@dataclass(frozen=True)
class Region:
    """A rectangle (x1, y1 exclusive) equal pixel for pixel to the one (dx, dy) away, in the page's
    reading frame (rows along the text)."""

    x0: int
    y0: int
    x1: int
    y1: int
    dx: int
    dy: int
    deep_l: int  # deep-cut rows on the left edge
    deep_r: int
    inked: int  # columns of the region holding ink
    stops: int  # deep-cut rows where the stroke stops dead at the edge, in the region
    stops_other: int  # ... and in its counterpart: a cut through a stroke stops it in the target

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def shift(self) -> int:
        return max(abs(self.dx), abs(self.dy))

    @property
    def along_itself(self) -> bool:
        """Overlapping its counterpart on a slant: a straight slanted stroke (a logo's, a rule's)
        equals itself moved along its own direction. A cell smeared over its own number moves
        along the line."""
        return self.dx != 0 and self.dy != 0 and abs(self.dx) < self.width and abs(self.dy) < self.y1 - self.y0


def latin_numbers(words: list[Word]) -> list[Word]:
    """Words printed mostly in digits (amounts, dates, ids; separators and a currency code such as
    ``RMB`` with them). CJK characters repeat strokes and whole components across characters, and
    so do Latin letters (the stem of E, F, I and L; of D, P and R): partial matches of either end
    on a shared stroke by nature, which looks like a cut line (real foreign invoices rendered to
    1 bit: 'FI' against 'FE', 'D-L' against 'D-R')."""
    out = []
    for w in words:
        if all(ch.isascii() or ch in CURRENCY for ch in w.text):
            digits = sum(ch.isdigit() for ch in w.text)
            if digits and digits >= sum(ch.isalpha() for ch in w.text):
                out.append(w)
    return out


def ink_of(gray: np.ndarray) -> np.ndarray | None:
    """The ink of a bi-level page (two grey levels, the darker one), None for any other page."""
    levels = np.unique(gray[::3, ::3])
    if len(levels) != 2:
        return None
    return gray <= levels[0]


def _box_sums(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """Sums of ``a`` over every h x w window, indexed by its top-left corner."""
    c = np.zeros((a.shape[0] + 1, a.shape[1] + 1), np.int32)
    c[1:, 1:] = a.cumsum(axis=0).cumsum(axis=1)
    return c[h:, w:] - c[:-h, w:] - c[h:, :-w] + c[:-h, :-w]


def window_hashes(ink: np.ndarray, boxes: list[tuple[int, int, int, int]], h: float, width: float = WIN_W,
                  across_min: float = MIN_ACROSS) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(hashes, top-left corners (x, y), window width, height) of the informative windows, ``width``
    digit heights wide, around the number boxes, each place once."""
    H, W = ink.shape
    hh, ww = min(63, max(6, round(WIN_H * h))), max(4, round(width * h))
    mult = (np.arange(1, ww + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1)
    g = round(GROW * h)
    seen = np.zeros((H, W), bool)
    hs, xs, ys = [], [], []
    for x0, y0, x1, y1 in boxes:
        xa, ya, xb, yb = max(0, x0 - g), max(0, y0 - g), min(W, x1 + g), min(H, y1 + g)
        if xb - xa <= ww or yb - ya <= hh:
            continue
        a = ink[ya:yb, xa:xb]
        ny, nx = yb - ya - hh + 1, xb - xa - ww + 1
        code = np.zeros((ny, xb - xa), np.uint64)  # each column of hh pixels as the bits of one word
        for r in range(hh):
            code |= a[r:r + ny].astype(np.uint64) << np.uint64(r)
        hsh = np.zeros((ny, nx), np.uint64)
        for j in range(ww):
            hsh += code[:, j:j + nx] * mult[j]  # wraps around 2^64: a hash
        across = _box_sums(np.pad(a[:, 1:] != a[:, :-1], ((0, 0), (0, 1))), hh, ww - 1)[:ny, :nx]
        down = _box_sums(np.pad(a[1:] != a[:-1], ((0, 1), (0, 0))), hh - 1, ww)[:ny, :nx]
        keep = (across >= across_min * hh) & (down >= MIN_DOWN * ww) & ~seen[ya:ya + ny, xa:xa + nx]
        seen[ya:ya + ny, xa:xa + nx] = True
        yy, xx = np.nonzero(keep)
        hs.append(hsh[keep])
        xs.append(xx + xa)
        ys.append(yy + ya)
    if not hs:
        return np.zeros(0, np.uint64), np.zeros((0, 2), int), ww, hh
    return np.concatenate(hs), np.column_stack([np.concatenate(xs), np.concatenate(ys)]), ww, hh


def repeats(hs: np.ndarray, pos: np.ndarray, h: float, below: float = np.inf) -> dict[tuple[int, int], np.ndarray]:
    """Shift (dx, dy) -> the windows (x, y) that repeat exactly that far away: windows whose hash
    occurs 2 to ``MAX_GROUP`` times, pairs at least ``MIN_SHIFT`` digit heights (and under ``below``
    px) apart, each pair once (dx > 0, or dx = 0 and dy > 0)."""
    order = np.argsort(hs, kind="stable")
    hs, pos = hs[order], pos[order]
    starts = np.flatnonzero(np.r_[True, hs[1:] != hs[:-1]])
    sizes = np.diff(np.r_[starts, len(hs)])
    pick = (sizes > 1) & (sizes <= MAX_GROUP)
    out: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for s, n in zip(starts[pick], sizes[pick]):
        p = pos[s:s + n]
        for i in range(n):
            for j in range(i + 1, n):
                a, b = (i, j) if (p[j, 0], p[j, 1]) > (p[i, 0], p[i, 1]) else (j, i)
                dx, dy = int(p[b, 0] - p[a, 0]), int(p[b, 1] - p[a, 1])
                if MIN_SHIFT * h <= max(abs(dx), abs(dy)) < below:
                    out.setdefault((dx, dy), []).append((int(p[a, 0]), int(p[a, 1])))
    return {k: np.array(v) for k, v in out.items()}


def grow(ink: np.ndarray, x: int, y: int, dx: int, dy: int, ww: int, hh: int, h: float) -> Region | None:
    """The region around the window at (x, y) that equals the one (dx, dy) away: rows first (over
    the window's columns, while they hold ink), then columns (over those rows); with its edges."""
    H, W = ink.shape

    def same(ya: int, yb: int, xa: int, xb: int) -> bool:
        if min(ya, ya + dy, xa, xa + dx) < 0 or max(yb, yb + dy) > H or max(xb, xb + dx) > W:
            return False
        return bool(np.array_equal(ink[ya:yb, xa:xb], ink[ya + dy:yb + dy, xa + dx:xb + dx]))

    if not same(y, y + hh, x, x + ww):
        return None
    xa, xb = max(0, x - ww, -dx), min(W, x + 2 * ww, W - dx)

    def inked(r: int) -> bool:
        if min(r, r + dy) < 0 or max(r, r + dy) >= H:
            return False
        return bool(ink[r, xa:xb].any() or ink[r + dy, xa + dx:xb + dx].any())

    rows, cols = round(MAX_ROWS * h), round(MAX_GROW * h)
    y0, y1 = y, y + hh
    while y - y0 < rows and inked(y0 - 1) and same(y0 - 1, y0, x, x + ww):
        y0 -= 1
    while y1 - y - hh < rows and inked(y1) and same(y1, y1 + 1, x, x + ww):
        y1 += 1
    x0, x1 = x, x + ww
    while x - x0 < cols and same(y0, y1, x0 - 1, x0):
        x0 -= 1
    while x1 - x - ww < cols and same(y0, y1, x1, x1 + 1):
        x1 += 1

    inked = int(ink[y0:y1, x0:x1].any(axis=0).sum())
    if not judged(x1 - x0, inked, max(abs(dx), abs(dy)), h):
        return Region(x0, y0, x1, y1, dx, dy, 0, 0, inked, 0, 0)
    reach = round(RULE * h)

    def glyph_ink(c: int, oy: int) -> np.ndarray:
        """Ink of column c over the band (shifted oy rows), less runs taller than ``RULE``: a table rule."""
        a, b = max(0, y0 + oy - reach), min(H, y1 + oy + reach)
        col = ink[a:b, c]
        if col.sum() <= reach:
            return col[y0 + oy - a:y1 + oy - a]
        edges = np.flatnonzero(np.diff(np.concatenate([[0], col.view(np.int8), [0]])))
        keep = col.copy()
        for s, e in zip(edges[::2], edges[1::2]):
            if e - s > reach:
                keep[s:e] = False
        return keep[y0 + oy - a:y1 + oy - a]

    def differs(c: int) -> np.ndarray:
        if min(c, c + dx) < 0 or max(c, c + dx) >= W:
            return np.zeros(y1 - y0, bool)
        return glyph_ink(c, 0) != glyph_ink(c + dx, dy)

    sides = ((x0, x0 - 1, x0 - 2), (x1 - 1, x1, x1 + 1))
    cut = [glyph_ink(edge, 0) & differs(o1) & differs(o2) for edge, o1, o2 in sides]

    def stops(ox: int, oy: int) -> int:  # deep-cut rows where the stroke stops dead at the edge, in one image
        n = 0
        for rows, (_, o1, o2) in zip(cut, sides):
            if rows.any():
                n += int((rows & ~ink[y0 + oy:y1 + oy, o1 + ox] & ~ink[y0 + oy:y1 + oy, o2 + ox]).sum())
        return n

    return Region(x0, y0, x1, y1, dx, dy, int(cut[0].sum()), int(cut[1].sum()), inked, stops(0, 0), stops(dx, dy))


def regions(ink: np.ndarray, boxes: list[tuple[int, int, int, int]], h: float) -> list[Region]:
    """The exact repeats around the number boxes worth growing, grown (one per shift). A copy pasted
    over its own source, fewer px away than a window is wide, repeats in a strip only as wide as
    the shift: those shifts are searched again with ``NARROW_W`` windows."""
    hs, pos, wide, hh = window_hashes(ink, boxes, h)
    found = [(shift, p, wide) for shift, p in repeats(hs, pos, h).items()]
    hs, pos, ww, hh = window_hashes(ink, boxes, h, NARROW_W, NARROW_ACROSS)
    if ww < wide:
        found += [(shift, p, ww) for shift, p in repeats(hs, pos, h, below=wide).items()]
    out = []
    for (dx, dy), p, ww in found:
        span = int(p[:, 0].max() - p[:, 0].min()) + ww
        if span < min(MIN_SPAN * h, 0.8 * max(abs(dx), abs(dy))):
            continue
        x, y = p[len(p) // 2]
        r = grow(ink, int(x), int(y), dx, dy, ww, hh, h)
        if r is not None:
            out.append(r)
    return out


def judged(width: int, inked: int, shift: int, h: float) -> bool:
    """Whether a region is a digit cell's worth of glyphs (or as wide as its shift, overlapping its
    source), not mostly blank paper."""
    return width >= (shift - 1 if shift < MIN_W * h else MIN_W * h) and inked >= MIN_INKED * width


def judge(found: list[Region], h: float) -> tuple[str, Region] | None:
    """(severity, region) of the strongest copy evidence on a page, or None."""
    deep = max(4, round(RED_DEEP * h))
    found = [r for r in found if judged(r.width, r.inked, r.shift, h) and not r.along_itself]
    wide = sum(1 for r in found if r.shift >= MIN_W * h)
    best: tuple[int, Region] | None = None
    for r in found:
        hi, lo = max(r.deep_l, r.deep_r), min(r.deep_l, r.deep_r)
        if hi >= deep or (hi >= deep - 1 and lo >= 1):
            level = 2
        elif r.shift >= MIN_W * h and ((hi >= deep - 1 and wide - 1 <= BUSY_MAX)
                                       or ((hi >= deep - 2 or lo >= 1) and wide - 1 <= WIDE_MAX)):
            level = 1
        else:
            continue
        if best is None or (level, hi + lo) > (best[0], best[1].deep_l + best[1].deep_r):
            best = (level, r)
    return None if best is None else ("red" if best[0] == 2 else "yellow", best[1])


def bilevel_flags(stored: StoredPage, words: list[Word], page: int, k: float) -> list[RiskFlag]:
    """One flag per bi-level page whose numbers hold a cell that repeats another place exactly and
    ends on cut lines through strokes."""
    ink = ink_of(stored.gray) if stored.levels == 2 else None
    if ink is None:
        return []
    boxes, h = number_boxes(stored, latin_numbers(words), k)
    if len(boxes) < 2 or h < MIN_HEIGHT:
        return []
    turned = abs(stored.to_stored[0, 0]) < abs(stored.to_stored[0, 1])  # text runs down the stored columns
    if turned:
        ink = np.ascontiguousarray(ink.T)
        boxes = [(y0, x0, y1, x1) for x0, y0, x1, y1 in boxes]
    verdict = judge(regions(ink, boxes, h), h)
    if verdict is None:
        return []
    severity, r = verdict
    a = (r.x0, r.y0, r.x1, r.y1)
    b = (r.x0 + r.dx, r.y0 + r.dy, r.x1 + r.dx, r.y1 + r.dy)
    if r.stops_other > r.stops:
        a, b = b, a
    if abs(r.dx) <= r.width and abs(r.dy) < r.y1 - r.y0:  # a smear: the strip and its source side by side
        a = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))

    def pts(box: tuple[int, int, int, int]) -> list[float]:
        x0, y0, x1, y1 = box
        return stored.points((y0, x0, y1, x1) if turned else (x0, y0, x1, y1), k)

    return [RiskFlag(
        code="IMAGE_TAMPERING", severity=severity,  # type: ignore[arg-type]
        message=f"page {page}: a piece of a printed number repeats another place on the bi-level page pixel for "
                f"pixel and ends on straight cut lines through the strokes ({max(r.deep_l, r.deep_r)} rows): it "
                f"{'was' if severity == 'red' else 'may have been'} cut from one place and pasted onto the other",
        evidence={"page": page, "bbox": pts(a), "cue": "bilevel_copy", "copy_of": pts(b),
                  "cut_rows": [r.deep_l, r.deep_r], "width": round(r.width / h, 2)})]
