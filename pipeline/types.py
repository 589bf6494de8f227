"""The typed document model every stage reads and enriches (design.md, "Data model").

Coordinates: every bbox is ``(x0, y0, x1, y1)`` in PDF points from the page's
top-left corner, whatever the input was (images are taken at their DPI).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, PrivateAttr
from pydantic import Field as PField

BBox = tuple[float, float, float, float]
TextSource = Literal["text_layer", "ocr", "qr", "derived", "docx", "ofd", "embedded"]


class Status(str, Enum):
    queued = "queued"
    processing = "processing"
    done = "done"
    partial = "partial"
    failed = "failed"


class Word(BaseModel):
    """A run of text with its box; OCR lines are split into words where char boxes allow."""

    text: str
    bbox: BBox
    confidence: float = 1.0
    source: TextSource = "text_layer"
    red: bool = False  # printed in seal-red ink (see extractors.stamps)
    font_size: float | None = None  # points, where the text layer says
    in_seal: bool = False  # seal lettering on a page image: red inside a red seal, or inside a seal ring on a grey scan


class Line(BaseModel):
    """Words on one visual line, in reading order."""

    text: str
    bbox: BBox
    words: list[Word] = PField(default_factory=list)
    confidence: float = 1.0
    source: TextSource = "text_layer"


class TableCell(BaseModel):
    row: int
    col: int
    text: str
    bbox: BBox


class Table(BaseModel):
    bbox: BBox
    cells: list[TableCell] = PField(default_factory=list)
    header: list[str] = PField(default_factory=list)


class Page(BaseModel):
    number: int  # 1-based
    width: float  # points
    height: float  # points
    dpi: float = 200.0
    image_ref: str | None = None  # object-store key of the rendered page image
    text_source: TextSource | None = None
    rotation: int = 0  # degrees applied to make the page upright
    skew: float = 0.0  # degrees corrected
    flattened: bool = False  # a photo whose page was warped flat first (its pixels no longer map affinely)
    words: list[Word] = PField(default_factory=list)
    lines: list[Line] = PField(default_factory=list)
    tables: list[Table] = PField(default_factory=list)
    qr_payloads: list[str] = PField(default_factory=list)
    stamp_words: list[Word] = PField(default_factory=list)  # seal lettering, kept apart for checks

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class Provenance(BaseModel):
    page: int
    bbox: BBox | None = None
    stage: str = ""
    source: TextSource = "text_layer"


class Field(BaseModel):
    name: str
    value: Any
    raw_text: str = ""
    confidence: float = 1.0
    provenance: Provenance | None = None


class RiskFlag(BaseModel):
    code: str
    severity: Literal["red", "yellow", "info"]
    message: str
    evidence: dict[str, Any] = PField(default_factory=dict)


class ErrorItem(BaseModel):
    stage: str
    message: str


class Document(BaseModel):
    """One logical document: a whole file, or a page range of a file holding several."""

    id: str
    sha256: str
    source: str
    mime: str = ""
    size: int = 0
    pages: list[Page] = PField(default_factory=list)
    page_range: tuple[int, int] | None = None
    doc_type: str | None = None
    invoice_kind: str | None = None
    scanned: bool = False
    fields: dict[str, Field] = PField(default_factory=dict)
    risk_flags: list[RiskFlag] = PField(default_factory=list)
    errors: list[ErrorItem] = PField(default_factory=list)
    status: Status = Status.processing
    meta: dict[str, Any] = PField(default_factory=dict)
    # page number -> BGR image awaiting or after OCR; never serialised
    _images: dict[int, Any] = PrivateAttr(default_factory=dict)
    # the original file's bytes while the pipeline runs (checks render or parse them); never serialised
    _data: bytes | None = PrivateAttr(default=None)
    # page number -> ruling-line segments a digital PDF's backend read from its vector paths; never serialised
    _ruling: dict[int, Any] = PrivateAttr(default_factory=dict)
    # page number -> small grey render of a text-layer page (the page-duplicate hash); never serialised
    _thumbs: dict[int, Any] = PrivateAttr(default_factory=dict)

    @property
    def images(self) -> dict[int, Any]:
        return self._images

    @property
    def ruling(self) -> dict[int, Any]:
        return self._ruling

    @property
    def thumbs(self) -> dict[int, Any]:
        return self._thumbs

    @property
    def data(self) -> bytes | None:
        return self._data

    def attach_data(self, data: bytes | None) -> None:
        self._data = data

    def set_field(self, f: Field) -> None:
        self.fields[f.name] = f

    def value(self, name: str) -> Any:
        f = self.fields.get(name)
        return None if f is None else f.value

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)
