"""Invoice parties read where OCR lost the form's faint labels (phone photos): a name right above a
tax id whose check character is right; a 名称 label cut in two by its letter spacing."""

from __future__ import annotations

from extractors.fields import invoice
from extractors.layout import group_lines, page_index
from extractors.normalize.ids import uscc_check_char
from pipeline.types import Document, Page, Word


def _w(text: str, x: float, y: float) -> Word:
    width = sum(9.0 if ord(c) > 255 else 5.0 for c in text)
    return Word(text=text, bbox=(x, y, x + width, y + 10), source="ocr")


def _fields(words: list[Word]) -> dict:
    page = Page(number=1, width=400, height=520, words=words)
    page.lines = group_lines(words)
    doc = Document(id="d", sha256="0", source="t", pages=[page])
    invoice.extract(doc, page_index([page]))
    return {k: f.value for k, f in doc.fields.items()}


BUYER_ID = "91320594769869645" + uscc_check_char("91320594769869645")
SELLER_ID = "92320602MA27EXJ63" + uscc_check_char("92320602MA27EXJ63")


def _photo(seller_id: str, seller_x: float = 80) -> list[Word]:
    """The labels of both party blocks lost; only the machine-printed values and the totals row read."""
    return [_w("江苏增值税普通发票", 120, 40), _w("苏州信泰宜合信息技术有限公司", 80, 170),
            _w(BUYER_ID, 80, 184), _w("00<>1645649-<+21868/-7", 230, 184),
            _w("合计（大写）", 48, 284), _w("壹仟伍佰玖拾捌圆捌角叁分", 140, 284),
            _w("崇川区梦回酒吧", seller_x, 300), _w("备", 240, 300), _w(seller_id, seller_x, 314)]


def test_parties_read_by_place_and_shape_when_their_labels_are_lost():
    got = _fields(_photo(SELLER_ID))
    assert (got["buyer_name"], got["buyer_tax_id"]) == ("苏州信泰宜合信息技术有限公司", BUYER_ID)
    assert (got["seller_name"], got["seller_tax_id"]) == ("崇川区梦回酒吧", SELLER_ID)


def test_a_code_with_a_wrong_check_character_or_on_the_right_is_not_taken():
    wrong = SELLER_ID[:17] + ("0" if SELLER_ID[17] != "0" else "1")
    got = _fields(_photo(wrong))
    assert "seller_tax_id" not in got and "seller_name" not in got
    assert got["buyer_tax_id"] == BUYER_ID
    right = _fields(_photo(SELLER_ID, seller_x=300))  # remarks and the seal: another firm's id
    assert "seller_tax_id" not in right


def test_name_label_cut_in_two_by_its_letter_spacing():
    words = [_w("增值税专用发票", 120, 30), _w("称：", 70, 60), _w("小米商业保理（天津）有限责任公司", 95, 60),
             _w("名纳税人识别号：", 40, 72), _w("91120118MA06APGQXE", 120, 72), _w("价税合计（大写）", 40, 200)]
    got = _fields(words)
    assert got["buyer_name"] == "小米商业保理（天津）有限责任公司"
    assert got["buyer_tax_id"] == "91120118MA06APGQXE"
