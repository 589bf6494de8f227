"""IMAGE_TAMPERING cue ``gap``: an amount whose digit groups have a hole where a digit should be.

A digit cut out and pasted over with a piece of paper or of another glyph leaves a place OCR reads
as nothing or as a stray stroke: ``1,387,534.86`` with its 5 covered reads ``1,387,,34.86`` (seed 4141
vou_0047, a bi-level scan where no noise or glyph size tells the patch apart). Thousands groups hold
three digits (Indian grouping two, but never one, and always three last), so a group after the first
with fewer than two digits, or a last group of other than three, is a hole; so is an upright stroke
(``|`` ``!``) between two digits, the edge of a glyph left in a digit's place. Read on OCR words only:
a text layer holds what was typed, not what a patch left. Yellow: a poor scan can lose a digit too,
and either way the figure cannot be trusted as read. Session 19: no OCR word of the 42 clean invoice and
voucher scans of seed 4141, nor of the 101 real images, PDFs and OFDs, has such a hole (29 grouped
amounts among them).
"""

from __future__ import annotations

import re

from classifiers.checks.glyph_consistency import numbers
from pipeline.types import RiskFlag, Word

GROUPED = re.compile(r"^\D*?(\d{1,3}(?:[,，]\d*)+)\.\d{2}\D*$")  # an amount with thousands separators
STROKE = re.compile(r"\d[|!丨]\d")  # a lone upright stroke between two digits: what is left of a third


def holed(text: str) -> bool:
    """Whether a number as read leaves a digit out: a group short, or a stroke in a digit's place."""
    if STROKE.search(text):
        return True
    m = GROUPED.match(text)
    if not m:
        return False
    groups = re.split(r"[,，]", m.group(1))[1:]
    return any(len(g) < 2 for g in groups) or len(groups[-1]) != 3


def gap_flags(words: list[Word], page: int) -> list[RiskFlag]:
    """One yellow flag per page for the OCR'd numbers with a hole in them (pieces OCR split at the
    hole joined: ``glyph_consistency.numbers``); evidence: the first one's box, every one found."""
    found = [w for w in numbers(words) if w.source == "ocr" and holed(w.text)]
    if not found:
        return []
    w = found[0]
    return [RiskFlag(
        code="IMAGE_TAMPERING", severity="yellow",
        message=f"page {page}: the amount {w.text!r} reads with a digit missing from its groups: a digit may "
                f"have been cut out or covered",
        evidence={"page": page, "bbox": [round(v, 1) for v in w.bbox], "cue": "gap", "word": w.text,
                  "regions": [[round(v, 1) for v in x.bbox] for x in found]})]
