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


def test_photo_ratio_zero_keeps_the_plan():
    """--photo-ratio 0 (the default) must leave every existing seed's files as they were."""
    from samples.generate import TYPES, plan

    for seed in (7, SEED, 31337):
        assert plan(24, seed, list(TYPES), 0.5, 0.0) == plan(24, seed, list(TYPES), 0.5)


def test_photo_files(tmp_path):
    """Phone photos: JPEG without dpi at a phone's resolution, ground truth ``capture: photo``, still scanned."""
    from PIL import Image

    records = generate(tmp_path, 2, SEED, ["payment_voucher"], photo_ratio=1.0)
    for rec in records:
        assert rec["capture"] == "photo" and rec["scanned"] is True and rec["variant"] == "jpeg"
        img = Image.open(tmp_path / rec["file"])
        assert img.format == "JPEG" and "dpi" not in img.info
        long_side = rec["photo"]["long_side"]
        assert 1500 <= long_side <= 2500 and long_side < max(img.size) < 1.25 * long_side  # page + desk
        assert 70 <= rec["photo"]["quality"] <= 90
    assert json.loads((tmp_path / ".generate-params").read_text())["photo_ratio"] == 1.0


def test_photo_capture_is_a_perspective_page_that_preprocess_flattens():
    """The capture tilts the page in perspective on a desk; correct_perspective finds the page and
    flattens it back to (nearly) the rendered page, where the tilted crop does not line up."""
    import random

    import cv2
    import numpy as np

    from extractors.preprocess import correct_perspective, find_page_quad, normalize_contrast
    from samples.scan import photo, photo_params, render_pages

    page = render_pages(ROOT / "samples" / "committed" / "con_0004.pdf", 100)[0]  # an A4 contract page
    ref = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2GRAY)
    h, w = ref.shape
    rng = random.Random(1)
    params = {**photo_params(rng), "shadow": 0.3}
    params.pop("quality")
    shot = np.asarray(photo(page, rng, **params))[:, :, ::-1].copy()
    assert np.median(shot[:5, :5]) < 130  # the desk shows around the page

    quad = find_page_quad(shot)
    assert quad is not None
    tl, tr, br, bl = quad
    top, bottom = np.degrees(np.arctan2(*(tr - tl)[::-1])), np.degrees(np.arctan2(*(br - bl)[::-1]))
    assert abs(top - bottom) > 1.0  # opposite edges not parallel: perspective, not just a turn

    def corr(img: np.ndarray) -> float:
        a = cv2.GaussianBlur(cv2.resize(cv2.cvtColor(normalize_contrast(img), cv2.COLOR_BGR2GRAY), (w, h))
                             .astype(np.float32), (0, 0), 2)
        b = cv2.GaussianBlur(ref.astype(np.float32), (0, 0), 2)
        a, b = a - a.mean(), b - b.mean()
        return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))

    flat = correct_perspective(shot)
    assert flat is not None
    x0, y0 = quad.min(axis=0).astype(int)
    x1, y1 = quad.max(axis=0).astype(int)
    assert corr(flat) > 0.95
    assert corr(shot[y0:y1, x0:x1]) < 0.7
