"""IMAGE_TAMPERING cue ``copy_move``: a piece of a printed number pasted from elsewhere on the page.

A digit copied onto an amount, a date or an id duplicates its source down to the scan noise,
which two prints of the same digit never share; re-saved as JPEG it is what its source becomes
when compressed again at the target's place. Natural repeats differ by noise, by the sub-pixel
phase of the glyphs and by their own JPEG history. The cue reads the stored pixels
(``page_pixels``) around the words that hold digits (grown by ``GROW_X`` / ``GROW_Y`` digit
heights: a pasted cell may reach past the OCR box):

1. Candidates. Corners: local maxima of the Shi-Tomasi response over one threshold for the page
   (so a copy and its source get the same corners), each described by the 9 x 9 pixels around
   it and paired with its ``KNN`` most similar corners at least ``MIN_SHIFT`` digit heights
   away. ``MIN_PAIRS`` pairs near one another that agree on a shift, or one *distinct* pair
   (nearer than ``DISTINCT`` x the next, or the same unblurred pixels: a small patch may keep one
   corner away from its cut edges, and the blur brings what lies past the cut into it), propose a
   cell (``CELL_W`` x ``CELL_H`` digit heights, so that it fits inside a one-digit patch), placed
   where it agrees best with its counterpart. (Tried: placing it by that difference over its
   texture, so that it does not slide onto the JPEG-flattened paper beside a patch. Copies scored
   lower, a JPEG copy on seed 4242 0.22 -> 0.03 of the floor, but so did the natural repeat of a
   clean page of another set, vertical margin text printed twice at one phase, 0.16 -> 0.085: red.
   Dropped.) Shifts of whole 8 x 8 blocks on a JPEG page are judged like any other: the same glyph
   at the same phase could code to the same pixels, but scan noise differs (set aside until session
   12, such cells of 126 clean pages of two sets scored no lower than without them, while a lossless
   copy 23 x 26 blocks away on a PNG of a JPEG scan, and one on a JPEG in TIFF, went unseen).
2. Residual of the copy hypothesis: the mean squared difference of cell and counterpart (a
   lossless copy: 0) or, on a JPEG page, of the cell and its counterpart pasted there and
   compressed again (``codec``: the quality under which the text blocks are fixed points of a
   standard encoder, per page; the grey plane, or each channel of an RGB JPEG in TIFF). The blocks
   the paste touched were compressed with the page's pixels from before the forger's save around
   the paste, which the file no longer holds: the model gives them back (``SETTLE`` rounds moving
   the pixels around the cell by what the compressed model still misses of the stored ones; session
   15: a colour JPEG copy at quality 41 scored 0.27 of its page's floor without, 0.04 with, its
   page's natural repeats 0.37; 133 clean pages of three sets and 50 real images: no new flag, one
   clean image PDF's yellow 0.121 -> 0.137). Over the cell's texture (what shifting it by one pixel
   changes) that is its *ratio*. The hypothesis is
   exact only inside the pasted patch, and the best place by plain difference may reach onto the
   paper beside it: on a JPEG page the best ``PLACE_SHARE`` of the cells (``PLACE_TOP`` at least)
   are measured again up to two ``PLACE_STEP`` off their place, and keep their best ratio (the
   natural floor drops with them; doing it for every cell tripled the cue's time for nothing more).
3. The page's natural repeats set the scale: ``BASE_Q`` percentile of the ratios of its textured
   cells (``MIN_TEXTURE``: not bare paper or a rule). The best cell's ratio over that floor is the
   score: red under ``RED_RATIO``, yellow under ``YELLOW_RATIO``. The best cell, and its counterpart,
   must hold ink edges in their middle rows (``inked_middle``), not only at a rim: placement can slide
   a cell onto the paper between two lines (session 16, seed 2727: a clean q65 JPEG, the tips of a '4'
   printed under a '4' at one phase, 0.07 of the floor: red; the cell's middle rows held 0.01 of its
   mean ink edges, the copy on the same page 0.87). On the cached pages of seeds 5353 and 8686, six of 2727
   and the 50 real images: that red and one clean yellow (0.136) gone, no copy lost (one redrawn
   amount lost its copy-move yellow; the glyph cue flags it red).

Calibration (``samples.generate`` + ``samples.tamper`` ``image_copy``, two sets: 130 clean scan
pages, 48 copies): natural repeats score 0.16 and up; copies 0.000 lossless (PNG, a lossless save
of a JPEG page) and 0.005-0.08 after one JPEG re-save at the page's quality (11 of the 12 flagged).
Again on seed 4242 (63 clean scans) with the robust codec, the placement steps and the raw-pixel
pairs: natural repeats 0.235 and up (40 real invoice and receipt images: 0.27 and up); copies
0.000-0.004 lossless or JPEG in TIFF, 0.10-0.12 for two JPEG copies (yellow) that scored 0.126 and
0.49 before (no codec: the clipped colour channels of that page had hidden its quality). Four more copies on each of its 51 clean
non-bi-level pages (``_image_edit`` with other seeds), this cue and ``shift_repeat`` together:
JPEG 37/40 (31/40 before), PNG 36/36 (35), JPEG in TIFF 38/44 (32), WebP 11/40 (11), re-rendered
image PDF 9/44 (6).
Missed: bi-level pages (identical natural repeats: not judged, ``MIN_PAPER``), pages the forger
re-rendered (an image PDF rasterised again: every pixel resampled), WebP (no codec model: a
re-saved copy scores 0.08-0.5 and a clean WebP page's best natural repeat 0.34-0.72; encoding a
pasted patch again with WebP does not bring it nearer its source, the encoder's choices differ),
JPEG at quality 40 or less (noise gone: natural repeats as close as copies), copies overlapping
their own source (a digit smeared sideways by a few pixels: ``shift_repeat``), and one-digit patches
whose only corners lie on their cut edges. Pages without scan noise on the paper (bi-level, digital renders) are not judged: repeats
are identical there; nor are pages that repeat themselves exactly at several shifts (``rendered``:
5 of 16 real invoice images, digital PNGs on a textured background, would have been flagged red).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from classifiers.checks.glyph_consistency import NOT_NUMBER
from classifiers.checks.page_pixels import StoredPage
from pipeline.types import RiskFlag, Word

GROW_X, GROW_Y = 0.25, 0.75  # x digit height around each word
CELL_W, CELL_H = 0.4, 0.8  # x digit height: a generated one-digit patch is 0.55 x 1
MIN_SHIFT = 0.5  # digit heights: a copy does not overlap its source
DESC_R = 4  # corner descriptor: (2 x 4 + 1)^2 pixels
KNN = 4  # most similar corners paired with each
MAX_DESC = 400.0  # mean squared difference of two corner descriptors to be paired
MIN_PAIRS = 2
DISTINCT = 0.5  # x the distance to the second nearest corner
CORNER_LEVEL = 0.3  # x the 99th percentile of the corner response in the number boxes
MAX_CORNERS = 3000  # the strongest kept (pairing costs their number squared): generated pages 1000, 2000 at most
MIN_HEIGHT = 12  # px: smaller digits are too coarse for a cell
PLACE_STEP = 0.1  # x digit height: JPEG pages, cells measured again this far off their place ...
PLACE_TOP, PLACE_SHARE = 40, 0.15  # ... the best this many of them, or this share
MIN_PAPER = 0.1  # see paper_variation: renders and bi-level 0; generated scans 0.10 and up (session 12: a JPEG copy
# on a page at 0.18 went unseen at 0.2; 5 clean pages of two sets between 0.1 and 0.2 scored 0.21 and up)
BASE_Q = 5  # percentile of the page's residual ratios taken as its natural floor
RED_RATIO, YELLOW_RATIO = 0.1, 0.15  # x the floor; natural repeats 0.16 and up
# under this JPEG quality the scan noise that tells a copy from a natural repeat is mostly quantised away:
# a '1' repeated at the same phase in a column of amounts scored 0.03 on a clean q44 page (seed 5353):
# such a page's cells are yellow at most
RED_MIN_QUALITY = 50
MIN_TEXTURE = 0.4  # x the page's median cell texture
MIN_CELLS = 20  # textured cells a page needs for its floor
EXACT = 0.5  # mean squared difference under which two cells are the same pixels
RENDERED = 3
JPEG_QUALITIES = range(30, 96)
FIXED_POINT = 0.5  # change of the text blocks (_block_error) compressed again at the page's quality ...
SHARP_DIP = 0.3  # ... and that much less than at qualities 2-3 steps away ...
DIP_LEVEL = 0.4  # ... where it is at least this (near the top qualities every block changes little)
SETTLE = 6  # rounds giving the paste's blocks back their pixels from before the save (recompressed) ...
MIDDLE_SHARE = 0.5  # x a cell's mean ink edges: what its middle half rows need to hold (inked_middle)
SETTLE_SHARE = 0.25  # ... for this share of a JPEG page's cells, the lowest ratios (all of them: twice the cue's time)


@dataclass(frozen=True)
class Cells:
    """Candidate cells (x, y: top-left in stored pixels) with the shift to their counterpart and
    the measures of the copy hypothesis."""

    x: np.ndarray
    y: np.ndarray
    dx: np.ndarray
    dy: np.ndarray
    plain: np.ndarray  # mean squared difference of cell and counterpart
    forward: np.ndarray  # ... of the cell and its counterpart pasted there and compressed again (nan: no JPEG)
    texture: np.ndarray  # mean squared difference of the cell and itself shifted by one pixel
    w: int
    h: int
    quality: int | None = None  # the page's JPEG quality (codec), None when it has no JPEG history

    @property
    def ratio(self) -> np.ndarray:
        """What the copy hypothesis leaves unexplained, over the cell's texture."""
        return np.fmin(self.plain, self.forward) / np.maximum(self.texture, 1e-6)


