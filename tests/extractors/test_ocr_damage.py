"""Fields read through OCR damage seen on scans: traditional variants of the capitals, a title or a role
label half hidden by a seal, a garbled 合计 label, a cement grade's letter O read as a zero."""

from __future__ import annotations

from extractors.fields import voucher
from extractors.fields.invoice import invoice_kind
from extractors.fields.items import extract_items, spec_text
from extractors.layout import LineIndex, group_lines, page_index
from extractors.normalize.numerals import words_to_amount
from extractors.normalize.text import fold_ocr_variants, reads_simplified
from pipeline.settings import get_settings
from pipeline.stage import StageContext
from pipeline.stages import TextNormaliseStage
from pipeline.types import Document, Page, Word


def _w(text: str, x: float, y: float, width: float | None = None) -> Word:
    width = width or sum(9.0 if ord(c) > 255 else 5.0 for c in text)  # CJK full width, digits half
    return Word(text=text, bbox=(x, y, x + width, y + 10), source="ocr")


def _invoice(words: list[Word]) -> Document:
    """An invoice page of these words, its fields extracted."""
    from extractors.fields import invoice

    doc = Document(id="d", sha256="0", source="t", pages=[Page(number=1, width=842, height=595, words=words)])
    doc.pages[0].lines = group_lines(words)
    invoice.extract(doc, page_index(doc.pages))
    return doc


def _index(words: list[Word]) -> list[LineIndex]:
    page = Page(number=1, width=595, height=842, words=words)
    page.lines = group_lines(words)
    return page_index([page])


def test_traditional_capitals_from_ocr_fold_and_text_layer_words_stay_as_printed(tmp_path):
    assert fold_ocr_variants("壹万捌仟肆佰貳拾捌圓壹角陆分") == "壹万捌仟肆佰贰拾捌圆壹角陆分"
    assert str(words_to_amount(fold_ocr_variants("貳仟肆佰壹拾貳萬柒仟壹佰壹拾圓玖角捌分"))) == "24127110.98"
    ocr = _w("貳拾圓整", 10, 10)
    printed = Word(text="萬達貳號", bbox=(10, 30, 50, 40), source="text_layer")
    doc = Document(id="d", sha256="0", source="t", pages=[Page(number=1, width=595, height=842, words=[ocr, printed])])
    TextNormaliseStage()(doc, StageContext(settings=get_settings(home=str(tmp_path))))
    assert [w.text for w in doc.pages[0].words] == ["贰拾圆整", "萬達貳號"]


def _normalised_page(tmp_path, texts: list[str]) -> list[str]:
    words = [_w(t, 10, 10 + 20 * i) for i, t in enumerate(texts)]
    doc = Document(id="d", sha256="0", source="t", pages=[Page(number=1, width=595, height=842, words=words)])
    TextNormaliseStage()(doc, StageContext(settings=get_settings(home=str(tmp_path))))
    return [w.text for w in doc.pages[0].words]


def test_traditional_forms_ocr_slips_into_a_simplified_page_fold_and_a_traditional_page_keeps_its_own(tmp_path):
    """PP-OCRv6 read a printed 武汉泰和实业 as 武漢泰和實業 on a generated contract scan (and 有限责任 as
    有限責任 on an invoice): on a page that reads as simplified Chinese every traditional form folds. A
    Taiwan invoice, traditional throughout, keeps what its author printed."""
    mainland = ["建设工程施工合同", "乙方：武漢泰和實業有限公司", "甲方：中建一局第三建设工程有限责任公司",
                "合同价款：人民币伍拾万元整", "付款方式：按进度支付"]
    got = _normalised_page(tmp_path, mainland)
    assert got[1] == "乙方：武汉泰和实业有限公司"
    assert got[0] == mainland[0] and got[2] == mainland[2]
    taiwan = ["電子發票證明聯", "賣方：臺灣積體電路製造股份有限公司", "買方：統一企業股份有限公司", "總計：1,050"]
    assert _normalised_page(tmp_path, taiwan) == taiwan
    assert reads_simplified(mainland) and not reads_simplified(taiwan)


