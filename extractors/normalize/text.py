"""Text folding shared by every normaliser: what OCR and PDF text layers emit is
not what a person reads (Kangxi radicals, full-width forms, zero-width marks)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

# Zero-width and invisible format characters that PDF text layers and OCR leave
# inside words; they break equality and regexes while showing nothing.
_ZERO_WIDTH = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None
)

# CJK Radicals Supplement code points some PDF producers emit instead of the
# ordinary character. NFKC folds the Kangxi block (U+2F00..) but not these.
_RADICALS = str.maketrans(
    {
        "\u2ec4": "西",
        "\u2ec5": "见",
        "\u2ec6": "角",
        "\u2ec8": "讠",
        "\u2ec9": "贝",
        "\u2ecb": "车",
        "\u2ed0": "钅",
        "\u2ed3": "长",
        "\u2ed4": "门",
        "\u2ed8": "青",
        "\u2eda": "页",
        "\u2edb": "风",
        "\u2edc": "飞",
        "\u2edd": "食",
        "\u2ee0": "饣",
        "\u2ee2": "马",
        "\u2ee5": "鱼",
        "\u2ee6": "鸟",
        "\u2ee8": "麦",
        "\u2ee9": "黄",
        "\u2eec": "齐",
        "\u2ef0": "龙",
    }
)

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_NEXT_TO_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
_SPACES = re.compile(r"\s+")


# Kept as printed: full-width punctuation (names and remarks are "as printed") and
# superscripts in units (m³). Full-width digits and letters still fold.
_KEEP = frozenset("（）：；，！？²³")


def normalize_text(s: str, *, keep_punct: bool = True) -> str:
    """Fold to what a reader sees: NFKC (Kangxi radicals, full-width digits and
    letters, U+3000), simplified radicals, ￥ -> ¥, zero-width marks removed.

    Full-width punctuation and superscripts stay as printed (（成都）, ：, m³);
    value parsers pass ``keep_punct=False`` to fold those too.
    """
    if not s:
        return ""
    s = s.translate(_ZERO_WIDTH).replace("\uffe5", "\u00a5")
    if keep_punct and any(ch in _KEEP for ch in s):
        s = "".join(ch if ch in _KEEP else unicodedata.normalize("NFKC", ch) for ch in s)
    else:
        s = unicodedata.normalize("NFKC", s)
    return s.translate(_RADICALS)


# Traditional forms the OCR model returns for simplified characters it saw blurred or under a seal:
# the capital numerals (貳 圓 萬) and the invoice labels (稅額 號碼 購買方). Folded on OCR text only:
# a text layer prints what its author meant.
_OCR_TRADITIONAL = str.maketrans("貳參陸圓萬億額稅號碼價貨購買銷賣開戶賬帳張",
                                 "贰叁陆圆万亿额税号码价货购买销卖开户账帐张")


def fold_ocr_variants(s: str, simplified_page: bool = True) -> str:
    """Simplified forms for the traditional variants OCR emits on a page that reads as simplified Chinese
    (``reads_simplified``): the capital numerals and invoice labels above (叁, not OpenCC's 参), then every
    traditional form (OpenCC ``t2s``). PP-OCRv6 reads a printed 武汉 or 有限责任 as 武漢 or 有限責任 now
    and then, with high confidence (party names on generated scans, session 14)."""
    if not simplified_page:
        return s
    s = s.translate(_OCR_TRADITIONAL)
    return _opencc("t2s").convert(s) if any(map(_is_cjk, s)) else s


@functools.cache
def _opencc(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def reads_simplified(texts: Iterable[str]) -> bool:
    """True when these texts hold at least as many characters written only in simplified Chinese as
    characters written only in traditional: a mainland page with a few traditional forms OCR slipped in,
    not a Hong Kong or Taiwan document (whose traditional print is what its author meant). The variants
    OCR emits on mainland scans (the table above) count as the simplified forms they stand for."""
    counts = Counter(ch for t in texts for ch in t.translate(_OCR_TRADITIONAL) if _is_cjk(ch))
    to_simple, to_trad = _opencc("t2s"), _opencc("s2t")
    simple = sum(n for ch, n in counts.items() if to_trad.convert(ch) != ch)
    trad = sum(n for ch, n in counts.items() if to_simple.convert(ch) != ch)
    return simple >= trad


_HALF_BRACKET = re.compile(rf"\((?=[{_CJK}])|(?<=[{_CJK}])\)")


def canonical_name(s: str) -> str:
    """A party name as registered: inner spaces removed, brackets around Chinese
    text full-width (OCR reads （ and ( alike; 企业名称 use the full-width form)."""
    s = strip_inner_spaces(s)
    s = _HALF_BRACKET.sub(lambda m: "（" if m.group(0) == "(" else "）", s)
    return s


def strip_inner_spaces(s: str) -> str:
    """Names as printed without the spaces that layout and OCR put between CJK
    characters; runs of spaces between Latin words shrink to one ("ABC Co., Ltd.")."""
    s = normalize_text(s).strip()
    s = _SPACE_NEXT_TO_CJK.sub("", s)
    return _SPACES.sub(" ", s)
