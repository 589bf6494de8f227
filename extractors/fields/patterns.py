"""Value shapes shared by the extractors (regexes over normalised text)."""

from __future__ import annotations

import re

MONEY = re.compile(
    r"(?<![\d.])((?:[-−]?\s*[¥$]?\s*[-−]?\d{1,3}(?:[,，]\d{3})+(?:\.\d{1,2})?|[-−]?\s*[¥$]?\s*[-−]?\d+\.\d{2}(?!\d)|[¥$]\s*\d+"
    r"|\d+(?:\.\d+)?(?=\s*万))(?:\s*万(?=\s*元))?)"
)
YEN_MONEY = re.compile(r"(¥\s*-?\d[\d,]*\.\d{2})")  # an amount marked by its ¥ alone, where its label is lost
MONEY_LOOSE = re.compile(r"(?<![\d.])([¥$]?\s*-?\d[\d,，]*(?:\.\d{1,2})?)(?![\d%])")
CAPITAL_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆元角分整正"
CAPITALS = re.compile(rf"([{CAPITAL_CHARS}]{{2,}})")
DATE = re.compile(
    r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?|(?:19|20)\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|(?:19|20)\d{2}[01]\d[0-3]\d(?!\d))"
)
# letters in either case (OCR reads a J or X of a credit code as j or x now and then: normalize_tax_id makes
# them upper case, the check character then judges), with 8 digits at least, as every id has
TAX_ID = re.compile(r"(?<![0-9A-Za-z])(?=(?:[A-Za-z]*[0-9]){8})([0-9A-Za-z]{15}|[0-9A-Za-z]{17,20})(?![0-9A-Za-z])")
DIGITS = lambda lo, hi: re.compile(rf"(?<!\d)(\d{{{lo},{hi}}})(?!\d)")
SPACED_DIGITS = re.compile(r"(?<!\d)(\d[\d ]{6,40}\d)(?!\d)")
ACCOUNT = re.compile(r"(?<![\dA-Za-z])(\d[\d\s\-]{7,34}\d)(?!\d)")
RATE = re.compile(r"(\d{1,2}(?:\.\d+)?\s*[%％]|免税|不征税|\*\*\*)")
