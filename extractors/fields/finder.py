"""Label → value lookup on laid-out lines: to the right on the same line, else just below.

One mechanism for every document type; extractors only declare labels and value shapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from extractors.layout import LineIndex, Span

SEP = re.compile(r"[\s:：;；]*")
# a free-text value never starts with one of these: it is the next label, the field is empty
LABELISH = re.compile(
    r"(名\s*称|户\s*名|全\s*称|账\s*号|帐\s*号|开\s*户|金\s*额|大\s*写|小\s*写|摘\s*要|用\s*途|备\s*注|附\s*言|业\s*务|交\s*易|"
    r"日\s*期|时\s*间|流\s*水|币\s*种|钞\s*汇|纳\s*税\s*人|地\s*址|电\s*话|收\s*款|付\s*款|合\s*计|税\s*额|单\s*价|数\s*量|"
    r"密\s*码|校\s*验|机器编号|验\s*证\s*码|打\s*印|记\s*账|回\s*单|凭\s*证|签\s*章|盖\s*章)"
)
# "产品名称：" — a short run of characters closed by a colon is the next label on the line
NEXT_LABEL = re.compile(r"[\u4e00-\u9fff（）()]{1,8}\s*[:：]")
LABEL_TAIL = re.compile(
    r"(行号|账号|帐号|户名|名称|金额|日期|编号|用途|摘要|附言|电话|地址|收款人|付款人|开票人|复核人|经办人|联系人|标志|标识|种类|类型|方式|代码|汇入行|汇出行|盖章|签章)$"
)
BIG_GAP = 2.2  # line-heights of empty space that end a free-text value


@dataclass
class Found:
    value: Span
    label: Span


def _take_free(li: LineIndex, pos: int, stop: re.Pattern[str] | None) -> Span | None:
    """Free text from ``pos`` up to a wide gap or the next label."""
    m = SEP.match(li.text, pos)
    start = m.end() if m else pos
    end = start
    while end < len(li.text):
        if end > start and li.text[end] != " " and li.gap_before(end) > BIG_GAP * li.height:
            break
        end += 1
    text = li.text[start:end]
    nl = NEXT_LABEL.search(text)
    if nl is not None:
        if nl.start() == 0:
            return None
        end = start + nl.start()
        text = li.text[start:end]
    if stop is not None:
        sm = stop.search(text)
        if sm and sm.start() > 0:
            end = start + sm.start()
        elif sm and sm.start() == 0:
            return None
    text = li.text[start:end].rstrip(" :：")
    if len(text.strip()) < 2 or LABELISH.match(text.strip()) or LABEL_TAIL.search(text.strip()):  # a label, not a value
        return None
    return li.span(start, start + len(text))


def take_pattern(li: LineIndex | Any, pos: int, value: re.Pattern[str], max_skip: int) -> Span | None:
    """The first match of ``value`` within ``max_skip`` characters after ``pos`` in ``li`` (a line, or
    anything with its ``text`` and ``span``: a contract clause read across line breaks)."""
    m = SEP.match(li.text, pos)
    start = m.end() if m else pos
    vm = value.search(li.text, start)
    if vm is None or vm.start() - start > max_skip:
        return None
    g = 1 if vm.groups() else 0
    return li.span(vm.start(g), vm.end(g))


def _below(index: list[LineIndex], i: int, label: Span, take: Callable[[LineIndex, int], Span | None]) -> Span | None:
    """The value under a label: the next line, if it sits close below and starts a word under it."""
    x0, x1 = label.bbox[0], label.bbox[2]
    width = x1 - x0
    for j in range(i + 1, min(i + 3, len(index))):
        nxt = index[j]
        if nxt.page != label.page or nxt.line.bbox[1] - label.bbox[3] > 1.5 * index[i].height:
            return None
        if nxt.line.bbox[1] < label.bbox[3] - 0.3 * index[i].height:
            continue  # a line beside the label, not under it
        for k, ch in enumerate(nxt.text):
            if not ch.strip() or (k > 0 and nxt.text[k - 1] != " "):
                continue  # values start at a word, never inside one
            box = nxt.span(k, k + 1).bbox
            if box[2] >= x0 - 0.5 * width and box[0] <= x1 + 2 * width:
                return take(nxt, k)
        return None
    return None


def find_all(
    index: list[LineIndex],
    label: str | re.Pattern[str],
    value: re.Pattern[str] | None = None,
    *,
    stop: re.Pattern[str] | None = None,
    max_skip: int = 6,
    below: bool = True,
    lines: Iterable[int] | None = None,
) -> list[Found]:
    """Every (label, value) pair in reading order. ``value`` None means free text."""
    pat = re.compile(label) if isinstance(label, str) else label

    def take(li: LineIndex, pos: int) -> Span | None:
        return take_pattern(li, pos, value, max_skip) if value is not None else _take_free(li, pos, stop)

    out: list[Found] = []
    for i in lines if lines is not None else range(len(index)):
        li = index[i]
        for m in pat.finditer(li.text):
            label_span = li.span(m.start(), m.end())
            got = take(li, m.end())
            if got is None and below:
                got = _below(index, i, label_span, take)
            if got is not None:
                out.append(Found(value=got, label=label_span))
    return out


def find_first(index: list[LineIndex], label: str | re.Pattern[str], value: re.Pattern[str] | None = None, **kw) -> Found | None:  # type: ignore[no-untyped-def]
    found = find_all(index, label, value, **kw)
    return found[0] if found else None


def search(index: list[LineIndex], pattern: re.Pattern[str]) -> Span | None:
    """A value found by its own shape anywhere (e.g. the 20-digit number of an e-invoice)."""
    for li in index:
        m = pattern.search(li.text)
        if m:
            g = 1 if m.groups() else 0
            return li.span(m.start(g), m.end(g))
    return None
