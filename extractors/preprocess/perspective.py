"""Page quadrilateral on a photo -> a flat page (its own proportions, or A4's).

A phone photo shows the page in perspective on a desk: labels and values then drift apart along
a line and the orientation and skew estimates read the desk as ink (photo field accuracy 0.89 on
generated photos; 0.985 flattened and light-normalised first). ``flatten_photo`` is what the
pipeline and the duplicate hashing use.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.preprocess._util import downscale, to_gray

A4_RATIO = 297.0 / 210.0
MIN_AREA_FRAC = 0.2  # the page must cover at least this much of the photo
MAX_AREA_FRAC = 0.98  # ... and not be the photo frame itself
MIN_FILL = 0.98  # the quad must cover this much of the region's hull: less is a corner cut off, not a page
# thresholds tried, x Otsu's: light falling off across the page puts its dim side below Otsu's level
# (a generated photo: desk 44-83, page 126 on its dim side to 229, Otsu 141 cut a fifth of the page
# off); the quad kept is the one whose weakest side is most a page edge (``_edge_contrast``)
LEVELS = (1.0, 0.85, 0.7, 0.55)


def _order(pts: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)


def _quad_from_mask(mask: np.ndarray) -> np.ndarray | None:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area_img = mask.shape[0] * mask.shape[1]
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
        a = cv2.contourArea(c)
        if not MIN_AREA_FRAC * area_img <= a <= MAX_AREA_FRAC * area_img:
            continue
        hull = cv2.convexHull(c)
        peri = cv2.arcLength(hull, True)
        for eps in (0.01, 0.02, 0.03, 0.05):
            approx = cv2.approxPolyDP(hull, eps * peri, True)
            if len(approx) == 4 and cv2.isContourConvex(approx):
                # a shadow across a corner drops it out of the bright mask: the 4-point fit of that
                # 5-sided region misses a triangle of it (~0.87 of the hull, good pages >= 0.99)
                if cv2.contourArea(approx) < MIN_FILL * cv2.contourArea(hull):
                    break
                return approx.reshape(4, 2).astype(np.float32)
    return None


def _edge_contrast(gray: np.ndarray, quad: np.ndarray, step: float = 6.0) -> float:
    """The weakest side's contrast: median grey ``step`` px inside the quad less ``step`` px outside,
    along the middle of each side. A side cut across the page by the threshold, or one drawn out on
    the desk, has paper (or desk) on both sides of it and scores near 0; a page edge scores high."""
    h, w = gray.shape

    def grey(p: np.ndarray) -> float:
        x = np.clip(np.round(p[:, 0]).astype(int), 0, w - 1)
        y = np.clip(np.round(p[:, 1]).astype(int), 0, h - 1)
        return float(np.median(gray[y, x]))

    pts = _order(quad)
    centre = pts.mean(axis=0)
    t = np.linspace(0.1, 0.9, 24)[:, None]
    worst = np.inf
    for a, b in zip(pts, np.roll(pts, -1, axis=0)):
        along = a + t * (b - a)
        normal = np.array([-(b - a)[1], (b - a)[0]], dtype=np.float32)
        normal /= max(float(np.linalg.norm(normal)), 1e-6)
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal  # pointing into the page
        worst = min(worst, grey(along + step * normal) - grey(along - step * normal))
    return worst


def find_page_quad(img: np.ndarray) -> np.ndarray | None:
    """The page's 4 corners (pixels, TL/TR/BR/BL) or None when no clear quadrilateral."""
    small, s = downscale(to_gray(img), 1000)
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    otsu, _ = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    quad: np.ndarray | None = None
    best = -np.inf
    for level in LEVELS:  # light falling off across the page: the quad whose every edge is a page edge
        _, bright = cv2.threshold(blur, otsu * level, 255, cv2.THRESH_BINARY)
        found = _quad_from_mask(cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)))
        if found is not None and (score := _edge_contrast(blur, found)) > best + 1.0:
            quad, best = found, score
    if quad is None:
        edges = cv2.dilate(cv2.Canny(blur, 50, 150), np.ones((3, 3), np.uint8))
        quad = _quad_from_mask(edges)
    return None if quad is None else _order(quad / s)


def is_photo(img: np.ndarray) -> bool:
    """A page on a darker background (a photo), not paper to the edge (a scan or a render)."""
    g = downscale(to_gray(img), 800)[0]  # a page's statistics survive; the full page costs 30 ms
    h, w = g.shape
    m = max(2, min(h, w) // 50)
    frame = np.concatenate([g[:m].ravel(), g[-m:].ravel(), g[:, :m].ravel(), g[:, -m:].ravel()])
    return bool(np.median(frame) <= 0.6 * np.percentile(g, 90))


def _warp(img: np.ndarray, quad: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    return cv2.warpPerspective(img, cv2.getPerspectiveTransform(quad, dst), (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def _sides(quad: np.ndarray) -> tuple[float, float]:
    tl, tr, br, bl = quad
    return (max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)),
            max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))


def flatten_photo(img: np.ndarray) -> np.ndarray | None:
    """The page of a photo warped flat at the resolution of its longer edges, keeping its own
    proportions (invoices and receipts are not A4); None for a scan or when no page is found."""
    if not is_photo(img):
        return None
    quad = find_page_quad(img)
    if quad is None:
        return None
    w, h = _sides(quad)
    return _warp(img, quad, (round(w), round(h)))


def correct_perspective(img: np.ndarray, quad: np.ndarray | None = None) -> np.ndarray | None:
    """Warp the page quadrilateral to an upright rectangle of A4 proportions (portrait or
    landscape after the quad's own shape), at the resolution of its longer edges; None
    when no clear quadrilateral is found."""
    quad = find_page_quad(img) if quad is None else _order(np.asarray(quad, dtype=np.float32))
    if quad is None:
        return None
    w, h = _sides(quad)
    size = (round(w), round(w * A4_RATIO)) if h >= w else (round(h * A4_RATIO), round(h))
    return _warp(img, quad, size)
