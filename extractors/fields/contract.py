"""Contract header fields: number, title, parties (payer/payee), signing date, price, project.

Clause-level terms (payment nodes, retention, assignment …) belong to the contract
understanding module; this reads what a contract's first page and signature block say.
"""

from __future__ import annotations

import re

from extractors.contracts.segment import Clause, segment
from extractors.fields import patterns as P
from extractors.fields.base import put, put_value
from extractors.fields.finder import Found, find_all, find_first, take_pattern
from extractors.layout import LineIndex, Span
from extractors.normalize.dates import parse_date
from extractors.normalize.money import format_money, parse_money
from extractors.normalize.numerals import words_to_amount
from extractors.normalize.text import canonical_name, strip_inner_spaces
from pipeline.types import Document

PAYER = "发包人|发包方|买方|买受人|承租人|承租方|采购方|采购人|需方|委托方|委托人|业主方?|建设单位|订购方|购货方"
PAYEE = "承包人|承包方|卖方|出卖人|出租人|出租方|供方|供货方|供应商|受托方|受托人|分包人|分包方|服务方|施工单位|销售方|承揽人|承揽方"
PARTY = re.compile(
    rf"(?:^|\s|[：:])((?:甲|乙)\s*方|{PAYER}|{PAYEE})\s*(?:[（(]\s*(?:(?:甲|乙)方|{PAYER}|{PAYEE}|全称|名称)\s*[)）])?\s*(?:[（(]\s*全\s*称\s*[)）])?\s*(?:名\s*称)?\s*(?:[：:]|(?=\s))"
)
NUMBER = re.compile(r"(?:合\s*同\s*编\s*号|合\s*同\s*号|协\s*议\s*编\s*号|编\s*号)")
NUMBER_VALUE = re.compile(r"(?<![{A-Za-z0-9])((?=[A-Za-z0-9\-－_/〔〕\[\]（）()]*\d)[A-Za-z0-9][A-Za-z0-9\-－_/〔〕\[\]（）()]{3,40})")
SIGNED = re.compile(r"(?:签\s*订\s*日\s*期|签\s*订\s*时\s*间|签\s*约\s*日\s*期|签\s*署\s*日\s*期|签\s*订\s*于)")
# the price's label, not "合同价款的15%（即人民币¥2,118,257.46元）": a share of it (an advance payment)
PRICE = re.compile(r"(?:合同总价|签约合同价|合同总金额|合同金额|合同价款|合同总价款|总价款|总金额|合同价格|租金总额|服务费总额)"
                   r"(?!的?\s*(?:\d+(?:\.\d+)?\s*[%％]|百分之))")
PROJECT = re.compile(r"(?:工\s*程\s*名\s*称|项\s*目\s*名\s*称)")
TITLE = re.compile(r"(合同|协议)(书)?\s*$")


def _side(role: str, text: str) -> str:
    role = role.replace(" ", "")
    if role == "承包人" or role == "承包方":
        return "payer" if re.search(r"分包人|分包方", text) else "payee"
    if re.fullmatch(PAYER, role):
        return "payer"
    if re.fullmatch(PAYEE, role):
        return "payee"
    return "payer" if role.startswith("甲") else "payee"


# the party named last before 支付 pays (乙方提交成果并经甲方确认后支付: 甲方) unless it is the one whose invoice
# comes first (收到甲方开具的发票后支付); 向乙方支付 is the payee
PAYS = re.compile(r"(?<!向)(甲|乙)\s*方(?!\s*(?:开具|出具))(?:(?![甲乙]\s*方)[^。；;，,：:]){0,24}?支\s*付")
PAID = re.compile(r"向\s*(甲|乙)\s*方[^。；;，,]{0,10}?支\s*付")
# the other sides of a payment: the one who accepts the goods before the money goes (经甲方验收合格后15日内，
# 支付), who is sent the invoice (向乙方开具发票) or who receives it (收到甲方开具的发票) pays; who collects
# (乙方应在每次收款前) or issues the invoice is paid
ACCEPTS = re.compile(r"经\s*(甲|乙)\s*方[^。；;，,]{0,8}?(?:验收|确认|审核)[^。；;]{0,30}?支\s*付")
INVOICED = re.compile(r"向\s*(甲|乙)\s*方\s*(?:开具|出具|提供)[^。；;，,]{0,16}?发\s*票")
ISSUES = re.compile(r"(?<![向甲乙])(甲|乙)\s*方\s*(?:开具|出具)[^。；;，,]{0,16}?发\s*票")
COLLECTS = re.compile(r"(甲|乙)\s*方(?:(?![甲乙]\s*方)[^。；;，,：:]){0,8}?收\s*款")
VOTES: tuple[tuple[re.Pattern[str], bool], ...] = (
    (PAYS, True), (ACCEPTS, True), (INVOICED, True), (PAID, False), (ISSUES, False), (COLLECTS, False))


def _yi_pays(text: str) -> bool:
    """Whether the contract's payment clauses make 乙方 the payer (租金 paid by 乙方, a sale whose seller
    is 甲方 …): each clause that names who pays, accepts, is invoiced, collects or invoices is a vote."""
    votes = {"甲": 0, "乙": 0}
    for pattern, pays in VOTES:
        for m in pattern.finditer(text):
            side = m.group(1)
            votes[side if pays else ("乙" if side == "甲" else "甲")] += 1
    return votes["乙"] > votes["甲"]


