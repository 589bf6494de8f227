"""An invoice title the detector misses at its working resolution (large, letter-spaced, under the
监制 seal) is read from the header band at a coarser scale; the e-invoice title with a doubled bracket."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from extractors.fields.invoice import invoice_kind
from extractors.ocr import get_engine
from extractors.ocr.header import header_words
from pipeline.runner import process_path
from pipeline.settings import get_settings
from pipeline.types import Word
from samples.generate import TYPES, make_one, plan

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def test_letter_spaced_title_missed_at_full_scale_is_read_from_the_header(tmp_path):
    # seed 2468, 40 invoices, 60 % photos: inv_0009 is a WebP scan of a 专用发票 whose spaced title under
    # its seal PP-OCR's detector does not find at 1600 px (it does at 1280)
    slot = plan(40, 2468, ["invoice"], 1.0, 0.6)[8]
    gt = make_one(9, slot, tmp_path, 2468)
    assert gt["file"] == "inv_0009.webp" and gt["documents"][0]["fields"]["invoice_kind"] == "vat_special"
    doc = process_path(tmp_path / gt["file"], get_settings(home=str(tmp_path / "home")))[0]
    assert doc.value("invoice_kind") == "vat_special"
    assert any("增值税专用发票" in ln.text.replace(" ", "") for ln in doc.pages[0].lines)


def test_fields_in_the_header_band_read_again_are_extracted(tmp_path):
    # seed 3131 (90 documents of every type, all scanned): inv_0052 is a JPEG scan of an e-invoice-style
    # 普通发票 whose title line swallowed "发票号码：16039282" at full scale; the re-read header band holds
    # both, and its invoice number was lost when only the kind was taken from it
    slot = plan(90, 3131, list(TYPES), 1.0)[51]
    gt = make_one(52, slot, tmp_path, 3131)
    fields = gt["documents"][0]["fields"]
    assert gt["file"] == "inv_0052.jpg" and fields["invoice_number"] == "16039282"
    doc = process_path(tmp_path / gt["file"], get_settings(home=str(tmp_path / "home")))[0]
    assert doc.value("invoice_kind") == fields["invoice_kind"]
    assert doc.value("invoice_number") == "16039282"
    assert doc.value("invoice_code") == fields["invoice_code"]


def test_header_words_adds_only_what_no_word_covers():
    img = Image.new("RGB", (1600, 2200), "white")
    draw = ImageDraw.Draw(img)
    draw.text((500, 120), "  ".join("增值税普通发票"), font=ImageFont.truetype(FONT, 64), fill="black")
    draw.text((100, 400), "发票代码：3200191130", font=ImageFont.truetype(FONT, 30), fill="black")
    page = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    engine = get_engine(get_settings().ocr)
    found = header_words(engine, page, 200, [])
    assert "增值税普通发票" in "".join(w.text for w in found).replace(" ", "")
    k = 72 / 200
    assert all(w.bbox[1] > 100 * k and w.bbox[3] < 460 * k for w in found)  # page points, not band pixels
    covered = [Word(text="x", bbox=(0, 0, 1600 * k, 550 * k), source="ocr")]
    assert header_words(engine, page, 200, covered) == []


def test_e_invoice_title_with_a_doubled_bracket():
    from extractors.layout import group_lines, page_index
    from pipeline.types import Page

    words = [Word(text="电子发票（(增值税专用发票）", bbox=(192, 29, 396, 50), source="ocr")]
    page = Page(number=1, width=595, height=397, words=words)
    page.lines = group_lines(words)
    assert invoice_kind(page_index([page])) == "e_invoice"
