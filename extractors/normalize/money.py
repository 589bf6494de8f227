"""Amounts in figures, rates and plain decimals, to the strings of the record
contract (docs/records.md): money "569520.00", rates as fractions "0.13"."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .numerals import _parse_integer
from .text import normalize_text

_CENT = Decimal("0.01")

# Labels, currency marks and signs printed before figures. Longest first.
_NEGATIVE_MARKS = ("(-)", "负数", "负", "-")
_MONEY_PREFIXES = (
    "(小写)",
    "(-)",
    "小写",
    "人民币",
    "负数",
    "CNY",
    "RMB",
    "¥",
    "$",
    ":",
    "负",
    "-",
)
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d*))?$"
)
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-"})
_SCALE = {"万": Decimal(10**4), "亿": Decimal(10**8)}


def _to_decimal(s: str) -> Decimal | None:
    """A plain signed decimal with optional, correctly grouped thousands commas."""
    m = _NUMBER.match(s)
    if not m or (m.group("int") is None and not m.group("frac")):
        return None
    text = (m.group("int") or "0").replace(",", "") + "." + (m.group("frac") or "0")
    value = Decimal(text)
    return -value if m.group("sign") == "-" else value


def parse_money(text: str) -> Decimal | None:
    """ "¥569,520.00", "569520", "（小写）¥569520.00", "-1,234.50", "（-）1,234.50",
    "569.52万元" -> Decimal with 2 places (half-up); None if it is not one amount.

    Commas must group thousands ("1,23" is refused, not guessed).
    """
    if not isinstance(text, str):
        return None
    s = re.sub(r"\s+", "", normalize_text(text, keep_punct=False).translate(_MINUS))
    signs = 0
    stripped = True
    while stripped:  # labels and currency marks before the figures
        stripped = False
        for p in _MONEY_PREFIXES:
            if s.startswith(p):
                signs += p in _NEGATIVE_MARKS
                s, stripped = s[len(p) :], True
                break
    for suffix in ("元整", "元", "圆"):
        if s.endswith(suffix):
            s = s[: -len(suffix)]
            break
    if s.startswith("(") and s.endswith(")"):  # accounting negative (1,234.50)
        signs, s = signs + 1, s[1:-1]
    if signs > 1 or (signs and s.startswith(("-", "+"))):
        return None
    negative = signs == 1
    scale = Decimal(1)
    if s and s[-1] in _SCALE:
        scale, s = _SCALE[s[-1]], s[:-1]
    value = _to_decimal(s)
    if value is None:
        return None
    if negative:
        value = -abs(value)
    return (value * scale).quantize(_CENT, rounding=ROUND_HALF_UP)


def format_money(d: Decimal | str | float) -> str:
    """Decimal -> "569520.00": the contract's money form (2 places half-up, no
    separators, no sign for zero)."""
    value = Decimal(str(d)).quantize(_CENT, rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)
    return f"{value:f}"


def _plain(value: Decimal) -> str:
    """No trailing zeros, never exponent notation, no "-0"."""
    if value == 0:
        return "0"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_ZERO_RATE_WORDS = ("免税", "不征税", "免征", "零税率", "免征增值税")
_RATE_LABEL = re.compile(r"^(?:税率|征收率|费率|利率)?:?")
_CN_FRACTION = re.compile(r"^(?P<den>百|千|万)分之(?P<num>.+)$")
_DEN = {"百": Decimal(100), "千": Decimal(1000), "万": Decimal(10000)}
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {
    c: i for i, c in enumerate("〇壹贰叁肆伍陆柒捌玖")
}


def _cn_number(s: str) -> Decimal | None:
    """三, 十三, 零点五, 1.5, 二点一 -> Decimal; for 万分之X numerators."""
    direct = _to_decimal(s)
    if direct is not None:
        return direct
    int_text, _, frac_text = s.partition("点")
    if int_text in ("", "零", "〇"):
        whole = 0
    else:
        parsed = _parse_integer(int_text)
        if parsed is None:
            return None
        whole = parsed
    if frac_text and not all(c in _CN_DIGITS for c in frac_text):
        return None
    if not int_text and not frac_text:
        return None
    digits = "".join(str(_CN_DIGITS[c]) for c in frac_text)
    return Decimal(f"{whole}.{digits or '0'}")


def parse_rate(text: str) -> str | None:
    """ "13%" -> "0.13", "6％" -> "0.06", "0.13", "免税"/"不征税" -> "0",
    "万分之五" -> "0.0005", "3‰" -> "0.003"; None outside [0, 1] or unreadable.

    A bare number ≥ 1 is read as a percent ("13" -> "0.13"): rates are never above 100%.
    """
    if not isinstance(text, str):
        return None
    s = re.sub(r"\s+", "", normalize_text(text, keep_punct=False))
    s = _RATE_LABEL.sub("", s)
    if not s:
        return None
    if s in _ZERO_RATE_WORDS or s.strip("*") in _ZERO_RATE_WORDS:
        return "0"
    m = _CN_FRACTION.match(s)
    if m:
        num = _cn_number(m.group("num"))
        value = None if num is None else num / _DEN[m.group("den")]
    elif s[-1] in "%‰‱":
        num = _to_decimal(s[:-1])
        den = {"%": 100, "‰": 1000, "‱": 10000}[s[-1]]
        value = None if num is None else num / den
    else:
        value = _to_decimal(s)
        if value is not None and value >= 1:
            value = value / 100
    if value is None or value < 0 or value > 1:
        return None
    return _plain(value)


def canonical_decimal(text: str | Decimal | int) -> str | None:
    """Quantities and unit prices as printed, minus noise: "12.00" -> "12",
    "1327.433628" unchanged, "1,200.50" -> "1200.5"; never exponent notation."""
    if isinstance(text, (Decimal, int)):
        try:
            return _plain(Decimal(text)) if Decimal(text).is_finite() else None
        except InvalidOperation:
            return None
    if not isinstance(text, str):
        return None
    s = re.sub(r"\s+", "", normalize_text(text, keep_punct=False).translate(_MINUS))
    value = _to_decimal(s)
    return None if value is None else _plain(value)
