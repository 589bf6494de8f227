"""Which party a label belongs to (buyer/seller, payer/payee), from the page's anchor words."""

from __future__ import annotations

import re

from extractors.fields.finder import Found
from extractors.layout import LineIndex, Span


def anchors(index: list[LineIndex], roles: dict[str, re.Pattern[str]]) -> list[tuple[str, Span]]:
    out: list[tuple[str, Span]] = []
    for li in index:
        for role, pat in roles.items():
            for m in pat.finditer(li.text):
                out.append((role, li.span(m.start(), m.end())))
    return out


NEAR = 45.0  # points: an anchor further than this from a label heads another block


def role_of(found: Found, marks: list[tuple[str, Span]]) -> str | None:
    """The nearest anchor left of the label in its band, or just above it in its column."""
    lb = found.label.bbox
    best: tuple[float, str] | None = None
    for role, span in marks:
        if span.page != found.label.page:
            continue
        ab = span.bbox
        vgap = max(0.0, ab[1] - lb[3], lb[1] - ab[3])
        if ab[2] <= lb[0] + 4 and vgap <= NEAR:
            score = (lb[0] - ab[2]) + 3 * vgap
        elif ab[3] <= lb[1] + 4 and ab[0] <= lb[2] and ab[2] >= lb[0] - 40 and lb[1] - ab[3] <= NEAR:
            score = 3 * (lb[1] - ab[3])
        else:
            continue
        if best is None or score < best[0]:
            best = (score, role)
    return best[1] if best else None


def assign(found: list[Found], marks: list[tuple[str, Span]], order: list[str]) -> dict[str, Found]:
    """Role → found value for the roles in ``order``; explicit anchors first, then reading order for the
    rest. A label whose nearest anchor names a role the caller already settled is one of the rest (the
    payee's 收款方 was lost to OCR, so its 账号 sees the payer's anchor across the page)."""
    out: dict[str, Found] = {}
    rest: list[Found] = []
    for f in found:
        role = role_of(f, marks) if marks else None
        if role and role in order and role not in out:
            out[role] = f
        else:
            rest.append(f)
    for role in order:
        if role not in out and rest:
            out[role] = rest.pop(0)
    return out
