"""Layout: words into lines in reading order, label/value lookup, and ruled-or-aligned tables.

Order always comes from boxes, never from the text layer's order: real e-invoice PDFs
list every label first and every value later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from pipeline.types import BBox, Line, Page, Word

JOIN_GAP = 0.35  # a gap wider than this many line-heights becomes a space


def _union(boxes: list[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def group_lines(words: list[Word]) -> list[Line]:
    """Cluster words into visual lines by vertical overlap, then sort lines top-down."""
    rows: list[list[Word]] = []
    centers: list[float] = []
    heights: list[float] = []
    for w in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        cy = (w.bbox[1] + w.bbox[3]) / 2
        h = max(w.bbox[3] - w.bbox[1], 1.0)
        if rows and abs(cy - centers[-1]) <= 0.45 * min(h, heights[-1]):
            rows[-1].append(w)
            n = len(rows[-1])
            centers[-1] += (cy - centers[-1]) / n
            heights[-1] = median(x.bbox[3] - x.bbox[1] for x in rows[-1])
        else:
            rows.append([w])
            centers.append(cy)
            heights.append(h)
    lines = []
    for row in rows:
        row.sort(key=lambda w: w.bbox[0])
        lines.append(make_line(row))
    lines.sort(key=lambda ln: (round(ln.bbox[1] / 2), ln.bbox[0]))
    return lines


def make_line(words: list[Word]) -> Line:
    h = median(max(w.bbox[3] - w.bbox[1], 1.0) for w in words)
    parts: list[str] = []
    prev: Word | None = None
    for w in words:
        if prev is not None and w.bbox[0] - prev.bbox[2] > JOIN_GAP * h:
            parts.append(" ")
        parts.append(w.text)
        prev = w
    conf = min((w.confidence for w in words), default=1.0)
    return Line(text="".join(parts), bbox=_union([w.bbox for w in words]), words=words,
                confidence=conf, source=words[0].source)


@dataclass
class Span:
    """A piece of a line's text with its page box: a field's provenance."""

    text: str
    bbox: BBox
    page: int
    confidence: float
    source: str


class LineIndex:
    """A line's text with each character mapped back to a box (interpolated inside words)."""

    def __init__(self, line: Line, page: int):
        self.line = line
        self.page = page
        self.text = line.text
        self._char_boxes: list[BBox] = []
        self._char_conf: list[float] = []
        pos = 0
        for w in line.words:
            start = line.text.find(w.text, pos)
            if start < 0:
                continue
            while len(self._char_boxes) < start:  # the joining space
                prev = self._char_boxes[-1] if self._char_boxes else w.bbox
                self._char_boxes.append((prev[2], w.bbox[1], w.bbox[0], w.bbox[3]))
                self._char_conf.append(w.confidence)
            n = max(len(w.text), 1)
            step = (w.bbox[2] - w.bbox[0]) / n
            for i in range(len(w.text)):
                self._char_boxes.append((w.bbox[0] + i * step, w.bbox[1], w.bbox[0] + (i + 1) * step, w.bbox[3]))
                self._char_conf.append(w.confidence)
            pos = start + len(w.text)
        while len(self._char_boxes) < len(self.text):
            self._char_boxes.append(line.bbox)
            self._char_conf.append(line.confidence)

    def span(self, start: int, end: int) -> Span:
        end = max(end, start + 1)
        boxes = self._char_boxes[start:end] or [self.line.bbox]
        conf = min(self._char_conf[start:end] or [self.line.confidence])
        return Span(self.text[start:end], _union(boxes), self.page, conf, self.line.source)

    def gap_before(self, i: int) -> float:
        """Horizontal gap between character i and the last non-space character before it."""
        j = i - 1
        while j >= 0 and self.text[j] == " ":
            j -= 1
        if j < 0 or i >= len(self._char_boxes):
            return 0.0
        return self._char_boxes[i][0] - self._char_boxes[j][2]

    @property
    def height(self) -> float:
        """Typical character height on the line (the union box is taller when lines wobble)."""
        if not self.line.words:
            return max(self.line.bbox[3] - self.line.bbox[1], 1.0)
        return max(median(w.bbox[3] - w.bbox[1] for w in self.line.words), 1.0)


def lbl(label: str) -> str:
    """A label pattern that tolerates spaces between characters (名 称 → 名称)."""
    return r"\s*".join(re.escape(ch) for ch in label)


def page_index(pages: list[Page]) -> list[LineIndex]:
    """All lines of the pages, in reading order, indexed for span lookup."""
    return [LineIndex(line, p.number) for p in pages for line in p.lines]
