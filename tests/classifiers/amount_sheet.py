"""A synthetic sheet of printed amounts for the image-forensics tests: rows of 6-digit amounts (many
repeated digits) drawn at 8x and shrunk, so that digits land on any sub-pixel phase, as on a scan."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SUPER = 8


def amount_sheet(rng: np.random.Generator, rows: int, font_px: int
                 ) -> tuple[np.ndarray, list[tuple[str, tuple[float, float, float, float]]]]:
    """(grey page as float32 on paper 240, [(amount, its box in page pixels)]) for 3 columns x ``rows``."""
    w, h = 1300, 100 + rows * 70
    big = Image.new("L", (w * SUPER, h * SUPER), 240)
    draw = ImageDraw.Draw(big)
    font = ImageFont.truetype(FONT, font_px * SUPER)
    amounts = []
    for r in range(rows):
        for c in range(3):
            text = f"{rng.integers(100000, 999999)}.{rng.integers(10, 99)}"
            x = (60 + c * 420) * SUPER + int(rng.integers(0, SUPER))
            y = (50 + r * 70) * SUPER + int(rng.integers(0, SUPER))
            draw.text((x, y), text, font=font, fill=25)
            x0, y0, x1, y1 = draw.textbbox((x, y), text, font=font)
            amounts.append((text, (x0 / SUPER, y0 / SUPER, x1 / SUPER, y1 / SUPER)))
    return np.asarray(big.resize((w, h), Image.Resampling.BOX)).astype(np.float32), amounts
