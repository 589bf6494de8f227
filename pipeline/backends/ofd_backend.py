"""OFD (GB/T 33190, a zip of XML): page text with positions, read natively.

Text comes from each page's content and from its template page (where e-invoices
keep their printed labels). Units are millimetres; boxes are converted to points.
"""

from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile

from pipeline.backends.base import LoadedPage
from pipeline.errors import CorruptFile, FileTooLarge
from pipeline.types import Page, Word

MM = 72.0 / 25.4


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el.iter() if _local(c.tag) == name]


def _floats(text: str | None) -> list[float]:
    try:
        return [float(v) for v in (text or "").split()]
    except ValueError:
        return []


def _advance(delta: str | None, n: int, size: float) -> float:
    """Width of a TextCode run from its DeltaX ("g N d" repeats a gap N times)."""
    if not delta:
        return n * size
    parts = delta.split()
    total, i, gaps = 0.0, 0, 0
    while i < len(parts):
        if parts[i] == "g" and i + 2 < len(parts):
            count, step = int(parts[i + 1]), float(parts[i + 2])
            total += count * step
            gaps += count
            i += 3
        else:
            total += float(parts[i])
            gaps += 1
            i += 1
    return total + size * max(n - gaps, 1)


def _words(root: ET.Element) -> list[Word]:
    words: list[Word] = []
    for obj in _children(root, "TextObject"):
        box = _floats(obj.get("Boundary"))
        if len(box) != 4:
            continue
        size = float(obj.get("Size") or 3.5)
        for code in _children(obj, "TextCode"):
            text = (code.text or "").strip()
            if not text:
                continue
            x = box[0] + float(code.get("X") or 0)
            y = box[1] + float(code.get("Y") or size)
            width = _advance(code.get("DeltaX"), len(text), size)
            words.append(
                Word(text=text, bbox=(x * MM, (y - size) * MM, (x + width) * MM, (y + size * 0.2) * MM), source="ofd")
            )
    return words


def load(data: bytes, *, max_pages: int) -> list[LoadedPage]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        ofd = ET.fromstring(zf.read(next(n for n in zf.namelist() if n.lower() == "ofd.xml")))
        doc_root = next(el.text for el in ofd.iter() if _local(el.tag) == "DocRoot" and el.text)
        doc_root = doc_root.lstrip("/")
        base = posixpath.dirname(doc_root)
        document = ET.fromstring(zf.read(doc_root))
    except (zipfile.BadZipFile, KeyError, StopIteration, ET.ParseError) as exc:
        raise CorruptFile(f"the OFD file is damaged ({type(exc).__name__})") from exc

    templates = {t.get("ID"): t.get("BaseLoc") for t in _children(document, "TemplatePage")}
    default_box = next((_floats(b.text) for b in _children(document, "PhysicalBox")), [0, 0, 210, 297])
    pages: list[LoadedPage] = []
    for number, page_el in enumerate(_children(document, "Page"), start=1):
        if number > max_pages:
            raise FileTooLarge(f"the OFD has more than {max_pages} pages")
        loc = posixpath.join(base, (page_el.get("BaseLoc") or "").lstrip("/"))
        try:
            content = ET.fromstring(zf.read(loc))
        except (KeyError, ET.ParseError) as exc:
            raise CorruptFile(f"OFD page {number} is missing or damaged") from exc
        box = next((_floats(b.text) for b in _children(content, "PhysicalBox")), default_box) or default_box
        words = _words(content)
        for tpl in _children(content, "Template"):
            tpl_loc = templates.get(tpl.get("TemplateID"))
            if tpl_loc:
                try:
                    words += _words(ET.fromstring(zf.read(posixpath.join(base, tpl_loc.lstrip("/")))))
                except (KeyError, ET.ParseError):
                    pass
        page = Page(number=number, width=box[2] * MM, height=box[3] * MM, dpi=72.0, text_source="ofd", words=words)
        pages.append(LoadedPage(page=page))
    if not pages:
        raise CorruptFile("the OFD file has no pages")
    return pages
