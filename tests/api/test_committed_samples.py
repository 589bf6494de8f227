"""End to end: the committed samples extracted and compared with their ground truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.evaluate import EvalResult, _score, capture, evaluate_folder, print_report

COMMITTED = Path(__file__).resolve().parents[2] / "samples" / "committed"


@pytest.fixture(scope="module")
def result():
    return evaluate_folder(COMMITTED, jobs=2)


def test_every_committed_document_is_typed_right(result):
    assert result.documents >= 17
    for split, score in result.doc_type.items():
        assert score.rate == 1.0, (split, result.mismatches)


def test_digital_samples_match_ground_truth(result):
    digital = result.overall["digital"]
    assert digital.total >= 80
    assert digital.rate >= 0.98, [m for m in result.mismatches if "scanned" not in m]


def test_scanned_samples_match_ground_truth(result):
    scanned = result.overall["scanned"]
    assert scanned.total >= 60
    assert scanned.rate >= 0.9, result.mismatches


def test_key_invoice_fields_exact_on_every_invoice(result):
    for field in ("invoice_number", "total_amount", "seller_tax_id", "issue_date"):
        for split in ("digital", "scanned"):
            score = result.fields.get(("invoice", split, field))
            assert score is not None and score.rate == 1.0, (field, split, result.mismatches)


def test_results_split_by_capture():
    """Phone photos (``capture: photo``, scanned too) are scored apart from scans, in every table."""
    from rich.console import Console

    truth = {"doc_type": "payment_voucher", "page_range": [1, 1], "fields": {"amount": "10.00", "purpose": "货款"}}
    result = EvalResult()
    for gt, got in (({"scanned": False}, "10.00"), ({"scanned": True}, "10.00"),
                    ({"scanned": True, "capture": "photo"}, "19.00")):
        rec = {"doc_type": "payment_voucher", "fields": {"amount": got, "purpose": "货款"}}
        _score(result, Path("x.jpg"), capture(gt), truth, rec)
    assert {k: (s.right, s.total) for k, s in result.overall.items()} == \
        {"digital": (2, 2), "scanned": (2, 2), "photo": (1, 2)}
    assert result.fields[("payment_voucher", "photo", "amount")].rate == 0.0
    console = Console(record=True, width=200)
    print_report(result, console)
    out = console.export_text()
    assert "photo" in out.split("field exact match")[1].splitlines()[2]  # a column of its own
    assert out.strip().splitlines()[-1].endswith(
        "fields digital 1.000 (2/2), fields scanned 1.000 (2/2), fields photo 0.500 (1/2)")
    no_photo = Console(record=True, width=200)
    fields = {k: v for k, v in result.fields.items() if k[1] != "photo"}
    print_report(EvalResult(fields=fields, overall={"digital": result.overall["digital"]}), no_photo)
    assert "photo" not in no_photo.export_text()  # sets without photos print as before
