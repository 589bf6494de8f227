"""Whether the contract forbids or conditions assigning its receivables (债权转让).

Restrictive: 不得转让 · 未经…（书面）同意…不得/不能转让 · 转让…须/应（事先）取得/经…同意 ·
经…同意后方可转让 · 禁止转让. Permissive: 有权/可以/可将…转让 · 同意…转让（给保理商）·
无需/无须…同意. Silence leaves the field absent (records.md: absent, never guessed),
which readers take as "not restricted"; only a restrictive sentence raises the flag.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extractors.contracts.segment import sentences
from extractors.fields.base import put
from pipeline.types import Document, RiskFlag

if TYPE_CHECKING:
    from extractors.contracts.terms import Unit

SUBJECT = re.compile(r"转\s*让|让\s*与|质\s*押")
OBJECT = re.compile(r"债权|应收账款|权利|权益|款项|本合同|合同项下|收款权")
SAME = r"[^。；;]"
RESTRICT = [
    re.compile(rf"(?:不得|不能|不可|无权|禁止|严禁|不允许){SAME}{{0,30}}?(?:转\s*让|让\s*与)"),
    re.compile(rf"未\s*经{SAME}{{0,20}}?同\s*意{SAME}{{0,30}}?(?:转\s*让|让\s*与)"),
    re.compile(rf"(?:转\s*让|让\s*与){SAME}{{0,30}}?(?:须|需|应当?|必须)\s*(?:事先|预先|提前)?\s*(?:取得|获得|征得|经|经过){SAME}{{0,20}}?(?:书面)?\s*同\s*意"),
    re.compile(rf"经{SAME}{{0,20}}?同\s*意{SAME}{{0,12}}?(?:方可|才能|方能|始得|才可以?){SAME}{{0,20}}?(?:转\s*让|让\s*与)"),
    re.compile(rf"(?:转\s*让|让\s*与){SAME}{{0,20}}?(?:无效|不发生效力|对{SAME}{{0,6}}不发生效力)"),
]
PERMIT = [
    re.compile(rf"(?:无需|无须|不需|不必|毋需|勿需){SAME}{{0,12}}?同\s*意"),
]


def restrictive(sentence: str) -> bool:
    """True where the sentence forbids or conditions an assignment."""
    s = sentence
    if not SUBJECT.search(s):
        return False
    if any(rx.search(s) for rx in PERMIT):
        return False
    for rx in RESTRICT:
        m = rx.search(s)
        if m is None:
            continue
        part = m.group(0)
        # "不得拒绝…转让" / "不得以…为由拒绝" restrict the debtor, not the assignment
        if re.search(r"不得\s*(?:拒绝|阻碍|妨碍|以)", part):
            continue
        return True
    return False


def check_assignment(doc: Document, units: list[Unit]) -> bool | None:
    """Set ``assignment_restricted`` (+ ASSIGNMENT_RESTRICTED flag) from the clauses; returns the value."""
    allowed_span = None
    ordered = sorted(units, key=lambda u: u.label != "assignment" and u.top.label != "assignment")
    for u in ordered:
        for a, b in sentences(u.text):
            sent = u.text[a:b]
            if not SUBJECT.search(sent) or not (OBJECT.search(sent) or u.label == "assignment" or u.top.label == "assignment"):
                continue
            if "质押" in sent and not re.search(r"转\s*让|让\s*与", sent):
                continue
            if restrictive(sent):
                span = u.span(a, b)
                if span is None:
                    continue
                put(doc, "assignment_restricted", span, lambda _t: True, stage="contract_terms", overwrite=True)
                quote = re.sub(r"\s+", "", sent).strip("；;。")
                doc.risk_flags = [f for f in doc.risk_flags if f.code != "ASSIGNMENT_RESTRICTED"]
                doc.risk_flags.append(RiskFlag(
                    code="ASSIGNMENT_RESTRICTED", severity="yellow",
                    message=f"the contract restricts assigning its receivables (clause {u.top.number} "
                            f"{u.top.heading}): “{quote[:120]}”",
                    evidence={"page": span.page, "bbox": [round(v, 2) for v in span.bbox], "clause": u.clause.number,
                              "text": quote[:200]}))
                return True
            if allowed_span is None and re.search(r"转\s*让|让\s*与", sent):
                allowed_span = u.span(a, b)
    if allowed_span is not None:
        put(doc, "assignment_restricted", allowed_span, lambda _t: False, stage="contract_terms")
        return False
    return None
