"""Dates as printed on invoices, receipts and contracts -> ISO "YYYY-MM-DD"."""

from __future__ import annotations

import re
from datetime import date

from .text import normalize_text

_MIN_YEAR, _MAX_YEAR = 1900, 2199

# Year digit by digit: 二〇二四, 二零二四, 贰零贰肆 (bank slips write dates in capitals).
_YEAR_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
_YEAR_DIGITS |= {c: str(i) for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_YEAR_DIGITS |= {"○": "0", "O": "0", "o": "0", "两": "2"}
_SMALL = (
    {c: i for i, c in enumerate("〇一二三四五六七八九")}
    | {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
    | {"两": 2, "○": 0}
)

_NUMERIC = re.compile(
    r"^(?P<y>\d{4})\s*(?:(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日号]?)"
    r"(?:[T\s]*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_CHINESE = re.compile(
    r"^(?P<y>[^年]{4})年(?P<m>[^月]{1,4})月(?P<d>[^日号]{1,4})[日号]$"
)


def _small_number(s: str) -> int | None:
    """1..31 in Chinese numerals: 三, 十五, 三十一, and the cheque forms 零叁, 壹拾伍, 零壹拾."""
    if s.isdigit():
        return int(s)
    s = s.lstrip("零〇○") or s
    if not s:
        return None
    if s[0] in "十拾":
        s = "一" + s
    if len(s) == 1:
        return _SMALL.get(s) or None
    if len(s) == 2 and s[1] in "十拾" and s[0] in _SMALL:
        return _SMALL[s[0]] * 10
    if len(s) == 3 and s[1] in "十拾" and s[0] in _SMALL and s[2] in _SMALL:
        return _SMALL[s[0]] * 10 + _SMALL[s[2]]
    return None


def _iso(y: int, m: int, d: int) -> str | None:
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """2024年3月15日, 2024-03-15, 2024/3/15, 2024.03.15, 20240315, 二〇二四年三月十五日,
    贰零贰肆年零叁月壹拾伍日 (full-width digits and spaces allowed; a trailing time
    is dropped) -> "2024-03-15"; None when it is not a real date."""
    if not isinstance(text, str):
        return None
    s = normalize_text(text, keep_punct=False).strip()
    m = _NUMERIC.match(s)
    if m:
        month = m.group("m") or m.group("m2")
        day = m.group("d") or m.group("d2")
        return _iso(int(m.group("y")), int(month), int(day))
    s = re.sub(r"\s+", "", s)
    m = _COMPACT.match(s)
    if m:
        return _iso(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    m = _CHINESE.match(s)
    if m:
        year = m.group("y")
        if not all(c in _YEAR_DIGITS or c.isdigit() for c in year):
            return None
        y = int("".join(_YEAR_DIGITS.get(c, c) for c in year))
        mo, d = _small_number(m.group("m")), _small_number(m.group("d"))
        if mo is None or d is None:
            return None
        return _iso(y, mo, d)
    return None
