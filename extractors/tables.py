"""Tables: ruled grids from a page image (OpenCV morphology) or a PDF's vector paths, column-aligned
tables where there are no lines, and the page's words in their cells.

Lines give the structure, words only fill it: a grid is its clustered separators plus, per slot
edge, whether a line covers it (a missing one merges slots into one cell). A band of ruled columns
holding several text rows (invoice items: no line between them) is split at the text rows. Seal
strokes are kept out by shape (thin and straight, kernels longer than a seal ring's flat) and by
structure (a line must meet the grid). Boxes are PDF points from the top-left, as in ``pipeline.types``.
"""

from __future__ import annotations

import ctypes
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median
from typing import Any

import cv2
import numpy as np

from extractors.layout import JOIN_GAP
from pipeline.types import BBox, Line, Page, Table, TableCell, Word

CLUSTER_PT = 2.0  # separators closer than this are one line (double title underlines lie 2.8 pt apart)
TOUCH_PT = 3.0  # a line ending this close to another still meets it
LONE_MIN_PT = 36.0  # a line meeting only one other must be this long (a seal ring's flat is shorter)
COVER = 0.5  # a slot edge is ruled when lines cover this share of it
MIN_CELL_PT = 8.0  # the median cell's smaller side, at least (a QR code's modules make tiny "cells")
WORK_DPI = 100.0  # page images are min-pooled to about this: 4x fewer pixels, thin lines keep their ink
CHUNK_GAP = 1.0  # line heights: a wider gap between words starts a new chunk of a borderless row


@dataclass(frozen=True, slots=True)
class Segment:
    """An axis-aligned ruling line in points: at ``pos`` (y if horizontal, else x) from ``lo`` to ``hi``."""

    horizontal: bool
    pos: float
    lo: float
    hi: float


@dataclass(frozen=True, slots=True)
class Frame:
    """A page image's residual skew as its rules show it (degrees, y down): words turn by it onto the grid."""

    angle: float = 0.0
    cx: float = 0.0
    cy: float = 0.0

    def to_grid(self, x: float, y: float, sign: float = 1.0) -> tuple[float, float]:
        if not self.angle:
            return x, y
        t = math.radians(sign * self.angle)
        dx, dy = x - self.cx, y - self.cy
        return self.cx + dx * math.cos(t) + dy * math.sin(t), self.cy - dx * math.sin(t) + dy * math.cos(t)

    def to_page(self, box: BBox) -> BBox:
        """A grid-frame box back on the page: its centre turned back (a small skew keeps it upright)."""
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        px, py = self.to_grid(cx, cy, -1.0)
        return (round(box[0] + px - cx, 2), round(box[1] + py - cy, 2), round(box[2] + px - cx, 2), round(box[3] + py - cy, 2))


@dataclass
class Grid:
    """Sorted separators and cells as slot ranges ``(r0, c0, r1, c1)``, end-exclusive: merged cells span."""

    xs: list[float]
    ys: list[float]
    cells: list[tuple[int, int, int, int]]


# ---------------------------------------------------------------------------- page images


def _ink(img: np.ndarray, f: int, px_per_pt: float) -> np.ndarray:
    """Ink 255 / paper 0 at 1/``f`` scale: min-pooled (a 1-px rule keeps its darkness), then an adaptive
    mean threshold (tinted paper and shadows stay paper). Seal red stays ink: erasing it cut the rules
    it crosses into pieces too short to keep (measured); its strokes fail on shape and structure."""
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
    if f > 1:
        h, w = grey.shape
        grey = cv2.resize(cv2.erode(grey, np.ones((f, f), np.uint8), anchor=(0, 0)), (w // f, h // f),
                          interpolation=cv2.INTER_NEAREST)
    block = max(9, int(12 * px_per_pt)) | 1
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)


def _lines_in(mask: np.ndarray, horizontal: bool, min_len: int, max_thick: float) -> list[tuple[float, ...]]:
    """Thin straight blobs of an opened mask as ``(xa, ya, xb, yb)``: ends and middle are read off each
    outline (mean across the line in a 3-px window); a middle off the chord is a seal's ring, not a rule."""
    out = []
    for c in cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[0]:
        along, across = (c[:, 0, 0], c[:, 0, 1]) if horizontal else (c[:, 0, 1], c[:, 0, 0])
        lo, hi = int(along.min()), int(along.max())
        length = hi - lo + 1
        if length < min_len or cv2.contourArea(c) / length + 1 > max_thick:
            continue
        a, b = across[along <= lo + 2].mean(), across[along >= hi - 2].mean()
        m = across[np.abs(along - (lo + hi) / 2) <= 1.5]
        if m.size and abs(m.mean() - (a + b) / 2) <= max(1.5, 0.01 * length):
            a, b = float(a), float(b)
            out.append((lo, a, hi + 1, b) if horizontal else (a, lo, b, hi + 1))
    return out


