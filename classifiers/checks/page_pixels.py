"""A scanned page's pixels as the file stores them, for the forensic cues.

Before OCR the pipeline turns and deskews page images (``PreprocessStage``) and renders image-PDF
pages at its own DPI: both resample every pixel. A patch copied from elsewhere on the page then
no longer equals its source, and the JPEG grid no longer sits where the encoder put it, so the
copy-move cue reads the stored pixels instead: the decoded frame of an image file, or the one
image an image-PDF page is made of, with an affine map from the pipeline's page pixels (upright,
deskewed, at ``page.dpi``) to them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from pipeline.types import BBox, Document, Page

COVER = 0.02  # an image-PDF page: one image covering its page within this share of the page size


@dataclass(frozen=True)
class StoredPage:
    """The stored pixels (grey, or RGB) and the affine map (2 x 3) from pipeline page pixels to them."""

    image: np.ndarray
    to_stored: np.ndarray

    @cached_property
    def gray(self) -> np.ndarray:
        import cv2

        return cv2.cvtColor(self.image, cv2.COLOR_RGB2GRAY) if self.image.ndim == 3 else self.image

    @cached_property
    def levels(self) -> int:
        """Grey levels in use (every third pixel sampled): 2 on a bi-level page, which has no scan noise."""
        return len(np.unique(self.gray[::3, ::3]))

    def box(self, bbox: BBox, k: float) -> tuple[int, int, int, int]:
        """A box in points on the pipeline page as the stored pixels' box around it."""
        x0, y0, x1, y1 = (v * k for v in bbox)
        pts = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x0, y1, 1.0], [x1, y1, 1.0]]) @ self.to_stored.T
        (a, b), (c, d) = pts.min(axis=0), pts.max(axis=0)
        return int(np.floor(a)), int(np.floor(b)), int(np.ceil(c)), int(np.ceil(d))

    def points(self, box: tuple[float, float, float, float], k: float) -> list[float]:
        """A box in stored pixels as the pipeline page's box around it, in points (for evidence)."""
        back = np.vstack([self.to_stored, [0.0, 0.0, 1.0]])
        x0, y0, x1, y1 = box
        pts = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x0, y1, 1.0], [x1, y1, 1.0]]) @ np.linalg.inv(back)[:2].T
        (a, b), (c, d) = pts.min(axis=0), pts.max(axis=0)
        return [round(float(a) / k, 1), round(float(b) / k, 1), round(float(c) / k, 1), round(float(d) / k, 1)]


def identity(image: np.ndarray) -> StoredPage:
    """The pipeline's own page image (BGR or grey) where the file cannot give its pixels."""
    import cv2

    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB) if image.ndim == 3 else image
    return StoredPage(rgb, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))


def _plain(img: object) -> np.ndarray:
    """A PIL image as grey or RGB pixels."""
    mode = getattr(img, "mode", "")
    return np.asarray(img.convert("L" if mode in ("1", "L", "LA", "I", "I;16", "F") else "RGB"))  # type: ignore[attr-defined]


def _unturn(rotation: int, w: int, h: int) -> np.ndarray:
    """Affine (3 x 3) from the page turned ``rotation`` degrees counter-clockwise
    (``extractors.preprocess.rotate``) back to the frame of ``w`` x ``h`` pixels it was turned from."""
    a = rotation % 360
    if a == 90:  # (x, y) was turned to (y, w - 1 - x)
        return np.array([[0.0, -1.0, w - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    if a == 180:
        return np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]])
    if a == 270:  # (x, y) was turned to (h - 1 - y, x)
        return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, h - 1.0], [0.0, 0.0, 1.0]])
    return np.eye(3)


def page_map(page: Page, shape: tuple[int, int], frame: tuple[int, int], stored: tuple[int, int]) -> np.ndarray:
    """Affine (2 x 3) from the pipeline's page pixels (an image of ``shape`` rows x columns) to
    stored pixels (``stored`` columns x rows), where the page was loaded as ``frame`` (columns x rows)
    and then turned by ``page.rotation`` and deskewed by ``page.skew`` about its centre
    (``extractors.preprocess.upright``)."""
    import cv2

    h, w = shape
    skew = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), -page.skew, 1.0), [0.0, 0.0, 1.0]])
    scale = np.diag([stored[0] / frame[0], stored[1] / frame[1], 1.0])
    return (scale @ _unturn(page.rotation, *frame) @ np.linalg.inv(skew))[:2]


def _image_frame(data: bytes, number: int) -> np.ndarray:
    from PIL import Image, ImageOps

    img = Image.open(io.BytesIO(data))
    img.seek(number - 1)
    if number == 1:
        img = ImageOps.exif_transpose(img)  # as the image backend loads it
    return _plain(img)


def _pdf_image(data: bytes, number: int) -> np.ndarray | None:
    """The image an image-PDF page is made of; None when the page is turned or is not one
    image covering it."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[number - 1]
        w, h = page.get_size()
        objs = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=1))
        if page.get_rotation() or len(objs) != 1:
            return None
        x0, y0, x1, y1 = objs[0].get_bounds()
        if max(abs(x0), abs(x1 - w)) > COVER * w or max(abs(y0), abs(y1 - h)) > COVER * h:
            return None
        return _plain(objs[0].get_bitmap(render=False).to_pil())
    finally:
        pdf.close()


def stored_page(doc: Document, page: Page, shape: tuple[int, int]) -> StoredPage | None:
    """The stored pixels of ``page`` (whose pipeline image has ``shape``), or None when the file
    cannot give them (no bytes kept, a vector PDF, a page made of several images)."""
    data = doc.data
    if not data or page.flattened:  # a photo warped flat: no affine map back to the stored pixels
        return None
    frame = (shape[0], shape[1]) if page.rotation % 180 else (shape[1], shape[0])  # as loaded, before turning
    try:
        if doc.mime == "application/pdf":
            image = _pdf_image(data, page.number)
        elif doc.mime.startswith("image/"):
            image = _image_frame(data, page.number)
        else:
            return None
    except Exception:  # noqa: BLE001 - an odd file: the cue falls back to the pipeline's image
        return None
    if image is None or abs(image.shape[1] / image.shape[0] - frame[0] / frame[1]) > 0.01 * frame[0] / frame[1]:
        return None  # not the picture the pipeline read
    return StoredPage(image, page_map(page, shape, frame, (image.shape[1], image.shape[0])))
