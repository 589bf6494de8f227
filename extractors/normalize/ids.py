"""Codes, numbers, accounts and tax ids: digits or the printed code, cleaned of
what OCR gets wrong on fields that can only hold certain characters."""

from __future__ import annotations

import re
from typing import Literal

from .text import normalize_text

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Letters OCR reads for digits. Only applied inside a run that holds a real
# digit and not where the run touches a word: the "o" of "No12345678" is dropped.
_DIGIT_LOOKALIKES = str.maketrans(
    {"O": "0", "o": "0", "〇": "0", "l": "1", "I": "1", "|": "1"}
)
_LOOKALIKE_CHARS = "Oo〇lI|"
_CODE_RUN = re.compile(r"[0-9Oo〇lI|]+")

# In an 18-character USCC these letters are not allowed, so they can only be misreads.
_USCC_LOOKALIKES = str.maketrans({"O": "0", "I": "1"})


def _is_latin(c: str) -> bool:
    return c.isascii() and c.isalpha()


def normalize_code(text: str) -> str:
    """Invoice code/number, check code, account number: digits only ("" if none),
    with O/o -> 0 and l/I -> 1 where they sit among digits."""
    if not isinstance(text, str):
        return ""
    s = normalize_text(text, keep_punct=False)
    out = []
    for m in _CODE_RUN.finditer(s):
        run = m.group(0)
        if not any(c.isdigit() for c in run):
            continue
        if m.start() > 0 and _is_latin(s[m.start() - 1]):
            run = run.lstrip(_LOOKALIKE_CHARS)
        if m.end() < len(s) and _is_latin(s[m.end()]):
            run = run.rstrip(_LOOKALIKE_CHARS)
        out.append(run.translate(_DIGIT_LOOKALIKES))
    return "".join(out)


def normalize_tax_id(text: str) -> str:
    """纳税人识别号 as printed: upper case, no spaces or separators. In an 18-char
    code O -> 0 and I -> 1 (the USCC alphabet has neither); in a 15-char legacy id
    only in its 6-digit region prefix; Z, S, V are left so a misread fails its check."""
    if not isinstance(text, str):
        return ""
    s = re.sub(r"[^0-9A-Z]", "", normalize_text(text, keep_punct=False).upper())
    if len(s) in (18, 20):
        return s.translate(_USCC_LOOKALIKES)
    if len(s) == 15:
        return s[:6].translate(_USCC_LOOKALIKES) + s[6:]
    return s


def uscc_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 for its first 17 (GB 32100-2015)."""
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError(f"not the first 17 characters of a USCC: {first17!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_valid(code: str) -> bool:
    """True for an 18-character USCC whose check character is right. Strict: no
    O -> 0 repair here (run normalize_tax_id first), so a flag shows what was printed."""
    if not isinstance(code, str):
        return False
    code = re.sub(r"\s+", "", code).upper()
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def tax_id_kind(code: str) -> Literal["uscc", "legacy15", "legacy20", "other"]:
    """Shape of a tax id: 18-char USCC (checked by uscc_valid), the old 15-char
    (region + organisation code) and 20-char (ID card + 2) ids, which carry no
    check we can verify, or anything else."""
    if not isinstance(code, str):
        return "other"
    code = re.sub(r"\s+", "", code).upper()
    if len(code) == 18 and all(c in USCC_ALPHABET for c in code):
        return "uscc"
    if len(code) == 15 and code[:6].isdigit() and code.isalnum() and code.isascii():
        return "legacy15"
    if (
        len(code) == 20
        and code[:17].isdigit()
        and code[18:].isdigit()
        and code[17] in "0123456789X"
    ):
        return "legacy20"
    return "other"
