"""Seal lettering on grey scans: the seal is found by its ring, its words are set apart."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.stamps import is_stamp_text, mark_gray_seal_words, seal_rings
from pipeline.types import Word

DPI = 200
K = DPI / 72


def _page() -> np.ndarray:
    img = np.full((1100, 1800), 238, np.uint8)
    cv2.line(img, (60, 900), (1750, 900), 30, 3)  # a table border the seal crosses
    cv2.line(img, (1200, 700), (1200, 1080), 30, 3)
    cv2.ellipse(img, (1450, 900), (150, 100), 0, 0, 360, 120, 7)  # the seal ring, washed-out grey
    cv2.putText(img, "SEAL CO LTD", (1340, 880), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 120, 3)
    cv2.putText(img, "Remark text", (200, 860), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 3)
    for i in range(0, 200, 20):  # a QR-like block: not a ring
        for j in range(0, 200, 20):
            if (i * 7 + j * 3) % 40 < 20:
                img[100 + i:120 + i, 100 + j:120 + j] = 20
    return img


def _word(text: str, px: tuple[int, int, int, int]) -> Word:
    return Word(text=text, bbox=tuple(v / K for v in px), source="ocr")


def test_the_ring_is_found_across_ruling_lines_and_a_qr_block_is_not():
    rings = seal_rings(_page(), DPI)
    assert len(rings) == 1
    cx, cy, a, b, _ = rings[0]
    assert abs(cx - 1450) < 10 and abs(cy - 900) < 12
    assert 180 < min(a, b) < 230 and 280 < max(a, b) < 330  # the ring's full axes: 200 and 300 px


def test_words_in_the_ring_are_stamp_text_page_words_and_amounts_are_not():
    inside = _word("SEALCOLTD", (1340, 855, 1530, 890))
    amount = _word("¥775980.53", (1380, 910, 1520, 940))
    remark = _word("Remarktext", (200, 835, 400, 870))
    across = _word("a line through the seal", (1000, 950, 1500, 980))
    words = [inside, amount, remark, across]
    mark_gray_seal_words(words, cv2.cvtColor(_page(), cv2.COLOR_GRAY2BGR), DPI)
    assert [is_stamp_text(w) for w in words] == [True, False, False, False]


def test_a_colour_scan_is_left_to_the_red_test():
    page = cv2.cvtColor(_page(), cv2.COLOR_GRAY2BGR)
    page[..., 2] = np.clip(page[..., 2].astype(int) + 40, 0, 255)  # colour: the red channel differs
    word = _word("SEALCOLTD", (1340, 855, 1530, 890))
    mark_gray_seal_words([word], page, DPI)
    assert not word.in_seal


def test_a_red_seal_on_a_red_form_frame_is_found_by_its_ring():
    """The seal's red joins the form's red ruling into one region too big for a seal: its ring still finds it,
    so the arc lettering leaves the page text, and red print outside the ring stays."""
    from extractors.stamps import mark_red_ocr_words

    red = (40, 40, 215)
    img = np.full((1100, 1800, 3), 245, np.uint8)
    cv2.rectangle(img, (60, 300), (1750, 1000), red, 3)  # the form frame, red like the seal
    cv2.line(img, (60, 700), (1750, 700), red, 3)
    cv2.line(img, (1200, 300), (1200, 1000), red, 3)
    cv2.ellipse(img, (1450, 700), (150, 100), 0, 0, 360, red, 7)
    cv2.putText(img, "SEAL CO", (1360, 690), cv2.FONT_HERSHEY_SIMPLEX, 1.2, red, 4)
    cv2.putText(img, "LABEL", (100, 400), cv2.FONT_HERSHEY_SIMPLEX, 1.2, red, 4)
    arc = _word("SEALCO", (1360, 655, 1540, 695))
    label = _word("LABEL", (100, 365, 240, 405))
    mark_red_ocr_words([arc, label], img, DPI)
    assert arc.red and label.red
    assert [is_stamp_text(arc), is_stamp_text(label)] == [True, False]


def test_a_date_a_red_seals_ring_runs_through_stays_page_text():
    """Black 2021年9月19日 under a red seal's ring: thin glyphs that the ring's stroke leaves mostly red (a
    contract's signing date was lost as seal lettering, seed 9494). Seals print names and ids, never a
    date's pieces; the seal's own lettering stays stamp text."""
    from extractors.stamps import mark_red_ocr_words

    red = (40, 40, 215)
    img = np.full((1100, 1800, 3), 245, np.uint8)
    cv2.ellipse(img, (900, 500), (220, 220), 0, 0, 360, red, 9)
    cv2.putText(img, "SEAL CO", (800, 420), cv2.FONT_HERSHEY_SIMPLEX, 1.2, red, 4)
    words = []
    for k, text in enumerate(["2021", "9", "19"]):
        x = 700 + 90 * k
        cv2.putText(img, text, (x, 735), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (20, 20, 20), 1)
        cv2.line(img, (x - 5, 720), (x + 80, 716), red, 12)  # the ring's stroke over the thin digits
        words.append(_word(text, (x - 2, 705, x + 75, 742)))
    arc = _word("SEALCO", (800, 385, 980, 425))
    mark_red_ocr_words([*words, arc], img, DPI)
    assert arc.red and is_stamp_text(arc)
    assert not any(w.red or is_stamp_text(w) for w in words)