def test_invoice_title_with_its_first_kind_character_lost_under_a_seal():
    def kind(*parts: tuple[str, float]) -> str | None:
        return invoice_kind(_index([_w(t, x, 20) for t, x in parts]))

    assert kind(("江苏增值税", 100), ("通发票", 200)) == "vat_ordinary"
    assert kind(("上海增", 100), ("用发票", 140)) == "vat_special"
    assert kind(("电子发票", 100), ("增值税专用发票", 150), ("）", 215)) == "e_invoice"  # the opening bracket lost
    assert kind(("发票专用章", 100)) is None


def test_payee_account_found_when_ocr_lost_the_payee_role_label():
    """收/款/方 printed vertically was read as scattered letters: only the payer's role label is left, yet the
    account in the right-hand column is the payee's, not a second payer account."""
    words = [_w("付款方", 36, 80, 18), _w("户名", 66, 80), _w("中建一局第三建设工程有限责任公司", 95, 80),
             _w("户名", 330, 80), _w("中建三局第四建设工程有限责任公司", 360, 80),
             _w("账号", 66, 101), _w("8485633073392850697", 95, 101), _w("款", 300, 101), _w("账号", 330, 101),
             _w("60709352120361501", 360, 101),
             _w("开户行", 66, 122), _w("中国工商银行济南历下支行", 100, 122), _w("开户行", 330, 122),
             _w("光大银行济南槐荫支行", 365, 122)]
    words[0] = Word(text="付款方", bbox=(36, 78, 54, 140), source="ocr")  # the tall vertical label
    doc = Document(id="d", sha256="0", source="t", pages=[Page(number=1, width=595, height=842, words=words)])
    doc.pages[0].lines = group_lines(words)
    voucher.extract(doc, page_index(doc.pages))
    assert doc.value("payer_account") == "8485633073392850697"
    assert doc.value("payee_account") == "60709352120361501"
    assert doc.value("payee_name") == "中建三局第四建设工程有限责任公司"


def test_totals_row_with_a_garbled_label_is_not_an_item():
    head = [("货物或应税劳务、服务名称", 30), ("规格型号", 180), ("单位", 240), ("数量", 280), ("单价", 330),
            ("金额", 400), ("税率", 460), ("税额", 510)]
    rows = [
        [("*经营租赁*挖掘机租赁费", 30), ("SY365H", 180), ("台班", 240), ("3", 290), ("1427.318584", 320),
         ("4281.96", 395), ("13%", 460), ("556.65", 505)],
        [("含计", 60), ("¥4281.96", 390), ("¥556.65", 500)],  # 合计, misread
    ]
    words = [_w(t, x, 100) for t, x in head]
    for i, row in enumerate(rows):
        words += [_w(t, x, 120 + 14 * i) for t, x in row]
    items = extract_items(_index(words))
    assert [it.values["amount"] for it in items] == ["4281.96"]
    assert items[0].values["name"] == "*经营租赁*挖掘机租赁费" and items[0].values["quantity"] == "3"


def test_second_item_equal_to_the_first_is_still_an_item():
    """Only a row without quantity and price whose sums match is the totals row: a repeated item stays."""
    head = [("项目名称", 30), ("数量", 280), ("单价", 330), ("金额", 400), ("税率", 460), ("税额", 510)]
    row = [("*钢材*螺纹钢", 30), ("2", 290), ("100.00", 330), ("200.00", 400), ("13%", 460), ("26.00", 510)]
    words = [_w(t, x, 100) for t, x in head] + [_w(t, x, 120) for t, x in row] + [_w(t, x, 134) for t, x in row]
    assert len(extract_items(_index(words))) == 2


def test_cement_grade_letter_o_restored_and_other_specs_kept():
    assert spec_text("P.042.5") == "P.O42.5"
    assert spec_text("P·0 42.5R") == "P·O 42.5R"
    assert spec_text("P.S.A32.5") == "P.S.A32.5"
    assert spec_text("DN50*3.5") == "DN50*3.5"
    assert spec_text("1830*915*15") == "1830*915*15"


