"""Clause segmentation: a contract's lines (across pages, text layer or OCR) into numbered clauses.

Numbering styles: 第X条 · 1. / 1.1 / 1.1.1 · 一、 · （一） · （1）. A marker only opens a clause
when it continues the numbering seen so far (一、 after 三、 is a table cell or a wrapped
line, not a clause), so numbers at the start of wrapped lines and table rows stay text.
Page furniture (page numbers, running headers) is dropped; the preamble before the first
clause and the signature block after the last are not clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.layout import LineIndex, Span
from extractors.normalize.numerals import _parse_integer

CN_NUM = "一二三四五六七八九十百零〇两"
TIAO = re.compile(rf"^\s*第\s*([{CN_NUM}\d]{{1,4}})\s*条\s*")
CN_TOP = re.compile(rf"^\s*([{CN_NUM}]{{1,3}})\s*[、，,.．]\s*")
CN_PAREN = re.compile(rf"^\s*[（(]\s*([{CN_NUM}]{{1,3}})\s*[)）]\s*[、.．]?\s*")
DIGIT_PAREN = re.compile(r"^\s*[（(]\s*(\d{1,2})\s*[)）]\s*[、.．]?\s*")
DEC_MULTI = re.compile(r"^\s*(\d{1,2}(?:\s*[.．]\s*\d{1,2}){1,3})(?:\s*[.．、]\s*|\s*)(?=[^\d\s.．%％,，])")
DEC_ONE = re.compile(r"^\s*(\d{1,2})(?:\s*[.．、]\s*|\s+)(?=[^\d\s.．%％,，)）])")

PAGE_NUMBER = re.compile(
    r"^[\s—\-－–_·•]*(?:第\s*)?\d{1,3}\s*(?:页)?(?:\s*[/,，]?\s*(?:共\s*)?\d{1,3}\s*页?)?[\s—\-－–_·•]*$"
    r"|^\s*(?:page|Page|PAGE)\s*\d+"
)
SIGNATURE = re.compile(r"以下无正文|以下为签[署字章]页|[（(]\s*(?:签字\s*)?(?:盖\s*章|签\s*章)\s*[)）]|法定代表人或委托代理人")
SENTENCE_PUNCT = re.compile(r"[。；;，,]")


@dataclass
class Piece:
    line: LineIndex
    start: int  # in the line's text
    end: int
    offset: int  # in the clause's text


@dataclass
class Clause:
    """One numbered clause: its own text (children excluded), with a map back to page boxes."""

    number: str  # as printed: "第三条", "3.1", "三", "（一）"
    level: int  # 1 for top-level clauses
    heading: str = ""  # "付款方式" (a heading line, or the label before "：")
    text: str = ""
    pieces: list[Piece] = field(default_factory=list)
    parent: int | None = None  # index of the parent clause in the list
    label: str | None = None  # clause class, where a classifier set one
    head: Piece | None = None  # the heading line, where the heading stands on a line of its own

    @property
    def pages(self) -> list[int]:
        return sorted({p.line.page for p in ([self.head] if self.head else []) + self.pieces})

    @property
    def boxes(self) -> list[tuple[int, tuple[float, float, float, float]]]:
        """(page, box) of each line piece, the heading line first."""
        return [(p.line.page, p.line.span(p.start, p.end).bbox) for p in ([self.head] if self.head else []) + self.pieces]

    def append(self, line: LineIndex, start: int, end: int) -> None:
        if end <= start:
            return
        self.pieces.append(Piece(line, start, end, len(self.text)))
        self.text += line.text[start:end]

    def span(self, start: int | None = None, end: int | None = None) -> Span | None:
        """The page box of text[start:end] (first page it lies on; lines there united)."""
        if not self.pieces:
            if self.head is None:
                return None
            return self.head.line.span(self.head.start, self.head.end)
        start = 0 if start is None else start
        end = len(self.text) if end is None else end
        parts = []
        for p in self.pieces:
            a, b = max(start, p.offset), min(end, p.offset + (p.end - p.start))
            if a < b:
                parts.append(p.line.span(p.start + a - p.offset, p.start + b - p.offset))
        if not parts:
            p = self.pieces[0]
            parts = [p.line.span(p.start, p.end)]
        first = [s for s in parts if s.page == parts[0].page]
        box = (min(s.bbox[0] for s in first), min(s.bbox[1] for s in first),
               max(s.bbox[2] for s in first), max(s.bbox[3] for s in first))
        return Span(self.text[start:end], box, parts[0].page, min(s.confidence for s in parts), parts[0].source)


def _int(s: str) -> int | None:
    s = s.replace(" ", "").replace("〇", "零").replace("两", "二")
    if s.isdigit():
        return int(s)
    try:
        return _parse_integer(s)
    except Exception:  # noqa: BLE001
        return None


@dataclass
class _Marker:
    style: str
    number: str  # as printed
    key: tuple[int, ...]
    end: int  # where the marker ends in the line


def _marker(text: str) -> _Marker | None:
    for style, rx in (("tiao", TIAO), ("cnparen", CN_PAREN), ("digparen", DIGIT_PAREN), ("cn", CN_TOP)):
        m = rx.match(text)
        if m:
            n = _int(m.group(1))
            if n is None or n <= 0:
                return None
            return _Marker(style, m.group(0).strip(), (n,), m.end())
    m = DEC_MULTI.match(text) or DEC_ONE.match(text)
    if m and not re.search(r"[.．、]", text[:m.end()].split(m.group(1), 1)[-1]) and \
            re.search(r"\s[-+¥$]?[\d.,，%]+(?:\s|$)", text[m.end():]):
        return None  # "1 钢筋 吨 20 4,500.00": a numbered table row, not a clause
    if m:
        key = tuple(int(x) for x in re.split(r"\s*[.．]\s*", m.group(1).strip()) if x)
        if not key or any(k <= 0 for k in key):
            return None
        return _Marker("dec", m.group(1).replace(" ", ""), key, m.end())
    return None


def _furniture(index: list[LineIndex]) -> set[int]:
    """Line positions that are page numbers or running headers/footers."""
    out = {i for i, li in enumerate(index) if PAGE_NUMBER.match(li.text.strip())}
    by_page: dict[int, list[int]] = {}
    for i, li in enumerate(index):
        by_page.setdefault(li.page, []).append(i)
    if len(by_page) > 1:
        edge: dict[str, set[int]] = {}
        for page, ids in by_page.items():
            for i in ids[:1] + ids[-1:]:
                edge.setdefault(re.sub(r"\d+", "#", index[i].text.replace(" ", "")), set()).add(page)
        for page, ids in by_page.items():
            for i in ids[:1] + ids[-1:]:
                key = re.sub(r"\d+", "#", index[i].text.replace(" ", ""))
                if len(edge.get(key, ())) >= 2 and len(key) < 40:
                    out.add(i)
    return out


_LEVEL = {"tiao": 1, "cn": 1, "cnparen": 2, "digparen": 3}


def segment(index: list[LineIndex]) -> list[Clause]:
    """Numbered clauses in reading order; level-1 clauses hold their heading, children point to them."""
    skip = _furniture(index)
    styles_seen: set[str] = set()
    clauses: list[Clause] = []
    top_style: str | None = None
    top_n = 0  # number of the current level-1 clause
    last_child: dict[tuple, int] = {}  # (parent clause idx, style, depth) -> last number
    stack: list[int] = []  # open clauses by level
    current: Clause | None = None
    for i, li in enumerate(index):
        if i in skip:
            continue
        text = li.text
        if clauses and SIGNATURE.search(text):
            break
        mk = _marker(text)
        accepted = False
        if mk is not None:
            if mk.style in ("tiao", "cn") or (mk.style == "dec" and len(mk.key) == 1):
                if top_style in (None, mk.style):
                    n = mk.key[0]
                    if (top_style is None and n <= 3) or (top_style is not None and top_n < n <= top_n + 2):
                        accepted, level = True, 1
                        top_style, top_n = mk.style, n
                elif mk.style == "cn" and top_style == "tiao" or mk.style == "dec" and top_style in ("tiao", "cn"):
                    level = 2
                    accepted = _child_ok(clauses, stack, last_child, mk, level)
            elif mk.style == "dec" and top_style is not None:
                level = len(mk.key)
                head_ok = mk.key[0] == top_n
                accepted = head_ok and _child_ok(clauses, stack, last_child, mk, level)
            elif mk.style in ("cnparen", "digparen") and top_style is not None:
                level = _LEVEL[mk.style] if not (mk.style == "digparen" and "cnparen" not in styles_seen) else 2
                accepted = _child_ok(clauses, stack, last_child, mk, level)
        if accepted:
            styles_seen.add(mk.style)  # type: ignore[union-attr]
            rest = text[mk.end:]  # type: ignore[union-attr]
            clause = Clause(number=mk.number, level=level)  # type: ignore[union-attr, possibly-undefined]
            while stack and clauses[stack[-1]].level >= level:  # type: ignore[possibly-undefined]
                stack.pop()
            clause.parent = stack[-1] if stack else None
            body_at = mk.end  # type: ignore[union-attr]
            stripped = rest.strip()
            if level == 1 and stripped and len(stripped) <= 16 and not SENTENCE_PUNCT.search(stripped) and "：" not in stripped and ":" not in stripped:
                clause.heading = stripped.replace(" ", "")
                clause.head = Piece(li, 0, len(text), 0)
                body_at = len(text)
            else:
                m = re.match(r"\s*([^：:，,。；;]{1,12})\s*[：:]", rest)
                if m:
                    clause.heading = m.group(1).replace(" ", "")
            while body_at < len(text) and text[body_at] == " ":
                body_at += 1
            clause.append(li, body_at, len(text))
            clauses.append(clause)
            stack.append(len(clauses) - 1)
            current = clause
        elif current is not None:
            current.append(li, 0, len(text))
    return clauses


def _child_ok(clauses: list[Clause], stack: list[int], last_child: dict, mk: _Marker, level: int) -> bool:
    parents = [j for j in stack if clauses[j].level < level]
    parent = parents[-1] if parents else None
    key = (parent, mk.style, level)
    n = mk.key[-1]
    prev = last_child.get(key, 0)
    if prev < n <= prev + 2 or n == 1:
        last_child[key] = n
        return True
    return False


def top_level(clauses: list[Clause], i: int) -> Clause:
    """The level-1 clause that clause i lies in."""
    c = clauses[i]
    while c.parent is not None:
        c = clauses[c.parent]
    return c


def full_text(clauses: list[Clause], i: int) -> str:
    """A clause's text with its descendants' text (heading excluded)."""
    out = [clauses[i].text]
    for j in range(i + 1, len(clauses)):
        c = clauses[j]
        k = c.parent
        while k is not None and k != i:
            k = clauses[k].parent
        if k != i:
            break
        out.append(c.text)
    return "".join(out)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a clause, split at 。 and ；."""
    out, start = [], 0
    for m in re.finditer(r"[。；;]", text):
        out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out