def _keep(by_side: dict[str, Found], side: str, found: Found) -> None:
    """The first name given for a side, unless a later one completes it (a seal hid its last characters
    where the name first appears: 中建二局第二建设工程有限责任公 → …公司)."""
    first = by_side.get(side)
    if first is None:
        by_side[side] = found
        return
    old, new = first.value.text.replace(" ", ""), found.value.text.replace(" ", "")
    if new.startswith(old) and 0 < len(new) - len(old) <= 2:
        by_side[side] = found


def _parties(doc: Document, index: list[LineIndex]) -> None:
    head = [i for i, li in enumerate(index) if li.page <= 2][:120]
    text = "\n".join(li.text for li in index)
    found = find_all(index, PARTY, stop=re.compile(r"[（(]以下|[，,；;。]|地\s*址|法定代表人|联\s*系|电\s*话|" + PARTY.pattern[PARTY.pattern.index("((?:"):]), lines=head, below=False)
    seen: dict[str, Found] = {}
    jia_yi: dict[str, Found] = {}
    for f in found:
        m = PARTY.search(f.label.text) or PARTY.search(" " + f.label.text)
        role = (m.group(1) if m else f.label.text).replace(" ", "")
        label = f.label.text.replace(" ", "")
        named_roles = re.findall(rf"{PAYER}|{PAYEE}", label)
        if named_roles:
            _keep(seen, _side(named_roles[0], text), f)
        else:
            _keep(jia_yi, _side(role, text), f)
    if jia_yi and _yi_pays(text):  # a lease or sale where 甲方 is paid: the debtor is 乙方
        jia_yi = {("payee" if side == "payer" else "payer"): f for side, f in jia_yi.items()}
    for side, f in jia_yi.items():
        seen.setdefault(side, f)
    put(doc, "party_a_name", seen.get("payer"), canonical_name)
    put(doc, "party_b_name", seen.get("payee"), canonical_name)


def _title(doc: Document, index: list[LineIndex]) -> None:
    first = [li for li in index if li.page == index[0].page][:15] if index else []
    cands = [li for li in first if TITLE.search(li.text) and len(li.text.replace(" ", "")) <= 40 and "：" not in li.text and ":" not in li.text]
    if cands:
        best = max(cands, key=lambda li: li.height)
        put(doc, "contract_title", best.span(0, len(best.text)), strip_inner_spaces)


def _amount(text: str) -> str | None:
    value = parse_money(text)
    if value is None:
        value = words_to_amount(re.sub(r"^(?:人民币|RMB)\s*", "", text))
    return format_money(value) if value is not None else None


SIGNED_IN_TEXT = re.compile(
    rf"于\s*({P.DATE.pattern[1:-1]})\s*(?:在[^，。,；;]{{0,24}}?)?\s*(?:签\s*订|签\s*署|订\s*立)"
)
SIGNATURE_DATE = re.compile(r"(?:^|\s)(?:签\s*字\s*|签\s*署\s*|签\s*约\s*)?日\s*期\s*[:：]")


def _signed(index: list[LineIndex]) -> Span | Found | None:
    """签订日期 label, else "于2024年5月1日在…签订" in the text, else the signature block's 日期."""
    found = find_first(index, SIGNED, P.DATE, max_skip=12)
    if found is not None:
        return found
    for li in index:
        m = SIGNED_IN_TEXT.search(li.text)
        if m:
            return li.span(m.start(1), m.end(1))
    dated = find_all(index, SIGNATURE_DATE, P.DATE, max_skip=4, below=False)
    return dated[-1] if dated else None


def _price(index: list[LineIndex], clauses: list[Clause]) -> Found | Span | None:
    """The contract price: its figure after the label on the label's line (or under it), else in the
    label's clause read across line breaks (签约合同价为人民币（大写）…柒圆 / 肆角捌分（¥57,808,627.48）:
    the figure on the next line), else the capitals there, else the capitals on the label's line."""
    found = find_first(index, PRICE, P.MONEY, max_skip=60)
    for value, skip in ((P.MONEY, 60), (P.CAPITALS, 30)):
        found = found or _after_label(clauses, PRICE, value, skip)
    return found or find_first(index, PRICE, P.CAPITALS, max_skip=30)


def _after_label(clauses: list[Clause], label: re.Pattern[str], value: re.Pattern[str], max_skip: int) -> Span | None:
    """The first ``value`` within ``max_skip`` characters after ``label`` in a clause's text (lines joined)."""
    for clause in clauses:
        for m in label.finditer(clause.text):
            found = take_pattern(clause, m.end(), value, max_skip)
            if found is not None:
                return found
    return None


def extract(doc: Document, index: list[LineIndex]) -> None:
    put(doc, "contract_number", find_first(index, NUMBER, NUMBER_VALUE), lambda t: re.sub(r"\s+", "", t).upper())
    _title(doc, index)
    _parties(doc, index)
    put(doc, "project_name", find_first(index, PROJECT, stop=re.compile(r"[；;。，,]|\s{3,}|工程地点|项目地点")), strip_inner_spaces)
    clauses = segment(index)
    put(doc, "total_amount", _price(index, clauses), _amount)
    put(doc, "signing_date", _signed(index), parse_date)
    if doc.fields:
        cur = "USD" if re.search(r"美元|USD", doc.text[:4000]) else "EUR" if re.search(r"欧元|EUR", doc.text[:4000]) else "CNY"
        put_value(doc, "currency", cur, source="derived")
    from extractors.contracts.terms import extract_terms

    extract_terms(doc, index, clauses=clauses)