def test_items_read_by_their_shape_when_the_faint_header_is_unreadable():
    """Faint grey labels read as 目名 1 格号 单位 单: no header to hang columns on; rows shaped like item lines
    (a *分类* name first, amount, rate and tax last) still give every item, and the totals row ends them."""
    lines = [
        [("目名", 85), ("1", 190), ("格号", 220), ("单位", 300), ("单", 380)],
        [("*建筑服务*工程款", 23), ("1334558.46", 430), ("9%", 500), ("120110.26", 540)],
        [("*信息技术服务*系统运维服务", 23), ("月", 300), ("12", 340), ("56556.8500", 370), ("678682.20", 430),
         ("6%", 500), ("40720.93", 540)],
        [("*经营租赁*塔吊租赁费", 23), ("QTZ125", 220), ("台·月", 295), ("3", 345), ("44003.7300", 370),
         ("132011.19", 430), ("13%", 500), ("17161.45", 540)],
        [("分", 69), ("汁", 100), ("¥2145251.85", 425), ("¥177992.64", 535)],
    ]
    words = [_w(t, x, 150 + 13 * i) for i, row in enumerate(lines) for t, x in row]
    items = [it.values for it in extract_items(_index(words))]
    assert [(v["name"], v["amount"], v["tax_rate"], v["tax_amount"]) for v in items] == [
        ("*建筑服务*工程款", "1334558.46", "0.09", "120110.26"),
        ("*信息技术服务*系统运维服务", "678682.20", "0.06", "40720.93"),
        ("*经营租赁*塔吊租赁费", "132011.19", "0.13", "17161.45")]
    assert (items[1]["unit"], items[1]["quantity"], items[1]["unit_price"]) == ("月", "12", "56556.85")
    assert (items[2]["spec"], items[2]["unit"], items[2]["quantity"]) == ("QTZ125", "台·月", "3")


def test_quantity_glued_to_the_price_or_sharing_its_cell_is_split_by_arithmetic():
    from extractors.fields.items import _row_values

    glued = _row_values({"name": "*现代服务*工程咨询费", "unit_price": "1346709.48113208", "amount": "346709.48"})
    assert (glued["quantity"], glued["unit_price"]) == ("1", "346709.48113208")
    shared = _row_values({"name": "*现代服务*工程咨询费", "unit_price": "1.00 367757.01886792", "amount": "367757.02"})
    assert (shared["quantity"], shared["unit_price"]) == ("1", "367757.01886792")
    # a price that is the amount over a lost quantity is left alone: no split multiplies out
    kept = _row_values({"name": "*钢材*螺纹钢", "unit_price": "4272.07", "amount": "418022.05"})
    assert (kept["quantity"], kept["unit_price"]) == (None, "4272.07")


def test_issue_date_read_when_ocr_took_the_first_label_character_for_another():
    """开票日期 read as 井票日期 (seed 6161 inv_0056, a grey BMP scan): the date is still the issue date."""
    words = [_w("发票代码：3100241199", 31, 42), _w("井票日期：", 300, 42), _w("2024年11月28日", 350, 42)]
    doc = _invoice(words)
    assert doc.fields["issue_date"].value == "2024-11-28"


def test_invoice_number_read_when_the_title_took_the_first_label_character():
    """上海增值税电子普通发票 letter-spaced into its label: OCR gave 普通发 | 票票号码 (seed 8686 inv_0023, page 3
    of an image PDF of four invoices): the number is still read, so the page starts its own document."""
    words = [_w("上海增值税电子", 250, 30), _w("普通发", 320, 30), _w("票票号码：", 430, 42), _w("60194195", 480, 42),
             _w("发票代码：031002211393", 31, 42)]
    assert _invoice(words).fields["invoice_number"].value == "60194195"


def test_a_page_whose_number_label_lost_its_first_character_starts_a_document():
    from pipeline.split import split_documents

    def page(n: int, number: str, label: str) -> Page:
        words = [_w("增值税电子普通发票", 250, 30), _w(label, 430, 42), _w(number, 480, 42), _w("价税合计", 40, 300)]
        return Page(number=n, width=842, height=595, words=words, lines=group_lines(words))

    doc = Document(id="d", sha256="0", source="t",
                   pages=[page(1, "92123621", "发票号码："), page(2, "60194195", "票票号码：")])
    assert [d.page_range for d in split_documents(doc)] == [(1, 1), (2, 2)]


