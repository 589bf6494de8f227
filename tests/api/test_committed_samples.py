"""End to end: the committed samples extracted and compared with their ground truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.evaluate import evaluate_folder

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
