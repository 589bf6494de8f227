"""Find and read QR codes on invoice pages: page images (scans, photos) and digital PDF pages.

One zxing-cpp pass over the page reads a clean code in a few ms. What it misses falls in two
kinds, each retried on a small region only, so a page without a code stays cheap:

* seen but not read (finder patterns found, modules blurred or only ~2 px): zxing reports
  where (``return_errors``); that square, with its quiet zone, is enlarged to ~6 px a module
  and read again raw, sharpened and Otsu-binarised (a real phone photo of a blue code on a
  paper invoice reads only binarised);
* not seen at all (heavy blur, a code under ~1.5 px a module): the same ladder over the
  top-left region of the upright page, where every invoice layout we know prints its code;
* cut off: top rows and finders lost over the page's edge; :mod:`qr_cut` samples the grid
  from what is left and corrects the lost modules as erasures.

A digital PDF carries its code as an embedded image on every e-invoice we know: that bitmap is
read at its own resolution (1–7 ms); a clean render of the top-left region is the fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import cv2
import numpy as np

from classifiers.checks import qr_cut

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Code = tuple[str, Box]

TARGET_PX = 240  # a code's side once enlarged: ~6 px a module for invoice payloads (25–41 modules)
CODE_SHARE = 1 / 12  # an invoice code is ~20 mm on a ~240 mm page: its expected side when unseen
SEARCH = (0.45, 0.5)  # top-left share (width, height) of an upright page searched for an unseen code
QUIET = 0.25  # share of a seen code's side added around it: the quiet zone zxing needs
MAX_ZOOM = 5.0
MAX_SEEN = 3  # unread detections retried per page (a textured photo yields a few false ones)
PDF_DPI = 200  # a clean vector render reads at this scale
PDF_REGION = (0.5, 1 / 3)  # top-left share of a digital page rendered when no embedded image reads
MIN_SIDE_PT, MAX_SIDE_SHARE = 20.0, 1 / 3  # an embedded image that can be an invoice code


def _zxing(img: np.ndarray, *, errors: bool = False, quick: bool = False) -> list[Any]:
    import zxingcpp

    # quick: a crop already at the right scale; no downscaled, rotated or inverted passes
    extra = {"try_rotate": False, "try_downscale": False, "try_invert": False} if quick else {}
    return list(zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode,
                                       return_errors=errors, **extra))


def _box(result: Any) -> Box:
    p = result.position
    xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
    ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
    return (min(xs), min(ys), max(xs), max(ys))


def _gray(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return img
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def _zoom(img: np.ndarray, k: float) -> np.ndarray:
    return cv2.resize(img, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC) if k > 1 else img


def _variants(region: np.ndarray, zoom: float, binarise: bool) -> Iterator[tuple[float, np.ndarray]]:
    """(zoom, image) to try, likeliest first: as is, sharpened (undoes scan/photo blur), and on a
    tight crop Otsu-binarised (over a wider region uneven light and text defeat one threshold).
    The red channel drops red seal ink over the code and keeps black or blue modules dark."""
    channels = [_gray(region)]
    if region.ndim == 3:
        channels.append(np.ascontiguousarray(region[:, :, 2]))
    sharp = [cv2.addWeighted(ch, 3.0, cv2.GaussianBlur(ch, (0, 0), 1.0), -2.0, 0) for ch in channels]
    for n, k in enumerate(sorted({min(max(z, 1.0), MAX_ZOOM) for z in (zoom, zoom * 1.5)})):
        for i, (ch, sh) in enumerate(zip(channels, sharp)):
            if i == 0 and n == 0:
                yield k, _zoom(ch, k)  # as is: only once, a larger zoom alone rarely helps
            yield k, _zoom(sh, k)
            if binarise:
                yield k, cv2.threshold(_zoom(ch, k), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def _ladder(img: np.ndarray, box: Box, zoom: float, binarise: bool) -> list[Code]:
    """Codes read in ``box`` of ``img`` by the first variant that reads one; boxes in ``img`` pixels."""
    h, w = img.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(box[2])), min(h, int(box[3]))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return []
    region = img[y0:y1, x0:x1]
    for k, variant in _variants(region, zoom, binarise):
        hits = [r for r in _zxing(variant, quick=True) if r.valid]
        if hits:
            return [(r.text, tuple(v / k + o for v, o in zip(_box(r), (x0, y0, x0, y0)))) for r in hits]  # type: ignore[misc]
    return []


def read_image(img: np.ndarray, *, search: bool = True,
               accept: Callable[[str], bool] = bool) -> list[Code]:
    """The QR codes on a page image (boxes in its pixels). Stops at the first step that reads a
    code ``accept`` takes; ``search`` also looks for an unseen code in the top-left region."""
    gray = _gray(img)
    hits = _zxing(gray, errors=True)
    found = [(r.text, _box(r)) for r in hits if r.valid]
    if any(accept(t) for t, _ in found):
        return found
    seen = sorted((_box(r) for r in hits if not r.valid), key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))
    for x0, y0, x1, y1 in seen[:MAX_SEEN]:
        side = max(x1 - x0, y1 - y0, 1.0)
        m = QUIET * side
        found += _ladder(img, (x0 - m, y0 - m, x1 + m, y1 + m), TARGET_PX / side, binarise=True)
        if any(accept(t) for t, _ in found):
            return found
    if search:
        h, w = img.shape[:2]
        region = (0, 0, w * SEARCH[0], h * SEARCH[1])
        found += _ladder(img, region, TARGET_PX / (w * CODE_SHARE), binarise=False)
        if not any(accept(t) for t, _ in found):
            found += qr_cut.read_cut(gray[: int(region[3]), : int(region[2])])
    return found


def _bitmap(obj: Any) -> np.ndarray | None:
    try:
        arr = obj.get_bitmap(render=True).to_numpy()  # masks applied, native resolution
    except Exception:  # an image pdfium cannot decode: the render fallback still sees it  # noqa: BLE001
        return None
    return np.ascontiguousarray(arr)


def _embedded(page: Any) -> list[Code]:
    """Codes in the page's embedded square images; boxes in points from the top-left."""
    import pypdfium2.raw as pdfium_c

    x_org, _, _, y_top = page.get_cropbox()
    page_w = page.get_width()
    out: list[Code] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        if not (MIN_SIDE_PT <= min(w, h) and max(w, h) <= page_w * MAX_SIDE_SHARE and 0.75 <= w / h <= 1.33):
            continue
        arr = _bitmap(obj)
        if arr is None or arr.ndim not in (2, 3):
            continue
        for text, _ in read_image(arr, search=False):
            out.append((text, (left - x_org, y_top - top, right - x_org, y_top - bottom)))
    return out


def _rendered(page: Any) -> list[Code]:
    """Codes in a clean render of the page's top-left region; boxes in points."""
    w, h = page.get_size()
    scale = PDF_DPI / 72
    # crop = points cut away from (left, bottom, right, top)
    crop = (0, h * (1 - PDF_REGION[1]), w * (1 - PDF_REGION[0]), 0)
    img = np.asarray(page.render(scale=scale, crop=crop, grayscale=True).to_numpy())
    if img.ndim == 3:
        img = np.ascontiguousarray(img[:, :, 0])
    return [(t, tuple(v / scale for v in box)) for t, box in read_image(img, search=False)]  # type: ignore[misc]


def read_pdf_page(data: bytes, index: int, *, accept: Callable[[str], bool] = bool) -> list[Code]:
    """The QR codes on page ``index`` (0-based) of a digital PDF; boxes in points from the top-left."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        found = _embedded(page)
        if not any(accept(t) for t, _ in found):
            found += _rendered(page)
        return found
    finally:
        pdf.close()
