"""IMAGE_TAMPERING cue ``glyph``: the digits of one printed number share font, size and baseline.

Digits pasted or redrawn over an amount, a date or an id rarely match the type around them.
Numbers are OCR words with at least ``MIN_DIGITS`` digits, mostly digits (touching pieces of
one line joined: ``¥19`` ``:`` ``287600``). The ink inside a number's box is cut into glyphs:
connected blobs of the binarised grey image, pieces stacked in the same columns joined, specks
and separators (``,`` ``.`` ``-``) left out. Each glyph gets its ink height, top and bottom.
A *run* of ``MIN_RUN`` or more adjacent glyphs is compared with the other glyphs of the number:
the reference is the largest group of them that agrees on height and on the line through tops
and bottoms (which may lean: a seal's curved legend, residual skew). A glyph deviates by the
largest of |height − ref height|, |bottom − ref baseline| and |top − ref top|, over the ref
height; a run by its least deviant glyph; a number by its most deviant run.

Calibration on two generated sets (``samples.generate`` + ``samples.tamper``: 59 clean scan
pages in PNG, JPEG, TIFF, bi-level BMP, WebP and image PDF, 31 amounts redrawn, 30 patched):
clean numbers reach 0.18 (a seal's legend); redrawn digits 0.33–1.13, 29 of 31 at 0.3 or more.
Red from ``RED_DEV`` = 0.4 (25 of 31; 2.2 x the clean maximum), yellow from ``YELLOW_DEV`` = 0.3
(4 more). A number whose strokes come apart (ink blobs per character over ``FRAGMENTED``) has
glyph pieces of any height (up to 0.44 on clean bi-level pages): on a page where most numbers do,
both thresholds rise by ``FRAGMENTED_SCALE`` for it; on a page where few do, its cut is doubtful;
a whole number is judged at the plain thresholds on any page. Real documents (10 invoice photos
and scans, 30 bank receipts) raise no flag once two numbers of two sizes read as one word (``MAX_RUN``) and digits under
``MIN_HEIGHT`` are left alone. One-digit patches copied from another amount (``image_copy``)
mostly stay under the thresholds (1 of 30 reaches 0.3): a cut glyph or two is not a run. A single
digit is judged apart (``odd_digit``, yellow only): 3 px and ``DIGIT_DEV`` off the rest. Stroke
width (mean distance to the paper x 4) is reported in the evidence but not judged: on clean
scans it varies by up to 21 % between digits of one number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from pipeline.types import BBox, RiskFlag, Word

MIN_DIGITS = 3
MIN_RUN = 2
MAX_RUN = 6  # an edit of a few digits; a longer odd stretch is another number printed alongside
MIN_HEIGHT = 12  # px: smaller digits (a low-resolution image) are too coarse to measure
INK_LEVEL = 0.6  # ink: darker than this fraction of the way from the word's ink level to its paper
MIN_CONTRAST = 40  # grey levels between ink and paper for a word to be judged
TALL = 0.4  # a glyph at least this fraction of the word's tallest is a character (not , . - or a speck)
CORE_TOL = 0.1  # reference glyphs agree on height, top and bottom within this fraction of their height
MAX_SLOPE = 0.1  # the reference line may lean up to ~6 degrees
RED_DEV = 0.4
YELLOW_DEV = 0.3
# One digit off the rest of its number (yellow only; see ``odd_digit``) by DIGIT_DEV of the height and
# DIGIT_PX pixels. Session 19, digits paired one to one with their characters in cuts neither doubtful
# nor shattered: on 280 clean scans of five generated sets none sits 3 px off (2 px: up to 0.14), on the
# real images one (0.06 of a 54-px digit); the copies the cue finds sit 0.158-0.24 off.
DIGIT_DEV = 0.15
DIGIT_PX = 3
UNIFORM = 0.14  # words whose glyph heights, tops and bottoms spread less (x the height) are not searched
NOT_NUMBER = frozenset("*+<>=%")  # the cipher block of a VAT invoice is not a number
UNIT = re.compile(r"[a-z]{2,}$")  # 10-30mm: a measure, its unit in lower case
AMOUNT = re.compile(r"\d\.\d{2}$")  # money: what a forger edits most
IN_BOX = 0.7  # a glyph lies at least this share of its height inside the word's box
FRAGMENTED = 1.4  # ink blobs per character (page median) above which strokes are shattered
FRAGMENTED_SCALE = 1.5  # ... and the thresholds rise by this factor
JOINERS = frozenset("¥￥$€£:：.,，-/")  # may stand alone between the pieces of one number
JOIN_GAP = 0.5  # pieces of one number are at most this x their height apart
STROKES = frozenset("|Il!丨()[]")  # what OCR reads a lone stroke as: the remnant of an erased digit
SEPARATORS = frozenset(",.，。:-/ '")
WIDE = 1.6  # x the median glyph width of the number: two characters taken as one


@dataclass(frozen=True)
class Glyph:
    """One character-sized ink blob, in page pixels (x1, y1 exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int
    stroke: float  # mean stroke width in pixels

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class OddRun:
    """Glyphs ``start:end`` of a word deviate from the word's other glyphs by ``deviation``."""

    start: int
    end: int
    deviation: float
    height_ratio: float  # run height / reference height (median)
    shift: float  # run baseline − reference baseline, in reference heights (+: lower)
    stroke_ratio: float
    box: tuple[int, int, int, int]  # pixels
    band: tuple[float, float] = (0.0, 0.0)  # the reference glyphs' top and bottom at the run's centre (pixels)


def is_number(text: str) -> bool:
    """At least ``MIN_DIGITS`` digits and half the text digits; not the cipher block, but an amount
    whose ¥ OCR read as one leading ``*`` stays one (seed 9393 inv_0054: ``*964.16``, redrawn; a
    piece of the cipher block, ``*4-19096``, is no amount)."""
    digits = sum(ch.isdigit() for ch in text)
    body = text[1:] if text.startswith("*") and re.fullmatch(r"\*[\d,]+\.\d{2}", text) else text
    return (digits >= MIN_DIGITS and digits >= 0.5 * len(text) and not NOT_NUMBER.intersection(body)
            and not UNIT.search(text))


def plausible(glyphs: list[Glyph], text: str) -> bool:
    """As many glyphs as the word has characters, give or take: else the cut failed (characters
    touching, another line's ink) and glyph sizes say nothing."""
    chars = sum(ch not in SEPARATORS for ch in text)
    return 0.6 * chars <= len(glyphs) <= chars + 2


def digits_only(glyphs: list[Glyph], text: str) -> list[Glyph]:
    """Without the glyphs of a leading label with a lower-case letter (No): those have their own
    heights (x-height). A label in capitals (RMB, CNY, a ¥ read as Y) stands at the digits' cap
    height and stays. Only where glyphs and characters pair one to one."""
    label = text[:len(text) - len(text.lstrip("".join(ch for ch in text if ch.isalpha()) or " "))]
    chars = sum(ch not in SEPARATORS for ch in text)
    lower = any(ch.islower() for ch in label)
    return glyphs[len(label):] if lower and len(glyphs) == chars else glyphs


def to_pixels(bbox: BBox, k: float) -> tuple[int, int, int, int]:
    return round(bbox[0] * k), round(bbox[1] * k), round(bbox[2] * k), round(bbox[3] * k)


def word_glyphs(gray: np.ndarray, box: tuple[int, int, int, int]) -> list[Glyph]:
    """Character-sized ink blobs of one word box (pixels), left to right."""
    return cut_word(gray, box)[0]


def cut_word(gray: np.ndarray, box: tuple[int, int, int, int]) -> tuple[list[Glyph], int]:
    """(character-sized glyphs left to right, number of ink blobs) of one word box in pixels.

    The crop is grown by half the box height so glyphs reaching out of the OCR box stay
    whole; blobs cut by the grown crop (table rules, the next line) or lying mostly outside
    the box are dropped. The blob count tells a clean cut from a shattered one."""
    import cv2

    x0, y0, x1, y1 = box
    bh = y1 - y0
    if bh < 6 or x1 - x0 < 6:
        return [], 0
    m = max(3, bh // 2)
    H, W = gray.shape[:2]
    cx0, cy0, cx1, cy1 = max(0, x0 - m), max(0, y0 - m), min(W, x1 + m), min(H, y1 + m)
    core = gray[max(0, y0):y1, max(0, x0):x1]
    if core.size == 0:
        return [], 0
    paper, ink = float(np.percentile(core, 90)), float(np.percentile(core, 2))
    if paper - ink < MIN_CONTRAST:
        return [], 0
    crop = gray[cy0:cy1, cx0:cx1]
    binary = (crop < ink + INK_LEVEL * (paper - ink)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    dist = cv2.distanceTransform(binary, cv2.DIST_L2, 3)
    sums = np.bincount(labels.ravel(), weights=dist.ravel(), minlength=n)
    ch, cw = crop.shape[:2]
    blobs = []
    for i in range(1, n):
        gx, gy, gw, gh, area = (int(v) for v in stats[i])
        if area < 4 or gx == 0 or gy == 0 or gx + gw >= cw or gy + gh >= ch:
            continue
        if min(gy + gh + cy0, y1) - max(gy + cy0, y0) < IN_BOX * gh or gx + gw + cx0 <= x0 or gx + cx0 >= x1:
            continue  # mostly outside the word's box: the line above or below, a seal's legend
        blobs.append(Glyph(gx + cx0, gy + cy0, gx + gw + cx0, gy + gh + cy0, 4.0 * float(sums[i]) / area))
    glyphs = merge_stacked(sorted(blobs, key=lambda g: g.x0))
    if not glyphs:
        return [], 0
    tallest = max(g.height for g in glyphs)
    return [g for g in glyphs if g.height >= max(6, TALL * tallest) and g.height >= 2 * g.stroke], len(blobs)


class WordCuts:
    """``cut_word`` over one page image, each box cut once: the glyph and erased-paper cues judge
    the same numbers."""

    def __init__(self, gray: np.ndarray) -> None:
        self.gray = gray
        self._done: dict[tuple[int, int, int, int], tuple[list[Glyph], int]] = {}

    def __call__(self, box: tuple[int, int, int, int]) -> tuple[list[Glyph], int]:
        if box not in self._done:
            self._done[box] = cut_word(self.gray, box)
        return self._done[box]


def merge_stacked(glyphs: list[Glyph]) -> list[Glyph]:
    """Blobs sharing most of their columns are pieces of one character (a 5 broken at its thin
    joint by the threshold): joined, with the larger stroke."""
    out: list[Glyph] = []
    for g in glyphs:
        if out:
            p = out[-1]
            overlap = min(p.x1, g.x1) - max(p.x0, g.x0)
            if overlap >= 0.5 * min(p.x1 - p.x0, g.x1 - g.x0):
                out[-1] = Glyph(min(p.x0, g.x0), min(p.y0, g.y0), max(p.x1, g.x1), max(p.y1, g.y1),
                                max(p.stroke, g.stroke))
                continue
        out.append(g)
    return out


def _median(v: list[float]) -> float:
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def _fit(core: list[Glyph]) -> tuple[float, float, float, float, float]:
    h = _median([g.height for g in core])
    slope = 0.0
    if core[-1].cx - core[0].cx > 2 * h:  # a lean is only measured over a few characters' width
        s = [(b.y1 - a.y1 + b.y0 - a.y0) / (2 * (b.cx - a.cx))
             for n, a in enumerate(core) for b in core[n + 1:] if b.cx > a.cx]
        if s:
            slope = max(-MAX_SLOPE, min(MAX_SLOPE, _median(s)))
    return (h, slope, _median([g.y1 - slope * g.cx for g in core]), _median([g.y0 - slope * g.cx for g in core]),
            _median([g.stroke for g in core]))


def _reference(ref: list[Glyph]) -> tuple[float, float, float, float, float] | None:
    """(height, slope, baseline at x=0, top at x=0, stroke) of the largest group of ``ref`` that
    agrees on height, then on the line through tops and bottoms; None without two such glyphs.
    Plain Python: called for every run of every number searched, on a dozen glyphs at most."""
    core = max(([g for g in ref if abs(g.height - c.height) <= CORE_TOL * c.height + 1] for c in ref), key=len)
    if len(core) < 2 or _median([g.height for g in core]) < MIN_HEIGHT:
        return None
    fit = _fit(core)
    h, slope, b0, t0, _ = fit
    on_line = [g for g in core if abs(g.y1 - b0 - slope * g.cx) <= CORE_TOL * h + 1
               and abs(g.y0 - t0 - slope * g.cx) <= CORE_TOL * h + 1]
    if len(on_line) < 2:
        return None
    return fit if len(on_line) == len(core) else _fit(on_line)


def _uniform(glyphs: list[Glyph]) -> bool:
    """Heights, tops and bottoms of all glyphs each spread over at most ``UNIFORM`` of the smallest
    height: then no run can deviate by ``YELLOW_DEV`` from the rest (a spread measured from the
    median let half a number 0.29 taller than the other half through), so the search is spared
    on most words."""
    lim = UNIFORM * min(g.height for g in glyphs)
    return all(max(v) - min(v) <= lim for v in ([g.height for g in glyphs], [g.y1 for g in glyphs],
                                                 [g.y0 for g in glyphs]))


def _deviation(g: Glyph, ref: tuple[float, float, float, float, float]) -> float:
    h, slope, b0, t0, _ = ref
    return max(abs(g.height - h), abs(g.y1 - b0 - slope * g.cx), abs(g.y0 - t0 - slope * g.cx)) / h


def odd_run(glyphs: list[Glyph]) -> OddRun | None:
    """The run of ``MIN_RUN`` to ``MAX_RUN`` adjacent glyphs that deviates most from the word's other glyphs,
    widened to its neighbours that deviate at least half as much from the same reference (a
    glyph of the edit that happens to agree on one measure stays in the box); None when the
    widened run is longer than ``MAX_RUN`` (another number in another size beside this one)."""
    n = len(glyphs)
    best: tuple[float, int, int, tuple[float, float, float, float, float]] | None = None
    for i in range(n):
        for j in range(i + MIN_RUN, min(n, i + MAX_RUN) + 1):
            rest = glyphs[:i] + glyphs[j:]
            if len(rest) < 2:
                continue
            ref = _reference(rest)
            if ref is None:
                continue
            dev = min(_deviation(g, ref) for g in glyphs[i:j])
            if best is None or dev > best[0]:
                best = (dev, i, j, ref)
    if best is None:
        return None
    dev, i, j, ref = best
    while dev > 0 and i > 0 and _deviation(glyphs[i - 1], ref) >= dev / 2:
        i -= 1
    while dev > 0 and j < n and _deviation(glyphs[j], ref) >= dev / 2:
        j += 1
    if j - i > MAX_RUN:  # №87654321 and its code 1100094140 read as one word: two numbers, two sizes
        return None
    return _odd(glyphs, i, j, dev, ref)


def _odd(glyphs: list[Glyph], i: int, j: int, dev: float, ref: tuple[float, float, float, float, float]) -> OddRun:
    h, slope, b0, t0, stroke = ref
    run = glyphs[i:j]
    cx = (run[0].x0 + run[-1].x1) / 2
    return OddRun(i, j, dev, _median([g.height for g in run]) / h,
                  _median([g.y1 - b0 - slope * g.cx for g in run]) / h,
                  _median([g.stroke for g in run]) / max(stroke, 1e-6),
                  (min(g.x0 for g in run), min(g.y0 for g in run), max(g.x1 for g in run), max(g.y1 for g in run)),
                  (t0 + slope * cx, b0 + slope * cx))


OVERLAY_LIGHTER = 12  # grey levels: ink past the reference band this much lighter than the digits' is not print


def overlaid(gray: np.ndarray, run: OddRun) -> bool:
    """Whether what makes the run taller or lower than its number is other ink laid over the print: a
    seal's ring or a stain crossing the digits (on a grey scan a red seal is grey), lighter than the
    digits' own ink. Redrawn digits are one ink from top to bottom. (Seed 5353, a contract's account
    number under a grey seal: its ring joined three digits, height x1.58, red on a clean page. Seed 6161,
    the same under a darker ring: 21 levels lighter, red at the first threshold of 35. Redrawn runs
    flagged red on seeds 2727 and 5353: 3.5 levels lighter at most. Only red turns yellow here.)"""
    x0, y0, x1, y1 = run.box
    top, bottom = (round(v) for v in run.band)
    crop = gray[y0:y1, x0:x1].astype(np.int16)
    if crop.size == 0 or bottom <= top:
        return False
    paper = float(np.percentile(gray[max(0, y0 - 4):y1 + 4, max(0, x0 - 4):x1 + 4], 90))
    ink = crop < paper - MIN_CONTRAST
    rows = np.arange(y0, y0 + crop.shape[0])[:, None]
    inside = ink & (rows >= top) & (rows < bottom)
    outside = ink & ((rows < top - 1) | (rows >= bottom + 1))
    if inside.sum() < 10 or outside.sum() < 10:
        return False
    return float(np.median(crop[outside])) - float(np.median(crop[inside])) >= OVERLAY_LIGHTER


def end_run(glyphs: list[Glyph], page_height: float, digit_ends: tuple[bool, bool] = (True, True)) -> OddRun | None:
    """The rest of a number against the one glyph at its start or end, where that glyph is a digit
    (``digit_ends``: a currency sign's height is the font's choice, ₹ stands shorter than the
    digits) near the page's median digit height and the rest far from it (twice as far, and
    ``YELLOW_DEV`` at least): digits redrawn over most of an amount, so that only a cent is left of
    the print (``odd_run`` needs two glyphs in its reference)."""
    for e, rest, i, j, digit in ((glyphs[0], glyphs[1:], 1, len(glyphs), digit_ends[0]),
                                 (glyphs[-1], glyphs[:-1], 0, len(glyphs) - 1, digit_ends[1])):
        own = _reference(rest) if digit and MIN_RUN <= len(rest) <= MAX_RUN else None
        if own is None or abs(own[0] - page_height) < max(YELLOW_DEV * page_height, 2 * abs(e.height - page_height)):
            continue
        ref = (float(e.height), 0.0, float(e.y1), float(e.y0), e.stroke)
        return _odd(glyphs, i, j, min(_deviation(g, ref) for g in rest), ref)
    return None


def odd_digit(glyphs: list[Glyph], printed: list[str], amount: bool = False) -> OddRun | None:
    """The one glyph that deviates most from the number's other glyphs: a digit pasted from another
    number in another size (``image_copy``: a piece of a smaller amount over one digit of a total;
    ``odd_run`` needs two glyphs of the edit). Where glyphs and printed characters pair one to one,
    any glyph that stands for a digit (a currency sign or a letter has its own size). Where they do
    not (the pasted piece brought the edges of its neighbours along, or touches the digit beside it),
    only on an ``amount``, past its leading sign, and a glyph taller than the rest only from
    ``YELLOW_DEV`` (a seal's stroke or the next line's ink can make a glyph taller, not shorter). Session
    19, five generated sets: no such glyph on 280 clean scans nor the real images; 2 of the 8 copies the
    paired rule missed, and a redrawn digit whose neighbour touched the table rule and was dropped. On
    a sixth set (seed 7171) one clean BMP's '1' joined to the table rule above it, ×1.69: yellow."""
    paired = len(glyphs) == len(printed)
    if not paired and not amount:
        return None
    lead = next((i for i, ch in enumerate(printed) if ch.isdigit()), len(printed))  # the sign before the digits
    best: OddRun | None = None
    for i, g in enumerate(glyphs):
        ref = _reference(glyphs[:i] + glyphs[i + 1:]) if (printed[i].isdigit() if paired else i >= lead) else None
        if ref is None:
            continue
        dev = _deviation(g, ref)
        if not paired and g.height >= ref[0] and dev < YELLOW_DEV:
            continue
        if dev * ref[0] >= DIGIT_PX - 1e-6 and (best is None or dev > best.deviation):
            best = _odd(glyphs, i, i + 1, dev, ref)
    return best


def _numeric_piece(text: str) -> bool:
    return any(ch.isdigit() for ch in text) or (bool(text) and all(ch in JOINERS for ch in text))


def _touch(a: Word, b: Word, gap: float) -> bool:
    """``b`` follows ``a`` on its line at most ``gap`` x the lower one's height (+1 pt) to the right."""
    h = min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1])
    return (-1 <= b.bbox[0] - a.bbox[2] <= gap * h + 1
            and min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1]) >= 0.5 * h)