def _party_ids(buyer: tuple[str, str], seller: tuple[str, str]) -> Document:
    """An e-invoice's two party blocks, each (tax-id label as OCR read it, the id as OCR read it), extracted."""
    words = [_w("购买方信息", 28, 80), _w("销售方信息", 303, 80),
             _w("名称：广州瑞丰科技发展股份有限公司", 49, 95), _w("名称：西安恒泰供应链管理有限公司", 324, 95),
             _w(buyer[0], 50, 118, 117), _w(buyer[1], 169, 118, 86),
             _w(seller[0], 325, 118, 117), _w(seller[1], 444, 118, 86)]
    doc = _invoice(words)
    return doc


def test_tax_ids_read_when_ocr_misread_the_first_label_character():
    """统一社会信用代码/纳税人识别号 read as …/站税人识别号 (or …/结税人识到号) and …/钢税人识别号 on a noisy BMP
    e-invoice (seed 6161 inv_0021): both parties' tax ids were lost."""
    doc = _party_ids(("统一社会信用代码/结税人识到号：", "914401067740329386"),
                     ("统一社会信用代码/钢税人识别号：", "92610113203M99952H"))
    assert doc.fields["buyer_tax_id"].value == "914401067740329386"
    assert doc.fields["seller_tax_id"].value == "92610113203M99952H"


def test_a_credit_code_whose_letters_ocr_read_in_lower_case():
    """925001057106209J42 read as 925001057106209j42 on a noisy BMP (seed 9494 inv_0164): the 15 digits before
    the j were taken for an old-style id. Letters in either case; upper case out, its check character holds."""
    label = "统一社会信用代码/纳税人识别号："
    doc = _party_ids((label, "925001057106209j42"), (label, "9244010628352206xc"))
    assert doc.fields["buyer_tax_id"].value == "925001057106209J42"
    assert doc.fields["seller_tax_id"].value == "9244010628352206XC"


def test_capitals_with_one_digit_misread_are_mended_only_when_the_figures_agree():
    """伍万捌仟叁佰柒拾捌圆壹角伍分 read with 壹 as 台 on a noisy BMP (seed 9494 inv_0164): the words stopped at 圆,
    58378.00 against ¥58378.15 (a false AMOUNT_WORDS_MISMATCH). The one capital digit that makes words and
    figures agree is put in; figures that no digit there can match (an edited amount) are left to the check."""

    def read(figures: str):  # type: ignore[no-untyped-def]
        words = [_w("价税合计（大写）", 40, 270), _w("伍万捌仟叁佰柒拾捌圆台角伍分", 155, 270),
                 _w("(小写)", 412, 270), _w(figures, 446, 270)]
        doc = _invoice(words)
        return doc

    doc = read("¥58378.15")
    assert doc.value("total_amount_in_words") == "伍万捌仟叁佰柒拾捌圆壹角伍分"
    assert doc.fields["total_amount_in_words"].raw_text == "伍万捌仟叁佰柒拾捌圆台角伍分"  # what the page showed
    doc = read("¥58379.15")
    assert doc.value("total_amount") == "58379.15" and doc.value("total_amount_in_words") == "伍万捌仟叁佰柒拾捌圆"


def test_invoice_number_label_with_its_last_character_misread():
    # seed 4141 inv_0056: 码 read as 的, the printed number lost and the QR's filled in for it, so a
    # printed number edited away from the QR's went unseen
    words = [_w("发票号的", 420, 20), _w("：", 460, 20), _w("22328175454640753096", 470, 20, 100)]
    assert _invoice(words).value("invoice_number") == "22328175454640753096"
    words = [_w("发票号码", 420, 20), _w("：", 460, 20), _w("22328175454640753096", 470, 20, 100)]
    assert _invoice(words).value("invoice_number") == "22328175454640753096"
    # a 号 in running text before a colon, with no 发票 before it, is no label
    assert _invoice([_w("账号：", 420, 20), _w("22328175454640753096", 470, 20, 100)]).value("invoice_number") is None


