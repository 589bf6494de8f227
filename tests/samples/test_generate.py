"""Sample generator: ground truth is complete, valid and reproducible."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractors.normalize.numerals import amount_to_words
from samples.fakedata import make_uscc, uscc_valid
from samples.generate import generate

SEED, N = 11, 8
_CH = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def gb32100_ok(code: str) -> bool:
    """Independent GB 32100-2015 check, not the generator's own."""
    if len(code) != 18 or any(ch not in _CH for ch in code):
        return False
    c = 31 - sum(_CH.index(ch) * w for ch, w in zip(code, _W)) % 31
    return _CH[0 if c == 31 else c] == code[17]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    d = tmp_path_factory.mktemp("gen")
    generate(d, N, SEED)
    return d


def _gts(d: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(d.glob("*.json"))]


def test_every_file_has_ground_truth(out):
    files = sorted(p for p in out.iterdir() if p.suffix != ".json" and not p.name.startswith("."))
    assert len(files) == N
    for f in files:
        gt = json.loads(f.with_suffix(".json").read_text(encoding="utf-8"))
        assert gt["file"] == f.name
        assert gt["documents"]
        assert f.stat().st_size < 1_500_000
    types = {d["doc_type"] for gt in _gts(out) for d in gt["documents"]}
    assert types == {"invoice", "payment_voucher", "contract"}


def test_make_uscc_is_valid():
    import random
    rng = random.Random(1)
    codes = [make_uscc(rng) for _ in range(200)]
    assert all(uscc_valid(c) and gb32100_ok(c) for c in codes)
    assert len(set(codes)) == len(codes)
    bad = codes[0][:17] + ("0" if codes[0][17] != "0" else "1")
    assert not uscc_valid(bad)


def test_tax_ids_pass_gb32100(out):
    n = 0
    for gt in _gts(out):
        for doc in gt["documents"]:
            for key in ("buyer_tax_id", "seller_tax_id"):
                if key in doc["fields"]:
                    assert gb32100_ok(doc["fields"][key]), doc["fields"][key]
                    n += 1
    assert n > 0


def test_invoice_arithmetic(out):
    seen = 0
    for gt in _gts(out):
        for doc in gt["documents"]:
            if doc["doc_type"] != "invoice":
                continue
            f = doc["fields"]
            seen += 1
            amt = sum(Decimal(i["amount"]) for i in f["items"])
            tax = sum(Decimal(i["tax_amount"]) for i in f["items"])
            assert amt == Decimal(f["amount_excl_tax"])
            assert tax == Decimal(f["tax_amount"])
            assert Decimal(f["amount_excl_tax"]) + Decimal(f["tax_amount"]) == Decimal(f["total_amount"])
            assert amount_to_words(Decimal(f["total_amount"])) == f["total_amount_in_words"]
            for it in f["items"]:
                if it["quantity"] is not None:
                    q, p = Decimal(it["quantity"]), Decimal(it["unit_price"])
                    assert (q * p).quantize(Decimal("0.01"), "ROUND_HALF_UP") == Decimal(it["amount"])
                    assert not it["quantity"].endswith("0") or "." not in it["quantity"]
                t = (Decimal(it["amount"]) * Decimal(it["tax_rate"])).quantize(Decimal("0.01"), "ROUND_HALF_UP")
                assert t == Decimal(it["tax_amount"])
            for m in ("amount_excl_tax", "tax_amount", "total_amount"):
                assert f[m] == f"{Decimal(f[m]):.2f}"
            if f["invoice_kind"] == "e_invoice":
                assert len(f["invoice_number"]) == 20 and "invoice_code" not in f
            else:
                assert len(f["invoice_number"]) == 8 and len(f["invoice_code"]) in (10, 12)
    assert seen > 0


def test_deterministic(out, tmp_path):
    generate(tmp_path, N, SEED)
    assert _gts(tmp_path) == _gts(out)


def test_digital_pdfs_have_text_layer(out):
    import pdfplumber
    checked = 0
    for gt in _gts(out):
        if gt["variant"] != "digital_pdf":
            continue
        with pdfplumber.open(out / gt["file"]) as pdf:
            for doc in gt["documents"]:
                page = pdf.pages[doc["page_range"][0] - 1]
                text = (page.extract_text() or "").replace(" ", "")
                if doc["doc_type"] == "invoice":
                    assert doc["fields"]["invoice_number"] in text
                checked += 1
    assert checked > 0
