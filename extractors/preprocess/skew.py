"""Small-angle skew: projection-profile search, coarse to fine, on a downscaled ink mask."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.preprocess._util import border_color, downscale, ink_mask, to_gray

MAX_SKEW = 10.0  # degrees searched either way
WORK_SIDE = 1100  # long side of the working image (px)
# the coarse search (41 angles, 0.5 degree apart) reads every 4th ink point: the right half-degree stands out
# on a quarter of the points as on all of them (same angles on the committed scans and photos), at a third of
# the search's cost; the two fine steps read them all
COARSE_EVERY = 4
COARSE_MIN_POINTS = 5000


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
    for span, step, every in ((MAX_SKEW, 0.5, COARSE_EVERY), (0.5, 0.1, 1), (0.1, 0.02, 1)):
        angles = np.arange(best - span, best + span + 1e-9, step)
        sample = pts[:, ::every] if pts.shape[1] >= COARSE_MIN_POINTS * every else pts
        scores = [_score(sample, a) for a in angles]
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
