"""Small image helpers shared by the preprocessing functions (OpenCV, BGR uint8)."""

from __future__ import annotations

import cv2
import numpy as np


def to_gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def downscale(img: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Shrink so the long side is at most ``max_side``; returns (image, scale applied)."""
    h, w = img.shape[:2]
    s = min(1.0, max_side / max(h, w))
    if s >= 1.0:
        return img, 1.0
    return cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA), s


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark-on-light ink as 255, background 0 (Otsu; robust to mild shading)."""
    _, b = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return b


def rotate90(img: np.ndarray, angle: int) -> np.ndarray:
    """Rotate by a multiple of 90 degrees counter-clockwise (as displayed)."""
    a = angle % 360
    if a == 0:
        return img
    code = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    return cv2.rotate(img, code[a])


def border_color(img: np.ndarray) -> tuple[int, ...]:
    """Median colour of the outer 2 % frame: the paper/background to fill with."""
    h, w = img.shape[:2]
    m = max(1, min(h, w) // 50)
    frame = np.concatenate(
        [img[:m].reshape(-1, *img.shape[2:]), img[-m:].reshape(-1, *img.shape[2:]),
         img[:, :m].reshape(-1, *img.shape[2:]), img[:, -m:].reshape(-1, *img.shape[2:])]
    )
    med = np.median(frame, axis=0)
    return tuple(int(v) for v in np.atleast_1d(med))
