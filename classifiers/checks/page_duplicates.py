"""DUPLICATE_DOCUMENT for a page seen before in another file: re-scanned, re-photographed, re-rendered.

Each page gets a :class:`PageHash` here (pure functions, run as a check while the page image
is in memory); ``storage.ingest`` looks the hashes up in the records database and judges.

* ``phash16``: 256-bit DCT hash (imagehash, hash_size 16) of the upright, deskewed page (the
  preprocess stage's image; digital pages rendered), grey, hairlines kept dark while shrinking
  to 50 dpi, flattened when it is a photo on a dark background, paper made white, cut to a
  window anchored on the ink (top ink row, ink width, height ``WINDOW`` × width: a page number
  at the foot does not move it). Re-scans (±3°, 90° turn, JPEG q40, noise, scale 0.5–1.5) came
  within 38 bits (median 6), phone photos in perspective within 84 (median 36); but another
  invoice on the same template is as close (from 24 bits, median 56): the image only says
  "the same kind of page", and ``MAX_DISTANCE`` is loose.
* ``tokens``: the numbers printed on the page (digit to digit, ≥ 4 digits: codes, dates,
  amounts, tax ids, accounts). Documents on one template share labels, not numbers: token
  similarity of re-scans ≥ 0.89 for 95 %, of different documents ≤ 0.11 (tokens one
  substituted character apart, or a few characters glued to one end, count as shared: an OCR slip).
* ``bands``: LSH keys for the SQL pre-filter: MinHash of the tokens (``BANDS`` × ``ROWS``), or,
  on pages with too few numbers, 8-bit slices of the 64-bit ``phash``, so that a look-up reads
  only pages that share numbers (or the coarse image), however large the table grows.

Documents of one layout that share nearly all numbers (a sale split into invoices with
consecutive numbers, a monthly fee) differ in their identifiers: :func:`different_identifiers`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.types import Document, Page, RiskFlag

HASH_DPI = 50  # the hash needs layout, not glyphs
WORK_DPI = 100  # pages are rendered (digital) or reduced (scans) to this first
WINDOW = 0.75  # height of the hashed window as a share of the ink width
INK = 170  # grey level below which a pixel is ink, once the paper is white (255)
MIN_DIGITS = 4  # a token holds at least this many digits
MIN_TOKENS = 2  # fewer numbers than this: the page is judged on its image alone
MAX_DISTANCE = 100  # phash16 bits (of 256): not another kind of page (other layouts: median 120)
MAX_DISTANCE_IMAGE_ONLY = 48  # pages without numbers must look closer (text reflows between documents)
MIN_SIMILARITY = 0.5  # token Jaccard, one-slip tolerant (see above)
GLUED, MIN_GLUED = 3, 8  # a slip: at most this many characters glued to a number of at least this many
BANDS, ROWS = 16, 2  # MinHash LSH: P(candidate) = 1 - (1 - J^ROWS)^BANDS: 0.97 at J=0.45, 0.04 at J=0.05
IMAGE_BANDS = 8  # 8-bit slices of the 64-bit phash, for pages with too few numbers
#: Fields that name one document: two documents whose values differ are two documents.
IDENTIFIERS = ("invoice_code", "invoice_number", "check_code", "serial_number", "contract_number")

_TOKEN = re.compile(r"\d(?:[0-9A-Z.\-/:*]*\d)?")
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class PageHash:
    """What is kept of one page to recognise it later (``page_hashes`` row, plus its ``bands``)."""

    page: int
    phash: str | None  # 64-bit DCT hash, 16 hex digits (image LSH bands)
    phash16: str | None  # 256-bit DCT hash, 64 hex digits (the judged distance)
    tokens: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"page": self.page, "phash": self.phash, "phash16": self.phash16, "tokens": list(self.tokens)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PageHash:
        return cls(page=int(d["page"]), phash=d.get("phash"), phash16=d.get("phash16"),
                   tokens=tuple(d.get("tokens") or ()))

    @property
    def numbered(self) -> bool:
        return len(self.tokens) >= MIN_TOKENS


# ---- the page image ----

def _gray(img: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img


def shrink(gray: np.ndarray, dpi: float) -> np.ndarray:
    """``gray`` at ``dpi`` down to ``HASH_DPI``, keeping thin strokes dark.

    Plain averaging turns hairlines and small grey labels into near-paper grey, more or less
    depending on the source resolution (a 50-dpi render against a 200-dpi scan), which moved
    the ink extents; spreading the ink at ``WORK_DPI`` first (a 3×3 minimum) makes them agree.
    """
    import cv2

    if dpi > WORK_DPI:
        k = WORK_DPI / dpi
        gray = cv2.resize(gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
        dpi = WORK_DPI
    gray = cv2.erode(gray, np.ones((3, 3), np.uint8))
    k = HASH_DPI / dpi
    return cv2.resize(gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)


def page_gray(doc: Document, page: Page) -> np.ndarray | None:
    """The upright page at ``HASH_DPI``, grey: the OCR'd image, else a render of the PDF page."""
    img = doc.images.get(page.number)
    if img is not None:
        return shrink(_gray(img), page.dpi or 200.0)
    thumb = doc.thumbs.get(page.number)
    if thumb is not None:  # rendered by the PDF backend while it had the page open
        return shrink(thumb, WORK_DPI)
    if doc.data is None or doc.mime != "application/pdf":
        return None  # OFD, DOCX: no picture of the page to compare
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(doc.data)
    try:
        if page.number > len(pdf):
            return None
        bitmap = pdf[page.number - 1].render(scale=WORK_DPI / 72.0, grayscale=True)
        return shrink(np.asarray(bitmap.to_pil().convert("L")), WORK_DPI)
    finally:
        pdf.close()


