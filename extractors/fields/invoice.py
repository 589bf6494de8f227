"""VAT invoice fields (专用 / 普通 / 全电 e-invoice), per records.md."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from extractors.fields import patterns as P
from extractors.fields.base import put, put_value
from extractors.fields.finder import Found, find_all, find_first
from extractors.fields.items import extract_items
from extractors.fields.roles import anchors, assign
from extractors.fields.unlabelled import fill_parties
from extractors.layout import LineIndex, Span, _union, group_lines, lbl
from extractors.normalize.dates import parse_date
from extractors.normalize.ids import normalize_code, normalize_tax_id
from extractors.normalize.money import format_money, parse_money
from extractors.normalize.numerals import words_to_amount
from extractors.normalize.text import canonical_name, strip_inner_spaces
from pipeline.types import Document

# 发 optional: a title letter-spaced close to the label may take it (普通发 | 票票号码, seed 8686 inv_0023 p. 3)
# 发票号码, or 发票号 and one misread character before its colon (seed 4141 inv_0056: 发票号的：, the number lost)
NUMBER_LABEL = re.compile(r"(?:发\s*)?票\s*号\s*码|发\s*票\s*号\s*[\u4e00-\u9fff]?(?=\s*[:：])"
                          r"|(?<![A-Za-z])N[oO0](?![A-Za-z])\.?|№")
# 20 digits (全电), or 8 — also when OCR glues the 10/12-digit code right after it
NUMBER_VALUE = re.compile(r"(?<!\d)(\d{20}(?!\d)|\d{8}(?!\d)|\d{8}(?=\d{10}(?:\d{2})?(?!\d)))")
# 名称 (not 货物名称, 服务名称, 项目名称, 商品名称, 工程名称: with the seller's line unread a remark's 工程名称 gave its
# project as the seller); or its 称： alone where the letter-spaced label was cut in two and 名 joined another line
NAME_LABEL = re.compile(r"(?<![务目物品程])名\s*称|(?<![\u4e00-\u9fff])称\s*[:：]")
# 纳税人识别号 also when OCR misread a character of it (站税人识别号, 结税人识到号 on a noisy scan): after
# 统一社会信用代码/ whatever stands before the value is the label
TAXID_LABEL = re.compile(
    r"(?:统一社会信用代码\s*/\s*[^\s:：\d]{0,7}|[^\s/:：]?\s*税\s*人\s*识\s*别\s*号|统一社会信用代码|税\s*号)"
)
STOP = re.compile(
    r"(?:纳\s*税\s*人|统一社会|地\s*址|开户行|密\s*码|名\s*称|购\s*买\s*方|销\s*售\s*方|[0-9+\-*/<>]{8,}|\s{3,})"
)
PARTY_ROLES = {
    "buyer": re.compile(r"购\s*买\s*方|购\s*方|购\s*货\s*单\s*位|买\s*方"),
    "seller": re.compile(r"销\s*售\s*方(?!\s*[:：(（]\s*[(（]?章)|销\s*方|销\s*货\s*单\s*位|卖\s*方"),
}
def _gappy(word: str, gap: int = 4) -> str:
    """A title pattern that tolerates stamp lettering printed through it (增全国值税专制章用发票)."""
    return f".{{0,{gap}}}?".join(re.escape(ch) for ch in word)


TITLE = re.compile(
    rf"({_gappy('电子发票')}\s*[（(]{{0,2}}\s*(?:增值税)?({_gappy('专用发票')}|{_gappy('普通发票')})\s*[)）]?"
    rf"|{_gappy('增值税')}.{{0,4}}?(?:电子)?.{{0,2}}?({_gappy('专用')}|{_gappy('普通')}).{{0,4}}?{_gappy('发票')}"
    rf"|(专用|普通)发票"
    # a seal or a fold took the first character of 专用 / 普通: 江苏增值税 通发票, 上海增 用发票
    rf"|增.{{0,8}}?(用|通)发票)"
)


def money(text: str) -> str | None:
    value = parse_money(text)
    return format_money(value) if value is not None else None


def code(n: int | tuple[int, ...]) -> object:
    sizes = (n,) if isinstance(n, int) else n

    def norm(text: str) -> str | None:
        digits = normalize_code(text)
        return digits if len(digits) in sizes else None

    return norm


def invoice_kind(index: list[LineIndex]) -> str | None:
    for li in index[:40]:
        m = TITLE.search(li.text.replace(" ", ""))
        if m:
            if m.group(2):
                return "e_invoice"
            kind = m.group(3) or m.group(4) or m.group(5)
            return "vat_special" if kind[0] in "专用" else "vat_ordinary"
    return None


def put_kind(doc: Document, index: list[LineIndex]) -> str | None:
    """invoice_kind from the title; failing it, a 20-digit number is a 全电 e-invoice's."""
    kind = invoice_kind(index)
    if kind is None:
        kind = "e_invoice" if doc.value("invoice_number") and len(doc.value("invoice_number")) == 20 else None
    if kind:
        put_value(doc, "invoice_kind", kind, source="derived")
    return kind


