"""Small-angle skew: projection-profile search, coarse to fine, on a downscaled ink mask."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.preprocess._util import border_color, downscale, ink_mask, to_gray

MAX_SKEW = 10.0  # degrees searched either way
WORK_SIDE = 1100  # long side of the working image (px)


def _ink_points(img: np.ndarray) -> np.ndarray:
    small, _ = downscale(to_gray(img), WORK_SIDE)
    mask = ink_mask(small)
    ys, xs = np.nonzero(mask)
    if len(xs) > 120_000:  # a dense page: a fixed random subset keeps it fast
        idx = np.random.default_rng(0).choice(len(xs), 120_000, replace=False)
        xs, ys = xs[idx], ys[idx]
    return np.stack([xs, ys]).astype(np.float32)


def _score(pts: np.ndarray, angle: float) -> float:
    """Sharpness of the row profile after undoing ``angle``: sum of squared bin counts."""
    t = np.deg2rad(angle)
    # a line rotated counter-clockwise by t satisfies y + x*tan(t) = const (y points down)
    proj = pts[1] * np.cos(t) + pts[0] * np.sin(t)
    proj -= proj.min()
    counts = np.bincount(proj.astype(np.int32))
    return float(np.dot(counts, counts))


def estimate_skew(img: np.ndarray) -> float:
    """Angle in degrees by which the text lines are turned counter-clockwise (as displayed),
    within +-MAX_SKEW; 0.0 on a blank page. ``deskew(img, estimate_skew(img))`` fixes it."""
    pts = _ink_points(img)
    if pts.shape[1] < 200:
        return 0.0
    best = 0.0
    for span, step in ((MAX_SKEW, 0.5), (0.5, 0.1), (0.1, 0.02)):
        angles = np.arange(best - span, best + span + 1e-9, step)
        scores = [_score(pts, a) for a in angles]
        best = float(angles[int(np.argmax(scores))])
    return round(best, 2)


def deskew(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by ``-angle`` about the centre, same size, background-filled corners."""
    if abs(angle) < 1e-3:
        return img
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    return cv2.warpAffine(
        img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
        borderValue=border_color(img),
    )
