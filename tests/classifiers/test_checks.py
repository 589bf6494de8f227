"""Each document check with a positive and a negative case built in code."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classifiers.checks import ChecksStage, arithmetic, image_forensics, pdf_forensics, qr, tax_ids
from extractors.normalize.ids import uscc_check_char
from extractors.normalize.numerals import amount_to_words
from pipeline.settings import Settings
from pipeline.stage import StageContext
from pipeline.types import Document, Field, Page, Provenance, Word

ROOT = Path(__file__).resolve().parents[2]


def _doc(doc_type: str, **fields) -> Document:  # type: ignore[no-untyped-def]
    d = Document(id="t", sha256="", source="t", doc_type=doc_type, pages=[Page(number=1, width=595, height=842)])
    for i, (k, v) in enumerate(fields.items()):
        d.set_field(Field(name=k, value=v, provenance=Provenance(page=1, bbox=(10, 10 + 20 * i, 100, 25 + 20 * i))))
    return d


def _invoice(total: str = "1130.00", words: str | None = None, items=None) -> Document:  # type: ignore[no-untyped-def]
    items = items if items is not None else [
        {"name": "a", "quantity": "3", "unit_price": "100", "amount": "300.00", "tax_amount": "39.00"},
        {"name": "b", "quantity": "264.613", "unit_price": "2.65", "amount": "701.22", "tax_amount": "91.16"},
        {"name": "c", "quantity": None, "unit_price": None, "amount": "-1.22", "tax_amount": "-0.16"}]
    return _doc("invoice", amount_excl_tax="1000.00", tax_amount="130.00", total_amount=total,
                total_amount_in_words=words or amount_to_words("1130.00"), items=items)


def test_arithmetic_clean_invoice_passes() -> None:
    assert arithmetic.check(_invoice()) == []


def test_arithmetic_figures_edited() -> None:
    flags = arithmetic.check(_invoice(total="1135.00"))
    codes = {f.code for f in flags}
    assert codes == {"AMOUNT_MISMATCH", "AMOUNT_WORDS_MISMATCH"}
    words = next(f for f in flags if f.code == "AMOUNT_WORDS_MISMATCH")
    assert words.message == "words say 1,130.00, figures say 1,135.00" and words.severity == "red"
    assert words.evidence["page"] == 1 and len(words.evidence["bbox"]) == 4


def test_arithmetic_line_and_quantity() -> None:
    doc = _invoice()
    doc.fields["items"].value[0]["amount"] = "310.00"
    msgs = [f.message for f in arithmetic.check(doc)]
    assert any("line amounts add up to 1,010.00" in m for m in msgs)
    assert any(m.startswith("line 1") for m in msgs)


def _scanned_lines(dropped_tax: str) -> Document:
    """An OCR'd invoice whose item table lost its third line (amount 2,000.00 at 13%)."""
    items = [{"name": "a", "quantity": "3", "unit_price": "100", "amount": "300.00", "tax_rate": "0.13", "tax_amount": "39.00"},
             {"name": "b", "quantity": "2", "unit_price": "350", "amount": "700.00", "tax_rate": "0.13", "tax_amount": "91.00"}]
    tax = f"{130 + float(dropped_tax):.2f}"
    doc = _doc("invoice", amount_excl_tax="3000.00", tax_amount=tax, total_amount=f"{3000 + float(tax):.2f}",
               items=items)
    doc.fields["items"].provenance.source = "ocr"  # type: ignore[union-attr]
    doc.fields["items"].confidence = 0.99
    return doc


def test_lines_short_by_one_lines_worth_on_a_scan_are_yellow() -> None:
    flags = arithmetic.check(_scanned_lines("260.00"))  # 2,000.00 x 13 %: a row the reading lost
    assert [f.severity for f in flags] == ["yellow", "yellow"]
    assert all("one line's worth at 13%" in f.message for f in flags)
    flags = arithmetic.check(_scanned_lines("300.00"))  # no line's shape: the totals were changed
    assert flags and all(f.severity == "red" for f in flags)
    digital = _scanned_lines("260.00")
    digital.fields["items"].provenance.source = "text_layer"  # type: ignore[union-attr]
    assert all(f.severity == "red" for f in arithmetic.check(digital))  # a text layer loses no row


def test_quantity_tolerance_follows_printed_decimals() -> None:
    from decimal import Decimal
    assert arithmetic.line_tolerance(Decimal("264.613"), Decimal("106.88")) > Decimal("1.3")
    assert arithmetic.line_tolerance(Decimal(3), Decimal(100)) < Decimal(2)


def test_voucher_words() -> None:
    ok = _doc("payment_voucher", amount="569520.00", amount_in_words=amount_to_words("569520"))
    bad = _doc("payment_voucher", amount="569520.00", amount_in_words=amount_to_words("569000"))
    assert arithmetic.check(ok) == []
    [flag] = arithmetic.check(bad)
    assert flag.message == "words say 569,000.00, figures say 569,520.00"


def _uscc(rng: random.Random) -> str:
    first = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return first + uscc_check_char(first)


def test_tax_ids() -> None:
    rng = random.Random(3)
    good = _uscc(rng)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert tax_ids.check(_doc("invoice", seller_tax_id=good, buyer_tax_id="110108123456789")) == []
    assert tax_ids.check(_doc("invoice", buyer_tax_id="11010819800101123X12")) == []  # 20-char legacy
    [flag] = tax_ids.check(_doc("invoice", seller_tax_id=bad))
    assert flag.code == "TAX_ID_INVALID" and flag.severity == "red" and "seller" in flag.message
    assert flag.evidence["fields"] == ["seller_tax_id"] and flag.evidence["page"] == 1


