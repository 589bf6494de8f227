"""Colour clean-up: red seal suppression and shadow/contrast normalisation."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.preprocess._util import downscale

# OpenCV hue is 0..180; red wraps around 0
RED_HUE_LOW = 12  # hue <= this ...
RED_HUE_HIGH = 160  # ... or >= this is red
RED_MIN_SAT = 60
RED_MIN_VAL = 80
DARK_RED_CHANNEL = 110  # ink darker than this in the R channel is text under the seal: kept


def red_mask(img: np.ndarray) -> np.ndarray:
    """255 where a pixel is saturated red (seal ink), else 0. Red wraps round hue 0: two hue bands."""
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    low = cv2.inRange(hsv, (0, RED_MIN_SAT, RED_MIN_VAL), (RED_HUE_LOW, 255, 255))
    return cv2.bitwise_or(low, cv2.inRange(hsv, (RED_HUE_HIGH, RED_MIN_SAT, RED_MIN_VAL), (255, 255, 255)))


def seal_mask(red: np.ndarray) -> np.ndarray:
    """A ``red_mask`` closed so that a seal (ring, lettering, star) reads as one region: ``stamp_boxes``."""
    k = max(3, min(red.shape[:2]) // 100)
    return cv2.morphologyEx(red, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))


def suppress_red(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(image with red seal ink replaced by the paper colour, seal mask 0/255: ``seal_mask``).

    Dark text under the seal survives: only pixels that are bright in the red channel
    are replaced (black text is dark in every channel; red ink is bright in R).
    """
    mask = red_mask(img)
    if not mask.any():
        return img, mask
    grown = cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0  # + the anti-aliased rim
    bright = img.min(axis=2) > 160
    paper = np.median(img[~grown & bright], axis=0) if bright.any() else np.full(3, 255)
    out = img.copy()
    r = img[:, :, 2]
    # red-channel dropout: in the seal, ink darkness is read from R alone (red ink is
    # transparent there); dark -> grey text, bright -> paper
    keep = grown & (r <= DARK_RED_CHANNEL)
    out[keep] = np.repeat(r[keep][:, None], 3, axis=1)
    out[grown & (r > DARK_RED_CHANNEL)] = np.asarray(paper, dtype=np.uint8)
    return out, seal_mask(mask)


def stamp_boxes(mask: np.ndarray, min_area_frac: float = 0.0005) -> list[tuple[int, int, int, int]]:
    """Pixel boxes (x0, y0, x1, y1) of seal regions in a ``suppress_red`` mask, largest first."""
    _, _, st, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    min_area = min_area_frac * mask.shape[0] * mask.shape[1]
    boxes = [(x, y, x + w, y + h, w * h) for x, y, w, h, a in st[1:] if w * h >= min_area]
    return [(int(x0), int(y0), int(x1), int(y1)) for x0, y0, x1, y1, _ in sorted(boxes, key=lambda b: -b[4])]


def normalize_contrast(img: np.ndarray) -> np.ndarray:
    """Remove shadows and uneven light (phone photos): divide by the estimated background.

    The background is the page with text closed away (grey closing with a kernel wider
    than strokes) on a downscaled copy, blurred and scaled back; each channel is divided
    by it, so paper becomes white and ink keeps its contrast.
    """
    small, _ = downscale(img, 800)
    k = max(7, (min(small.shape[:2]) // 40) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2)
    bg = cv2.resize(bg, (img.shape[1], img.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = cv2.divide(img.astype(np.float32), np.maximum(bg.astype(np.float32), 1.0), scale=255.0)
    return np.clip(out, 0, 255).astype(np.uint8)
