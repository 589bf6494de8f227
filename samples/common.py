"""Shared helpers: fonts, number formatting, seals and fitted text for reportlab."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_FILES = {
    "MicroHei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "ZenHei": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "UMing": "/usr/share/fonts/truetype/arphic/uming.ttc",
    "UKai": "/usr/share/fonts/truetype/arphic/ukai.ttc",
}
FALLBACK_FONT = "ZenHei"  # widest coverage of the four
_CMAPS: dict[str, set[int]] = {}

CENT = Decimal("0.01")

RED = Color(0.85, 0.08, 0.08)
SEAL_RED = Color(0.88, 0.1, 0.12)
SEAL_BLUE = Color(0.12, 0.25, 0.75)
BLACK = Color(0, 0, 0)
FORM_COLORS = [  # colours of the printed form (lines, labels)
    Color(0.55, 0.27, 0.07),
    Color(0.45, 0.2, 0.1),
    Color(0.1, 0.35, 0.3),
    Color(0.15, 0.2, 0.45),
    Color(0.5, 0.1, 0.1),
]


def register_fonts() -> list[str]:
    """Register the CJK fonts once; return their names."""
    for name, path in FONT_FILES.items():
        if name not in _CMAPS:
            font = TTFont(name, path, subfontIndex=0)
            pdfmetrics.registerFont(font)
            _CMAPS[name] = set(font.face.charToGlyph)
    return list(FONT_FILES)


def font_for(font: str, text: str) -> str:
    """``font`` when it has every glyph of ``text``, else the fallback font."""
    register_fonts()
    if font not in _CMAPS:  # a standard Type 1 font: ASCII only
        return font if all(ord(ch) < 128 for ch in text) else FALLBACK_FONT
    cmap = _CMAPS[font]
    if all(ord(ch) in cmap or ch in " \n\t" for ch in text):
        return font
    return FALLBACK_FONT


# ---------------------------------------------------------------- numbers
def q2(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money(value) -> str:
    """Normalised money: '569520.00'."""
    return f"{q2(value):.2f}"


def canon(value: Decimal) -> str:
    """Canonical decimal string without trailing zeros: 12, 1327.43362832, 0.5."""
    text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def rate_str(percent) -> str:
    """13 -> '0.13'; 80 -> '0.8'; Decimal('0.05') (万分之五 as percent) -> '0.0005'."""
    return canon(Decimal(str(percent)) / 100)


def fmt_money(value, sep: bool = False, symbol: str = "") -> str:
    value = q2(value)
    body = f"{value:,.2f}" if sep else f"{value:.2f}"
    return f"{symbol}{body}"


def group4(digits: str) -> str:
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def group5(digits: str) -> str:
    return " ".join(digits[i:i + 5] for i in range(0, len(digits), 5))


CN_DIGITS = "零一二三四五六七八九"


def cn_num(n: int) -> str:
    """1..99 in lower-case Chinese numerals (第一条, 二十三)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


def cn_date(d, pad: bool = True) -> str:
    if pad:
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------- drawing
def fit_text(c, text: str, x: float, y: float, max_w: float, font: str, size: float,
             align: str = "left", min_size: float = 4.5) -> float:
    """Draw text on one line, shrinking the size until it fits ``max_w``."""
    font = font_for(font, text)
    while size > min_size and pdfmetrics.stringWidth(text, font, size) > max_w:
        size -= 0.25
    c.setFont(font, size)
    if align == "center":
        c.drawCentredString(x, y, text)
    elif align == "right":
        c.drawRightString(x, y, text)
    else:
        c.drawString(x, y, text)
    return size


def wrap_text(text: str, font: str, size: float, max_w: float) -> list[str]:
    """Character wrap (fine for Chinese)."""
    font = font_for(font, text)
    lines, cur = [], ""
    for ch in text:
        if ch == "\n":
            lines.append(cur)
            cur = ""
            continue
        if pdfmetrics.stringWidth(cur + ch, font, size) > max_w and cur:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def spaced(label: str, width_chars: int) -> str:
    """'名称' -> '名    称' style spreading used on printed forms."""
    if len(label) >= width_chars or len(label) < 2:
        return label
    gaps = len(label) - 1
    pad = (width_chars - len(label)) * 2 // gaps
    return (" " * pad).join(label)


def _arc_text(c, text, cx, cy, rx, ry, font, size, start_deg, end_deg):
    n = len(text)
    if n == 0:
        return
    for i, ch in enumerate(text):
        t = 0.5 if n == 1 else i / (n - 1)
        ang = math.radians(start_deg + (end_deg - start_deg) * t)
        px, py = cx + rx * math.cos(ang), cy + ry * math.sin(ang)
        c.saveState()
        c.translate(px, py)
        normal = math.atan2(rx * math.sin(ang), ry * math.cos(ang))
        c.rotate(math.degrees(normal) - 90)
        c.setFont(font_for(font, ch), size)
        c.drawCentredString(0, -size * 0.35, ch)
        c.restoreState()


def _star(c, cx, cy, r):
    pts = []
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.38
        a = math.radians(90 + k * 36)
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    p = c.beginPath()
    p.moveTo(*pts[0])
    for pt in pts[1:]:
        p.lineTo(*pt)
    p.close()
    c.drawPath(p, stroke=0, fill=1)


def draw_seal(c, cx, cy, rx, ry, color, arc_text, center_text="", bottom_text="",
              font="ZenHei", star=False, alpha=0.82, rotate=0.0):
    """Oval (rx != ry) or round seal; text along the top arc, centre and bottom lines."""
    c.saveState()
    c.translate(cx, cy)
    c.rotate(rotate)
    c.setStrokeColor(color)
    c.setFillColor(color)
    c.setStrokeAlpha(alpha)
    c.setFillAlpha(alpha)
    c.setLineWidth(max(1.2, rx * 0.045))
    c.ellipse(-rx, -ry, rx, ry, stroke=1, fill=0)
    if rx != ry:
        c.setLineWidth(0.5)
        c.ellipse(-rx + 2.2, -ry + 2.2, rx - 2.2, ry - 2.2, stroke=1, fill=0)
    n = max(1, len(arc_text))
    span = min(250.0, 14.0 * n + 40) if rx == ry else min(235.0, 11.0 * n + 60)
    arc_len = math.radians(span) * (rx + ry) / 2 * 0.78
    size = min(ry * 0.27, arc_len / n * 0.92)
    inset = size * 0.75 + max(1.2, rx * 0.045) + 1.0
    _arc_text(c, arc_text, 0, 0, rx - inset, ry - inset, font, size,
              90 + span / 2, 90 - span / 2)
    if star:
        _star(c, 0, ry * 0.05, ry * 0.3)
    if center_text:
        cs = min(ry * 0.2, rx * 1.25 / max(1, len(center_text)) * 1.7)
        c.setFont(font_for("MicroHei", center_text), cs)
        c.drawCentredString(0, -cs * 0.35 if not star else -ry * 0.45, center_text)
    if bottom_text:
        bs = min(ry * 0.26, rx * 1.1 / max(1, len(bottom_text)))
        c.setFont(font_for(font, bottom_text), bs)
        c.drawCentredString(0, -ry * 0.68, bottom_text)
    c.restoreState()