def number_boxes(stored: StoredPage, words: list[Word], k: float) -> tuple[list[tuple[int, int, int, int]], float]:
    """(boxes in stored pixels of the words holding digits, their median height in pixels): amounts,
    dates, ids, codes; not a VAT invoice's cipher block, nor seal lettering."""
    boxes, heights = [], []
    for w in words:
        if any(ch.isdigit() for ch in w.text) and not NOT_NUMBER.intersection(w.text) and not (w.red or w.in_seal):
            boxes.append(stored.box(w.bbox, k))
            heights.append((w.bbox[3] - w.bbox[1]) * k)
    return boxes, float(np.median(heights)) if heights else 0.0


def area_mask(shape: tuple[int, int], boxes: list[tuple[int, int, int, int]], h: float) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    gx, gy = round(GROW_X * h), round(GROW_Y * h)
    for x0, y0, x1, y1 in boxes:
        m[max(0, y0 - gy):max(0, y1 + gy), max(0, x0 - gx):max(0, x1 + gx)] = 255
    return m


def paper_variation(gray: np.ndarray, mask: np.ndarray) -> float:
    """Standard deviation of the means of the 8 x 8 blocks of bare paper in ``mask``: scan noise
    and tint leave some even after JPEG has flattened each block; a rendered page has none, and a
    bi-level page has two grey levels only (0 then)."""
    import cv2

    span = cv2.dilate(gray, np.ones((3, 3), np.uint8)) - cv2.erode(gray, np.ones((3, 3), np.uint8))
    h, w = gray.shape[0] // 8 * 8, gray.shape[1] // 8 * 8

    def blocks(a: np.ndarray) -> np.ndarray:
        return a[:h, :w].reshape(h // 8, 8, w // 8, 8).transpose(0, 2, 1, 3).reshape(h // 8, w // 8, 64)

    flat = (blocks(span).max(axis=2) < 48) & (blocks(mask).min(axis=2) > 0)
    means = blocks(gray).mean(axis=2)[flat]
    if len(means) < 10 or len(np.unique(gray[mask > 0])) <= 4:
        return 0.0
    paper = means[means >= np.percentile(means, 75) - 30]  # not the flat inside of a thick stroke
    return float(paper.std())


def _jpeg(a: np.ndarray, q: int) -> np.ndarray:
    """``a`` (grey) compressed at quality ``q`` by libjpeg's standard tables, and decoded."""
    import cv2

    return cv2.imdecode(cv2.imencode(".jpg", a, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_GRAYSCALE)


def _block_error(diff: np.ndarray) -> float:
    """The median over the 8 x 8 blocks of their mean squared ``diff``, plus a tenth of its mean (which
    settles ties among the near-zero medians of neighbouring qualities)."""
    h, w = diff.shape[0] // 8 * 8, diff.shape[1] // 8 * 8
    e = (diff[:h, :w] ** 2).reshape(h // 8, 8, w // 8, 8).mean(axis=(1, 3))
    return float(np.median(e) + 0.1 * e.mean())


_last_codec: list[tuple[StoredPage, list[tuple[int, int, int, int]], tuple[list[np.ndarray], int] | None]] = []


def codec(stored: StoredPage, boxes: list[tuple[int, int, int, int]]) -> tuple[list[np.ndarray], int] | None:
    """(the planes a JPEG encoder compressed, its quality) when the text blocks of the page are fixed
    points of a standard JPEG encoder at one quality: the grey (luma) plane of a YCbCr JPEG, or
    each channel of an RGB one (JPEG in TIFF); None for pages with no such trace. The change is the
    median over 8 x 8 blocks (``_block_error``), not the mean: decoding a colour JPEG clips its
    channels (a VAT invoice's tinted paper), so that some blocks of its grey plane are no fixed point
    at any quality; and the dip must fall from ``DIP_LEVEL`` (near quality 92 most blocks of a JPEG
    in TIFF hardly change: a false dip in its grey plane). Seed 4242, 34 clean pages with a JPEG
    history (JPEG, JPEG in TIFF or PDF, grey PNG of a JPEG scan): the mean found 30, this all 34 at
    their quality; none on 8 palette PNG, 10 WebP or 11 bi-level pages. The last page's answer is
    kept: ``copy_move`` and ``shift_repeat`` ask for the same page in turn (0.05 s each)."""
    last = _last_codec[0] if _last_codec else None
    if last is not None and last[0] is stored and last[1] == boxes:
        return last[2]
    found = _codec(stored, boxes)
    _last_codec[:] = [(stored, list(boxes), found)]
    return found


def _codec(stored: StoredPage, boxes: list[tuple[int, int, int, int]]) -> tuple[list[np.ndarray], int] | None:
    gray = stored.gray
    crops = []
    for x0, y0, x1, _ in sorted(boxes, key=lambda b: b[0] - b[2])[:4]:
        cx, cy = max(0, x0 // 8 * 8), max(0, y0 // 8 * 8)
        if gray[cy:cy + 32, cx:cx + 64].shape == (32, 64):
            crops.append((cy, cx))
    if not crops:
        return None
    options = [[gray]] + ([[np.ascontiguousarray(stored.image[..., c]) for c in range(3)]] if stored.image.ndim == 3 else [])
    for planes in options:
        sample = np.concatenate([p[cy:cy + 32, cx:cx + 64] for p in planes for cy, cx in crops])
        err = {q: _block_error(_jpeg(sample, q).astype(np.float32) - sample) for q in JPEG_QUALITIES}
        q = min(err, key=err.__getitem__)
        near = [err[v] for v in (q - 3, q - 2, q + 2, q + 3) if v in err]
        if err[q] <= FIXED_POINT and err[q] < SHARP_DIP * float(np.median(near)) and np.median(near) >= DIP_LEVEL:
            return planes, q
    return None


def windows(a: np.ndarray, x: np.ndarray, y: np.ndarray, w: int, h: int) -> np.ndarray:
    """The (n, h, w) windows of ``a`` with top-left corners (x, y) (a view's rows: 6 x faster than
    indexing every pixel)."""
    return np.lib.stride_tricks.sliding_window_view(a, (h, w))[y, x]


def corners(smooth: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Corners (x, y) of the boxes: local maxima of the Shi-Tomasi response above one threshold for
    the whole page (``CORNER_LEVEL`` of its strong corners), so that a copy and its source get
    the same corners whatever else their boxes hold; at least ``DESC_R`` from the page edge."""
    import cv2

    H, W = smooth.shape
    r = DESC_R
    crops = []
    for x0, y0, x1, y1 in boxes:
        x0, y0, x1, y1 = max(r, x0), max(r, y0), min(W - r, x1), min(H - r, y1)
        if x1 - x0 >= 8 and y1 - y0 >= 8:
            crops.append((x0, y0, cv2.cornerMinEigenVal(smooth[y0:y1, x0:x1], blockSize=5, ksize=3)))
    if not crops:
        return np.zeros((0, 2), int)
    level = CORNER_LEVEL * float(np.percentile(np.concatenate([c.ravel() for _, _, c in crops]), 99))
    found, strength = [], []
    for x0, y0, eig in crops:
        peak = (eig >= cv2.dilate(eig, np.ones((5, 5), np.uint8))) & (eig > level)
        ys, xs = np.nonzero(peak)
        found.append(np.column_stack([xs + x0, ys + y0]))
        strength.append(eig[ys, xs])
    p, s = np.vstack(found), np.concatenate(strength)
    _, first = np.unique(p[:, 1].astype(np.int64) * W + p[:, 0], return_index=True)  # grown boxes overlap
    return p[first[np.argsort(-s[first])[:MAX_CORNERS]]]


def corner_pairs(image: np.ndarray, p: np.ndarray, min_shift: float, raw: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(target corners, shifts to their paired corners, distinct), one row per pair: each corner
    with its ``KNN`` most similar corners (the 9 x 9 pixels around them) at least ``min_shift``
    away; *distinct*: the nearest, and under ``DISTINCT`` of the distance to the next one (a copy
    is nearer its source than any natural repeat is to another), or the same pixels in ``raw`` (the
    unblurred page: the blur brings what lies past a small patch's cut into its corners)."""
    none = np.zeros((0, 2), int)
    if len(p) < 3:
        return none, none, np.zeros(0, bool)
    r = DESC_R
    desc = windows(image, p[:, 0] - r, p[:, 1] - r, 2 * r + 1, 2 * r + 1).reshape(len(p), -1).astype(np.float32)
    sq = (desc * desc).sum(axis=1)
    dist = (sq[:, None] + sq[None, :] - 2.0 * desc @ desc.T) / desc.shape[1]
    px, py = p[:, 0].astype(np.int32), p[:, 1].astype(np.int32)
    dist[(np.abs(px[:, None] - px[None, :]) < min_shift) & (np.abs(py[:, None] - py[None, :]) < min_shift)] = np.inf
    kn = min(KNN, len(p) - 2)
    nn = np.argpartition(dist, kn, axis=1)[:, :kn + 1]
    nd = np.take_along_axis(dist, nn, axis=1)
    order = np.argsort(nd, axis=1)
    nn, nd = np.take_along_axis(nn, order, axis=1), np.take_along_axis(nd, order, axis=1)
    distinct = np.zeros(nn.shape, bool)
    distinct[:, 0] = nd[:, 0] <= DISTINCT * np.maximum(nd[:, 1], 0.0)
    i, j, d = np.repeat(np.arange(len(p)), kn), nn[:, :kn].ravel(), nd[:, :kn].ravel()
    keep = d <= MAX_DESC
    distinct = distinct[:, :kn].ravel()
    if raw is not None:  # the same pixels unblurred: a lossless copy, whatever the blur brings in past its cut
        same = (windows(raw, p[i, 0] - r, p[i, 1] - r, 2 * r + 1, 2 * r + 1)
                == windows(raw, p[j, 0] - r, p[j, 1] - r, 2 * r + 1, 2 * r + 1)).all(axis=(1, 2))
        distinct |= same
    return p[i[keep]], p[j[keep]] - p[i[keep]], distinct[keep]


def _code(v: np.ndarray) -> np.ndarray:
    """Rows of small integers (|v| < 2^15) as one int64 each, for np.unique."""
    out = np.zeros(len(v), np.int64)
    for col in v.T:
        out = out * 65536 + (col.astype(np.int64) + 32768)
    return out


def candidate_cells(targets: np.ndarray, shifts: np.ndarray, distinct: np.ndarray, h: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(cell centres, shifts) where ``MIN_PAIRS`` corner pairs less than half a digit apart agree
    on a shift to a pixel or two, or one distinct pair does (a small patch may hold one corner
    away from its cut edges). Pairs are binned by target and shift, each into the bins on
    both sides of its position, so that neighbours on two sides of a bin edge still meet."""
    if not len(targets):
        return np.zeros((0, 2)), np.zeros((0, 2), int)
    cell = max(1.0, h / 2)
    scaled = np.column_stack([targets / cell, shifts / 2.0])
    both = np.stack([np.floor(scaled), np.ceil(scaled)]).astype(int)  # (2, pairs, 4)
    rows = [np.column_stack([np.arange(len(scaled))] + [both[(v >> axis) & 1, :, axis] for axis in range(4)])
            for v in range(16)]  # every axis rounded down and up
    keyed = np.vstack(rows)
    code = _code(keyed[:, 1:])
    order = np.lexsort((keyed[:, 0], code))
    keyed, code = keyed[order], code[order]
    fresh = np.r_[True, (code[1:] != code[:-1]) | (keyed[1:, 0] != keyed[:-1, 0])]  # one row per pair and bin
    keyed, code = keyed[fresh], code[fresh]
    _, inv, counts = np.unique(code, return_inverse=True, return_counts=True)
    good = (counts[inv] >= MIN_PAIRS) | distinct[keyed[:, 0]]
    pair, group = keyed[good, 0], inv[good]
    if not len(pair):
        return np.zeros((0, 2)), np.zeros((0, 2), int)
    order = np.argsort(group, kind="stable")
    pair, group = pair[order], group[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    n = np.diff(np.r_[starts, len(group)])[:, None]
    centres = np.add.reduceat(targets[pair].astype(float), starts) / n
    moves = np.round(np.add.reduceat(shifts[pair].astype(float), starts) / n).astype(int)
    _, first = np.unique(_code(np.column_stack([np.round(centres / (cell / 2)), np.round(moves / 2)]).astype(int)),
                         return_index=True)  # the same corners binned again, or a few more of them
    return centres[first], moves[first]


def measure(stored: StoredPage, words: list[Word], k: float) -> Cells | None:
    """The candidate cells of a page with their measures; None when the page cannot be judged."""
    import cv2

    boxes, h = number_boxes(stored, words, k)
    if len(boxes) < 2 or h < MIN_HEIGHT:
        return None
    gray = stored.gray
    mask = area_mask(gray.shape, boxes, h)
    if paper_variation(gray, mask) < MIN_PAPER:
        return None  # no scan noise: repeated glyphs may be identical
    smooth = cv2.GaussianBlur(gray, (0, 0), 0.8)
    gx, gy = round(GROW_X * h), round(GROW_Y * h)
    grown = [(x0 - gx, y0 - gy, x1 + gx, y1 + gy) for x0, y0, x1, y1 in boxes]
    targets, shifts, distinct = corner_pairs(smooth, corners(smooth, grown), MIN_SHIFT * h, gray)
    centres, moves = candidate_cells(targets, shifts, distinct, h)
    ch, cw = round(CELL_H * h), round(CELL_W * h)
    H, W = gray.shape
    # the cell and its counterpart, each with half a cell of room around it, inside the page
    x = np.round(centres[:, 0] - cw).astype(int)
    y = np.round(centres[:, 1] - ch).astype(int)
    ok = ((np.minimum(x, x + moves[:, 0]) >= 2) & (np.minimum(y, y + moves[:, 1]) >= 2)
          & (np.maximum(x, x + moves[:, 0]) + 2 * cw < W - 2) & (np.maximum(y, y + moves[:, 1]) + 2 * ch < H - 2))
    x, y, moves = x[ok], y[ok], moves[ok]
    g = gray.astype(np.float32)
    dx, dy = _shift(g, x + cw // 2, y + ch // 2, moves, cw, ch)
    found = codec(stored, boxes)
    if not len(x):
        return None
    px, py = _place(g, x, y, dx, dy, cw, ch)
    cells = _measure_at(g, found, px, py, dx, dy, cw, ch)
    if found is None:
        return cells
    cells = replace(cells, quality=found[1])
    # On a JPEG page the copy hypothesis is exact only inside the pasted patch, which is larger than a
    # cell: the best cells are measured again a step or two off their place, and keep the best.
    step = max(1, round(PLACE_STEP * h))
    top = np.argsort(cells.ratio)[:max(PLACE_TOP, round(PLACE_SHARE * len(x)))]
    steps = [(ox, oy) for ox in (-step, 0, step) for oy in (-2 * step, -step, 0, step, 2 * step) if ox or oy]
    m = len(top)
    ax = np.concatenate([np.clip(px[top] + ox, x[top], x[top] + cw) for ox, _ in steps])
    ay = np.concatenate([np.clip(py[top] + oy, y[top], y[top] + ch) for _, oy in steps])
    more = _measure_at(g, found, ax, ay, np.tile(dx[top], len(steps)), np.tile(dy[top], len(steps)), cw, ch)
    r = np.where(more.texture > 0, more.ratio, np.inf).reshape(len(steps), m)
    best = np.argmin(r, axis=0)
    pick = best * m + np.arange(m)
    better = r[best, np.arange(m)] < cells.ratio[top]
    cx, cy, pl, fw, tx = (a.copy() for a in (cells.x, cells.y, cells.plain, cells.forward, cells.texture))
    i, j = top[better], pick[better]
    cx[i], cy[i], pl[i], fw[i], tx[i] = more.x[j], more.y[j], more.plain[j], more.forward[j], more.texture[j]
    # the lowest share of the cells, where the best and the page's floor lie, with the paste's blocks settled
    low = np.argsort(np.fmin(pl, fw) / np.maximum(tx, 1e-6))[:max(PLACE_TOP, round(SETTLE_SHARE * len(x)))]
    fw[low] = np.fmin(fw[low], recompressed(*found, cx[low], cy[low], dx[low], dy[low], cw, ch, SETTLE))
    return Cells(cx, cy, dx, dy, pl, fw, tx, cw, ch, found[1])


def _measure_at(g: np.ndarray, found: tuple[list[np.ndarray], int] | None, x: np.ndarray, y: np.ndarray,
                dx: np.ndarray, dy: np.ndarray, cw: int, ch: int) -> Cells:
    """The cells at (x, y) with the measures of the copy hypothesis (``forward`` with a JPEG model)."""
    target = windows(g, x, y, cw, ch)
    plain = ((target - windows(g, x + dx, y + dy, cw, ch)) ** 2).mean(axis=(1, 2))
    texture = np.min([((target - windows(g, x + ox, y + oy, cw, ch)) ** 2).mean(axis=(1, 2))
                      for ox, oy in ((1, 0), (0, 1), (1, 1), (1, -1))], axis=0)
    forward = recompressed(*found, x, y, dx, dy, cw, ch) if found is not None else np.full(len(x), np.nan)
    return Cells(x, y, dx, dy, plain, forward, texture, cw, ch)


def _shift(g: np.ndarray, x: np.ndarray, y: np.ndarray, moves: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """The shift within a pixel of ``moves`` that best maps each cell onto its counterpart (the
    corners of a JPEG page move by one)."""
    target = windows(g, x, y, w, h)
    best = np.full(len(x), np.inf)
    dx, dy = moves[:, 0].copy(), moves[:, 1].copy()
    for ox in (-1, 0, 1):
        for oy in (-1, 0, 1):
            e = ((target - windows(g, x + moves[:, 0] + ox, y + moves[:, 1] + oy, w, h)) ** 2).mean(axis=(1, 2))
            better = e < best
            best[better], dx[better], dy[better] = e[better], moves[better, 0] + ox, moves[better, 1] + oy
    return dx, dy


def _place(g: np.ndarray, x: np.ndarray, y: np.ndarray, dx: np.ndarray, dy: np.ndarray, w: int, h: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """Top-left of the w x h cell, within the 2w x 2h area at (x, y), that agrees best with its
    counterpart: the corners that proposed it sit anywhere in a pasted patch."""
    diff = (windows(g, x, y, 2 * w, 2 * h) - windows(g, x + dx, y + dy, 2 * w, 2 * h)) ** 2
    c = np.zeros((len(x), 2 * h + 1, 2 * w + 1))
    c[:, 1:, 1:] = diff.cumsum(axis=1).cumsum(axis=2)
    box = c[:, h:, w:] - c[:, :-h, w:] - c[:, h:, :-w] + c[:, :-h, :-w]  # (n, h + 1, w + 1) cell sums
    at = box.reshape(len(x), -1).argmin(axis=1)
    oy, ox = np.divmod(at, w + 1)
    return x + ox, y + oy


def recompressed(planes: list[np.ndarray], q: int, x: np.ndarray, y: np.ndarray, dx: np.ndarray, dy: np.ndarray,
                 w: int, h: int, settle: int = 0) -> np.ndarray:
    """Mean squared difference between each cell and its counterpart pasted in its place and
    compressed again at quality ``q`` on the page's 8 x 8 grid: all cells in one mosaic of tiles
    cut on that grid (JPEG codes its blocks independently). The planes are padded at the bottom and
    right (edges repeated, as an encoder does) so that a tile never has to move off the grid, nor
    a cell near the page's edge out of its tile.

    ``settle``: rounds in which the pixels of the cell's blocks outside the cell are moved by what
    the compressed mosaic still misses of the stored ones. The forger compressed the paste with the
    page's pixels *before* that save around it, which the file no longer holds: the stored ones have
    been through the paste's blocks. Given back, the model of a copy becomes exact (``SETTLE``)."""
    tw, th = (w + 7) // 8 * 8 + 8, (h + 7) // 8 * 8 + 8
    planes = [np.pad(p, ((0, th), (0, tw)), mode="edge") for p in planes]
    x0, y0 = x // 8 * 8, y // 8 * 8
    n = len(x)
    cols = max(1, int(np.ceil(np.sqrt(n))))
    rows = -(-n // cols)
    cell = (np.arange(n)[:, None, None], (y - y0)[:, None, None] + np.arange(h)[None, :, None],
            (x - x0)[:, None, None] + np.arange(w)[None, None, :])
    around = np.ones((rows * cols, th, tw), bool)
    around[cell] = False

    def mosaic(tiles: np.ndarray) -> np.ndarray:
        return tiles.reshape(rows, cols, th, tw).transpose(0, 2, 1, 3).reshape(rows * th, cols * tw)

    def unmosaic(m: np.ndarray) -> np.ndarray:
        return m.reshape(rows, th, cols, tw).transpose(0, 2, 1, 3).reshape(rows * cols, th, tw)

    out = np.zeros(n)
    for plane in planes:
        stored = np.zeros((rows * cols, th, tw), np.float32)
        stored[:n] = windows(plane, x0, y0, tw, th)
        tiles = stored.copy()
        tiles[cell] = windows(plane, x + dx, y + dy, w, h)
        back = unmosaic(_jpeg(mosaic(tiles).astype(np.uint8), q)).astype(np.float32)
        best = ((back[:n][cell] - stored[:n][cell]) ** 2).mean(axis=(1, 2))
        for _ in range(settle):  # quantisation makes the rounds overshoot now and then: the best one counts
            tiles[around] = np.clip(tiles[around] + (stored - back)[around], 0, 255)
            back = unmosaic(_jpeg(np.round(mosaic(tiles)).astype(np.uint8), q)).astype(np.float32)
            best = np.minimum(best, ((back[:n][cell] - stored[:n][cell]) ** 2).mean(axis=(1, 2)))
        out += best
    return out / len(planes)


def rendered(cells: Cells) -> bool:
    """Whether the page repeats itself exactly at ``RENDERED`` or more shifts (to 3 px, either
    way): a page drawn by software, where the same glyph at the same phase is the same pixels,
    however textured its background. A copy repeats one place, or a few."""
    exact = cells.plain < EXACT
    shifts = np.column_stack([cells.dx[exact], cells.dy[exact]])
    shifts = np.where((shifts[:, :1] < 0) | ((shifts[:, :1] == 0) & (shifts[:, 1:] < 0)), -shifts, shifts)
    return len(np.unique(np.round(shifts / 3), axis=0)) >= RENDERED


def inked_middle(g: np.ndarray, cells: Cells) -> np.ndarray:
    """Whether a cell and its counterpart hold ink edges in their middle rows, not only at a rim:
    a pasted digit cell sits on its number's line; the paper between two lines with the tips of the
    same glyph reaching in at one phase is no piece of a number (session 16: '4' under '4' on a clean
    q65 JPEG, 0.07 of the floor: red)."""
    q = cells.h // 4

    def share(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        a = windows(g, x, y, cells.w + 1, cells.h)
        edges = np.diff(a, axis=2) ** 2
        return edges[:, q:cells.h - q].mean(axis=(1, 2)) / np.maximum(edges.mean(axis=(1, 2)), 1e-6)

    return np.minimum(share(cells.x, cells.y), share(cells.x + cells.dx, cells.y + cells.dy)) >= MIDDLE_SHARE


def copy_flags(stored: StoredPage, words: list[Word], page: int, k: float) -> list[RiskFlag]:
    """One flag per page whose numbers hold a cell explained as a copy of another place on the page:
    red under ``RED_RATIO`` of the page's natural floor, yellow under ``YELLOW_RATIO``."""
    cells = measure(stored, words, k)
    if cells is None:
        return []
    textured = cells.texture >= MIN_TEXTURE * np.median(cells.texture)  # not bare paper, a rule, a dot
    if textured.sum() < MIN_CELLS:
        return []
    if rendered(cells):
        return []
    ratio = np.where(textured, cells.ratio, np.inf)
    floor = float(np.percentile(ratio[textured], BASE_Q))
    i = int(np.argmin(np.where(inked_middle(stored.gray.astype(np.float32), cells), ratio, np.inf)))
    score = float(ratio[i]) / max(floor, 1e-9)
    if score >= YELLOW_RATIO:
        return []
    w, h = cells.w, cells.h
    a = (int(cells.x[i]), int(cells.y[i]))
    b = (a[0] + int(cells.dx[i]), a[1] + int(cells.dy[i]))
    red = score < RED_RATIO and (cells.quality or 100) >= RED_MIN_QUALITY
    return [RiskFlag(
        code="IMAGE_TAMPERING", severity="red" if red else "yellow",
        message=f"page {page}: a piece of a printed number repeats another place on the page down to its scan "
                f"noise ({score:.2f} of the closest natural repeats): "
                + ("one was copied onto the other" if red else "one may have been copied onto the other"),
        evidence={"page": page, "bbox": stored.points((a[0], a[1], a[0] + w, a[1] + h), k), "cue": "copy_move",
                  "copy_of": stored.points((b[0], b[1], b[0] + w, b[1] + h), k), "score": round(score, 3)})]
