"""TAX_ID_INVALID: an 18-character 统一社会信用代码 whose check character is wrong (GB 32100-2015).

Old 15-character (region + organisation code) and 20-character (ID card + 2) ids carry
no check we can verify and are accepted. An 18-character id holding a letter the USCC
alphabet forbids (I, O, Z, S, V) fails too.
"""

from __future__ import annotations

from classifiers.checks.evidence import evidence, severity
from extractors.normalize.ids import USCC_ALPHABET, tax_id_kind, uscc_check_char, uscc_valid
from pipeline.types import Document, RiskFlag

LABELS = {"buyer_tax_id": "buyer", "seller_tax_id": "seller"}


def _why(code: str) -> str:
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        return f"it holds {', '.join(sorted(set(bad)))}, which a credit code never contains"
    return f"its check character is {code[17]}, the first 17 characters require {uscc_check_char(code[:17])}"


def check(doc: Document) -> list[RiskFlag]:
    flags = []
    for name in sorted(doc.fields):
        if not name.endswith("_tax_id"):
            continue
        code = str(doc.value(name) or "").replace(" ", "").upper()
        if len(code) != 18 or tax_id_kind(code) in ("legacy15", "legacy20") or uscc_valid(code):
            continue
        who = LABELS.get(name, name.removesuffix("_tax_id").replace("_", " "))
        flags.append(RiskFlag(code="TAX_ID_INVALID", severity=severity(doc, name),  # type: ignore[arg-type]
                              message=f"the {who}'s tax id {code} is not a valid credit code: {_why(code)}",
                              evidence=evidence(doc, name, value=code)))
    return flags
