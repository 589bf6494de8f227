"""Scoring a tampered set: recall per code, red flags on clean files, and the rows the report lists."""

from __future__ import annotations

from classifiers.checks.evaluate import flag_misses, score

ROWS = [
    {"file": "a_qr.pdf", "expected": ["QR_MISMATCH"], "flags": [("QR_MISMATCH", "red", "number differs")]},
    {"file": "b_qr.png", "expected": ["QR_MISMATCH"], "flags": [("LOW_CONFIDENCE", "yellow", "weak")]},
    {"file": "c_clean.png", "expected": [], "flags": [("AMOUNT_MISMATCH", "red", "3 lines add up to 1.00")]},
    {"file": "d_clean.pdf", "expected": [], "flags": [("IMAGE_TAMPERING", "yellow", "look")]},
]


def test_score_counts_hits_misses_and_red_on_clean():
    scores = score(ROWS)
    assert scores["QR_MISMATCH"] == (1, 1, 0)
    assert scores["AMOUNT_MISMATCH"] == (0, 0, 1)
    assert scores["IMAGE_TAMPERING"] == (0, 0, 0)  # yellow on a clean file is not a false red


def test_flag_misses_lists_the_missed_code_and_the_false_red_only():
    rows = flag_misses(ROWS)
    assert [(r["file"], r["missed"]) for r in rows] == [("b_qr.png", ["QR_MISMATCH"]), ("c_clean.png", [])]
    assert rows[1]["red_on_clean"] == [{"code": "AMOUNT_MISMATCH", "message": "3 lines add up to 1.00"}]
