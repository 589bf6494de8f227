"""Value shapes shared by the extractors (regexes over normalised text)."""

from __future__ import annotations

import re

MONEY = re.compile(
    r"(?<![\d.])((?:[-−]?\s*[¥$]?\s*[-−]?\d{1,3}(?:[,，]\d{3})+(?:\.\d{1,2})?|[-−]?\s*[¥$]?\s*[-−]?\d+\.\d{2}(?!\d)|[¥$]\s*\d+"
    r"|\d+(?:\.\d+)?(?=\s*万))(?:\s*万(?=\s*元))?)"
)
MONEY_LOOSE = re.compile(r"(?<![\d.])([¥$]?\s*-?\d[\d,，]*(?:\.\d{1,2})?)(?![\d%])")
CAPITALS = re.compile(r"([零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆元角分整正]{2,})")
DATE = re.compile(
    r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?|(?:19|20)\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|(?:19|20)\d{2}[01]\d[0-3]\d(?!\d))"
)
TAX_ID = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{15}|[0-9A-Z]{17,20})(?![0-9A-Z])")
DIGITS = lambda lo, hi: re.compile(rf"(?<!\d)(\d{{{lo},{hi}}})(?!\d)")
SPACED_DIGITS = re.compile(r"(?<!\d)(\d[\d ]{6,40}\d)(?!\d)")
ACCOUNT = re.compile(r"(?<![\dA-Za-z])(\d[\d\s\-]{7,34}\d)(?!\d)")
RATE = re.compile(r"(\d{1,2}(?:\.\d+)?\s*[%％]|免税|不征税|\*\*\*)")