def image_segments(img: np.ndarray, dpi: float) -> tuple[list[Segment], Frame]:
    """Ruling lines of a page image (BGR or grey uint8) in points, straightened, and the skew they show.

    Kernels are long relative to the page (1/30 of its short side across, 1/45 down, bounded in
    points), so text strokes and most of a seal's ring do not survive the opening.
    """
    f = max(1, round(dpi / WORK_DPI))
    k = dpi / f / 72.0  # work pixels per point
    ink = _ink(img, f, k)
    side = min(ink.shape)
    lh, lv = int(np.clip(side / 30, 12 * k, 40 * k)), int(np.clip(side / 45, 10 * k, 30 * k))
    rect = cv2.MORPH_RECT
    hs = _lines_in(cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(rect, (lh, 1))), True, lh, max(3.0, 3 * k))
    vs = _lines_in(cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(rect, (1, lv))), False, lv, max(3.0, 3 * k))
    # residual skew: the length-weighted median direction of the long lines (verticals turned a quarter)
    angles = [(math.atan2(yb - ya, xb - xa), xb - xa) for xa, ya, xb, yb in hs if xb - xa >= side / 5]
    angles += [(math.atan2(xa - xb, yb - ya), yb - ya) for xa, ya, xb, yb in vs if yb - ya >= side / 5]
    s = 72.0 / dpi * f
    frame = Frame(math.degrees(_weighted_median(angles)), ink.shape[1] / 2 * s, ink.shape[0] / 2 * s)
    segs = []
    for horizontal, lines in ((True, hs), (False, vs)):
        for xa, ya, xb, yb in lines:
            (pa, qa), (pb, qb) = frame.to_grid(xa * s, ya * s), frame.to_grid(xb * s, yb * s)
            segs.append(Segment(True, (qa + qb) / 2, min(pa, pb), max(pa, pb)) if horizontal
                        else Segment(False, (pa + pb) / 2, min(qa, qb), max(qa, qb)))
    return segs, frame


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    acc, half = 0.0, sum(w for _, w in pairs) / 2
    for v, w in sorted(pairs):
        acc += w
        if acc >= half:
            return v
    return 0.0


# ---------------------------------------------------------------------------- PDF vector paths