def _flatten(g: np.ndarray) -> np.ndarray:
    """A photo (page on a darker background) warped flat, keeping its own shape; other pages as they are."""
    from extractors.preprocess import flatten_photo

    flat = flatten_photo(g)
    return g if flat is None else flat


def hash_window(g: np.ndarray) -> np.ndarray:
    """The part of the page that is hashed: paper made white, cut to a window anchored on the ink."""
    import cv2

    g = _flatten(g)
    h, w = g.shape
    s = max(1, min(h, w) // 100)  # scanner edges, a sliver of background
    g = g[s:h - s, s:w - s]
    # paper to white: divide by the local paper level (light falling off across a photo, tinted scans)
    paper = cv2.blur(cv2.dilate(g, np.ones((7, 7), np.uint8)), (15, 15)).astype(np.float32)
    f = np.clip(g.astype(np.float32) * 255.0 / np.maximum(paper, 1.0), 0, 255)
    dark = np.percentile(f, 1)
    g = np.clip((f - dark) * 255.0 / max(1.0, 255.0 - dark), 0, 255).astype(np.uint8)
    ink = cv2.morphologyEx((g < INK).astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)) > 0
    rows, cols = np.nonzero(ink.sum(axis=1) >= 2)[0], np.nonzero(ink.sum(axis=0) >= 2)[0]
    if len(rows) < 2 or len(cols) < 2:
        return g
    x0, x1, y0 = int(cols[0]), int(cols[-1]) + 1, int(rows[0])
    out = np.full((round((x1 - x0) * WINDOW), x1 - x0), 255, np.uint8)
    part = g[y0:y0 + out.shape[0], x0:x1]
    out[:part.shape[0]] = part
    return out


def image_hashes(g: np.ndarray) -> tuple[str, str]:
    """(64-bit, 256-bit) DCT hashes of the page window, as hex."""
    import imagehash
    from PIL import Image

    im = Image.fromarray(hash_window(g))
    return str(imagehash.phash(im, hash_size=8)), str(imagehash.phash(im, hash_size=16))


# ---- the numbers on the page ----

def page_tokens(lines: Iterable[str]) -> tuple[str, ...]:
    """Sorted distinct numbers of the page, from digit to digit (No.08675309 → 08675309), thousands
    separators out, 2024年3月5日 → 2024-3-5; spaces OCR puts around CJK characters do not split them."""
    out: set[str] = set()
    for line in lines:
        t = re.sub(r"\s*([^\x00-\x7f])\s*", r"\1", unicodedata.normalize("NFKC", line).upper())
        t = re.sub(r"(?<=\d)\s+(?=\d)", "", t)  # 4321 7221 5692: OCR keeps or drops such spaces at will
        t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
        t = re.sub(r"(?<=\d)[年月](?=\d)", "-", t)
        out.update(m for m in _TOKEN.findall(t) if sum(ch.isdigit() for ch in m) >= MIN_DIGITS)
    return tuple(sorted(out))


