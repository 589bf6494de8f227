"""Amounts that must add up (AMOUNT_MISMATCH) and capitals that must equal figures
(AMOUNT_WORDS_MISMATCH), on invoices and payment vouchers.

Tolerances (money is printed to the cent):
* totals (金额 + 税额 = 价税合计; Σ line amounts = 金额; Σ line taxes = 税额): exact to the
  cent; we allow half a cent only to absorb Decimal representation, i.e. |diff| < 0.005.
* quantity × unit price ≈ line amount: each printed number is rounded, so we allow the
  amount's half cent plus the rounding of the printed price and quantity propagated:
  0.005 + |q| × ½·10^-dp(price) + |p| × ½·10^-dp(q), where dp is the number of printed
  decimals; a number printed without decimals (a count, a round price) is taken as exact.
  A price printed 106.88 on 264.613 units may be off by 264.613 × 0.005 = 1.32.

Lines that fall short of both totals by one line's worth (``missed_line``) on a scan are yellow: a
row the table reading lost (seed 4141's inv_0016, a ThinkPad line read by OCR and dropped by the
item table: red on a clean invoice) is as likely as an edit there.
"""

from __future__ import annotations

from decimal import Decimal

from classifiers.checks.evidence import dec, evidence, fmt, severity
from extractors.normalize.numerals import words_to_amount
from pipeline.types import Document, RiskFlag

CENT_HALF = Decimal("0.005")
CODE, WORDS_CODE = "AMOUNT_MISMATCH", "AMOUNT_WORDS_MISMATCH"


def _half_ulp(d: Decimal) -> Decimal:
    exp = d.as_tuple().exponent
    return Decimal(5).scaleb(int(exp) - 1) if isinstance(exp, int) and exp < 0 else Decimal(0)


def line_tolerance(qty: Decimal, price: Decimal) -> Decimal:
    """How far quantity × unit price may sit from the printed line amount (module docstring)."""
    return CENT_HALF + abs(qty) * _half_ulp(price) + abs(price) * _half_ulp(qty)


def missed_line(amount_short: Decimal, tax_short: Decimal, rates: set[Decimal]) -> Decimal | None:
    """The tax rate at which what the lines fall short of both totals is itself a line (its tax
    the rate's share of its amount, to the cent), or None. On a scan that is the mark of a row
    the table reading lost: an edited total moves one total, or both with no line's shape."""
    if amount_short < CENT_HALF or tax_short < 0:
        return None
    for rate in sorted(rates):
        if abs(amount_short * rate - tax_short) <= Decimal("0.01") + CENT_HALF:
            return rate
    return None


def _words_flag(doc: Document, words_name: str, figures_name: str) -> list[RiskFlag]:
    words, figures = doc.value(words_name), dec(doc.value(figures_name))
    if not words or figures is None:
        return []
    said = words_to_amount(str(words))
    if said is None or said == figures:  # unreadable capitals are LOW_CONFIDENCE's business
        return []
    return [RiskFlag(code=WORDS_CODE, severity=severity(doc, words_name, figures_name),  # type: ignore[arg-type]
                     message=f"words say {fmt(said)}, figures say {fmt(figures)}",
                     evidence=evidence(doc, figures_name, words_name,
                                       words_amount=f"{said:.2f}", figures_amount=f"{figures:.2f}"))]


def _invoice(doc: Document) -> list[RiskFlag]:
    flags: list[RiskFlag] = []

    def mismatch(message: str, *names: str, at_most: str | None = None, **extra: object) -> None:
        """``at_most``: a severity the evidence caps the flag at (yellow for a line the scan may have lost)."""
        flags.append(RiskFlag(code=CODE, severity=at_most or severity(doc, *names), message=message,  # type: ignore[arg-type]
                              evidence=evidence(doc, *names, **extra)))

    excl, tax, total = (dec(doc.value(n)) for n in ("amount_excl_tax", "tax_amount", "total_amount"))
    if excl is not None and tax is not None and total is not None and abs(excl + tax - total) >= CENT_HALF:
        mismatch(f"amount {fmt(excl)} + tax {fmt(tax)} = {fmt(excl + tax)}, but the total says {fmt(total)}",
                 "total_amount", "amount_excl_tax", "tax_amount")
    items = doc.value("items") or []
    if items:
        amounts = [dec(it.get("amount")) for it in items]
        taxes = [dec(it.get("tax_amount")) for it in items]
        read = doc.fields.get("items")
        short = None
        if (read is not None and read.provenance is not None and read.provenance.source == "ocr"
                and excl is not None and tax is not None and all(v is not None for v in amounts + taxes)):
            short = missed_line(excl - sum(amounts, Decimal(0)), tax - sum(taxes, Decimal(0)),  # type: ignore[arg-type]
                                {r for it in items if (r := dec(it.get("tax_rate"))) is not None})
        missed = f"; the difference is one line's worth at {short:.0%}: a line the scan's reading may have missed" if short else ""
        level = "yellow" if short else None
        if excl is not None and all(a is not None for a in amounts):
            s = sum(amounts, Decimal(0))  # type: ignore[arg-type]
            if abs(s - excl) >= CENT_HALF:
                mismatch(f"the {len(items)} line amounts add up to {fmt(s)}, but the amount total says {fmt(excl)}"
                         + missed, "amount_excl_tax", "items", at_most=level)
        if tax is not None and all(t is not None for t in taxes):
            s = sum(taxes, Decimal(0))  # type: ignore[arg-type]
            if abs(s - tax) >= CENT_HALF:
                mismatch(f"the {len(items)} line taxes add up to {fmt(s)}, but the tax total says {fmt(tax)}" + missed,
                         "tax_amount", "items", at_most=level)
        for i, it in enumerate(items, 1):
            q, p, a = dec(it.get("quantity")), dec(it.get("unit_price")), dec(it.get("amount"))
            if q is None or p is None or a is None:
                continue
            if abs(q * p - a) > line_tolerance(q, p):
                mismatch(f"line {i} ({it.get('name') or 'item'}): {q} × {p} = {fmt(q * p)}, "
                         f"but the line amount says {fmt(a)}", "items", line=i)
    flags += _words_flag(doc, "total_amount_in_words", "total_amount")
    return flags


def check(doc: Document) -> list[RiskFlag]:
    if doc.doc_type == "invoice":
        return _invoice(doc)
    if doc.doc_type == "payment_voucher":
        return _words_flag(doc, "amount_in_words", "amount")
    return []