def find_number(index: list[LineIndex]) -> Found | None:
    """发票号码 (or the "No" printed before it on paper invoices)."""
    return find_first(index, NUMBER_LABEL, NUMBER_VALUE)


ALONE_NUMBER = re.compile(r"^\s*(\d{20})\s*$")
TOP_SHARE = 0.3  # the number is printed in the page's top part, above the parties


def unlabelled_number(index: list[LineIndex], page_height: float) -> Span | None:
    """A 全电 invoice number whose label OCR lost (seed 9393 inv_0054, a noisy BMP: the QR's number was
    filled in and a printed number edited away from it went unseen): 20 digits standing alone on a line
    in the first page's top part, the first two the year of a date printed on the page."""
    years = {m.group(0)[2:4] for li in index for m in re.finditer(r"20\d{2}(?=\s*[年\-/.])", li.text)}
    for li in index:
        m = ALONE_NUMBER.match(li.text)
        if m and li.page == 1 and li.line.bbox[1] < TOP_SHARE * page_height and m.group(1)[:2] in years:
            return li.span(m.start(1), m.end(1))
    return None


def extract(doc: Document, index: list[LineIndex]) -> None:
    put(doc, "invoice_number", find_number(index), code((8, 20)))
    if doc.value("invoice_number") is None and doc.pages:
        put(doc, "invoice_number", unlabelled_number(index, doc.pages[0].height), code(20))
    kind = put_kind(doc, index)
    if kind != "e_invoice":
        put(doc, "invoice_code", find_first(index, lbl("发票代码"), P.DIGITS(10, 12)), code((10, 12)))
    # 票日期, not 开票日期: OCR reads the 开 under a seal's edge or a fold as 井/并 (the date was lost)
    put(doc, "issue_date", find_first(index, lbl("票日期"), P.DATE, max_skip=12), parse_date)
    put(doc, "check_code", find_first(index, lbl("校验码"), P.SPACED_DIGITS), code(20))

    marks = anchors(index, PARTY_ROLES)
    names = assign(find_all(index, NAME_LABEL, stop=STOP), marks, ["buyer", "seller"])
    ids = _ids_by_name(find_all(index, TAXID_LABEL, P.TAX_ID, max_skip=4), names, marks)
    name_of = {role: f.value for role, f in names.items()}
    id_of = {role: f.value for role, f in ids.items()}
    fill_parties(index, name_of, id_of, _totals_top(index), {p.number: p.width for p in doc.pages})
    for role in ("buyer", "seller"):
        put(doc, f"{role}_name", name_of.get(role), canonical_name)
        put(doc, f"{role}_tax_id", id_of.get(role), normalize_tax_id)

    _totals(doc, index)
    items = extract_items(index, [(p.number, t) for p in doc.pages for t in p.tables])
    if items:
        put_value(doc, "items", [it.values for it in items], page=items[0].page, bbox=items[0].bbox,
                  confidence=min(it.confidence for it in items), source=items[0].source)
        rates = {it.values.get("tax_rate") for it in items}
        if len(rates) == 1 and None not in rates:
            put_value(doc, "tax_rate", rates.pop(), page=items[0].page, bbox=items[0].bbox, source="derived")
    _remarks(doc, index)


TOTALS_ROW = re.compile(r"^\s*(?:合\s*)?计(?:\s|¥|$)|^\s*合\s*计")


