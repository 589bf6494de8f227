"""Bank e-receipt fields (payment vouchers), per records.md."""

from __future__ import annotations

import re

from extractors.fields import patterns as P
from extractors.fields.base import put
from extractors.fields.finder import Found, find_all, find_first
from extractors.fields.roles import anchors, assign
from extractors.layout import LineIndex, Span
from extractors.normalize.dates import parse_date
from extractors.normalize.ids import normalize_code
from extractors.normalize.money import format_money, parse_money
from extractors.normalize.numerals import words_to_amount
from extractors.normalize.text import canonical_name, strip_inner_spaces
from pipeline.types import Document

ROLES = {
    "payer": re.compile(r"付\s*款\s*(?:人|方|单位|账户)|出\s*账|汇\s*款\s*人"),
    "payee": re.compile(r"收\s*款\s*(?:人|方|单位|账户)|入\s*账|收\s*方"),
}
_P = r"(?:付\s*款\s*(?:人|方|单位)?|收\s*款\s*(?:人|方|单位)?)?\s*"
NAME = re.compile(r"(?:(?<![\u4e00-\u9fff])|(?<=[人方位]))" + _P + r"(?:户\s*名|全\s*称|名\s*称|账\s*户\s*名\s*称)|(?:付|收)\s*款\s*(?:人|方|单位)(?=\s*[:：])")
ACCOUNT = re.compile(_P + r"(?<!开户)(?:账\s*号|卡\s*号|账\s*户(?!\s*名))")
BANK = re.compile(_P + r"(?:开\s*户\s*(?:银\s*)?行(?:\s*名\s*称)?|开\s*户\s*机\s*构|银\s*行\s*名\s*称)")
STOP = re.compile(r"(?:账\s*号|户\s*名|全\s*称|开\s*户|收\s*款|付\s*款|金\s*额|摘\s*要|用\s*途|业\s*务|交\s*易|备\s*注|时\s*间|日\s*期|\s{3,})")
SERIAL = re.compile(r"(?:回\s*单\s*(?:编\s*号|号\s*码|号)|电子回单号码|交\s*易\s*流\s*水\s*号|流\s*水\s*号|凭\s*证\s*号|业\s*务\s*编\s*号|交\s*易\s*序\s*号)")
DATE_LABEL = re.compile(r"(?:交\s*易\s*日\s*期|交\s*易\s*时\s*间|记\s*账\s*日\s*期|入\s*账\s*日\s*期|转\s*账\s*日\s*期|日\s*期)")
AMOUNT_LABEL = re.compile(r"(?:小\s*写|交\s*易\s*金\s*额|金\s*额(?!\s*[(（]?\s*大))")
# 人民币 right before capitals marks them too: a noisy scan loses 金额(大写) (seed 9393 vou_0007)
WORDS_LABEL = re.compile(r"大\s*写|金\s*额\s*[(（]\s*大\s*写\s*[)）]|人\s*民\s*币(?=\s*[零壹贰叁肆伍陆柒捌玖])")
PURPOSE = re.compile(r"(?:用\s*途|摘\s*要|附\s*言|汇\s*款\s*用\s*途)")  # records.md: 用途 / 摘要 / 附言
BANK_NAME = re.compile(r"银行|信用社|支行|分行|营业部|合作联社|储蓄|农商|农信|Bank", re.IGNORECASE)
SERIAL_VALUE = re.compile(r"([0-9A-Za-z][0-9A-Za-z\-]{5,40})")


def _words(text: str) -> str | None:
    text = re.sub(r"^(?:人民币|RMB|CNY)\s*", "", text.strip())
    return text if words_to_amount(text) is not None else None


def _name(text: str) -> str | None:
    """A party's name holds letters (CJK or Latin); a bare number is the account on the line below,
    taken when the name was lost (seed 7171 vou_0014: the payee's name whited out, its account read
    as the name, and no LOW_CONFIDENCE)."""
    return canonical_name(text) if re.search(r"[^\W\d_]", text) else None


def _figures_beside(index: list[LineIndex], words: Found | None) -> Span | None:
    """The ¥ figures on the line of the capitals, before or after them, when no label of their own was
    read (金额 (大写)… ¥47,884.11, seed 9393 vou_0053; ¥3,520,240.70 人民币叁佰…, vou_0007): read before
    the amount is taken from the words, so that an edited figure still disagrees with them."""
    if words is None:
        return None
    for li in index:
        m = P.YEN_MONEY.search(li.text) if li.page == words.value.page and words.value.text in li.text else None
        if m:
            return li.span(m.start(1), m.end(1))
    return None


def _money(text: str) -> str | None:
    value = parse_money(text)
    return format_money(value) if value is not None else None


def extract(doc: Document, index: list[LineIndex]) -> None:
    put(doc, "serial_number", find_first(index, SERIAL, SERIAL_VALUE), lambda t: re.sub(r"[^0-9A-Za-z]", "", t).upper() or None)
    put(doc, "payment_date", find_first(index, DATE_LABEL, P.DATE, max_skip=10), parse_date)
    marks = anchors(index, ROLES)
    for label, key, value, norm in (
        (NAME, "name", None, _name),
        (ACCOUNT, "account", P.ACCOUNT, normalize_code),
        (BANK, "bank", None, lambda t: strip_inner_spaces(t) if BANK_NAME.search(t) else None),
    ):
        found = find_all(index, label, value, stop=STOP, max_skip=4)
        explicit = {}
        rest = []
        for f in found:
            lab = f.label.text.replace(" ", "")
            role = "payer" if lab.startswith("付款") else "payee" if lab.startswith("收款") else None
            if role and role not in explicit:
                explicit[role] = f
            else:
                rest.append(f)
        roles = assign(rest, marks, [r for r in ("payer", "payee") if r not in explicit])
        roles.update(explicit)
        for role in ("payer", "payee"):
            put(doc, f"{role}_{key}", roles.get(role), norm)
    words = find_first(index, WORDS_LABEL, re.compile(r"((?:人民币|RMB)?\s*[零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆元角分整正]{2,})"), max_skip=8)
    put(doc, "amount_in_words", words, _words)
    put(doc, "amount", find_first(index, AMOUNT_LABEL, P.MONEY, max_skip=10), _money)
    if doc.value("amount") is None:
        put(doc, "amount", _figures_beside(index, words), _money)
    if doc.value("amount") is None and doc.value("amount_in_words"):
        value = words_to_amount(doc.value("amount_in_words"))
        put(doc, "amount", words, lambda _t: format_money(value) if value is not None else None)
    put(doc, "purpose", find_first(index, PURPOSE, below=False, stop=re.compile(r"\s{3,}|交易|渠道|打印|回单|业\s*务|用\s*途|摘\s*要|时\s*间\s*戳|记\s*账")), strip_inner_spaces)
