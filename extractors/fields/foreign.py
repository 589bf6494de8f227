"""Invoices that are not Chinese VAT invoices: English, German, French, Dutch, Spanish, Polish.

Text layers of western PDFs often lose their spaces ("InvoiceNumber:42183017"), so every label
tolerates missing or extra spaces. Rules are conservative: a field the document does not label
clearly stays absent (records.md: absent, never guessed). Values already set (the Factur-X /
ZUGFeRD XML attachment, read before this module runs) are never overwritten.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from extractors.fields.finder import find_all
from extractors.layout import LineIndex, Span
from pipeline.types import Document, Field, Provenance

I = re.IGNORECASE


def _w(*words: str) -> str:
    """Words that may be printed with or without the spaces between them."""
    return r"\s*".join(words)


# ----------------------------------------------------------------------------- values

MONTHS = {
    # en, de, fr, nl, es, pl (genitive) — lower case, accents kept and stripped
    **dict.fromkeys(["january", "jan", "januar", "jänner", "janvier", "janv", "januari", "enero", "ene", "stycznia", "sty"], 1),
    **dict.fromkeys(["february", "feb", "februar", "février", "fevrier", "févr", "fevr", "februari", "febrero", "lutego", "lut"], 2),
    **dict.fromkeys(["march", "mar", "märz", "maerz", "mars", "maart", "mrt", "marzo", "marca"], 3),
    **dict.fromkeys(["april", "apr", "avril", "avr", "abril", "abr", "kwietnia", "kwi"], 4),
    **dict.fromkeys(["may", "mai", "mei", "mayo", "maja"], 5),
    **dict.fromkeys(["june", "jun", "juni", "juin", "junio", "czerwca", "cze"], 6),
    **dict.fromkeys(["july", "jul", "juli", "juillet", "juil", "julio", "lipca", "lip"], 7),
    **dict.fromkeys(["august", "aug", "août", "aout", "augustus", "agosto", "ago", "sierpnia", "sie"], 8),
    **dict.fromkeys(["september", "sep", "sept", "septembre", "septiembre", "września", "wrzesnia", "wrz"], 9),
    **dict.fromkeys(["october", "oct", "oktober", "okt", "octobre", "octubre", "października", "pazdziernika", "paź"], 10),
    **dict.fromkeys(["november", "nov", "novembre", "noviembre", "listopada", "lis"], 11),
    **dict.fromkeys(["december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "grudnia", "gru"], 12),
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
DATE_ISO = r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"
DATE_NUM = r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?![\d.])"
DATE_DMY_NAME = rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s*(?:de\s*)?({_MONTH_RE})\.?,?\s*(?:de\s*)?(\d{{4}})(?!\d)"
DATE_MDY_NAME = rf"(?<![a-zà-ÿ])({_MONTH_RE})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?,?\s*(\d{{4}})(?!\d)"
DATE_ANY = re.compile(f"{DATE_ISO}|{DATE_DMY_NAME}|{DATE_MDY_NAME}|{DATE_NUM}", I)


def _iso(y: int, m: int, d: int) -> str | None:
    if y < 100:
        y += 2000
    try:
        return date(y, m, d).isoformat() if 1990 <= y <= 2100 else None
    except ValueError:
        return None


def parse_western_date(text: str, dayfirst: bool = True) -> str | None:
    """ISO date from 2018-03-05, 05.03.2018, 03/05/2018, March 3, 2014, 03 Aug 2014, 7. Mai 2014."""
    m = DATE_ANY.search(text or "")
    if m is None:
        return None
    g = m.groups()
    if g[0]:
        return _iso(int(g[0]), int(g[1]), int(g[2]))
    if g[3]:
        return _iso(int(g[5]), MONTHS[g[4].lower()], int(g[3]))
    if g[6]:
        return _iso(int(g[8]), MONTHS[g[6].lower()], int(g[7]))
    a, b, y = int(g[9]), int(g[10]), int(g[11])
    if a > 12 >= b:
        return _iso(y, b, a)
    if b > 12 >= a:
        return _iso(y, a, b)
    return _iso(y, b, a) if dayfirst else _iso(y, a, b)


# a money figure: 1.234,56 · 1,234.56 · 529,87 · 4.11 · 1'234.50 — always with two decimals
MONEY = re.compile(r"(?<![\d.,])(-?\d{1,3}(?:[.,'’\u202f]\d{3})*[.,]\d{2}|-?\d+[.,]\d{2})(?![\d]|[.,]\d)")


def parse_western_money(text: str) -> str | None:
    """'1.234,56' / '1,234.56' / '€ 529,87' / '$4.11' → '1234.56' (two places)."""
    m = MONEY.search(text or "")
    if m is None:
        return None
    raw = m.group(1)
    neg = raw.startswith("-")
    digits = raw.lstrip("-")
    dec_sep = digits[-3]
    whole = re.sub(r"[.,'’\u202f]", "", digits[:-3])
    try:
        value = Decimal(f"{whole}.{digits[-2:]}")
    except InvalidOperation:
        return None
    del dec_sep
    return f"{-value if neg else value:.2f}"


CURRENCY_SIGNS = [
    ("EUR", re.compile(r"€|(?<![A-Z])EUR(?![A-Z])|\bEuros?\b")),
    ("USD", re.compile(r"US\$|\$|(?<![A-Z])USD(?![A-Z])|US\s*Dollars?", I)),
    ("GBP", re.compile(r"£|(?<![A-Z])GBP(?![A-Z])")),
    ("INR", re.compile(r"₹|(?<![A-Z])INR(?![A-Z])|(?<![A-Z])Rs\.?(?=\s*-?\s*\d)")),
    ("PLN", re.compile(r"(?<![A-Z])PLN(?![A-Z])|\bzł")),
    ("CHF", re.compile(r"(?<![A-Z])CHF(?![A-Z])")),
    ("JPY", re.compile(r"(?<![A-Z])JPY(?![A-Z])|円")),
]
CURRENCY_LABEL = re.compile(_w("(?:currency|währung|devise|valuta|waluta|moneda)") + r"\s*[:.]*\s*([A-Z]{3})(?![A-Za-z])", I)


def currency_in(text: str) -> str | None:
    found = [code for code, pat in CURRENCY_SIGNS if pat.search(text)]
    return found[0] if len(found) == 1 else None


# ----------------------------------------------------------------------------- labels

NUMBER_LABELS = [
    _w("invoice", r"(?:no|nr|num|number)") + r"\.?\s*[:#.]*", _w("invoice") + r"\s*#",
    _w("tax", "invoice", r"(?:no|number)") + r"\.?", r"rechnungs\s*-?\s*(?:nr|nummer|no)\.?", r"rechnung\s*nr\.?",
    r"facture\s*n\s*[°ºo]\.?", r"n\s*[°º]\s*de\s*facture", _w("num[ée]ro", "de", "facture"),
    r"factuur\s*(?:nummer|nr)\.?", r"faktura\s*(?:nr|numer|no)\.?", r"factura\s*(?:n[°ºo]|n[úu]m(?:ero)?)\.?",
    r"(?:handels)?(?:rechnung|gutschrift)(?:\s*\([^)]{0,40}\))*\s*nr\.?", r"credit\s*note\s*(?:no|number)\.?",
    _w("bill", "no") + r"\.?", r"(?<![a-z])number\s*\.{2,}",
]
NUMBER_LABEL = re.compile("(?:" + "|".join(NUMBER_LABELS) + r")\s*[:#.]*", I)
# the invoice number printed right after the title: "Invoice INV/2023/03/0008", "Rechnung R0005532486"
TITLE_NUMBER = re.compile(
    r"^(?:tax\s*|proforma\s*-?\s*)?(?:invoice|rechnung|facture|factura|faktura|factuur)\s*[:#]?\s*"
    r"(?=[A-Za-z0-9#/_\-.]*\d)([A-Z0-9#][A-Za-z0-9/_\-.]*[A-Za-z0-9])\s*$", I)
NUMBER_VALUE = re.compile(r"#?((?:[A-Z]{1,3} )?(?=[A-Za-z0-9/_\-.]*\d)[A-Za-z0-9][A-Za-z0-9/_\-.]*[A-Za-z0-9])")
NUMBER_TAIL = re.compile(r"(?<=\d)(?:issued|vom|du|dated|date|from|of|z\s*dnia).*$", I)
NOT_A_NUMBER = re.compile(r"^(?:seite|page|\d{1,2}[./]\d{1,2}[./]\d{2,4})$", I)

DATE_LABELS = [
    _w("invoice", "date"), _w("date", "of", "invoice"), _w("tax", "point", "date"), r"rechnungs\s*-?\s*datum",
    _w("date", "de", r"(?:la\s*)?facture"), r"date\s*d['’]\s*[ée]mission", r"factuur\s*datum", _w("data", "wystawienia"),
    _w("data", "faktury"), _w("fecha", r"(?:de\s*)?(?:la\s*)?(?:factura|emisi[oó]n|expedici[oó]n)"),
    _w("issue", "date"), _w("date", "issued"), _w("datum", "der", "rechnung"),
]
DATE_LABEL = re.compile("(?:" + "|".join(DATE_LABELS) + r")\s*[:.]*", I)
# a bare "Date" / "Datum": not "Due Date", "Orderdatum", "Date limite" (glued words keep a letter beside it)
GENERIC_DATE_LABEL = re.compile(r"(?<![A-Za-zÀ-ÿ])(?:date|datum|fecha|data)(?![A-Za-zÀ-ÿ])\s*[:.]*", I)
# "Nr. 471102 vom 05.03.2018", "Facture n° 562044387 du 02 Juillet 2015", "issued at 2020-11-21"
AFTER_NUMBER_DATE = re.compile(r"\s*(?:/|vom|du|dated|of|issued\s*(?:at|on)?|z\s*dnia)?\s*", I)

TOTAL_LABELS = [
    _w("grand", "total"), r"total\s*ttc", _w("somme", "à", "payer"), _w("net", "à", "payer"), _w("montant", "ttc"),
    _w("total", "for", "this", "invoice"), _w("invoice", "total"), _w("total", "amount") + r"(?!\s*due\s*on)",
    _w("total", "due"), _w("amount", "due") + r"(?!\s*on)", _w("balance", "due"), _w("due", "payable"), _w("final", "amount"),
    r"gesamtbetrag(?!\s*der)", r"rechnungsbetrag", r"zahlbetrag", r"bruttosumme", r"bruttobetrag", r"endbetrag",
    r"=(?<![a-z])brutto(?![a-z])", r"factuur\s*totaal", r"totaal\s*(?:incl\.?\s*btw|te\s*betalen)?(?![a-z])",
    _w("należność", "ogółem"), _w("do", "zapłaty"), _w("importe", "total"), r"total\s*a\s*pagar",
    r"(?<![a-z])total\s*(?:EUR|USD|GBP|INR|PLN|CHF)?(?![a-z])",
]
EXCL_LABELS = [
    _w("total", r"(?:excl|excluding)\.?", r"(?:vat|tax|btw)"), r"total\s*h\.?t\.?(?![a-z])", r"montant\s*h\.?t\.?(?![a-z])",
    _w("net", "total"), _w("total", "net", r"(?:value|amount)"), _w("net", "amount"), r"nettobetrag", r"summe\s*netto",
    r"rechnungssumme\s*ohne\s*u\s*st\.?", r"gesamt\s*netto", r"=(?<![a-z])netto(?![a-z])", r"exclusief\s*btw",
    r"totaal\s*excl\.?\s*btw", r"(?<![a-z])sub\s*-?\s*total(?![a-z])", r"zwischensumme", r"subtotaal", r"razem",
    r"base\s*imponible", _w("net", "value", "of", "goods"), _w("items", "total"), r"grondslag",
]
TAX_LABELS = [
    _w("vat", "total"), _w("total", r"(?:vat|tax|taxes|tva)"), _w("tax", "total"), _w("vat", "amount"), _w("tax", "amount"),
    r"steuerbetrag", r"mwst\.?\s*-?\s*betrag", r"ust\.?\s*-?\s*betrag", _w("montant", "tva"), r"btw\s*-?\s*bedrag",
    _w("output", "tax"), r"kwota\s*vat",
    (r"=(?<![a-z])(?:vat|tax|mwst|ust|tva|btw|gst|iva|umsatzsteuer)\.?\*{0,2}\s*\(?\s*(?:\d{1,2}(?:[.,]\d{1,2})?\s*%)?\s*\)?"
     r"(?:\s*on\s*[$€£]?\s*[\d.,]+)?(?![a-z])"),
]


def _compile(labels: list[str]) -> list[tuple[re.Pattern[str], bool]]:
    """(pattern, value may sit below). A leading "=" marks a word that is also a table column head:
    only a figure on its own line counts."""
    return [(re.compile(f"(?:{p.lstrip('=')})" + r"\s*[:.]*", I), not p.startswith("=")) for p in labels]


TOTAL_RES, EXCL_RES, TAX_RES = _compile(TOTAL_LABELS), _compile(EXCL_LABELS), _compile(TAX_LABELS)
MONEY_VALUE = re.compile(r"(?:[€$£₹]|Rs\.?|EUR|USD|GBP|INR|PLN|CHF)?\s*" + MONEY.pattern, I)

LEGAL = (r"(?:GmbH(?:\s*&\s*Co\.?\s*KG)?|AG|KG|SE|e\.\s*K\.|B\.\s*V\.|BV|N\.\s*V\.|S\.\s*A\.\s*S?\.?|SAS|SARL|Sarl|S\.\s*à\s*r\.\s*l\.|"
         r"S\.\s*L\.|S\.\s*r\.\s*l\.|Sp\.\s*z\s*o\.\s*o\.|Ltd\.?|Limited|LIMITED|LTD\.?|Inc\.?|INC\.?|LLC|LLP|PLC|plc|"
         r"Pvt\.?\s*Ltd\.?|Private\s*Limited|Co\.\s*,?\s*Ltd\.?|Corp\.?|Corporation)")
COMPANY_LINE = re.compile(rf"^(.{{1,60}}?{LEGAL})(?=$|[\s\-–•●|,·.;:]|\()")
SELLER_LABEL = re.compile(
    r"(?:^|(?<=\s))(?:seller|sold\s*by|vendor|supplier|service\s*provider|verkäufer|lieferant|rechnungssteller|"
    r"fournisseur|vendeur|émetteur|leverancier|verkoper|sprzedawca|wystawca|vendedor|proveedor|emisor)\s*[:.]*\s*", I)
BUYER_LABEL = re.compile(
    r"(?:^|(?<=\s))(?:bill(?:ed)?\s*to(?:\s*address)?|invoice\s*(?:to|address)|billing\s*address|sold\s*to|buyer(?:\s*/\s*ship\s*to)?|customer\s*name|"
    r"rechnungs\s*empfänger|käufer(?:\s*/\s*leistungsempfänger)?|rechnungsadresse|client|adresse\s*de\s*facturation|"
    r"factuuradres|klant\s*naam|nabywca|odbiorca|cliente|comprador)(?![a-z])\s*[:.]*\s*", I)
NOT_A_NAME = re.compile(
    r"\d{3}|@|www\.|https?:|^(?:total|amount|date|invoice|address|adresse|phone|tel|fax|e-?mail|nummer|number|page|"
    r"shipping|ship|delivery|attn\b)|(?:address|adresse|adres)\s*:?$", I)


# ----------------------------------------------------------------------------- lookups

def _store(doc: Document, name: str, value: object, span: Span | None, raw: str = "", conf: float | None = None) -> None:
    """Set a field unless it is already set (the embedded XML or an earlier rule wins)."""
    if value in (None, "", []) or name in doc.fields:
        return
    prov = Provenance(page=span.page, bbox=span.bbox, stage="extract", source=span.source) if span else None  # type: ignore[arg-type]
    doc.set_field(Field(name=name, value=value, raw_text=raw or (span.text if span else ""),
                        confidence=round(float(span.confidence if span else (conf or 0.8)), 4), provenance=prov))


def _money_at(index: list[LineIndex], i: int, m: re.Match[str], max_skip: int) -> Span | None:
    """The figure after a label on its line, else the one printed right under it (a column head)."""
    li = index[i]
    vm = MONEY_VALUE.search(li.text, m.end())
    if vm is not None and vm.start() - m.end() <= max_skip and not re.search(r"[A-Za-z]{4,}", li.text[m.end():vm.start()]):
        return li.span(vm.start(1), vm.end(1))
    if li.text[m.end():].strip(" :.") and MONEY.search(li.text, m.end()):
        return None  # other figures follow on the line: a table row, not a label with its value below
    return _under(index, i, li.span(m.start(), m.end()).bbox, MONEY)


def _under(index: list[LineIndex], i: int, label: tuple[float, float, float, float], pattern: re.Pattern[str]) -> Span | None:
    """The match of ``pattern`` printed right under a label (nearest by centre, within the label's column)."""
    li = index[i]
    width = label[2] - label[0]
    g = 1 if pattern.groups else 0
    for nxt in index[i + 1:i + 3]:
        if nxt.page != li.page or nxt.line.bbox[1] - label[3] > 2.5 * li.height:
            return None
        best = None
        for vm in pattern.finditer(nxt.text):
            box = nxt.span(vm.start(g), vm.end(g)).bbox
            centre = (box[0] + box[2]) / 2
            if label[0] - 0.5 * width <= centre <= label[2] + 0.5 * width:
                dist = abs(centre - (label[0] + label[2]) / 2)
                if best is None or dist < best[0]:
                    best = (dist, nxt.span(vm.start(g), vm.end(g)))
        if best is not None:
            return best[1]
    return None


def _labelled(index: list[LineIndex], labels: list[tuple[re.Pattern[str], bool]], *, max_skip: int = 24,
              last: bool = False) -> Span | None:
    """The figure of the first label (in priority order) that has one; ``last`` takes its last occurrence."""
    for pat, below in labels:
        found = []
        for i, li in enumerate(index):
            for m in pat.finditer(li.text):
                got = _money_at(index, i, m, max_skip) if below else None
                if got is None and not below:
                    vm = MONEY_VALUE.search(li.text, m.end())
                    if vm is not None and vm.start() - m.end() <= max_skip:
                        got = li.span(vm.start(1), vm.end(1))
                if got is not None:
                    found.append(got)
        if found:
            return found[-1] if last else found[0]
    return None


def _clean_number(text: str) -> str | None:
    value = NUMBER_TAIL.sub("", text.strip().lstrip("#")).strip(" .:-")
    if len(value) < 3 or NOT_A_NUMBER.match(value) or not re.search(r"\d", value) or parse_western_date(value) == value:
        return None
    if DATE_ANY.fullmatch(value):
        return None
    return value


def _invoice_number(doc: Document, index: list[LineIndex]) -> tuple[Span, str] | None:
    # "Number/Date 6429650/03.06.2025"
    for f in find_all(index, re.compile(_w("number", "/", "date"), I), re.compile(r"(\d[\w\-]*)\s*/\s*\d{1,2}\.\d{1,2}\.\d{4}")):
        if (v := _clean_number(f.value.text)):
            return f.value, v
    for f in find_all(index, NUMBER_LABEL, NUMBER_VALUE, max_skip=12):
        if (v := _clean_number(f.value.text)):
            return f.value, v
    for li in index[:40]:
        m = TITLE_NUMBER.search(li.text)
        if m and (v := _clean_number(m.group(1))):
            return li.span(m.start(1), m.end(1)), v
    # a bare "Invoice" / "Factuur" column head with the number under it (saeco, Sammy Maystone)
    head = re.compile(r"(?<![A-Za-z])(?:invoice|factuur|facture|rechnung)(?![A-Za-z])", I)
    token = re.compile(r"(?<!\S)#?(?=[A-Za-z0-9/_\-.]*\d)([A-Za-z0-9][A-Za-z0-9/_\-.]*[A-Za-z0-9])(?!\S)")
    for i, li in enumerate(index[:60]):
        if li.page != 1:
            break
        for m in head.finditer(li.text):
            if li.text[m.end():].strip(" :#") and not re.match(r"\s{2,}|\s*[A-Z][a-z]", li.text[m.end():]):
                continue
            got = _under(index, i, li.span(m.start(), m.end()).bbox, token)
            if got is not None and (v := _clean_number(got.text)) and not parse_western_date(got.text):
                return got, v
    return None


def _issue_date(index: list[LineIndex], number: Span | None, dayfirst: bool) -> tuple[Span, str] | None:
    date_value = re.compile(f"({DATE_ISO}|{DATE_DMY_NAME}|{DATE_MDY_NAME}|{DATE_NUM})", I)

    def parsed(found: list) -> tuple[Span, str] | None:  # type: ignore[type-arg]
        for f in found:
            if (v := parse_western_date(f.value.text, dayfirst)):
                return f.value, v
        return None

    if (got := parsed(find_all(index, DATE_LABEL, date_value, max_skip=20))):
        return got
    if number is not None:  # "Nr. 471102 vom 05.06.2018", "6429650/03.06.2025", "RE-…/508 issued at 2020-11-21"
        for li in index:
            pos = li.text.find(number.text)
            if li.page != number.page or pos < 0 or not _same_line(li, number):
                continue
            after = pos + len(number.text)
            cm = AFTER_NUMBER_DATE.match(li.text, after)
            dm = date_value.match(li.text, cm.end() if cm else after)
            if dm and (v := parse_western_date(dm.group(0), dayfirst)):
                return li.span(dm.start(), dm.end()), v
    return parsed(find_all(index, GENERIC_DATE_LABEL, date_value, max_skip=6))


def _same_line(li: LineIndex, span: Span) -> bool:
    return abs(li.line.bbox[1] - span.bbox[1]) < li.height


def _money_of(span: Span | None) -> tuple[Span, str] | None:
    if span is None:
        return None
    v = parse_western_money(span.text)
    return (span, v) if v is not None else None


def _first_company(index: list[LineIndex]) -> tuple[Span, str] | None:
    """The issuer printed at the top of page 1 (letterhead or return-address line), before any buyer block."""
    for li in index[:8]:
        if li.page != 1 or BUYER_LABEL.search(li.text):
            return None
        m = COMPANY_LINE.match(li.text.strip())
        if m:
            start = li.text.find(m.group(1))
            name = m.group(1).strip(" ,.-") if not m.group(1).endswith(".") else m.group(1).strip(" ,-")
            if not NOT_A_NAME.search(name):
                return li.span(start, start + len(m.group(1))), name
    return None


def _column_text(li: LineIndex, x0: float, tol: float) -> tuple[int, str] | None:
    """The text of a line's column that starts near ``x0``, up to a wide gap (two-column layouts)."""
    for k, ch in enumerate(li.text):
        if not ch.strip() or (k > 0 and li.text[k - 1] != " "):
            continue
        box = li.span(k, k + 1).bbox
        if abs(box[0] - x0) <= tol:
            end = k
            while end < len(li.text) and not (end > k and li.text[end] != " " and li.gap_before(end) > 2.0 * li.height):
                end += 1
            return k, li.text[k:end].rstrip()
        if box[0] > x0 + tol:
            return None
    return None


def _party(index: list[LineIndex], label: re.Pattern[str], *, company_only: bool) -> tuple[Span, str] | None:
    """The name after a party label: on the same line, or the first line of the block below it."""
    for i, li in enumerate(index):
        m = label.search(li.text)
        if not m:
            continue
        rest = li.text[m.end():].strip()
        cands: list[tuple[LineIndex, str]] = []
        # "Sold By: WS Retail Services Pvt. Ltd., Warehouse ..." — up to a wide gap or the next label
        cut = re.split(r"\s{3,}|(?<=\S)\s+(?=[A-Za-zÀ-ÿ.\- ]{2,25}:)", rest)[0] if rest else ""
        if cut and not label.search(cut) and not NOT_A_NAME.search(cut):
            cands.append((li, cut))
        else:
            x0 = li.span(m.start(), m.end()).bbox[0]
            for nxt in index[i + 1:i + 4]:
                if nxt.page != li.page or nxt.line.bbox[1] - li.line.bbox[3] > 4 * li.height:
                    break
                col = _column_text(nxt, x0, 1.5 * li.height)
                if col is None:
                    continue
                text = col[1]
                k = col[0]
                if k > 0 and nxt.gap_before(k) < 1.0 * nxt.height:
                    continue  # a word inside running text, not the start of a column
                named = re.sub(r"^(?:name|nom|naam|nazwa)\s*:\s*", "", text, flags=I)
                if company_only and not COMPANY_LINE.match(named):
                    continue
                if named != text or not re.match(r"^(?:nummer|number|globale|n[°º]|id)\b", text, I):
                    cands.append((nxt, named))
                    break
        for cl, text in cands:
            text = re.sub(r"^ATTN\s*:\s*", "", text, flags=I)
            cm = COMPANY_LINE.match(text)
            if cm:
                text = cm.group(1)
            elif company_only:
                continue
            name = text.strip(" ,;:")
            if len(name) < 3 or NOT_A_NAME.search(name) or label.search(name) or parse_western_money(name):
                continue
            start = cl.text.find(name)
            return cl.span(max(start, 0), max(start, 0) + len(name)), name
    return None


# ----------------------------------------------------------------------------- entry point

CHINESE_INVOICE = re.compile(r"发\s*票|价\s*税\s*合\s*计|开\s*票\s*日\s*期|销\s*售\s*方|购\s*买\s*方")


def is_chinese_invoice(text: str) -> bool:
    """A Chinese VAT invoice (专票 / 普票 / 全电) prints these; foreign invoices never do."""
    return CHINESE_INVOICE.search(text) is not None


def detect_language(text: str) -> str:
    t = text.lower()
    scores = {
        "de": len(re.findall(r"rechnung|mwst|ust\.|betrag|datum|steuer|gmbh|zahlung", t)),
        "fr": len(re.findall(r"facture|tva|montant|ttc|règlement|date de|payer", t)),
        "nl": len(re.findall(r"factuur|btw|totaal|bedrag|klant", t)),
        "pl": len(re.findall(r"faktura|sprzedawca|nabywca|wartość|kwota|razem", t)),
        "es": len(re.findall(r"factura|importe|fecha|iva|cliente", t)),
        "en": len(re.findall(r"invoice|total|amount|date|tax|due|bill", t)),
    }
    return max(scores.items(), key=lambda kv: kv[1])[0]


def extract(doc: Document, index: list[LineIndex]) -> None:
    text = doc.text
    lang = detect_language(text)

    # currency first: it decides the day/month order of 03/05/2018 (US invoices print month first)
    cur_span = None
    m = None
    for li in index:
        m = CURRENCY_LABEL.search(li.text)
        if m:
            cur_span = li.span(m.start(1), m.end(1))
            break
    currency = m.group(1).upper() if cur_span is not None and m is not None else None

    total = _money_of(_labelled(index, TOTAL_RES))
    if currency is None and total is not None:
        # the sign or code printed beside the total, else the only currency the document shows
        for li in index:
            if li.page == total[0].page and _same_line(li, total[0]):
                currency = currency_in(li.text)
                if currency:
                    cur_span = total[0]
                    break
    if currency is None:
        currency = currency_in(text)
    dayfirst = not (lang == "en" and (doc.value("currency") or currency) == "USD")

    num = _invoice_number(doc, index)
    if num:
        _store(doc, "invoice_number", num[1], num[0])
    d = _issue_date(index, num[0] if num else None, dayfirst)
    if d:
        _store(doc, "issue_date", d[1], d[0])

    excl = _money_of(_labelled(index, EXCL_RES, last=True))
    tax = _money_of(_labelled(index, TAX_RES[:-1]) or _labelled(index, TAX_RES[-1:], max_skip=30))
    if total and excl and tax:
        if abs(Decimal(excl[1]) + Decimal(tax[1]) - Decimal(total[1])) > Decimal("0.02"):
            excl = tax = None  # the three do not add up: one of them is not what its label says
    elif total and excl and Decimal(excl[1]) > Decimal(total[1]):
        excl = None
    elif total and tax and Decimal(tax[1]) > Decimal(total[1]):
        tax = None
    for name, got in (("total_amount", total), ("amount_excl_tax", excl), ("tax_amount", tax)):
        if got:
            _store(doc, name, got[1], got[0])
    if currency:
        _store(doc, "currency", currency, cur_span, raw=currency, conf=0.8)

    seller = _party(index, SELLER_LABEL, company_only=True) or _first_company(index)
    if seller:
        _store(doc, "seller_name", seller[1], seller[0])
    buyer = _party(index, BUYER_LABEL, company_only=False)
    if buyer and buyer[1] != doc.value("seller_name"):
        _store(doc, "buyer_name", buyer[1], buyer[0])
    doc.meta["invoice_language"] = lang