def _stroke_between(words: list[Word], i: int) -> bool:
    """Whether word ``i`` is one stroke that OCR read as ``|``, ``l`` or a bracket, pressed between
    two pieces of a number with no gap either side: the remnant of a digit painted over
    (seed 2727's inv_0029 read ``¥955`` ``|`` ``60.64``)."""
    w = words[i]
    return (0 < i < len(words) - 1 and len(w.text) == 1 and w.text in STROKES
            and _numeric_piece(words[i - 1].text) and _numeric_piece(words[i + 1].text)
            and _touch(words[i - 1], w, 0) and _touch(w, words[i + 1], 0))


def numbers(words: list[Word]) -> list[Word]:
    """Numbers as printed: consecutive OCR words on one line that touch (``¥19`` ``:`` ``287600``,
    split where OCR misread an edited digit as a separator or a stroke) joined into one; a lone
    separator at either end (the colon after a label) is left out."""
    groups: list[list[Word]] = []
    for i, w in enumerate(words):
        numeric = _numeric_piece(w.text) or _stroke_between(words, i)
        if not numeric or w.red or w.in_seal:  # a seal's legend runs on an arc
            groups.append([])
            continue
        if groups and groups[-1] and _touch(groups[-1][-1], w, JOIN_GAP):
            groups[-1].append(w)
            continue
        groups.append([w])
    out = []
    for g in groups:
        while g and not any(ch.isdigit() for ch in g[0].text):
            g = g[1:]
        while g and not any(ch.isdigit() for ch in g[-1].text):
            g = g[:-1]
        if not g:
            continue
        w = g[0] if len(g) == 1 else Word(
            text="".join(x.text for x in g), confidence=min(x.confidence for x in g), source=g[0].source,
            bbox=(g[0].bbox[0], min(x.bbox[1] for x in g), g[-1].bbox[2], max(x.bbox[3] for x in g)))
        if is_number(w.text):
            out.append(w)
    return out


