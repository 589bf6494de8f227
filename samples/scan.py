"""Turn a digital PDF into a degraded "scan": skew, rotation, noise, blur, tint, JPEG artefacts."""

from __future__ import annotations

import io
import random
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

DPI = 200
MAX_BYTES = 1_450_000
SINGLE_FORMATS = ["png", "jpeg", "bmp", "webp", "image_pdf", "tiff"]
MULTI_FORMATS = ["tiff", "image_pdf"]
EXT = {"png": ".png", "jpeg": ".jpg", "bmp": ".bmp", "webp": ".webp", "image_pdf": ".pdf",
       "tiff": ".tif"}


def render_pages(pdf_path, dpi: int = DPI) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    finally:
        pdf.close()


def degrade(img: Image.Image, rng: random.Random, params: dict) -> Image.Image:
    """Apply the scan defects described by ``params`` (chosen once per document)."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    a = np.asarray(img).astype(np.float32)
    h, w = a.shape[:2]
    tint = np.array(params["tint"], dtype=np.float32)
    a = a * (tint / 255.0)
    # skew about the centre, white-ish border
    m = cv2.getRotationMatrix2D((w / 2, h / 2), params["skew"], 1.0)
    border = tuple(float(x) for x in tint)
    a = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                       borderValue=border)
    if params["blur"] > 0:
        a = cv2.GaussianBlur(a, (0, 0), params["blur"])
    a = a * params["contrast"] + params["brightness"]
    a = a + nrng.normal(0, params["noise"], a.shape[:2])[..., None]
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if params["gray"]:
        out = out.convert("L")
    if params["rotation"]:
        out = out.rotate(params["rotation"], expand=True)
    # JPEG round-trip for the artefacts, whatever the container
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=params["quality"])
    buf.seek(0)
    return Image.open(buf).convert(out.mode)


def scan_params(rng: random.Random) -> dict:
    t = rng.uniform(232, 252)
    return {
        "skew": round(rng.uniform(-3, 3), 2),
        "rotation": rng.choice([90, 180, 270]) if rng.random() < 0.15 else 0,
        "noise": round(rng.uniform(2, 9), 2),
        "blur": round(rng.choice([0, 0, rng.uniform(0.4, 1.1)]), 2),
        "contrast": round(rng.uniform(0.85, 1.1), 3),
        "brightness": round(rng.uniform(-15, 12), 1),
        "tint": (t, t - rng.uniform(0, 6), t - rng.uniform(2, 18)),
        "quality": rng.randint(35, 85),
        "gray": rng.random() < 0.3,
    }


def _save(pages: list[Image.Image], path: Path, fmt: str, quality: int) -> None:
    dpi = (DPI, DPI)
    if fmt == "png":
        img = pages[0]
        if img.mode == "RGB":
            img = img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        img.save(path, "PNG", optimize=True, dpi=dpi)
    elif fmt == "jpeg":
        pages[0].save(path, "JPEG", quality=quality, dpi=dpi)
    elif fmt == "bmp":
        img = pages[0].convert("L").point(lambda v: 255 if v > 165 else 0).convert("1")
        img.save(path, "BMP", dpi=dpi)
    elif fmt == "webp":
        pages[0].save(path, "WEBP", quality=quality, method=4)
    elif fmt == "tiff":
        pages[0].save(path, "TIFF", save_all=True, append_images=pages[1:], compression="jpeg",
                      quality=quality, dpi=dpi)
    elif fmt == "image_pdf":
        pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=DPI,
                      quality=quality)
    else:
        raise ValueError(fmt)


def write_scan(pdf_path, out_stem: Path, rng: random.Random, fmt: str | None = None) -> tuple[Path, dict]:
    """Render ``pdf_path``, degrade it and save next to ``out_stem``; returns (path, info)."""
    pages = render_pages(pdf_path)
    if fmt is None or (len(pages) > 1 and fmt not in MULTI_FORMATS):
        fmt = rng.choice(MULTI_FORMATS if len(pages) > 1 else SINGLE_FORMATS)
    params = scan_params(rng)
    imgs = [degrade(p, rng, params) for p in pages]
    path = out_stem.with_suffix(EXT[fmt])
    quality = params["quality"]
    _save(imgs, path, fmt, quality)
    scale = 1.0
    while path.stat().st_size > MAX_BYTES and quality > 20:  # keep files modest
        quality -= 15
        if quality <= 35:
            scale *= 0.8
            imgs = [im.resize((int(im.width * 0.8), int(im.height * 0.8))) for im in imgs]
        _save(imgs, path, fmt, quality)
    info = {k: v for k, v in params.items() if k != "tint"}
    info.update({"dpi": round(DPI * scale), "format": fmt, "quality": quality})
    return path, info