def test_qr_payload_parse_and_compare() -> None:
    p = qr.parse_payload("01,32,,24444848609012757164,92716.75,2024-04-19,,4334,")
    assert p and p.amount_field == "total_amount" and p.date == "2024-04-19"
    old = qr.parse_payload("01,10,031002311885,04243348,814535.58,20231026,59623224128757016971,AEFF,")
    assert old and old.amount_field == "amount_excl_tax"
    doc = _doc("invoice", invoice_number="24444848609012757164", issue_date="2024-04-19", total_amount="92716.75")
    assert qr.compare(doc, p, 1, (0, 0, 50, 50)) == []
    doc = _doc("invoice", invoice_number="24444848609012757165", total_amount="92716.75")
    [flag] = qr.compare(doc, p, 1, (0, 0, 50, 50))
    assert flag.code == "QR_MISMATCH" and "number" in flag.message
    assert doc.fields["issue_date"].provenance.source == "qr"  # filled from the QR


@pytest.fixture(scope="module")
def e_invoice_dir(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("inv")
    subprocess.run([sys.executable, "-m", "samples.generate", "--out", str(out), "--n", "3", "--seed", "5",
                    "--types", "invoice", "--scan-ratio", "0", "-q"], check=True, cwd=ROOT)
    return out


def test_qr_decodes_generated_invoice(e_invoice_dir: Path) -> None:
    from pipeline.runner import process_path

    recs = [json.loads(p.read_text()) for p in sorted(e_invoice_dir.glob("*.json"))]
    rec = next(r for r in recs if r["documents"][0].get("qr_payload"))
    docs = process_path(e_invoice_dir / rec["file"], Settings())
    assert docs[0].pages[0].qr_payloads[0] == rec["documents"][0]["qr_payload"]
    assert not [f for f in docs[0].risk_flags if f.code == "QR_MISMATCH"]


def test_pdf_incremental_update(e_invoice_dir: Path, tmp_path: Path) -> None:
    from samples.tamper import _pdf_update

    src = next(p for p in sorted(e_invoice_dir.glob("*.pdf")))
    clean = Document(id="c", sha256="", source="c", pages=[Page(number=1, width=1, height=1)])
    clean.attach_data(src.read_bytes())
    assert [f for f in pdf_forensics.check(clean) if f.severity == "red"] == []
    dst = tmp_path / "upd.pdf"
    _pdf_update(src, dst, random.Random(1))
    bad = Document(id="b", sha256="", source="b", pages=[Page(number=1, width=1, height=1)])
    bad.attach_data(dst.read_bytes())
    flags = pdf_forensics.check(bad)
    red = [f for f in flags if f.severity == "red"]
    assert red and red[0].code == "PDF_TAMPERING" and red[0].evidence["page"] == 1 and "bbox" in red[0].evidence


def _scan_page(seed: int) -> tuple[np.ndarray, Page]:
    """A noisy 'scan' of rows of digits, with OCR-like word boxes."""
    import cv2

    rng = np.random.default_rng(seed)
    img = np.full((900, 700), 235, np.uint8)
    words = []
    for r in range(14):
        y = 40 + r * 60
        for c in range(3):
            x = 30 + c * 220
            text = f"{rng.integers(10000, 99999)}.{rng.integers(10, 99)}"
            cv2.putText(img, text, (x, y + 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 30, 2)
            words.append(Word(text=text, bbox=(x * 0.36, y * 0.36, (x + 170) * 0.36, (y + 40) * 0.36), source="ocr"))
    img = np.clip(img + rng.normal(0, 5, img.shape), 0, 255).astype(np.uint8)
    _ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    img = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    page = Page(number=1, width=700 * 0.36, height=900 * 0.36, dpi=200, words=words)
    return img, page


def test_image_forensics_clean_and_redrawn() -> None:
    import cv2

    img, page = _scan_page(1)
    assert [f for f in image_forensics.check_page(img, page) if f.severity == "red"] == []
    bad = img.copy()
    bad[100:135, 60:180] = 236  # digits erased with a flat fill and written again
    cv2.putText(bad, "777", (62, 130), cv2.FONT_HERSHEY_DUPLEX, 0.95, 25, 2)
    flags = image_forensics.check_page(bad, page)
    assert any(f.code == "IMAGE_TAMPERING" and f.evidence["cue"] == "noise" for f in flags)


def test_image_forensics_copy_move() -> None:
    img, page = _scan_page(2)
    bad = img.copy()
    bad[400:440, 250:330] = img[160:200, 30:110]  # a patch with its noise pasted elsewhere
    flags = image_forensics.check_page(bad, page)
    assert any(f.evidence.get("cue") == "copy_move" for f in flags)


def test_stage_collects_flags_and_isolates_failures() -> None:
    def boom(doc: Document) -> list:
        raise ValueError("bad")

    doc = _invoice(total="1135.00")
    ChecksStage([("boom", boom), ("arithmetic", arithmetic.check)])(doc, StageContext(settings=Settings()))
    assert {f.code for f in doc.risk_flags} == {"AMOUNT_MISMATCH", "AMOUNT_WORDS_MISMATCH"}
    assert doc.errors[0].stage == "checks.boom"