def _slip(a: str, b: str) -> bool:
    """One OCR slip apart: a substituted character, or up to ``GLUED`` characters of a label or a
    neighbour glued to either end (``6:22333579265147582766`` / ``16:22333579265147582766``, a tax id
    read with and without its last two characters: seed 2727 inv_0006's re-scan, 4 bits from its page,
    shared 6 of 13 numbers as read)."""
    if len(a) == len(b):
        return len(a) >= 6 and sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return len(short) >= MIN_GLUED and len(long_) - len(short) <= GLUED and (
        long_.startswith(short) or long_.endswith(short))


def token_similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Jaccard of the two number sets, a token one slip (``_slip``) from an unmatched one counting as shared."""
    sa, sb = set(a), set(b)
    common = sa & sb
    shared, left = len(common), sorted(sb - common)
    for x in sorted(sa - common):
        for y in left:
            if _slip(x, y):
                left.remove(y)
                shared += 1
                break
    union = len(sa) + len(sb) - shared
    return shared / union if union else 0.0


# ---- describing a document's pages, bands, matching ----

def describe_page(doc: Document, page: Page) -> PageHash:
    g = page_gray(doc, page)
    coarse, fine = image_hashes(g) if g is not None and min(g.shape) >= 16 else (None, None)
    return PageHash(page=page.number, phash=coarse, phash16=fine, tokens=page_tokens(ln.text for ln in page.lines))


def check(doc: Document) -> list[RiskFlag]:
    """Hash every page into ``doc.meta["page_hashes"]`` (the images are gone by the time it is saved)."""
    doc.meta["page_hashes"] = [describe_page(doc, p).to_dict() for p in doc.pages]
    return []


def hashes_of(doc: Document) -> list[PageHash]:
    return [PageHash.from_dict(d) for d in doc.meta.get("page_hashes") or []]


def _h64(token: str, salt: int) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8, salt=salt.to_bytes(8, "little")).digest(),
                          "little")


def bands(h: PageHash) -> list[str]:
    """LSH keys of a page: ``t<i>:<hex>`` from the MinHash of its numbers, ``i<i>:<hex>`` from its coarse image hash."""
    out: list[str] = []
    if h.tokens:
        mins = [min(_h64(t, k) for t in h.tokens) for k in range(BANDS * ROWS)]
        for b in range(BANDS):
            key = hashlib.blake2b(repr(mins[b * ROWS:(b + 1) * ROWS]).encode(), digest_size=6).hexdigest()
            out.append(f"t{b}:{key}")
    if h.phash:
        v = int(h.phash, 16) & _MASK64
        out += [f"i{b}:{(v >> (8 * b)) & 0xFF:02x}" for b in range(IMAGE_BANDS)]
    return out


def query_bands(h: PageHash) -> list[str]:
    """The keys to look up for a new page: its numbers when it has enough of them, else its image."""
    kind = "t" if h.numbered else "i"
    return [b for b in bands(h) if b.startswith(kind)]


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def page_match(new: PageHash, old: PageHash) -> int | None:
    """The image distance when ``new`` shows the same page as ``old``, else None."""
    if not new.phash16 or not old.phash16:
        return None
    d = distance(new.phash16, old.phash16)
    if d > MAX_DISTANCE:
        return None
    if new.numbered and old.numbered:
        return d if token_similarity(new.tokens, old.tokens) >= MIN_SIMILARITY else None
    return d if d <= MAX_DISTANCE_IMAGE_ONLY else None


@dataclass(frozen=True)
class Match:
    page: int  # the new document's page
    old_page: int
    distance: int
    numbered: bool


def document_match(new: Sequence[PageHash], old: Sequence[PageHash]) -> list[Match]:
    """Pages of ``new`` matching pages of one earlier document, when that makes it the same document.

    A page with numbers that matches is enough; pages without numbers (clause pages of one
    contract template look alike) count only when every page of ``new`` matches.
    """
    found: list[Match] = []
    for h in new:
        best = min(((d, o) for o in old if (d := page_match(h, o)) is not None), key=lambda x: x[0], default=None)
        if best is not None:
            found.append(Match(h.page, best[1].page, best[0], h.numbered and best[1].numbered))
    if any(m.numbered for m in found) or (found and len(found) == len(new)):
        return found
    return []


def _norm_id(v: Any) -> str:
    return re.sub(r"[\s\-]", "", str(v)).upper()


def different_identifiers(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Identifier fields both documents carry with different values (``{name: value}`` mappings)."""
    return [k for k in IDENTIFIERS if a.get(k) and b.get(k) and _norm_id(a[k]) != _norm_id(b[k])]
