"""Turn a digital PDF into a degraded "scan" (skew, rotation, noise, blur, tint, JPEG artefacts)
or a phone photo (the page in perspective on a desk, uneven light, defocus, no dpi)."""

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


# ---- phone photos: the one mechanism, shared with samples.tamper (its re-photographed duplicates) ----

PHOTO_DPI = 300  # render above the phone's resolution, so the capture only ever shrinks
PHOTO_LONG_SIDE = (1500, 2500)  # px on the page's long side, as a phone frames a page
PHOTO_QUALITY = (70, 90)


def photo(img: Image.Image, rng: random.Random, *, jitter: float = 0.03, light: tuple[float, float] = (0.8, 0.9),
          scale: float = 0.8, long_side: int | None = None, desk: tuple[int, int, int] | None = None,
          gain: float = 1.0, shadow: float = 0.0, blur: float = 0.0, noise: float = 0.0) -> Image.Image:
    """A phone photo of ``img``: the page in perspective on a darker desk, light falling off to one side.

    Corners move up to ``jitter`` x the page width. The keyword defaults are samples.tamper's
    re-photographed page, draw for draw; ``photo_params`` adds the rest of a phone capture:
    a coloured desk, exposure ``gain``, a soft shadow of ``shadow`` depth, defocus ``blur``
    (sigma, px after resizing), sensor ``noise``, and ``long_side`` px on the page's long side
    (instead of ``scale``).
    """
    a = np.asarray(img.convert("RGB"))
    h, w = a.shape[:2]
    m = int(0.08 * w)
    grey = rng.randint(40, 110)
    desk_img = np.full((h + 2 * m, w + 2 * m, 3), list(desk or (grey,) * 3), np.uint8)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + m + np.float32([[rng.uniform(-jitter, jitter) * w, rng.uniform(-jitter, jitter) * w]
                                for _ in range(4)])
    out = cv2.warpPerspective(a, cv2.getPerspectiveTransform(src, dst), desk_img.shape[1::-1], dst=desk_img,
                              borderMode=cv2.BORDER_TRANSPARENT)
    shade = np.linspace(rng.uniform(*light), 1.0, out.shape[1])[None, :, None]
    if rng.random() < 0.5:
        shade = shade[:, ::-1]
    if gain != 1.0 or shadow:
        shade = shade * gain * _shadow(out.shape[:2], shadow, rng)[..., None]
    out = np.clip(out * shade, 0, 255).astype(np.uint8)
    k = scale if long_side is None else long_side / max(h, w)
    res = Image.fromarray(out).resize((int(out.shape[1] * k), int(out.shape[0] * k)), Image.Resampling.LANCZOS)
    if not (blur or noise):
        return res
    b = np.asarray(res).astype(np.float32)
    if blur:
        b = cv2.GaussianBlur(b, (0, 0), blur)
    if noise:
        b = b + np.random.default_rng(rng.getrandbits(32)).normal(0, noise, b.shape[:2])[..., None]
    return Image.fromarray(np.clip(b, 0, 255).astype(np.uint8))


def _shadow(shape: tuple[int, int], depth: float, rng: random.Random) -> np.ndarray:
    """Light factor (1 = unshaded): a blurred half-plane from one edge, the phone's or hand's shadow."""
    h, w = shape
    if not depth:
        return np.ones(shape, np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = rng.uniform(0, 2 * np.pi)
    d = (xx - w / 2) * np.cos(t) + (yy - h / 2) * np.sin(t)  # distance along a random direction
    edge = rng.uniform(0.2, 0.4) * float(np.abs(d).max())  # the outer 30-40 % or so is shaded
    soft = rng.uniform(0.03, 0.08) * max(h, w)
    inside = 1.0 / (1.0 + np.exp(-(d - edge) / soft))
    return (1.0 - depth * inside).astype(np.float32)


def photo_params(rng: random.Random) -> dict:
    """One phone capture (chosen once per document): framing, light, focus, resolution, JPEG."""
    v = rng.uniform(45, 125)
    return {
        "jitter": round(rng.uniform(0.02, 0.05), 3),
        "light": (round(rng.uniform(0.65, 0.85), 3),) * 2,  # the dark side's level
        "desk": (int(v), int(v * rng.uniform(0.8, 1.0)), int(v * rng.uniform(0.6, 1.0))),
        "gain": round(rng.uniform(0.88, 1.0), 3),
        "shadow": round(rng.uniform(0.15, 0.35), 3) if rng.random() < 0.4 else 0.0,
        "blur": round(rng.uniform(0.4, 1.2), 2),
        "noise": round(rng.uniform(1, 4), 2),
        "long_side": rng.randint(*PHOTO_LONG_SIDE),
        "quality": rng.randint(*PHOTO_QUALITY),
    }


def write_photo(pdf_path, out_stem: Path, rng: random.Random) -> tuple[Path, dict]:
    """Photograph each page of ``pdf_path``: one page -> a JPEG without dpi, several -> an image PDF
    (1 px = 1/200 in, so the pipeline's 200-dpi render keeps the photo's pixels)."""
    params = photo_params(rng)
    quality = params["quality"]
    look = {k: v for k, v in params.items() if k != "quality"}
    imgs = [photo(p, rng, **look) for p in render_pages(pdf_path, PHOTO_DPI)]
    if len(imgs) == 1:
        path, fmt = out_stem.with_suffix(".jpg"), "jpeg"
        imgs[0].save(path, "JPEG", quality=quality)
    else:
        path, fmt = out_stem.with_suffix(".pdf"), "image_pdf"
        imgs[0].save(path, "PDF", save_all=True, append_images=imgs[1:], resolution=DPI, quality=quality)
    info = {k: v for k, v in params.items() if k not in ("desk", "light")}
    info.update({"light": params["light"][0], "format": fmt, "size": list(imgs[0].size)})
    return path, info
