"""Clause segmentation: numbering styles, page furniture, preamble and signature block."""

from __future__ import annotations

from extractors.contracts.segment import full_text, segment
from extractors.layout import LineIndex
from pipeline.types import Line, Word


def index(pages: list[list[str]]) -> list[LineIndex]:
    out = []
    for p, lines in enumerate(pages, 1):
        for k, text in enumerate(lines):
            box = (60.0, 80.0 + 20 * k, 60.0 + 10 * len(text), 92.0 + 20 * k)
            out.append(LineIndex(Line(text=text, bbox=box, words=[Word(text=text, bbox=box)]), p))
    return out


def shape(clauses):
    return [(c.number, c.level, c.heading) for c in clauses]


def test_tiao_with_decimal_subclauses_across_pages():
    clauses = segment(index([
        ["采购合同", "合同编号：CG2024001", "甲方：武汉华晟建材有限公司", "根据《民法典》，双方订立本合同。",
         "第一条　标的物", "标的物名称、规格详见下表：", "1 钢筋 吨 20 4,500.00", "第二条　付款方式",
         "2.1 预付款：合同签订后7天内，甲方向乙方支付合同价款的30%作为", "— 1 —"],
        ["预付款。", "2.2 尾款：验收合格后30日内支付剩余的70%。", "第三条 争议解决",
         "协商不成的，向武汉市洪山区人民法院提起诉讼。", "第 2 页"],
        ["（以下无正文，为签署页）", "甲方（盖章）：武汉华晟建材有限公司", "第四条 不是条款"],
    ]))
    assert shape(clauses) == [("第一条", 1, "标的物"), ("第二条", 1, "付款方式"), ("2.1", 2, "预付款"),
                              ("2.2", 2, "尾款"), ("第三条", 1, "争议解决")]
    assert "1 钢筋" in clauses[0].text  # a table row starting with a number stays text
    adv = clauses[2]
    assert adv.text.endswith("作为预付款。") and "— 1 —" not in adv.text  # page number dropped, join across pages
    assert adv.pages == [1, 2]
    span = adv.span(adv.text.index("30%"), adv.text.index("30%") + 3)
    assert span.page == 1 and span.text == "30%"
    assert clauses[1].pages == [1] and clauses[1].span().page == 1  # heading-only clause keeps its line
    assert "预付款" in full_text(clauses, 1) and "尾款" in full_text(clauses, 1)
    assert clauses[2].parent == 1


def test_chinese_numbering_with_parenthesised_subclauses():
    clauses = segment(index([[
        "一、合同价款", "（一）签约合同价为人民币100,000.00元。", "（二）结算价款以审计结果为准。",
        "二、付款方式", "(一)预付款：合同签订后15天内支付合同价款的10%。", "（1）付款前乙方开具发票；",
        "（2）甲方审核。", "三、其他", "本合同自双方签字盖章之日起生效。",
    ]]))
    assert shape(clauses) == [("一、", 1, "合同价款"), ("（一）", 2, ""), ("（二）", 2, ""), ("二、", 1, "付款方式"),
                              ("(一)", 2, "预付款"), ("（1）", 3, ""), ("（2）", 3, ""), ("三、", 1, "其他")]
    assert clauses[5].parent == 4 and clauses[4].parent == 3


def test_decimal_numbering_three_levels_and_wrapped_numbers():
    clauses = segment(index([[
        "1. 合同工期", "计划开工日期：2024年3月1日；计划竣工日期：2024年12月31日；工期总日历天数",
        "306天。", "2. 付款", "2.1 进度款", "2.1.1 按月完成工程量的80%在监理确认后28天内支付。",
        "2.1.2 进度款支付至合同价款的85%后停止支付。", "28 天内未支付的，按逾期处理。", "3. 其他",
    ]]))
    assert [(c.number, c.level) for c in clauses] == [("1", 1), ("2", 1), ("2.1", 2), ("2.1.1", 3), ("2.1.2", 3),
                                                      ("3", 1)]
    assert clauses[0].text.endswith("306天。")
    assert "28 天内未支付" in clauses[4].text  # "28 天" continues 2.1.2: 28 is not the next clause number


def test_running_header_and_page_numbers_are_not_text():
    clauses = segment(index([
        ["XX项目施工合同", "第一条 工程概况", "工程名称：综合楼。", "第1页 共2页"],
        ["XX项目施工合同", "第二条 工期", "自2024年1月1日起至2024年6月30日止。", "第2页 共2页"],
    ]))
    assert shape(clauses) == [("第一条", 1, "工程概况"), ("第二条", 1, "工期")]
    assert clauses[0].text == "工程名称：综合楼。"
    assert clauses[1].text == "自2024年1月1日起至2024年6月30日止。"


def test_no_numbering_gives_no_clauses():
    assert segment(index([["这是一段没有编号的文字。", "另一段。"]])) == []