def _display(rot: int, crop: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    """PDF user space (bottom-left origin) → the displayed page (top-left origin) under a quarter turn."""
    cx0, cy0, cx1, cy1 = crop
    return {90: (y - cy0, x - cx0), 180: (cx1 - x, y - cy0), 270: (cy1 - y, cx1 - x)}.get(rot, (x - cx0, cy1 - y))


def _segment(a: tuple[float, float], b: tuple[float, float], tol: float) -> Segment | None:
    dx, dy = abs(b[0] - a[0]), abs(b[1] - a[1])
    if dy <= tol < dx:
        return Segment(True, (a[1] + b[1]) / 2, min(a[0], b[0]), max(a[0], b[0]))
    if dx <= tol < dy:
        return Segment(False, (a[0] + b[0]) / 2, min(a[1], b[1]), max(a[1], b[1]))
    return None


def pdf_segments(page: Any, turn: int = 0) -> list[Segment]:
    """Ruling lines from a pypdfium2 ``PdfPage``'s path objects, forms followed: the cheapest source.

    Straight strokes along an axis count, and thin filled rectangles (rules drawn as bars); curves
    (seals, rounded corners) do not. ``turn`` is ``Page.rotation`` of a text-layer page.
    """
    import pypdfium2.raw as c

    rot, crop = (page.get_rotation() - turn) % 360, tuple(page.get_cropbox())
    out: list[Segment] = []
    px, py, fill, stroke, m = ctypes.c_float(), ctypes.c_float(), ctypes.c_int(), ctypes.c_int(), c.FS_MATRIX()
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()

    def walk(objects: Iterable[Any], t: tuple[float, ...]) -> None:
        for obj in objects:
            kind = c.FPDFPageObj_GetType(obj)
            if kind not in (c.FPDF_PAGEOBJ_PATH, c.FPDF_PAGEOBJ_FORM):
                continue
            c.FPDFPageObj_GetMatrix(obj, m)
            mt = (m.a * t[0] + m.b * t[2], m.a * t[1] + m.b * t[3], m.c * t[0] + m.d * t[2], m.c * t[1] + m.d * t[3],
                  m.e * t[0] + m.f * t[2] + t[4], m.e * t[1] + m.f * t[3] + t[5])
            if kind == c.FPDF_PAGEOBJ_FORM:
                walk((c.FPDFFormObj_GetObject(obj, j) for j in range(c.FPDFFormObj_CountObjects(obj))), mt)
                continue
            c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
            scale = max(math.hypot(t[0], t[1]), math.hypot(t[2], t[3]))
            if max(right.value - left.value, top.value - bottom.value) * scale < MIN_CELL_PT:
                continue  # a dot, a QR module, a glyph drawn as a path: shorter than any cell edge
            c.FPDFPath_GetDrawMode(obj, fill, stroke)
            runs: list[list[tuple[float, float]]] = []  # straight runs; a curve or a move starts a new one
            for k in range(c.FPDFPath_CountSegments(obj)):
                seg = c.FPDFPath_GetPathSegment(obj, k)
                c.FPDFPathSegment_GetPoint(seg, px, py)
                x, y = px.value * mt[0] + py.value * mt[2] + mt[4], px.value * mt[1] + py.value * mt[3] + mt[5]
                p = _display(rot, crop, x, y)
                if c.FPDFPathSegment_GetType(seg) == c.FPDF_SEGMENT_LINETO and runs:
                    runs[-1].append(p)
                else:
                    runs.append([p])
                if c.FPDFPathSegment_GetClose(seg) and len(runs[-1]) > 1:
                    runs[-1].append(runs[-1][0])
            for run in runs:
                if stroke.value:
                    out.extend(s for p, q in pairwise(run) if (s := _segment(p, q, 0.5)))
                elif fill.value and len(run) >= 4:  # a thin filled box is a rule drawn as a bar
                    xs, ys = [p[0] for p in run], [p[1] for p in run]
                    bar = None
                    if max(ys) - min(ys) <= 2.0:
                        bar = _segment((min(xs), (min(ys) + max(ys)) / 2), (max(xs), (min(ys) + max(ys)) / 2), 2.0)
                    elif max(xs) - min(xs) <= 2.0:
                        bar = _segment(((min(xs) + max(xs)) / 2, min(ys)), ((min(xs) + max(xs)) / 2, max(ys)), 2.0)
                    out.extend([bar] if bar else [])

    raw = page.raw
    walk((c.FPDFPage_GetObject(raw, j) for j in range(c.FPDFPage_CountObjects(raw))), (1, 0, 0, 1, 0, 0))
    return out


def pdf_ruling(data: bytes, turns: dict[int, int]) -> dict[int, list[Segment]]:
    """Ruling lines of some pages (number → ``Page.rotation``) of a PDF's bytes; {} if it cannot be opened."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # noqa: BLE001 - the backend has reported a damaged file already
        return {}
    out: dict[int, list[Segment]] = {}
    try:
        for number, turn in turns.items():
            if 1 <= number <= len(pdf):
                page = pdf[number - 1]
                try:
                    out[number] = pdf_segments(page, turn)
                finally:
                    page.close()
    finally:
        pdf.close()
    return out


# ---------------------------------------------------------------------------- segments → grids


def _clusters(values: Iterable[float]) -> list[float]:
    """Chain-cluster positions (gaps up to ``CLUSTER_PT``); each cluster's mean, sorted."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= CLUSTER_PT:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _coverage(segs: list[Segment], pos: float, lo: float, hi: float) -> float:
    """Share of ``[lo, hi]`` covered by the segments lying at ``pos``."""
    covered, end = 0.0, lo
    for a, b in sorted((max(s.lo - TOUCH_PT, lo), min(s.hi + TOUCH_PT, hi)) for s in segs if abs(s.pos - pos) <= CLUSTER_PT):
        if b > max(a, end):
            covered += b - max(a, end)
            end = b
    return covered / (hi - lo) if hi > lo else 0.0


def _roots(n: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Union-find: each item's group representative."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[find(i)] = find(j)
    return [find(i) for i in range(n)]


def _connected(segments: list[Segment]) -> list[list[Segment]]:
    """Lines meeting the grid (two others, or one when long: a stray arc or stroke meets none), in connected sets."""
    hs = [s for s in segments if s.horizontal]
    vs = [s for s in segments if not s.horizontal]
    if not hs or not vs:
        return []
    h, v = np.array([(s.pos, s.lo, s.hi) for s in hs]), np.array([(s.pos, s.lo, s.hi) for s in vs])
    meet = ((h[:, 1:2] - TOUCH_PT <= v[None, :, 0]) & (v[None, :, 0] <= h[:, 2:3] + TOUCH_PT)
            & (v[None, :, 1] - TOUCH_PT <= h[:, 0:1]) & (h[:, 0:1] <= v[None, :, 2] + TOUCH_PT))
    keep_h, keep_v = np.ones(len(hs), bool), np.ones(len(vs), bool)
    for _ in range(6):
        mm = meet & keep_h[:, None] & keep_v[None, :]
        nh, nv = mm.sum(axis=1), mm.sum(axis=0)
        new_h = keep_h & ((nh >= 2) | ((nh == 1) & (h[:, 2] - h[:, 1] >= LONE_MIN_PT)))
        new_v = keep_v & ((nv >= 2) | ((nv == 1) & (v[:, 2] - v[:, 1] >= LONE_MIN_PT)))
        if (new_h == keep_h).all() and (new_v == keep_v).all():
            break
        keep_h, keep_v = new_h, new_v
    pairs = zip(*np.nonzero(meet & keep_h[:, None] & keep_v[None, :]))
    roots = _roots(len(hs) + len(vs), ((int(i), len(hs) + int(j)) for i, j in pairs))
    groups: dict[int, list[Segment]] = defaultdict(list)
    for i, s in enumerate(hs + vs):
        if keep_h[i] if i < len(hs) else keep_v[i - len(hs)]:
            groups[roots[i]].append(s)
    return list(groups.values())


def _stacked(segs: list[Segment]) -> list[list[Segment]]:
    """A frame split into the tables stacked in it (an invoice's party, item and total blocks): at a
    full-width line where inner verticals end above and others start below (three or more in all)
    and at most one crosses (a column edge that happens to line up with one above)."""
    hs = [s for s in segs if s.horizontal]
    vs = [s for s in segs if not s.horizontal]
    ys = _clusters(s.pos for s in hs)
    x0, x1, t = min(s.lo for s in hs), max(s.hi for s in hs), TOUCH_PT
    inner = [s for s in vs if x0 + CLUSTER_PT + t < s.pos < x1 - CLUSTER_PT - t]
    cuts = ys[:1]
    for i in range(1, len(ys) - 1):
        y = ys[i]
        crossing = sum(1 for s in inner if s.lo < y - t and s.hi > y + t)
        above = sum(1 for s in inner if ys[i - 1] + t < s.hi <= y + t and s.lo < y - t)
        below = sum(1 for s in inner if y - t <= s.lo < ys[i + 1] - t and s.hi > y + t)
        if crossing <= 1 and above and below and above + below >= 3 and _coverage(hs, y, x0, x1) >= 0.95:
            cuts.append(y)
    if len(cuts) == 1:
        return [segs]
    cuts.append(ys[-1])
    return [[s for s in hs if top - CLUSTER_PT <= s.pos <= bottom + CLUSTER_PT]
            + [Segment(False, s.pos, max(s.lo, top), min(s.hi, bottom)) for s in vs if s.lo < bottom - t and s.hi > top + t]
            for top, bottom in pairwise(cuts)]


def grids(segments: list[Segment]) -> list[Grid]:
    """Ruled tables from lines: separators clustered, slots merged where an edge has no line."""
    return [g for comp in _connected(segments) for part in _stacked(comp) if (g := _grid(part)) is not None]


def _grid(segs: list[Segment]) -> Grid | None:
    hs = [s for s in segs if s.horizontal]
    vs = [s for s in segs if not s.horizontal]
    if len(hs) < 2 or len(vs) < 2:
        return None
    xs, ys = _clusters(s.pos for s in vs), _clusters(s.pos for s in hs)
    # open sides: lines reaching past the last separator across them bound the table
    lo_x, hi_x, lo_y, hi_y = min(s.lo for s in hs), max(s.hi for s in hs), min(s.lo for s in vs), max(s.hi for s in vs)
    far = 3 * TOUCH_PT
    xs = ([lo_x] if lo_x < xs[0] - far else []) + xs + ([hi_x] if hi_x > xs[-1] + far else [])
    ys = ([lo_y] if lo_y < ys[0] - far else []) + ys + ([hi_y] if hi_y > ys[-1] + far else [])
    nr, nc = len(ys) - 1, len(xs) - 1
    pairs = [(r * nc + c, r * nc + c + 1) for r in range(nr) for c in range(nc - 1)
             if _coverage(vs, xs[c + 1], ys[r], ys[r + 1]) < COVER]
    pairs += [(r * nc + c, (r + 1) * nc + c) for r in range(nr - 1) for c in range(nc)
              if _coverage(hs, ys[r + 1], xs[c], xs[c + 1]) < COVER]
    spans: dict[int, list[int]] = {}
    for i, root in enumerate(_roots(nr * nc, pairs)):
        r, c = divmod(i, nc)
        box = spans.setdefault(root, [r, c, r + 1, c + 1])
        box[:] = [min(box[0], r), min(box[1], c), max(box[2], r + 1), max(box[3], c + 1)]
    cells = sorted({(a, b, c, d) for a, b, c, d in spans.values()})
    if len(cells) < 2 or median(min(xs[d] - xs[b], ys[c] - ys[a]) for a, b, c, d in cells) < MIN_CELL_PT:
        return None
    return Grid(xs, ys, cells)


# ---------------------------------------------------------------------------- words → cells


@dataclass(slots=True)
class _Placed:
    word: Word
    box: BBox  # in the grid's frame
    source: Word  # the page's word (``word`` may be a piece of it)


def _split_word(w: Word, x: float, box: BBox) -> list[tuple[Word, BBox]]:
    """A word straddling a ruled column edge (OCR joined across it), cut at the character nearest the edge."""
    n, width = len(w.text), box[2] - box[0]
    i = round((x - box[0]) / width * n) if width > 0 else 0
    if not 0 < i < n:
        return [(w, box)]
    xm, pm = box[0] + width * i / n, w.bbox[0] + (w.bbox[2] - w.bbox[0]) * i / n
    left = w.model_copy(update={"text": w.text[:i], "bbox": (w.bbox[0], w.bbox[1], pm, w.bbox[3])})
    right = w.model_copy(update={"text": w.text[i:], "bbox": (pm, w.bbox[1], w.bbox[2], w.bbox[3])})
    return [(left, (box[0], box[1], xm, box[3])), (right, (xm, box[1], box[2], box[3]))]


def _upright(words: list[Word], med: float) -> Iterable[tuple[Word, Word]]:
    """(page word, word to place): stacked characters that OCR read as one vertical word (the units under
    单位 at tight row spacing) are cut into their characters, one per text row."""
    for w in words:
        x0, y0, x1, y1 = w.bbox
        n = len(w.text)
        if n >= 2 and med > 0 and y1 - y0 >= 1.6 * med and x1 - x0 <= 1.5 * med:
            step = (y1 - y0) / n
            for i, ch in enumerate(w.text):
                yield w, w.model_copy(update={"text": ch, "bbox": (x0, y0 + i * step, x1, y0 + (i + 1) * step)})
        else:
            yield w, w


def _rows_of(items: list[Any], box: Callable[[Any], BBox]) -> list[list[Any]]:
    """Items in visual lines by vertical overlap (``extractors.layout.group_lines``'s rule, without models)."""
    rows: list[list[Any]] = []
    centres: list[float] = []
    heights: list[list[float]] = []  # per row, its items' heights (the row's height is their median)
    for b, it in sorted(((box(it), it) for it in items), key=lambda bi: (bi[0][1] + bi[0][3]) / 2):
        cy, h = (b[1] + b[3]) / 2, max(b[3] - b[1], 1.0)
        if rows and abs(cy - centres[-1]) <= 0.45 * min(h, median(heights[-1])):
            rows[-1].append(it)
            centres[-1] += (cy - centres[-1]) / len(rows[-1])
            heights[-1].append(b[3] - b[1])
        else:
            rows.append([it])
            centres.append(cy)
            heights.append([h])
    return rows


def _band_rows(grid: Grid, r: int, placed: dict[int, list[_Placed]]) -> list[tuple[float, float]]:
    """Band ``r`` as sub-rows, one per text row with words in two or more of its wide cells. Rows in one
    cell only (a wrapped name, a vertical label's letters) and tall words join the row above them."""
    top, bottom = grid.ys[r], grid.ys[r + 1]
    band = [k for k, cell in enumerate(grid.cells) if cell[0] == r and cell[2] == r + 1]
    items = [(k, p) for k in band for p in placed.get(k, [])]
    if len(band) < 2 or len(items) < 4:
        return [(top, bottom)]
    med = median(p.box[3] - p.box[1] for _, p in items)
    wide = {k for k in band if grid.xs[grid.cells[k][3]] - grid.xs[grid.cells[k][1]] >= 2.5 * med}  # not a label column
    anchors = []
    for row in _rows_of([kp for kp in items if kp[1].box[3] - kp[1].box[1] <= 1.8 * med], lambda kp: kp[1].box):
        if len({k for k, _ in row if k in wide}) >= 2:
            anchors.append((min(p.box[1] for _, p in row), max(p.box[3] for _, p in row)))
    if len(anchors) < 2:
        return [(top, bottom)]
    cuts = [top]  # just above each next row: text between two rows is the upper one's wrapped cell
    for (_, b0), (a1, _) in pairwise(anchors):
        cuts.append(min(max(a1 - min(0.25 * med, (a1 - b0) / 2), cuts[-1]), bottom))
    return [(a, b) for a, b in pairwise([*cuts, bottom]) if b > a]


@dataclass(slots=True)
class _TextLine:
    bbox: BBox
    words: list[Word]


def _text_lines(words: list[Word]) -> list[_TextLine]:
    lines = [_TextLine((min(w.bbox[0] for w in r), min(w.bbox[1] for w in r), max(w.bbox[2] for w in r),
                        max(w.bbox[3] for w in r)), sorted(r, key=lambda w: w.bbox[0]))
             for r in _rows_of(words, lambda w: w.bbox)]
    return sorted(lines, key=lambda ln: (round(ln.bbox[1] / 2), ln.bbox[0]))


def _cell_text(words: list[Word]) -> str:
    """The cell's lines top-down, joined by newlines; a gap wider than ``JOIN_GAP`` heights is a space."""
    if len(words) <= 1:
        return words[0].text if words else ""
    out = []
    for line in _text_lines(words):
        h = median(max(w.bbox[3] - w.bbox[1], 1.0) for w in line.words)
        out.append("".join((" " if i and w.bbox[0] - line.words[i - 1].bbox[2] > JOIN_GAP * h else "") + w.text
                           for i, w in enumerate(line.words)))
    return "\n".join(out)


def fill(grid: Grid, words: list[Word], frame: Frame = Frame()) -> tuple[Table, list[list[Word]]]:
    """The grid as a ``Table`` (words in cells by their centre, bands of ruled columns split at their text
    rows) and, per cell, the page's words it took."""
    xs, ys, nc = grid.xs, grid.ys, len(grid.xs) - 1
    owner = {(r, c): k for k, (r0, c0, r1, c1) in enumerate(grid.cells) for r in range(r0, r1) for c in range(c0, c1)}
    placed: dict[int, list[_Placed]] = defaultdict(list)
    gx0, gy0, gx1, gy1 = frame.to_page((xs[0], ys[0], xs[-1], ys[-1]))
    near = [w for w in words if w.bbox[2] > gx0 - 9 and w.bbox[0] < gx1 + 9 and w.bbox[3] > gy0 - 9 and w.bbox[1] < gy1 + 9]
    for src, w in _upright(near, median(w.bbox[3] - w.bbox[1] for w in words) if words else 0.0):
        (ax, ay), (bx, by) = frame.to_grid(w.bbox[0], w.bbox[1]), frame.to_grid(w.bbox[2], w.bbox[3])
        if not (xs[0] <= (ax + bx) / 2 <= xs[-1] and ys[0] <= (ay + by) / 2 <= ys[-1]):
            continue
        r = min(bisect_right(ys, (ay + by) / 2) - 1, len(ys) - 2)
        pieces = [(w, (ax, ay, bx, by))]
        for c in range(bisect_right(xs, ax + 2), bisect_left(xs, bx - 2)):  # cut at ruled edges inside the word
            if 0 < c < nc and owner[(r, c - 1)] != owner[(r, c)]:
                pieces[-1:] = _split_word(pieces[-1][0], xs[c], pieces[-1][1])
        for pw, pb in pieces:
            c = min(max(bisect_right(xs, (pb[0] + pb[2]) / 2) - 1, 0), nc - 1)
            placed[owner[(r, c)]].append(_Placed(pw, pb, src))
    sub = [_band_rows(grid, r, placed) for r in range(len(ys) - 1)]
    first_row = [0]
    for s in sub:
        first_row.append(first_row[-1] + len(s))
    cells: list[tuple[TableCell, list[Word]]] = []
    for k, (r0, c0, r1, c1) in enumerate(grid.cells):
        # a cell spanning ruled bands (an item-name column whose rule under the header is missing) is cut at
        # the sub-rows of the bands it spans, so its text rows line up with the cells beside them
        spanned = [part for r in range(r0, r1) for part in sub[r]]
        parts = spanned if r1 == r0 + 1 or len(spanned) > r1 - r0 else [(ys[r0], ys[r1])]
        for i, (top, bottom) in enumerate(parts):
            inside = [p for p in placed.get(k, []) if len(parts) == 1 or top <= (p.box[1] + p.box[3]) / 2 < bottom
                      or (i == len(parts) - 1 and (p.box[1] + p.box[3]) / 2 >= bottom)]
            cell = TableCell.model_construct(row=first_row[r0] + i, col=c0, text=_cell_text([p.word for p in inside]),
                                             bbox=frame.to_page((xs[c0], top, xs[c1], bottom)))  # typed here: no validation
            cells.append((cell, list({id(p.source): p.source for p in inside}.values())))
    cells.sort(key=lambda cw: (cw[0].row, cw[0].col))
    return _table([c for c, _ in cells], frame.to_page((xs[0], ys[0], xs[-1], ys[-1]))), [ws for _, ws in cells]


def _table(cells: list[TableCell], bbox: BBox) -> Table:
    first = [c.text.replace("\n", "") for c in cells if c.row == 0]
    return Table(bbox=bbox, cells=cells, header=first if len(first) >= 2 else [])


# ---------------------------------------------------------------------------- column alignment


def _chunks(line: _TextLine | Line) -> list[tuple[float, float, list[Word]]]:
    """A line's words joined across small gaps: ``(x0, x1, words)`` per chunk."""
    out: list[tuple[float, float, list[Word]]] = []
    h = max(line.bbox[3] - line.bbox[1], 1.0)
    for w in sorted(line.words, key=lambda w: w.bbox[0]):
        if out and w.bbox[0] - out[-1][1] <= CHUNK_GAP * h:
            out[-1] = (out[-1][0], max(out[-1][1], w.bbox[2]), [*out[-1][2], w])
        else:
            out.append((w.bbox[0], w.bbox[2], [w]))
    return out


@dataclass
class _Col:
    """A column of a borderless table: its x-interval and its words by row."""

    x0: float
    x1: float
    rows: dict[int, list[Word]] = field(default_factory=dict)


def _join(cols: list[_Col]) -> _Col | None:
    """Columns as one (a header centred over right-aligned numbers), unless two of them share a row."""
    seen: set[int] = set()
    for c in cols:
        if seen & c.rows.keys():
            return None
        seen |= c.rows.keys()
    return _Col(min(c.x0 for c in cols), max(c.x1 for c in cols), {r: ws for c in cols for r, ws in c.rows.items()})


def _place(chunks: list[tuple[float, float, list[Word]]], cols: list[_Col], r: int) -> list[_Col] | None:
    """Row ``r``'s chunks put into the columns (grown, joined or added); a chunk spanning columns that
    share a row goes in word by word (a wide unit price close after its quantity: 362 7242.52212389);
    None when one word does: the run of table rows ends there."""
    cols = [_Col(c.x0, c.x1, {k: list(ws) for k, ws in c.rows.items()}) for c in cols]
    pending = list(chunks)
    while pending:
        x0, x1, ws = pending.pop(0)
        over = [c for c in cols if min(x1, c.x1) > max(x0, c.x0)]
        target = _join(over) if len(over) > 1 else over[0] if over else _Col(x0, x1)
        if target is None and len(ws) > 1:
            pending[:0] = [(w.bbox[0], w.bbox[2], [w]) for w in ws]
            continue
        if target is None:
            return None
        cols = [c for c in cols if all(c is not o for o in over)] + [target]
        target.x0, target.x1 = min(target.x0, x0), max(target.x1, x1)
        target.rows.setdefault(r, []).extend(ws)
    cols.sort(key=lambda c: c.x0)
    i = 0
    while i + 1 < len(cols):  # a grown column now overlapping its neighbour
        if cols[i + 1].x0 >= cols[i].x1:
            i += 1
        elif (joined := _join(cols[i:i + 2])) is not None:
            cols[i:i + 2] = [joined]
        else:
            return None
    return cols


def aligned_tables(lines: Sequence[_TextLine | Line], *, bounded: bool = False) -> list[Table]:
    """Borderless tables: runs of consecutive lines whose chunks fall into shared columns.

    Columns are the chunks' x-intervals; intervals that never share a row (a header centred over
    right-aligned numbers) are one column; a chunk spanning two columns ends the run. A table needs
    three columns and three rows with text in three of them. Outside a ruled cell (``bounded``
    False) a gap of more than two line heights ends a run too.
    """
    tables, chunks, i = [], [_chunks(line) for line in lines], 0
    while i < len(lines):
        if len(chunks[i]) < 2:  # a table row starts with two chunks at least
            i += 1
            continue
        cols: list[_Col] = []
        run: list[_TextLine | Line] = []
        for line, line_chunks in zip(lines[i:], chunks[i:]):
            gap = line.bbox[1] - run[-1].bbox[3] if run else 0.0
            if run and not bounded and gap > 2 * max(run[-1].bbox[3] - run[-1].bbox[1], 1.0):
                break
            if (placed := _place(line_chunks, cols, len(run))) is None:
                break
            cols = placed
            run.append(line)
        table = _aligned(run, cols)
        tables += [table] if table else []
        i += len(run) if table else 1
    return tables


def _aligned(run: list[_TextLine | Line], cols: list[_Col]) -> Table | None:
    h, i = median(ln.bbox[3] - ln.bbox[1] for ln in run), 0
    while i + 1 < len(cols):  # neighbours that never share a row and nearly touch: one column
        joined = _join(cols[i:i + 2]) if cols[i + 1].x0 - cols[i].x1 <= 2 * h else None
        if joined is not None:
            cols[i:i + 2] = [joined]
        else:
            i += 1
    filled = [sum(1 for c in cols if r in c.rows) for r in range(len(run))]
    if len(cols) < 3 or sum(1 for n in filled if n >= 3) < 3:
        return None
    keep = [r for r, n in enumerate(filled) if n >= 2]  # rows with one cell neither open nor close a table
    rows = range(keep[0], keep[-1] + 1)
    edges = [run[rows[0]].bbox[1]] + [(run[r].bbox[3] + run[r + 1].bbox[1]) / 2 for r in rows[:-1]] + [run[rows[-1]].bbox[3]]
    cells = [TableCell.model_construct(row=i, col=k, text=_cell_text(c.rows.get(r, [])),
                                       bbox=(round(c.x0, 2), round(edges[i], 2), round(c.x1, 2), round(edges[i + 1], 2)))
             for i, r in enumerate(rows) for k, c in enumerate(cols)]
    return _table(cells, (round(cols[0].x0, 2), round(edges[0], 2), round(cols[-1].x1, 2), round(edges[-1], 2)))


# ---------------------------------------------------------------------------- a page


def page_tables(page: Page, image: np.ndarray | None = None, segments: list[Segment] | None = None) -> list[Table]:
    """A page's tables: ruled ones (lines from the image, else the PDF's ``segments``) with its words, then
    aligned ones among the words outside them and inside merged cells holding lines of text."""
    frame = Frame()
    if image is not None:
        segments, frame = image_segments(image, page.dpi)
    ruled, taken, regions = [], set(), []
    for grid in grids(segments or []):
        table, cell_words = fill(grid, page.words, frame)
        ruled.append(table)
        for cell, ws in zip(table.cells, cell_words):
            taken.update(id(w) for w in ws)
            if cell.text.count("\n") >= 2:
                regions.append(ws)
    aligned = [t for ws in regions for t in aligned_tables(_text_lines(ws), bounded=True)]
    rest = _text_lines([w for w in page.words if id(w) not in taken]) if taken else (page.lines or _text_lines(page.words))
    return ruled + aligned + aligned_tables(rest)
