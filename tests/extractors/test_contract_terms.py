"""Contract terms from clause text: payment nodes, rates in their wordings, retention, penalty,
guarantee, dispute, dates; the assignment clause and its negations; a committed contract end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.contracts.assignment import restrictive
from extractors.contracts.terms import extract_terms
from extractors.layout import LineIndex
from pipeline.types import Document, Line, Word

COMMITTED = Path(__file__).resolve().parents[2] / "samples" / "committed"


def contract(lines: list[str], pages: int = 1) -> tuple[Document, list[LineIndex]]:
    per = -(-len(lines) // pages)
    index = []
    for k, text in enumerate(lines):
        box = (60.0, 80.0 + 20 * (k % per), 60.0 + 10 * len(text), 92.0 + 20 * (k % per))
        index.append(LineIndex(Line(text=text, bbox=box, words=[Word(text=text, bbox=box)]), 1 + k // per))
    doc = Document(id="t", sha256="0", source="t.pdf", doc_type="contract")
    extract_terms(doc, index, use_model=False)
    return doc, index


def terms(*body: str) -> Document:
    return contract(["第一条 付款方式", *body, "第二条 其他", "本合同自双方签字盖章之日起生效。"])[0]


def test_payment_nodes_as_the_brief_writes_them():
    doc = terms("1.1 预付款：合同签订后14天内，甲方向乙方支付合同价款的20%（即人民币¥9,476,301.57元）作为预付款。",
                "1.2 进度款：按月完成工程量的80%在监理确认后28天内支付。",
                "1.3 竣工结算款：工程竣工验收合格且结算审核完成后30天内，支付至结算价款的97%。",
                "1.4 质量保证金：质量保证金为结算价款的3%，缺陷责任期为24个月，期满无质量问题后14天内无息返还。",
                "1.5 乙方应在每次收款前向甲方开具等额合法有效的增值税专用发票。")
    assert doc.value("payment_terms") == [
        {"milestone": "预付款", "rate": "0.2", "amount": "9476301.57", "due_days": 14, "cumulative": False},
        {"milestone": "进度款", "rate": "0.8", "amount": None, "due_days": 28, "cumulative": False},
        {"milestone": "竣工结算款", "rate": "0.97", "amount": None, "due_days": 30, "cumulative": True},
        {"milestone": "质量保证金", "rate": "0.03", "amount": None, "due_days": 14, "cumulative": False},
    ]
    assert doc.value("advance_payment_rate") == "0.2"
    assert doc.value("retention_rate") == "0.03" and doc.value("retention_months") == 24
    f = doc.fields["retention_rate"]
    assert f.provenance.page == 1 and f.raw_text == "3%"
    assert doc.fields["payment_terms"].provenance.bbox is not None


def test_progress_payment_without_days():
    doc = terms("进度款：按月完成工程量的75%经监理及甲方审核后支付。")
    assert doc.value("payment_terms") == [
        {"milestone": "进度款", "rate": "0.75", "amount": None, "due_days": None, "cumulative": False}]


@pytest.mark.parametrize("wording,want", [
    ("每日按应付未付款的万分之五向乙方支付违约金", "0.0005"),
    ("每日按应付未付款的万分之三向乙方支付违约金", "0.0003"),
    ("每日按应付未付款的千分之一向乙方支付违约金", "0.001"),
    ("每日按应付未付款的0.05%向乙方支付违约金", "0.0005"),
    ("应按日千分之一的标准支付逾期付款违约金", "0.001"),
    ("每逾期一日，应按逾期金额的万分之二支付滞纳金", "0.0002"),
])
def test_penalty_rate_wordings(wording, want):
    doc = contract(["第一条 违约责任", f"1.1 甲方逾期付款的，{wording}。",
                    "1.2 乙方逾期交付的，每日按合同总价的千分之三支付违约金。"])[0]
    assert doc.value("penalty_rate_per_day") == want


def test_delivery_penalty_is_not_a_payment_penalty():
    doc = contract(["第一条 违约责任", "乙方逾期交付的，每日按合同总价的千分之三支付违约金。"])[0]
    assert doc.value("penalty_rate_per_day") is None


@pytest.mark.parametrize("text,want", [
    ("乙方应于合同签订后14日内向甲方提交合同价款10%的履约保函。", "履约保函"),
    ("武汉华晟建材有限公司为甲方在本合同项下的付款义务提供连带责任保证。", "连带责任保证"),
    ("乙方应向甲方缴纳合同价款5%的履约保证金。", "履约保证金"),
])
def test_guarantee_as_printed(text, want):
    assert contract(["第一条 履约担保", text])[0].value("guarantee_type") == want


def test_dispute_arbitration_and_litigation():
    arb = contract(["一、争议解决", "协商不成的，任何一方均可提交中国国际经济贸易仲裁委员会仲裁。"])[0]
    assert (arb.value("dispute_resolution"), arb.value("dispute_venue")) == ("arbitration", "中国国际经济贸易仲裁委员会")
    law = contract(["第一条 争议解决", "协商不成的，任何一方均可向武汉市洪山区人民法院提起诉讼。"])[0]
    assert (law.value("dispute_resolution"), law.value("dispute_venue")) == ("litigation", "武汉市洪山区人民法院")


@pytest.mark.parametrize(("line", "want"), [
    ("本合同争议的管辖法院为北京市海淀区人民法院，双方均应遵守。", ("litigation", "北京市海淀区人民法院")),
    ("发生争议时，双方协商解决；协商不成的，任何一方均可向深圳国际仲裁院申请仲裁。", ("arbitration", "深圳国际仲裁院")),
])
def test_dispute_venue_the_wording_rules_miss_comes_from_the_ner(line, want):
    lines = ["第一条 争议解决", line, "第二条 其他", "本合同自双方签字盖章之日起生效。"]
    without = contract(lines)[0]
    assert without.value("dispute_venue") is None, "the wording rules alone do not read this venue"
    doc = Document(id="t", sha256="0", source="t.pdf", doc_type="contract")
    extract_terms(doc, contract(lines)[1], use_model=True)
    assert (doc.value("dispute_resolution"), doc.value("dispute_venue")) == want
    assert doc.fields["dispute_venue"].provenance.bbox is not None


def test_term_dates():
    doc = contract(["1. 合同工期", "计划开工日期：2021年10月13日；计划竣工日期：2023年06月06日；工期总日历天数602天。"])[0]
    assert (doc.value("start_date"), doc.value("end_date")) == ("2021-10-13", "2023-06-06")
    doc = contract(["二、租赁期限", "租赁期限自2023年8月9日起至2024年4月12日止。"])[0]
    assert (doc.value("start_date"), doc.value("end_date")) == ("2023-08-09", "2024-04-12")


RESTRICTED = [
    "未经甲方书面同意，乙方不得转让本合同项下的债权。",
    "乙方不得将本合同项下的应收账款转让、质押给任何第三方，否则甲方有权拒绝付款。",
    "乙方转让本合同项下的权利义务，须事先取得甲方的书面同意。",
    "经发包人同意后，承包人方可将合同项下的收款权利转让。",
    "本合同项下债权不得转让。",
]
ALLOWED = [
    "乙方有权将本合同项下的应收账款转让给保理商，但应书面通知甲方。",
    "甲方同意乙方将本合同项下的应收账款转让给保理商。",
    "乙方可以转让本合同项下的债权，无需甲方同意。",
    "乙方转让应收账款的，甲方不得拒绝。",
    "双方对商业秘密负有保密义务，未经对方书面同意不得向第三方披露。",
]


@pytest.mark.parametrize("text", RESTRICTED)
def test_assignment_restricted_raises_the_flag(text):
    doc = contract(["第一条 付款方式", "甲方按月支付。", "第二条 债权转让", text])[0]
    assert doc.value("assignment_restricted") is True
    flag = next(f for f in doc.risk_flags if f.code == "ASSIGNMENT_RESTRICTED")
    assert flag.severity == "yellow" and flag.evidence["page"] == 1 and len(flag.evidence["bbox"]) == 4
    assert text.rstrip("。")[:10] in flag.message
    assert restrictive(text)


@pytest.mark.parametrize("text", ALLOWED)
def test_assignment_allowed_or_unrelated_is_never_true(text):
    doc = contract(["第一条 债权转让", text])[0]
    assert doc.value("assignment_restricted") in (False, None)
    assert not any(f.code == "ASSIGNMENT_RESTRICTED" for f in doc.risk_flags)


def test_silence_on_assignment_leaves_the_field_absent():
    doc = contract(["第一条 其他", "本合同自双方签字盖章之日起生效。"])[0]
    assert "assignment_restricted" not in doc.fields and not doc.risk_flags


def _truth(name: str) -> dict:
    return json.loads((COMMITTED / f"{name}.json").read_text(encoding="utf-8"))["documents"][0]["fields"]


TERMS = ["start_date", "end_date", "advance_payment_rate", "payment_terms", "retention_rate", "retention_months",
         "penalty_rate_per_day", "guarantee_type", "assignment_restricted", "dispute_resolution", "dispute_venue"]


@pytest.mark.parametrize("name", ["con_0009.pdf", "con_0014.pdf"])
def test_committed_multipage_digital_contract_end_to_end(name, settings):
    from pipeline.record import to_record
    from pipeline.runner import process_path

    docs = process_path(COMMITTED / name, settings)
    rec = to_record(docs[0])
    assert rec["pages"] >= 2
    want = _truth(name.split(".")[0])
    for field in TERMS:
        assert rec["fields"].get(field) == want.get(field), field
    for d in rec["field_details"]:
        if d["name"] in TERMS:
            assert d["page"] >= 1 and d["bbox"] is not None, d["name"]
    clauses = docs[0].meta["contract_clauses"]
    assert len(clauses) >= 8 and any(len(c["pages"]) for c in clauses if c["pages"] and c["pages"][0] > 1)


def test_committed_scanned_contract_end_to_end(settings):
    from pipeline.record import to_record
    from pipeline.runner import process_path

    rec = to_record(process_path(COMMITTED / "con_0004.pdf", settings)[0])
    want = _truth("con_0004")
    wrong = [f for f in TERMS if rec["fields"].get(f) != want.get(f)]
    assert not wrong, {f: (rec["fields"].get(f), want.get(f)) for f in wrong}


def test_the_party_named_last_before_pay_is_the_payer():
    """乙方提交成果并经甲方确认后支付: 甲方 pays (the one nearest 支付); 向乙方支付违约金 makes 乙方 the payee."""
    from extractors.fields.contract import _yi_pays

    assert not _yi_pays("乙方提交阶段成果并经甲方确认后15日内支付合同价款的40%。"
                        "甲方逾期付款的，每日按应付未付款的0.05%向乙方支付违约金。")
    assert _yi_pays("乙方应于每月5日前向甲方支付当月租金。乙方逾期支付租金的，按日支付违约金。")


def test_the_payer_is_told_by_acceptance_invoices_and_collection_too():
    """A sale whose seller is 甲方, with no clause naming who pays: the one who accepts the goods and is
    sent the invoice pays (the generated con_0040 of seed 6161 had its parties swapped); and the party
    whose invoice comes first is paid, even though it is the one named last before 支付."""
    from extractors.fields.contract import _yi_pays

    assert _yi_pays("到货款：货物到达指定地点并经乙方验收合格后15日内，支付至合同总价的90%。"
                    "甲方应在每次收款前向乙方开具等额合法有效的增值税专用发票。")
    assert not _yi_pays("到货款：货物到达指定地点并经甲方验收合格后15日内，支付至合同总价的90%。"
                        "乙方应在每次收款前向甲方开具等额合法有效的增值税专用发票。")
    assert _yi_pays("乙方应在收到甲方开具的合法有效发票后30日内支付合同价款。")
    assert not _yi_pays("甲方应在收到乙方开具的合法有效发票后30日内支付合同价款。")


def test_a_party_name_cut_by_a_seal_is_completed_by_its_later_mention():
    from extractors.fields.contract import _keep
    from extractors.fields.finder import Found
    from extractors.layout import Span

    def found(text: str) -> Found:
        return Found(value=Span(text, (0, 0, 10, 10), 1, 1.0, "ocr"), label=Span("甲方", (0, 0, 5, 10), 1, 1.0, "ocr"))

    sides: dict[str, Found] = {}
    for text in ("中建二局第二建设工程有限责任公", "中建二局第二建设工程有限责任公司", "中建二局第二建设工程有限责任公司第一分公司"):
        _keep(sides, "payer", found(text))
    assert sides["payer"].value.text == "中建二局第二建设工程有限责任公司"  # completed, not replaced by a longer other name


def test_contract_price_whose_figure_wraps_onto_the_next_line():
    """签约合同价 in capitals that end a line, the rest of the capitals and the figure on the next (seed 9494
    con_0118: 57808627.00 from the first line's capitals): the figure in the clause, read across the break."""
    from extractors.fields import contract as contract_fields

    doc, index = contract(["第一条 合同价款",
                           "（一）签约合同价为人民币（大写）伍仟柒佰捌拾万零捌仟陆佰贰拾柒圆",
                           "肆角捌分（¥57,808,627.48）。",
                           "（二）本合同价格形式为固定总价合同。"])
    contract_fields.extract(doc, index)
    assert doc.value("total_amount") == "57808627.48"
    assert doc.fields["total_amount"].provenance.bbox[1] == 120.0  # the figure's line, under the label's
    doc, index = contract(["第一条 合同价款", "（一）签约合同价为人民币（大写）伍仟柒佰捌拾万零捌仟陆佰贰拾柒圆",
                           "肆角捌分整。"])
    contract_fields.extract(doc, index)
    assert doc.value("total_amount") == "57808627.48"  # no figure: the capitals, both lines of them


def test_a_share_of_the_price_is_not_the_price():
    """合同价款的15%（即人民币¥2,118,257.46元）is the advance payment: with the price's figure wrapped onto
    the next line, the price was read from it (seed 5353 con_0054, then a false OVER_CONTRACT_AMOUNT)."""
    from extractors.fields import contract as contract_fields

    doc, index = contract(["第一条 合同价款",
                           "签约合同价为人民币（大写）壹仟肆佰壹拾贰万壹仟柒佰壹拾陆元叁角柒分",
                           "（¥14,121,716.37）。",
                           "第二条 付款方式",
                           "（一）预付款：合同签订后15天内，甲方向乙方支付合同价款的15%（即人民币¥2,118,257.46",
                           "元）作为预付款。"])
    contract_fields.extract(doc, index)
    assert doc.value("total_amount") == "14121716.37"
