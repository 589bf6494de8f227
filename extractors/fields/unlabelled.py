"""Invoice parties whose printed labels OCR lost: the name and tax id read by their place and shape.

On a phone photo the form's labels (名称, 纳税人识别号) are printed in faint coloured ink and often not
detected at all, while the values, printed in black by the billing machine, are read well. A party
block is still a name on one line and its tax id right under it, so:

* a tax id without a label is an 18-character code whose check character is right (GB 32100: a
  random string passes 1 time in 31), standing at the start of a line segment in the left part of
  the page (the party blocks; remarks and the seal on the right carry other ids), with an
  organisation's name right above it. Above the totals row it is the buyer's, below it the seller's.
* a name without a label is an organisation's name (it ends in 公司, 酒店, 中心 …) on the line right
  above the party's tax id, starting within a few characters of it.

Only roles the labelled search left empty are filled; nothing is taken without both halves of the
block (a name above an id) in place.
"""

from __future__ import annotations

import re

from extractors.fields.finder import LABELISH
from extractors.layout import LineIndex, Span
from extractors.normalize.ids import normalize_tax_id, uscc_valid

ORG = re.compile(
    r"[\u4e00-\u9fff（）()]{2,40}?(?:有限责任公司|股份有限公司|有限公司|公司|分公司|集团|厂|商行|商店|超市|酒店|酒吧|"
    r"宾馆|饭店|餐厅|中心|事务所|研究院|研究所|医院|学校|学院|大学|合作社|工作室|经营部|门市部|服务部)"
)
USCC = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{18})(?![0-9A-Z])")
LEFT_SHARE = 0.6  # party blocks sit in the left part of the form
ABOVE = 1.6  # line heights between a name and the tax id under it
ALIGN = 4.0  # line heights: the name starts this near the id's left edge


def _height(span: Span) -> float:
    return max(span.bbox[3] - span.bbox[1], 1.0)


def _name_above(index: list[LineIndex], tax_id: Span) -> Span | None:
    """The organisation's name on the line right above ``tax_id``, if there is one."""
    h = _height(tax_id)
    best: tuple[float, Span] | None = None
    for li in index:
        if li.page != tax_id.page:
            continue
        for m in ORG.finditer(li.text):
            if LABELISH.search(m.group()):
                continue
            span = li.span(m.start(), m.end())
            gap = tax_id.bbox[1] - span.bbox[3]
            if (-0.4 * h <= gap <= ABOVE * h and abs(span.bbox[0] - tax_id.bbox[0]) <= ALIGN * h
                    and (best is None or gap < best[0])):
                best = (gap, span)
    return best[1] if best else None


def _unlabelled_ids(index: list[LineIndex], page_width: dict[int, float], taken: set[str]) -> list[Span]:
    """Valid 18-character codes that start a segment of their line, in the left part of the page."""
    out = []
    for li in index:
        for m in USCC.finditer(li.text):
            if m.start(1) > 0 and li.text[m.start(1) - 1] != " ":
                continue  # glued to the text before it (税号:9132…): a labelled or a longer code
            code = normalize_tax_id(m.group(1))
            span = li.span(m.start(1), m.end(1))
            if code in taken or not uscc_valid(code) or span.bbox[0] > LEFT_SHARE * page_width.get(li.page, 1e9):
                continue
            out.append(span)
    return out


def fill_parties(index: list[LineIndex], names: dict[str, Span], ids: dict[str, Span],
                 totals_top: tuple[int, float] | None, page_width: dict[int, float]) -> None:
    """Fill missing ``names`` / ``ids`` (role → value span) in place. ``totals_top``: (page, y) of
    the totals row, which parts the buyer's block (above) from the seller's (below)."""
    if totals_top is not None:
        taken = {normalize_tax_id(s.text) for s in ids.values()}
        for span in _unlabelled_ids(index, page_width, taken):
            if _name_above(index, span) is None:
                continue
            above = (span.page, span.bbox[1]) < totals_top
            role = "buyer" if above else "seller"
            if role not in ids:
                ids[role] = span
    for role, tax_id in ids.items():
        if role not in names:
            name = _name_above(index, tax_id)
            if name is not None:
                names[role] = name
