"""Every way a file can be unreadable gives a failed record with a clear reason, never a crash."""

from __future__ import annotations

import io
import zipfile

import pytest

from pipeline.runner import process_bytes
from tests.conftest import text_pdf


def _only(docs):
    assert len(docs) == 1
    return docs[0]


def test_empty_file(settings):
    doc = _only(process_bytes(b"", "empty.pdf", settings))
    assert doc.status == "failed"
    assert "empty" in doc.errors[0].message


def test_corrupt_pdf(settings):
    data = text_pdf(["发票"])[:400]  # header survives, body cut
    doc = _only(process_bytes(data, "cut.pdf", settings))
    assert doc.status == "failed"
    assert "damaged" in doc.errors[0].message


def test_encrypted_pdf(settings):
    doc = _only(process_bytes(text_pdf(["发票号码 12345678"], encrypt="secret"), "locked.pdf", settings))
    assert doc.status == "failed"
    assert "password" in doc.errors[0].message


def test_unsupported_type(settings):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    doc = _only(process_bytes(buf.getvalue(), "sheet.xlsx", settings))
    assert doc.status == "failed"
    assert "neither a Word" in doc.errors[0].message
    doc = _only(process_bytes(bytes(range(256)) * 8, "blob.bin", settings))
    assert doc.status == "failed" and "unsupported file type" in doc.errors[0].message


def test_over_size_limit(settings):
    settings.limits.max_file_mb = 0.001
    doc = _only(process_bytes(text_pdf(["x" * 50] * 30), "big.pdf", settings))
    assert doc.status == "failed"
    assert "limit" in doc.errors[0].message


def test_over_page_limit(settings):
    settings.limits.max_pages = 2
    doc = _only(process_bytes(text_pdf(["合同"], pages=3), "long.pdf", settings))
    assert doc.status == "failed" and "3 pages" in doc.errors[0].message


def test_broken_image(settings):
    data = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    doc = _only(process_bytes(data, "broken.png", settings))
    assert doc.status == "failed"
    assert "cannot be decoded" in doc.errors[0].message


def test_sha256_and_source_kept_on_failure(settings):
    doc = _only(process_bytes(b"not a document at all \x00\x01", "x.bin", settings))
    assert doc.sha256 and doc.source == "x.bin"


@pytest.mark.parametrize("stage_error", ["boom"])
def test_stage_exception_becomes_partial(settings, monkeypatch, stage_error):
    from pipeline import stages

    def explode(doc, index):
        raise RuntimeError(stage_error)

    monkeypatch.setattr("extractors.fields.invoice.extract", explode)
    doc = _only(process_bytes(text_pdf(["增值税专用发票", "发票号码：12345678", "价税合计 开票日期"]), "x.pdf", settings))
    assert doc.status == "partial"
    assert doc.errors[0].stage == "extract" and stage_error in doc.errors[0].message
    assert stages.ExtractStage.name == "extract"
