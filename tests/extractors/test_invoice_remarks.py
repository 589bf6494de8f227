"""备注 on scans: the seller's seal is stamped over the remarks box; its legend (read on the arc as
tall words), the tax id it prints, and brackets broken off it are no remarks."""

from __future__ import annotations

from extractors.fields import invoice
from extractors.layout import group_lines, page_index
from extractors.normalize.ids import uscc_check_char
from pipeline.types import Document, Page, Word

SELLER_ID = "91340104043K60634" + uscc_check_char("91340104043K60634")


def _w(text: str, x: float, y: float, h: float = 10, **kw) -> Word:  # type: ignore[no-untyped-def]
    width = sum(9.0 if ord(c) > 255 else 5.0 for c in text)
    return Word(text=text, bbox=(x, y, x + width, y + h), source="ocr", **kw)


def _remarks(extra: list[Word]) -> str | None:
    words = [_w("价税合计（大写）", 40, 256), _w("¥1313041.90", 488, 256), _w("销售方", 30, 290),
             _w("纳税人识别号：", 60, 300), _w(SELLER_ID, 130, 300), _w("备", 390, 290, h=12),
             *extra, _w("收款人：", 40, 370), _w("开票人：", 300, 370)]
    page = Page(number=1, width=700, height=400, words=words)
    page.lines = group_lines(words)
    doc = Document(id="d", sha256="0", source="t", pages=[page])
    invoice.extract(doc, page_index([page]))
    return doc.value("remarks")


def test_remarks_read_beside_the_label():
    assert _remarks([_w("合同编号：HT20225994", 417, 283)]) == "合同编号：HT20225994"


def test_a_seals_legend_on_the_arc_is_left_out():
    legend = _w("工程有限公司", 558, 294, h=45)  # a curved line of the seal, boxed as one tall word
    assert _remarks([_w("合同编号：HT20225994", 417, 283), legend]) == "合同编号：HT20225994"
    assert _remarks([_w("元市政工程", 487, 298, h=50, red=True)]) is None


def test_the_seals_tax_id_misread_and_a_broken_bracket_are_no_remarks():
    misread = SELLER_ID[:2] + SELLER_ID[4:]  # two characters lost on the seal's curve
    assert _remarks([_w(misread, 470, 332, h=14)]) is None
    assert _remarks([_w("(", 505, 300, h=18)]) is None
    # an id that is not a party's stays (a contract's or a project's code printed in the remarks)
    assert _remarks([_w("HT2022599412345", 430, 300)]) == "HT2022599412345"


def test_a_remarks_project_name_is_no_seller_name_when_the_sellers_line_is_unread():
    """The seller's 名称 line whited out (or torn off): 工程名称：… in the remarks gave the project as the
    seller, confidently (no LOW_CONFIDENCE). It is no party's 名称; the seller's name is missing."""
    words = [_w("购买方", 30, 60), _w("名称：", 60, 60), _w("深圳安泰科技发展有限公司", 100, 60),
             _w("价税合计（大写）", 40, 256), _w("¥1313041.90", 488, 256), _w("销售方", 30, 290),
             _w("纳税人识别号：", 60, 300), _w(SELLER_ID, 130, 300), _w("备", 390, 290, h=12),
             _w("工程名称：郑州安置房；工程地点：郑州市金水区", 417, 283), _w("收款人：", 40, 370)]
    page = Page(number=1, width=700, height=400, words=words)
    page.lines = group_lines(words)
    doc = Document(id="d", sha256="0", source="t", pages=[page])
    invoice.extract(doc, page_index([page]))
    assert doc.value("buyer_name") == "深圳安泰科技发展有限公司"
    assert doc.value("seller_name") is None