def doubtful(glyphs: list[Glyph], text: str) -> bool:
    """A cut whose glyph sizes may mislead: more blobs than characters (ink of another line or of a
    seal's legend), letters inside the number (an id's J or Q descends), or a glyph over
    ``WIDE`` x the median width overlapping its neighbour (touching characters taken as one,
    a stroke broken off another)."""
    chars = [ch for ch in text if ch not in SEPARATORS]
    if len(glyphs) > len(chars) or any(ch.isalpha() for ch in text.lstrip("".join(c for c in text if c.isalpha()))):
        return True
    widths = sorted(g.x1 - g.x0 for g in glyphs)
    wide = widths[-1] > WIDE * widths[len(widths) // 2]
    return wide and any(min(a.x1, b.x1) - max(a.x0, b.x0) > 0.3 * min(a.x1 - a.x0, b.x1 - b.x0)
                        for a, b in pairwise(glyphs))


def _characters(n: int) -> tuple[str, str]:
    return ("1 character is", "it") if n == 1 else (f"{n} characters are", "they")


@dataclass(frozen=True)
class Judged:
    """A number's most deviant run, whether its cut is ``doubtful``, and the factor on the thresholds."""

    run: OddRun
    word: Word
    doubt: bool
    scale: float
    digit: bool = False  # one odd digit (``odd_digit``), not a run

    @property
    def level(self) -> float:
        """The run's deviation in units of the thresholds (over ``scale``)."""
        return self.run.deviation / self.scale

    @property
    def capped(self) -> bool:
        """Yellow at most: a doubtful cut, or one odd digit."""
        return self.doubt or self.digit


def page_runs(gray: np.ndarray, words: list[Word], k: float, cuts: WordCuts | None = None) -> list[Judged]:
    """The most deviant run of every number judged on the page. A number whose strokes come apart
    into more than ``FRAGMENTED`` ink blobs per character has glyphs of any height: on a page where
    most numbers do (bi-level, heavy noise) its thresholds rise by ``FRAGMENTED_SCALE``; on a page
    where few do, its cut is doubtful. A whole number is judged at the plain thresholds on any page."""
    cut = cuts or WordCuts(gray)
    judgeable: list[tuple[Word, list[Glyph], bool, bool, list[str]]] = []
    fragments: list[float] = []
    heights: list[int] = []
    for w in numbers(words):
        glyphs, blobs = cut(to_pixels(w.bbox, k))
        chars = sum(ch not in SEPARATORS for ch in w.text)
        if blobs:
            fragments.append(blobs / chars)
        if not plausible(glyphs, w.text):
            continue
        kept = digits_only(glyphs, w.text)
        printed = [ch for ch in w.text if ch not in SEPARATORS][len(glyphs) - len(kept):]  # less a cut label
        glyphs = kept
        heights += [g.height for g in glyphs]
        if len(glyphs) >= MIN_RUN + 2 and not _uniform(glyphs):
            judgeable.append((w, glyphs, doubtful(glyphs, w.text), blobs > FRAGMENTED * chars, printed))
    shattered_page = bool(fragments) and _median(fragments) > FRAGMENTED
    page_height = _median(heights) if heights else 0.0
    judged = []
    for w, glyphs, doubt, shattered, printed in judgeable:
        ends = (printed[0].isdigit(), printed[-1].isdigit()) if printed else (False, False)
        found = [Judged(r, w, doubt or (shattered and not shattered_page),
                        FRAGMENTED_SCALE if shattered and shattered_page else 1.0)
                 for r in (odd_run(glyphs), end_run(glyphs, page_height, ends)) if r is not None]
        digit = odd_digit(glyphs, printed, bool(AMOUNT.search(w.text))) if not doubt and not shattered else None
        if digit is not None:  # a clean cut only: one glyph of a shattered or doubtful one says nothing
            found.append(Judged(digit, w, False, DIGIT_DEV / YELLOW_DEV, digit=True))
        if found:  # a run that may be red before an odd digit
            judged.append(max(found, key=lambda j: (j.level >= YELLOW_DEV and not j.capped, j.level)))
    return judged


def glyph_flags(gray: np.ndarray, words: list[Word], page: int, k: float,
                cuts: WordCuts | None = None) -> list[RiskFlag]:
    """One flag per page whose numbers hold a run of glyphs of another size or baseline: red from
    ``RED_DEV`` (yellow where the cut is ``doubtful`` or the run is one odd digit), yellow from
    ``YELLOW_DEV``; evidence: the run's box in points, every run found."""
    found = sorted((j for j in page_runs(gray, words, k, cuts) if j.level >= YELLOW_DEV),
                   key=lambda j: (j.capped, -j.level))  # a sure run first

    if not found:
        return []

    def pts(b: tuple[int, int, int, int]) -> list[float]:
        return [round(b[0] / k, 1), round(b[1] / k, 1), round(b[2] / k, 1), round(b[3] / k, 1)]

    run, w, doubt = found[0].run, found[0].word, found[0].doubt
    what, pronoun = _characters(run.end - run.start)
    red = found[0].level >= RED_DEV and not found[0].capped
    if red and overlaid(gray, run):  # a seal's ring or a stain through the digits makes them taller
        red, doubt = False, True
    return [RiskFlag(
        code="IMAGE_TAMPERING", severity="red" if red else "yellow",
        message=f"page {page}: in {w.text!r}, {what} printed in another size or on "
                f"another baseline than the rest of the number (height x{run.height_ratio:.2f}, baseline "
                f"{run.shift:+.2f} of the digit height): {pronoun} may have been pasted or redrawn",
        evidence={"page": page, "bbox": pts(run.box), "cue": "glyph", "word": w.text,
                  "word_bbox": [round(v, 1) for v in w.bbox], "deviation": round(run.deviation, 2),
                  "height_ratio": round(run.height_ratio, 2), "baseline_shift": round(run.shift, 2),
                  "stroke_ratio": round(run.stroke_ratio, 2), "doubtful_cut": doubt,
                  "regions": [pts(j.run.box) for j in found]})]
