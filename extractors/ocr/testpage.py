"""Synthetic pages with known text and boxes, for tests and benchmarks (no files needed).

``invoice_page()`` draws an A4 VAT-invoice-like page (about 80 text lines) with PIL and
the WenQuanYi Micro Hei font (Debian ``fonts-wqy-microhei``), and returns the BGR image
together with every drawn string and its box in PDF points (top-left origin).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
A4_PT = (595.0, 842.0)


@dataclass(frozen=True)
class DrawnText:
    text: str
    bbox: tuple[float, float, float, float]  # points, top-left origin (ink box)


@lru_cache(maxsize=32)
def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), px, index=0)


def render_texts(
    items: list[tuple[float, float, str, float]],
    dpi: float = 200.0,
    size_pt: tuple[float, float] = A4_PT,
    rules: bool = True,
) -> tuple[np.ndarray, list[DrawnText]]:
    """Draw ``(x_pt, y_pt, text, font_pt)`` items (x, y = top-left) on a white page."""
    s = dpi / 72.0
    w, h = round(size_pt[0] * s), round(size_pt[1] * s)
    im = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(im)
    out: list[DrawnText] = []
    for x, y, text, pt in items:
        font = _font(max(6, round(pt * s)))
        d.text((x * s, y * s), text, fill=(0, 0, 0), font=font)
        x0, y0, x1, y1 = d.textbbox((x * s, y * s), text, font=font)
        out.append(DrawnText(text, (x0 / s, y0 / s, x1 / s, y1 / s)))
    if rules:  # a frame like the invoice table; OCR must ignore it
        d.rectangle((30 * s, 95 * s, (size_pt[0] - 30) * s, 800 * s), outline=(0, 0, 0), width=2)
    arr = np.asarray(im)[:, :, ::-1].copy()  # RGB -> BGR
    return arr, out


HEADER: list[tuple[float, float, str, float]] = [
    (170, 40, "电子发票（增值税专用发票）", 18),
    (40, 75, "发票号码：24312000000123456789", 9),
    (330, 75, "开票日期：2024年05月17日", 9),
]
FOOTER: list[tuple[float, float, str, float]] = [
    (40, 740, "价税合计（大写）伍拾陆万玖仟伍佰贰拾圆整", 11),
    (400, 740, "（小写）¥569520.00", 11),
    (40, 770, "开票人：王晓明", 9),
    (330, 770, "销售方纳税人识别号：91310115MA1K4LXXXX", 9),
]
_GOODS = ["*信息技术服务*软件开发费", "*电子计算机*服务器", "*办公用品*打印纸", "*运输服务*国内运费"]


def invoice_lines(n_rows: int = 36) -> list[tuple[float, float, str, float]]:
    """Header, ``n_rows`` two-column item rows and the totals: ~2*n_rows+7 lines."""
    items: list[tuple[float, float, str, float]] = list(HEADER)
    for i in range(n_rows):
        y = 105 + i * 17.5
        g = _GOODS[i % len(_GOODS)]
        qty = (i % 7) + 1
        price = 1200 + 37 * i
        items.append((40, y, f"{i + 1:02d} {g} 台 {qty}", 9))
        items.append((330, y, f"单价{price}.00 金额{qty * price}.00 税率13%", 9))
    items += FOOTER
    return items


def invoice_page(dpi: float = 200.0, n_rows: int = 36) -> tuple[np.ndarray, list[DrawnText]]:
    """An A4 invoice-like page: the BGR image and what was drawn where."""
    return render_texts(invoice_lines(n_rows), dpi=dpi)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: character errors of an OCR read ``a`` against the drawn text ``b`` (CER's numerator)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
