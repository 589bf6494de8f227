"""Scoring a tampered set: recall per code, red flags on clean files, and the rows the report lists."""

from __future__ import annotations

from classifiers.checks.evaluate import flag_misses, recall_by_format, report, score, yellow_on_clean

ROWS = [
    {"file": "a_qr.pdf", "variant": "digital_pdf", "expected": ["QR_MISMATCH"],
     "flags": [("QR_MISMATCH", "red", "number differs")]},
    {"file": "b_qr.png", "variant": "png", "expected": ["QR_MISMATCH"], "flags": [("LOW_CONFIDENCE", "yellow", "weak")]},
    {"file": "c_clean.png", "variant": "png", "expected": [],
     "flags": [("AMOUNT_MISMATCH", "red", "3 lines add up to 1.00")]},
    {"file": "d_clean.pdf", "variant": "image_pdf", "expected": [], "flags": [("IMAGE_TAMPERING", "yellow", "look")]},
    {"file": "e_clean.jpg", "variant": "jpeg", "expected": [],
     "flags": [("IMAGE_TAMPERING", "yellow", "look"), ("IMAGE_TAMPERING", "red", "copied")]},
]


def test_score_counts_hits_misses_and_red_on_clean():
    scores = score(ROWS)
    assert scores["QR_MISMATCH"] == (1, 1, 0)
    assert scores["AMOUNT_MISMATCH"] == (0, 0, 1)
    assert scores["IMAGE_TAMPERING"] == (0, 0, 1)  # yellow on a clean file is not a false red; the red on e is


def test_flag_misses_lists_the_missed_code_and_the_flags_on_clean_files():
    rows = flag_misses(ROWS)
    assert [(r["file"], r["missed"]) for r in rows] == [("b_qr.png", ["QR_MISMATCH"]), ("c_clean.png", []),
                                                         ("d_clean.pdf", []), ("e_clean.jpg", [])]
    assert rows[0]["yellow_on_clean"] == []  # b is no clean file: its yellow is not review load
    assert rows[1]["red_on_clean"] == [{"code": "AMOUNT_MISMATCH", "message": "3 lines add up to 1.00"}]
    assert rows[2]["red_on_clean"] == [] and rows[2]["yellow_on_clean"] == [{"code": "IMAGE_TAMPERING", "message": "look"}]
    assert rows[3]["red_on_clean"] == [{"code": "IMAGE_TAMPERING", "message": "copied"}]


def test_yellow_on_clean_counts_files_whose_flag_of_a_code_is_yellow_only():
    yellow = yellow_on_clean(ROWS)
    assert yellow["IMAGE_TAMPERING"] == 1  # d; e has a red of that code as well
    assert yellow["AMOUNT_MISMATCH"] == 0 and yellow["LOW_CONFIDENCE"] == 0  # b is not clean


def test_recall_by_format_says_where_a_code_is_missed():
    assert recall_by_format(ROWS) == {"QR_MISMATCH": {"digital_pdf": (1, 1), "png": (0, 1)}}
    text = report(ROWS)
    assert "QR_MISMATCH by format: digital_pdf 1/1, png 0/1" in text
    assert "yellow on clean" in text.splitlines()[0]
