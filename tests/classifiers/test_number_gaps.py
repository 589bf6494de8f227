"""IMAGE_TAMPERING cue "gap": an amount OCR read with a digit missing from its groups."""

from __future__ import annotations

import pytest

from classifiers.checks.number_gaps import gap_flags, holed
from pipeline.types import Word


@pytest.mark.parametrize(("text", "hole"), [
    ("1,387,,34.86", True),  # seed 4141 vou_0047: its 5 covered by a piece of paper
    ("1,387,34.86", True),  # the comma kept, the digit gone
    ("¥1,0,000.00", True),
    ("¥955|60.64", True),  # the edge of a glyph left in a digit's place
    ("1,387,534.86", False),
    ("RMB42,751.74", False),
    ("₹1,23,456.00", False),  # Indian grouping: twos, then three
    ("5,5000", False),  # a decimal comma (ZUGFeRD invoices)
    ("2024-03-15", False),
    ("1,234", False),
])
def test_holed(text: str, hole: bool) -> None:
    assert holed(text) is hole


def _word(text: str, x0: float, x1: float, source: str = "ocr") -> Word:
    return Word(text=text, bbox=(x0, 100.0, x1, 112.0), source=source)  # type: ignore[arg-type]


def test_gap_flag_on_the_amount_with_a_hole_and_on_pieces_ocr_split_there() -> None:
    words = [_word("合计", 40, 70), _word("1,387,,34.86", 80, 150), _word("2024-03-15", 300, 360)]
    flags = gap_flags(words, 1)
    assert [(f.code, f.severity) for f in flags] == [("IMAGE_TAMPERING", "yellow")]
    assert flags[0].evidence["bbox"] == [80.0, 100.0, 150.0, 112.0] and flags[0].evidence["cue"] == "gap"
    split = [_word("1,387,", 80, 110), _word(",34.86", 110, 150)]  # touching pieces are one number
    assert gap_flags(split, 2)[0].evidence["word"] == "1,387,,34.86"


def test_no_gap_flag_on_whole_amounts_or_a_text_layer() -> None:
    assert gap_flags([_word("1,387,534.86", 80, 150), _word("¥2,603,541.49", 200, 280)], 1) == []
    assert gap_flags([_word("1,387,,34.86", 80, 150, source="text_layer")], 1) == []
