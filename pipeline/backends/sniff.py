"""Type sniffing from the bytes (magic numbers), so a renamed file is still read right."""

from __future__ import annotations

import io
import zipfile

import filetype

from pipeline.errors import EmptyFile, UnsupportedFileType

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OFD = "application/ofd"
TEXT = "text/plain"
IMAGE_TYPES = {"image/png", "image/jpeg", "image/tiff", "image/bmp", "image/webp", "image/gif"}


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "OFD.xml" in names or any(n.lower() == "ofd.xml" for n in names):
        return OFD
    return None


def _is_text(data: bytes) -> bool:
    try:
        text = data[:65536].decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return printable / max(len(text), 1) > 0.97


def sniff_mime(data: bytes) -> str:
    """Return the MIME type docintel will read ``data`` as, or raise a clerk-readable error."""
    if not data:
        raise EmptyFile("the file is empty (0 bytes)")
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if data[:2] == b"PK":
        kind = _zip_kind(data)
        if kind:
            return kind
        raise UnsupportedFileType("a ZIP archive that is neither a Word (.docx) nor an OFD document")
    guess = filetype.guess(data)
    if guess is not None and guess.mime in IMAGE_TYPES:
        return guess.mime
    if data[:2] == b"BM":
        return "image/bmp"
    if guess is None and _is_text(data):
        return TEXT
    what = guess.mime if guess is not None else "unknown binary or text data"
    raise UnsupportedFileType(
        f"unsupported file type ({what}): docintel reads PDF, OFD, DOCX, plain text, PNG, JPEG, TIFF, BMP and WebP"
    )
