"""Read a QR code whose top rows, finders included, fell off the page's top edge.

A skewed scan crops the page's corners; an invoice whose code sits 3 mm from the top edge
(``vat_ordinary_e_grid``; real e-invoices place it 3.2–17 mm down) loses both top finder
patterns, and zxing, which needs three, sees nothing. What is left still fixes the grid: the
bottom-left finder's centre and the bottom-right alignment pattern's centre are 3 modules
apart vertically and N−10 horizontally, which gives the code's size N, the module pitch and
any residual rotation. Each module is sampled there; those above the cut line are erasures,
which :mod:`qr_matrix` corrects.

Patterns are found by their holes (a light square holding one dark square): an outer dark
ring often merges with the data modules beside it, its hole never does.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from classifiers.checks import qr_matrix

MIN_MODULE_PX = 1.5
ROW_TOLERANCE = 1.5  # modules: the alignment centre's distance from 3 modules above the finder's
PITCH_TOLERANCE = 0.35  # share: the alignment's module size against the finder's
SLOPES = np.linspace(-0.1, 0.1, 81)  # the cut line's slope (a skew of up to ±6°)
CUT_MARGIN = 0.75  # modules: a module whose centre is this close below the cut is an erasure


@dataclass(frozen=True)
class Pattern:
    """A light square holding one dark square: a finder (5 and 3 modules wide) or an alignment
    pattern (3 and 1). Ink spread shrinks the hole by what it adds to the dot, so their sum
    gives the module size whatever the print or scan did: 8 modules, or 4."""

    x: float  # centre
    y: float
    hole: float
    dot: float

    @property
    def finder_module(self) -> float:
        return (self.hole + self.dot) / 8

    @property
    def align_module(self) -> float:
        return (self.hole + self.dot) / 4


def _patterns(dark: np.ndarray) -> list[Pattern]:
    """Every hole with a single, centred, squarish dot in the dark mask."""
    contours, hier = cv2.findContours(dark, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None:
        return []
    hier = hier[0]
    out = []
    for k, (nxt, prev, child, parent) in enumerate(hier):
        if parent < 0 or child >= 0 or nxt >= 0 or prev >= 0 or hier[parent][3] < 0:
            continue  # a dot: no children, the only child of a hole inside a dark shape
        hx, hy, hw, hh = cv2.boundingRect(contours[parent])
        dx, dy, dw, dh = cv2.boundingRect(contours[k])
        hole, dot = (hw + hh) / 2 - 2, (dw + dh) / 2  # a hole's contour runs on the ink around it
        if not (0.75 <= hw / hh <= 1.33 and 0.6 <= dw / dh <= 1.67 and dot < hole):
            continue
        cx, cy = hx + (hw - 1) / 2, hy + (hh - 1) / 2  # in pixel indices
        if abs(cx - dx - dw / 2) > hole * 0.15 or abs(cy - dy - dh / 2) > hole * 0.15:
            continue
        if (hole + dot) / 8 >= MIN_MODULE_PX / 2:
            out.append(Pattern(cx, cy, hole, dot))
    return out


def _cut_line(dark: np.ndarray, x0: int, x1: int, y_top: int, y_bottom: int) -> tuple[float, float] | None:
    """(intercept, slope) of the line above which nothing of the code was printed: it touches
    the first dark pixel of the most columns while no column's first dark pixel lies above it."""
    band = dark[max(0, y_top):y_bottom, max(0, x0):x1] > 0
    if band.size == 0:
        return None
    has = band.any(axis=0)
    if has.sum() < 4:
        return None
    xs = np.nonzero(has)[0].astype(float)
    first = band[:, has].argmax(axis=0).astype(float)
    best: tuple[int, float, float] | None = None
    for b in SLOPES:
        a = float((first - b * xs).min())
        touching = int(((first - (a + b * xs)) < 1.5).sum())
        if best is None or touching > best[0]:
            best = (touching, a, float(b))
    assert best is not None
    _, a, b = best
    # back to region pixels: y = a' + b x
    return a + max(0, y_top) - b * max(0, x0), b


