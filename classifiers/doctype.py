"""Document type from weighted cue phrases (invoice / contract / payment_voucher / other).

Cues are phrases every real document of a type prints; weights favour title phrases.
A page-level score also decides where a file holding several documents splits.
"""

from __future__ import annotations

import re

CUES: dict[str, list[tuple[str, float]]] = {
    "invoice": [
        (r"增值税\s*(?:电子)?\s*(?:专用|普通)\s*发票", 6), (r"电子发票\s*[（(]", 6), (r"发\s*票\s*代\s*码", 3),
        (r"发\s*票\s*号\s*码", 3), (r"价\s*税\s*合\s*计", 4), (r"开\s*票\s*日\s*期", 3), (r"校\s*验\s*码", 1),
        (r"纳税人识别号|统一社会信用代码", 1), (r"开\s*票\s*人", 1), (r"销售方|购买方", 1),
        # western invoices (text layers often drop spaces: "InvoiceNumber:", "Facturen°")
        ((r"invoice(?!d)|rechnung(?!s?\s*(?:adresse|empf))|gutschrift|facture(?!r)|factura(?!r)|faktura|factuur|"
         r"credit\s*note|tax\s*invoice"), 3),
        ((r"invoice\s*(?:no|nr|number|num|date|#)|rechnungs\s*-?\s*(?:nr|nummer|datum)|facture\s*n\s*[°º]|date\s*de\s*facture|"
         r"factuur\s*(?:nummer|datum)|faktura\s*(?:nr|vat)|data\s*wystawienia|factura\s*n|fecha\s*de\s*factura"), 3),
        (r"(?<![a-z])(?:vat|mwst|ust|tva|btw|gst|iva|umsatzsteuer)(?![a-z])", 1),
        ((r"grand\s*total|total\s*(?:ttc|ht|amount|due|for\s*this)|gesamtbetrag|zahlbetrag|brutto|netto|totaal|subtotal|"
         r"balance\s*due|amount\s*due|należność|somme\s*à\s*payer|importe\s*total"), 1.5),
        (r"[€$£₹]\s*-?\d|\d\s*[€$£₹]|(?<![A-Z])(?:EUR|USD|GBP|INR|PLN|CHF)(?![A-Z])", 1),
    ],
    "payment_voucher": [
        (r"回\s*单", 5), (r"付\s*款\s*(?:人|方)", 2), (r"收\s*款\s*(?:人|方)", 1.5), (r"交\s*易\s*(?:日\s*期|时\s*间|流水)", 2),
        (r"流\s*水\s*号", 2), (r"银\s*行", 1), (r"用\s*途|摘\s*要|附\s*言", 1), (r"账\s*号", 1), (r"转\s*账|汇\s*款|汇\s*兑", 1),
        (r"支\s*付\s*凭\s*证|付\s*款\s*凭\s*证|进\s*账\s*单|电\s*子\s*凭\s*证", 3),
    ],
    "contract": [
        (r"(?:合\s*同|协\s*议)(?:\s*书)?\s*$", 5), (r"甲\s*方", 2), (r"乙\s*方", 2), (r"第\s*[一二三四五六七八九十]+\s*条", 2),
        (r"合\s*同\s*编\s*号", 3), (r"签\s*订|签\s*署", 1), (r"违\s*约", 1), (r"发包人|承包人|出租人|承租人|买方|卖方", 2),
        (r"争议|仲裁|人民法院", 1), (r"本\s*合\s*同|本\s*协\s*议", 3),
    ],
}
COMPILED = {k: [(re.compile(p, re.IGNORECASE | re.MULTILINE), w) for p, w in v] for k, v in CUES.items()}
THRESHOLD = 5.0


def scores(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for kind, cues in COMPILED.items():
        total = 0.0
        for pat, weight in cues:
            n = len(pat.findall(text))
            total += weight * min(n, 3) ** 0.5 if n else 0.0
        out[kind] = total
    return out


def classify(text: str) -> tuple[str, float]:
    """(doc_type, confidence). ``other`` when no type scores past the threshold."""
    s = scores(text)
    kind, best = max(s.items(), key=lambda kv: kv[1])
    if best < THRESHOLD:
        return "other", round(1.0 - best / (THRESHOLD * 2), 3)
    second = sorted(s.values())[-2]
    return kind, round(min(1.0, 0.5 + (best - second) / (2 * best)), 3)
