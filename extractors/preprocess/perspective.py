"""Page quadrilateral on a photo -> flat page with A4 proportions."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.preprocess._util import downscale, to_gray

A4_RATIO = 297.0 / 210.0
MIN_AREA_FRAC = 0.2  # the page must cover at least this much of the photo
MAX_AREA_FRAC = 0.98  # ... and not be the photo frame itself


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
                return approx.reshape(4, 2).astype(np.float32)
    return None


def find_page_quad(img: np.ndarray) -> np.ndarray | None:
    """The page's 4 corners (pixels, TL/TR/BR/BL) or None when no clear quadrilateral."""
    small, s = downscale(to_gray(img), 1000)
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    quad = _quad_from_mask(bright)
    if quad is None:
        edges = cv2.dilate(cv2.Canny(blur, 50, 150), np.ones((3, 3), np.uint8))
        quad = _quad_from_mask(edges)
    return None if quad is None else _order(quad / s)


def correct_perspective(img: np.ndarray, quad: np.ndarray | None = None) -> np.ndarray | None:
    """Warp the page quadrilateral to an upright rectangle of A4 proportions (portrait or
    landscape after the quad's own shape), at the resolution of its longer edges; None
    when no clear quadrilateral is found."""
    quad = find_page_quad(img) if quad is None else _order(np.asarray(quad, dtype=np.float32))
    if quad is None:
        return None
    tl, tr, br, bl = quad
    w = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    h = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    if h >= w:
        W, H = round(w), round(w * A4_RATIO)
    else:
        W, H = round(h * A4_RATIO), round(h)
    dst = np.array([[0, 0], [W - 1, 0], [W - 1, H - 1], [0, H - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad, dst)
    return cv2.warpPerspective(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
