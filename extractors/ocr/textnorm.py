"""Text normalisation for OCR output and PDF text layers (pure functions).

``extractors/normalize/`` (owned elsewhere) has no text module yet; these live here and
can move there unchanged.
"""

from __future__ import annotations

import re
import unicodedata

# zero-width space/joiners, word joiner, BOM, soft hyphen
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_NUMERIC_FIXES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})


def normalize_text(s: str) -> str:
    """NFKC (Kangxi radicals ⼦→子, full-width ＡＢ１（：→ AB1(:), ￥→¥, no zero-width chars."""
    s = _INVISIBLE.sub("", s)
    s = unicodedata.normalize("NFKC", s)
    return s.replace("\uffe5", "\u00a5")  # NFKC already maps ￥; kept explicit


def fix_numeric(s: str) -> str:
    """For fields known to be numeric (amounts, invoice numbers): O/o→0, l/I→1."""
    return s.translate(_NUMERIC_FIXES)