def _sample(gray: np.ndarray, dark: np.ndarray, bl: Pattern, al: Pattern, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(dark, known) module grids of an n×n code placed by its bottom-left finder and bottom-right alignment."""
    k = complex(al.x - bl.x, al.y - bl.y) / complex(n - 10, -3)  # pixels per module, with rotation
    if abs(k) < MIN_MODULE_PX:
        return None
    origin = complex(bl.x, bl.y)
    r, c = np.mgrid[0:n, 0:n]
    z = origin + k * ((c + 0.5 - 3.5) + 1j * (r + 0.5 - (n - 3.5)))
    xs, ys = z.real, z.imag
    h, w = gray.shape
    inside = (xs >= 0) & (xs < w - 1) & (ys >= 0) & (ys < h - 1)
    corners = origin + k * np.array([-3.5 + 0j, n - 3.5 + 0j, -3.5 - 1j * (n - 7), n - 3.5 - 1j * (n - 7)])
    x0, x1 = int(max(0, corners.real.min())), int(min(w, corners.real.max() + 1))
    line = _cut_line(dark, x0, x1, int(corners.imag.min() - 2 * abs(k)), int(bl.y))
    known = inside.copy()
    if line is not None:
        a, b = line
        known &= ys >= a + b * xs + CUT_MARGIN * abs(k)
    if known.sum() < n * n / 2:
        return None
    values = _sharpest(cv2.blur(gray, (3, 3)), xs, ys, known, abs(k))
    level, _ = cv2.threshold(values[known].astype(np.uint8).reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return values < level, known


def _sharpest(img: np.ndarray, xs: np.ndarray, ys: np.ndarray, known: np.ndarray, pitch: float) -> np.ndarray:
    """The module values at the grid shift (within a third of a module) where they lie furthest from
    their threshold: a pattern's centre found by its contour's box is off by a pixel or so, and
    at ~4 px a module a pixel moves the sample onto the module's blurred edge."""
    h, w = img.shape
    best: tuple[float, np.ndarray] | None = None
    for dy in np.linspace(-pitch / 3, pitch / 3, 5):
        for dx in np.linspace(-pitch / 3, pitch / 3, 5):
            xi = np.clip((xs + dx).round().astype(int), 0, w - 1)
            yi = np.clip((ys + dy).round().astype(int), 0, h - 1)
            values = img[yi, xi].astype(float)
            seen = values[known]
            spread = float(np.abs(seen - (seen.max() + seen.min()) / 2).mean())
            if best is None or spread > best[0]:
                best = (spread, values)
    assert best is not None
    return best[1]


def read_cut(gray: np.ndarray) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(text, box) of codes read from a bottom-left finder and the bottom-right alignment pattern."""
    _, dark = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    patterns = _patterns(dark)
    out = []
    for bl in patterns:
        m = bl.finder_module
        if m < MIN_MODULE_PX:
            continue
        right = [a for a in patterns if a.x > bl.x + 8 * m
                 and abs(a.y - (bl.y - 3 * m)) <= ROW_TOLERANCE * m
                 and abs(a.align_module - m) <= PITCH_TOLERANCE * m]
        if not right:
            continue
        al = max(right, key=lambda a: a.x)
        n = 17 + 4 * round(((al.x - bl.x) / m + 10 - 17) / 4)
        if qr_matrix.version_of(n) is None:
            continue
        grid = _sample(gray, dark, bl, al, n)
        if grid is None:
            continue
        text = qr_matrix.decode(*grid)
        if text:
            pitch = abs(complex(al.x - bl.x, al.y - bl.y)) / abs(complex(n - 10, -3))
            x0, y1 = bl.x - 3.5 * pitch, bl.y + 3.5 * pitch
            out.append((text, (x0, y1 - n * pitch, x0 + n * pitch, y1)))
    return out