def _ids_by_name(found: list[Found], names: dict[str, Found], marks: list) -> dict[str, Found]:
    """Each tax id belongs to the party whose 名称 sits just above it in the same block."""
    out: dict[str, Found] = {}
    rest: list[Found] = []
    for f in found:
        best: tuple[float, str] | None = None
        for role, name in names.items():
            nb, fb = name.label.bbox, f.label.bbox
            if name.label.page != f.label.page or nb[1] > fb[1] or abs(nb[0] - fb[0]) > 60:
                continue
            dy = fb[1] - nb[3]
            if dy < 60 and (best is None or dy < best[0]):
                best = (dy, role)
        if best and best[1] not in out:
            out[best[1]] = f
        else:
            rest.append(f)
    for role, f in assign(rest, marks, [r for r in ("buyer", "seller") if r not in out]).items():
        out.setdefault(role, f)
    return out


def _seal_id_word(text: str, ids: list[str]) -> bool:
    """A word that is the seal's tax id as OCR read it off the seal (a character or two wrong or
    missing): ``SEAL_ID_RUN`` characters in a row shared with a party's id."""
    t = text.strip()
    if not re.fullmatch(r"[0-9A-Z]{10,20}", t):
        return False
    return any(SequenceMatcher(None, t, i).find_longest_match(0, len(t), 0, len(i)).size >= SEAL_ID_RUN for i in ids)


def _strip_seal_id(text: str, ids: list[str]) -> str:
    """The seller's seal (发票专用章) prints its tax id over the remarks box: drop that tail."""
    for tax_id in ids:
        if tax_id in text:
            return text.replace(tax_id, "").strip()
        for k in range(min(len(text), len(tax_id)), 5, -1):
            if text[-k:] in tax_id:
                return text[:-k].rstrip()
    return text


def _totals_top(index: list[LineIndex]) -> tuple[int, float] | None:
    """(page, top) of the totals rows (合计, 价税合计): the buyer's block is above, the seller's below."""
    for li in index:
        if TOTALS_ROW.search(li.text) or re.search(r"价\s*税\s*合\s*计|[(（]\s*[大小]\s*写\s*[)）]", li.text):
            return li.page, li.line.bbox[1]
    return None


def _totals_row(index: list[LineIndex]) -> tuple[LineIndex, list[re.Match[str]]] | None:
    """The 合计 row (amount and tax sums); failing its label, the one row with two ¥ sums."""
    for li in index:
        if TOTALS_ROW.search(li.text) and not re.search(r"价\s*税|小\s*写|大\s*写", li.text):
            found = list(P.MONEY.finditer(li.text))
            if found:
                return li, found
    for li in index:
        found = list(P.YEN_MONEY.finditer(li.text))
        if len(found) == 2 and not re.search(r"价\s*税|小\s*写|大\s*写", li.text):
            return li, found
    return None


def _totals(doc: Document, index: list[LineIndex]) -> None:
    # (大写) and (小写) with or without their brackets: OCR loses them on a noisy scan (seed 4141 inv_0008)
    words = find_first(index, re.compile(r"[(（]?\s*大\s*写\s*[)）]?|价\s*税\s*合\s*计"), P.CAPITALS, max_skip=8)
    put(doc, "total_amount_in_words", words, lambda t: t if words_to_amount(t) is not None else None)
    total = find_first(index, re.compile(r"[(（]?\s*小\s*写\s*[)）]?"), P.MONEY, max_skip=4)
    put(doc, "total_amount", total, money)
    row = _totals_row(index)
    if row is not None:
        li, found = row
        if len(found) >= 2:
            put(doc, "amount_excl_tax", li.span(found[-2].start(1), found[-2].end(1)), money)
            put(doc, "tax_amount", li.span(found[-1].start(1), found[-1].end(1)), money)
        elif len(found) == 1:
            put(doc, "amount_excl_tax", li.span(found[0].start(1), found[0].end(1)), money)
    if doc.value("total_amount") is None:
        put(doc, "total_amount", find_first(index, lbl("价税合计"), P.MONEY, max_skip=40), money)
    _mend_words(doc, index)
    if doc.value("total_amount") is None and doc.value("total_amount_in_words"):
        value = words_to_amount(doc.value("total_amount_in_words"))
        f = doc.fields["total_amount_in_words"]
        put_value(doc, "total_amount", format_money(value) if value is not None else None,
                  page=f.provenance.page if f.provenance else None, bbox=f.provenance.bbox if f.provenance else None,
                  confidence=f.confidence, source="derived")


CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
ONE_MISREAD = re.compile(rf"[{P.CAPITAL_CHARS}]{{2,}}[^{P.CAPITAL_CHARS}\s\d][{P.CAPITAL_CHARS}]+")


def _words_money(text: str | None) -> str | None:
    value = words_to_amount(text) if text else None
    return format_money(value) if value is not None else None


def _mend_words(doc: Document, index: list[LineIndex]) -> None:
    """价税合计 in capitals with one digit OCR misread as another character (壹 read as 台 on a noisy BMP:
    伍万捌仟叁佰柒拾捌圆台角伍分 was cut at 圆, seed 9494): the one capital digit in its place that makes the
    words equal the figures (小写) is what was printed. Nothing is mended without the figures to agree."""
    total, words = doc.value("total_amount"), doc.value("total_amount_in_words")
    if total is None or _words_money(words) == total:
        return
    for li in index:
        for m in ONE_MISREAD.finditer(li.text):
            text = m.group(0)
            odd = next(i for i, ch in enumerate(text) if ch not in P.CAPITAL_CHARS)
            fits = [t for t in (text[:odd] + d + text[odd + 1:] for d in CAPITAL_DIGITS) if _words_money(t) == total]
            if len(fits) == 1:
                put(doc, "total_amount_in_words", li.span(m.start(), m.end()), lambda _t, v=fits[0]: v, overwrite=True)
                return


SEAL_ID_RUN = 8
SEAL_WORD_HEIGHT = 2.0  # x the 备注 label's height: taller words beside it are a seal's legend read on its arc
REMARK_LABEL = re.compile(r"^备\s*注?\s*[:：]?$")
REMARK_TOP = re.compile(r"价\s*税\s*合\s*计")
REMARK_BOTTOM = re.compile(r"收\s*款\s*人|复\s*核|开\s*票\s*人")


def _balanced(text: str) -> str:
    """Drop brackets left over from the signature row's （章）."""
    for open_, close in (("（", "）"), ("(", ")")):
        while text.endswith(close) and text.count(close) > text.count(open_):
            text = text[:-1]
        text = text.replace(open_ + close, "")
    return text.strip()


def _remarks(doc: Document, index: list[LineIndex]) -> None:
    """备注: the words right of the 备注 label, between the totals row and the signature row."""
    for page in doc.pages:
        label = next((w for w in page.words if REMARK_LABEL.match(w.text)), None)
        if label is None:
            continue
        lines = [li for li in index if li.page == page.number]
        top = max((li.line.bbox[3] for li in lines if REMARK_TOP.search(li.text) and li.line.bbox[3] <= label.bbox[1] + 2),
                  default=label.bbox[1] - 40)
        bottom = min((li.line.bbox[1] for li in lines if REMARK_BOTTOM.search(li.text) and li.line.bbox[1] >= label.bbox[3] - 2),
                     default=label.bbox[3] + 40)
        tall = SEAL_WORD_HEIGHT * (label.bbox[3] - label.bbox[1])
        ids = [i for i in (doc.value("seller_tax_id"), doc.value("buyer_tax_id")) if i]
        inside = [w for w in page.words
                  if w.bbox[0] > label.bbox[2] + 0.5 and top - 1 <= (w.bbox[1] + w.bbox[3]) / 2 <= bottom + 1
                  and not REMARK_LABEL.match(w.text) and w.text.strip() not in ("注", "注:", "注：")
                  and not (w.red or w.in_seal or w.bbox[3] - w.bbox[1] > tall)  # a seal's legend on its arc
                  and not _seal_id_word(w.text, ids)]
        if not inside:
            return
        rows = group_lines(inside)
        text = "".join(strip_inner_spaces(r.text) for r in rows)
        text = re.sub(r"^[:：]", "", text)
        text = _balanced(_strip_seal_id(text, ids))
        if sum(ch.isalnum() for ch in text) < 2:  # a bracket or a character broken off a seal
            return
        span = Span(text, rows[0].bbox if len(rows) == 1 else _union([r.bbox for r in rows]), page.number,
                    min(r.confidence for r in rows), rows[0].source)
        put(doc, "remarks", span)
        return