def test_totals_with_the_brackets_around_their_labels_lost():
    # seed 4141 inv_0008, a noisy BMP turned 270°: 价税合计（大写）…（小写） read as 大写 … 小写, the total lost
    words = [_w("大写", 105, 254), _w("X", 176, 254), _w("肆拾肆万陆仟壹佰陆拾柒圆柒角贰分", 194, 254),
             _w("小写", 470, 254), _w("¥446167.72", 502, 254)]
    doc = _invoice(words)
    assert doc.value("total_amount") == "446167.72"
    assert doc.value("total_amount_in_words") == "肆拾肆万陆仟壹佰陆拾柒圆柒角贰分"


def test_a_payee_name_whited_out_is_missing_not_the_account_below_it():
    # seed 7171 vou_0014: 收款方户名 (read 收技方户名) with nothing after it; the account on the next line was
    # taken for the name
    words = [_w("付共人户名", 30, 80), _w("西安东方信息技术有限公司", 90, 80), _w("收技方户名", 330, 80),
             _w("付款人账号", 30, 101), _w("3687321822564130621", 90, 101), _w("收款账号", 330, 101),
             _w("8177121404869522", 380, 101)]
    doc = Document(id="d", sha256="0", source="t", pages=[Page(number=1, width=595, height=842, words=words)])
    doc.pages[0].lines = group_lines(words)
    voucher.extract(doc, page_index(doc.pages))
    assert doc.value("payer_name") == "西安东方信息技术有限公司"
    assert doc.value("payee_account") == "8177121404869522"
    assert doc.value("payee_name") is None


def test_an_e_invoice_number_whose_label_was_lost_is_read_by_its_place_and_year():
    # seed 9393 inv_0054, a noisy BMP: every label in the header lost, the number alone on its line
    words = [_w("24619402754076492925", 420, 20, 100), _w("电子发票（普通发票", 200, 30), _w("2024年04月22日", 430, 40)]
    assert _invoice(words).value("invoice_number") == "24619402754076492925"
    # not when the year prefix matches no date printed on the page, nor low on the page (an account number)
    other_year = [_w("24619402754076492925", 420, 20, 100), _w("2023年04月22日", 430, 40)]
    assert _invoice(other_year).value("invoice_number") is None
    low = [_w("2023年04月22日", 430, 40), _w("23619402754076492925", 420, 400, 100)]
    assert _invoice(low).value("invoice_number") is None


def test_voucher_figures_after_the_words_with_no_label_of_their_own():
    # seed 9393 vou_0053 (ICBC): 金额 (大写)肆万柒仟捌佰捌拾叁元壹角壹分 ¥47884.11 — the figures were not read,
    # the amount was taken from the words, and an edited figure went unseen
    words = [_w("金额", 30, 120), _w("(大写)肆万柒仟捌佰捌拾叁元壹角壹分", 60, 120), _w("¥47884.11", 330, 120)]
    doc = Document(id="d", sha256="0", source="t", pages=[Page(number=1, width=595, height=842, words=words)])
    doc.pages[0].lines = group_lines(words)
    voucher.extract(doc, page_index(doc.pages))
    assert doc.value("amount_in_words") == "肆万柒仟捌佰捌拾叁元壹角壹分"
    assert doc.value("amount") == "47884.11"


def test_voucher_figures_before_capitals_marked_only_by_renminbi():
    # seed 9393 vou_0007, a noisy BMP: ¥3,520,240.70 人民币叁佰伍拾贰万零贰佰肆拾元柒角整, every label lost
    words = [_w("¥3,520,240.70", 30, 120), _w("人民币叁佰伍拾贰万零贰佰肆拾元柒角整", 130, 120)]
    doc = Document(id="d", sha256="0", source="t", pages=[Page(number=1, width=595, height=842, words=words)])
    doc.pages[0].lines = group_lines(words)
    voucher.extract(doc, page_index(doc.pages))
    assert doc.value("amount_in_words") == "叁佰伍拾贰万零贰佰肆拾元柒角整"
    assert doc.value("amount") == "3520240.70"
