"""Contract terms from clauses: payment nodes, advance and retention, penalty, guarantee,
dispute resolution, term dates; assignment restriction (assignment.py).

Rules read each clause's own text; the clause class (heading keywords, else the trained
clause classifier where the model is present) says where to look first. Values are
normalised to records.md's forms and stored with the page and box they were read from.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from extractors.contracts.segment import Clause, full_text, segment, sentences, top_level
from extractors.fields import patterns as P
from extractors.fields.base import put, put_value
from extractors.layout import LineIndex, Span
from extractors.normalize.dates import parse_date
from extractors.normalize.money import format_money, parse_money, parse_rate
from pipeline.types import Document

log = logging.getLogger(__name__)

CLASSES = ["payment", "advance_payment", "progress_payment", "settlement", "retention", "penalty", "guarantee",
           "assignment", "dispute", "termination", "other"]

ADVANCE = r"预付款|首付款|定金|预付"
RETENTION = r"质量保证金|质保金|保修金|保留金|质量保修金"
PROGRESS = r"进度款|中期款|到货款|发货款|月度付款|阶段款"
SETTLE = r"竣工结算款|结算款|尾款|最终付款|余款"
MILESTONE_KNOWN = re.compile(rf"^\s*({ADVANCE}|{RETENTION}|{PROGRESS}|{SETTLE}|验收款|安装款|调试款)(?:\s*[：:]|\s*(?=[\u4e00-\u9fa5]))")
MILESTONE_LABEL = re.compile(r"^\s*([\u4e00-\u9fa5]{1,7}(?:款|金))\s*[：:]")
AS_MILESTONE = re.compile(rf"作为\s*((?:{ADVANCE}|{PROGRESS}|{SETTLE}|{RETENTION}))")

PCT = r"\d{1,3}(?:\.\d+)?\s*[%％]"
FRACTION = r"(?:百|千|万)分之[零一二三四五六七八九十点\d.]+"
RATE_ANY = re.compile(rf"({PCT}|{FRACTION}|\d+(?:\.\d+)?\s*[‰‱])")
DAYS = re.compile(r"(\d{1,3}|[一二三四五六七八九十两]{1,3})\s*(?:个)?(?:工作|日历)?\s*[天日]\s*(?:内|之内|以内)")
MONTHS = re.compile(r"(\d{1,3}|[一二三四五六七八九十两]{1,3})\s*个\s*月")
YEARS = re.compile(r"(\d{1,2}|[一二三四五六七八九十两]{1,3})\s*年(?![\d月])")
CUMULATIVE = re.compile(r"支付至|付至|累计支付|累计付款|累计达到|累计至")

PENALTY_CTX = re.compile(r"逾期付款|迟延付款|延迟付款|逾期支付|迟延支付|延期付款|未按(?:时|期|约定)(?:足额)?(?:付款|支付)")
PER_DAY = re.compile(r"每日|每天|按日|日|每逾期一[天日]")
GUARANTEE = re.compile(r"(预付款保函|履约保函|银行保函|支付保函|付款保函|履约担保函|连带责任保证|一般保证|履约保证金|保证保险|抵押|质押)")
GUARANTEE_STRONG = re.compile(r"(预付款保函|履约保函|银行保函|支付保函|付款保函|履约担保函|连带责任保证|履约保证金)")
ARBITRATION = re.compile(r"(?:提交|提请|向|由|申请|递交)\s*([^，,。；;、]{2,30}?仲\s*裁\s*委\s*员\s*会(?:[^，,。；;]{0,12}?分会)?)")
ARB_BARE = re.compile(r"([\u4e00-\u9fa5]{2,20}?仲裁委员会)")
COURT = re.compile(r"(?:向|由|提交|在|至)\s*([^，,。；;、]{2,30}?人\s*民\s*法\s*院)")
DATE = P.DATE.pattern[1:-1]  # without its capture group
START_END = [
    re.compile(rf"(?:计划)?开\s*工\s*日\s*期\s*[:：为]?\s*({DATE})"),
    re.compile(rf"(?:计划)?竣\s*工\s*日\s*期\s*[:：为]?\s*({DATE})"),
]
FROM_TO = re.compile(rf"自\s*({DATE})\s*(?:起)?\s*(?:至|到|—|－|-|~)\s*({DATE})")
HEADING_CLASS = [
    ("assignment", re.compile(r"转让")),
    ("dispute", re.compile(r"争议|纠纷|仲裁|诉讼|法律适用")),
    ("penalty", re.compile(r"违约")),
    ("guarantee", re.compile(r"担保|保函|(?<!质量)保证(?!金)")),
    ("retention", re.compile(RETENTION)),
    ("termination", re.compile(r"解除|终止")),
    ("advance_payment", re.compile(ADVANCE)),
    ("progress_payment", re.compile(PROGRESS)),
    ("settlement", re.compile(r"结算|尾款")),
    ("payment", re.compile(r"付款|支付|价款|租金|费用")),
]


def _int(s: str) -> int | None:
    from extractors.contracts.segment import _int as to_int

    return to_int(s)


def rule_class(heading: str, text: str = "") -> str | None:
    """A clause's class from its heading (then its opening words); None when the words do not say."""
    for label, rx in HEADING_CLASS:
        if heading and rx.search(heading):
            return label
    return None


@dataclass
class Unit:
    """One clause as the rules read it: its own text and where it sits."""

    clause: Clause
    top: Clause
    label: str

    @property
    def text(self) -> str:
        return self.clause.text

    def span(self, start: int, end: int) -> Span | None:
        return self.clause.span(start, end)


def _units(clauses: list[Clause], model: Any = None) -> list[Unit]:
    by_heading = {i: rule_class(c.heading) or rule_class(top_level(clauses, i).heading) for i, c in enumerate(clauses)}
    todo = [i for i, lab in by_heading.items() if not lab]  # the model only where headings say nothing
    labels: dict[int, str] = {}
    if model is not None and todo:
        try:
            from extractors.ner.model import classify_clauses

            got = classify_clauses(model, [clauses[i].heading + "：" + clauses[i].text if clauses[i].heading
                                           else clauses[i].text for i in todo])
            labels = {todo[k]: lab for k, lab in got.items()}
        except Exception as exc:  # noqa: BLE001 - the rules still work
            log.warning("clause classifier failed (%s); using heading rules only", exc)
    out = []
    for i, c in enumerate(clauses):
        top = top_level(clauses, i)
        lab = by_heading[i] or labels.get(i) or "other"
        c.label = lab
        out.append(Unit(c, top, lab))
    return out


def _first_rate(text: str) -> re.Match | None:
    hits = list(RATE_ANY.finditer(text))
    if not hits:
        return None
    for m in hits:  # "…的10%" first: the share, not "5%的履约保证金" elsewhere
        if text[max(0, m.start() - 1):m.start()] == "的":
            return m
    return hits[0]


def _milestone(text: str, heading: str) -> tuple[str, int, int] | None:
    m = MILESTONE_KNOWN.match(text) or MILESTONE_LABEL.match(text)
    if m:
        return m.group(1), m.start(1), m.end(1)
    m = AS_MILESTONE.search(text)
    if m:
        return m.group(1), m.start(1), m.end(1)
    return None


def _node(unit: Unit) -> tuple[dict, Span | None] | None:
    text = unit.text
    ms = _milestone(text, unit.clause.heading)
    if ms is None:
        return None
    name, _a, _b = ms
    rm = _first_rate(text)
    if rm is None:
        return None
    rate = parse_rate(rm.group(1))
    if rate is None:
        return None
    dm = DAYS.search(text)
    due = _int(dm.group(1)) if dm else None
    am = re.search(r"(?:即|计|金额为?|共计)\s*(?:人民币)?\s*[（(]?\s*" + P.MONEY.pattern, text)
    amount = None
    if am:
        v = parse_money(am.group(1))
        amount = format_money(v) if v is not None else None
    node = {"milestone": name.replace(" ", ""), "rate": rate, "amount": amount, "due_days": due,
            "cumulative": bool(CUMULATIVE.search(text))}
    return node, unit.span(0, len(text))


def _put_span(doc: Document, name: str, span: Span | None, value: Any) -> None:
    if span is None or value in (None, ""):
        return
    put(doc, name, span, lambda _t, v=value: v, stage="contract_terms")


def _payment_terms(doc: Document, units: list[Unit]) -> list[dict]:
    nodes: list[tuple[dict, Span | None]] = []
    for u in units:
        if u.top.label in ("penalty", "guarantee", "assignment", "dispute", "termination"):
            continue
        got = _node(u)
        if got is not None:
            nodes.append(got)
    if not nodes:
        return []
    spans = [s for _, s in nodes if s is not None]
    value = [n for n, _ in nodes]
    if spans:
        first = [s for s in spans if s.page == spans[0].page]
        box = (min(s.bbox[0] for s in first), min(s.bbox[1] for s in first), max(s.bbox[2] for s in first),
               max(s.bbox[3] for s in first))
        put_value(doc, "payment_terms", value, page=spans[0].page, bbox=box,
                  confidence=round(min(s.confidence for s in spans), 4), source=spans[0].source,
                  raw="；".join(s.text for s in spans)[:500])
    else:
        put_value(doc, "payment_terms", value)
    for node, span in nodes:
        if re.fullmatch(ADVANCE, node["milestone"]):
            _put_span(doc, "advance_payment_rate", span, node["rate"])
    return value


def _retention(doc: Document, units: list[Unit]) -> None:
    for u in sorted(units, key=lambda u: u.label != "retention"):
        text = u.text
        km = re.search(RETENTION, text)
        if km is None:
            continue
        rm = _first_rate(text[km.start():])
        if rm is not None and "retention_rate" not in doc.fields:
            s = km.start() + rm.start(1)
            _put_span(doc, "retention_rate", u.span(s, km.start() + rm.end(1)), parse_rate(rm.group(1)))
        mm = MONTHS.search(text)
        months = _int(mm.group(1)) if mm else None
        if mm is None:
            mm = YEARS.search(text)
            months = (_int(mm.group(1)) or 0) * 12 if mm else None
        if mm is not None and months and "retention_months" not in doc.fields:
            _put_span(doc, "retention_months", u.span(mm.start(), mm.end()), months)
        if "retention_rate" in doc.fields:
            return


def _penalty(doc: Document, units: list[Unit]) -> None:
    for u in sorted(units, key=lambda u: u.label != "penalty"):
        for a, b in sentences(u.text):
            sent = u.text[a:b]
            pm = PENALTY_CTX.search(sent)
            if pm is None:
                continue
            for m in RATE_ANY.finditer(sent, pm.end()):
                before = sent[max(0, m.start() - 16):m.start()]
                if PER_DAY.search(before) or re.search(r"[/／]\s*[天日]|每\s*[天日]", sent[m.end():m.end() + 4]):
                    _put_span(doc, "penalty_rate_per_day", u.span(a + m.start(1), a + m.end(1)), parse_rate(m.group(1)))
                    return


def _guarantee(doc: Document, units: list[Unit]) -> None:
    for u in units:
        if u.label != "guarantee" and u.top.label != "guarantee":
            continue
        m = GUARANTEE.search(u.text)
        if m:
            _put_span(doc, "guarantee_type", u.span(m.start(1), m.end(1)), m.group(1))
            return
    for u in units:
        if u.top.label in ("assignment", "retention"):
            continue
        m = GUARANTEE_STRONG.search(u.text)
        if m:
            _put_span(doc, "guarantee_type", u.span(m.start(1), m.end(1)), m.group(1))
            return


def _dispute(doc: Document, units: list[Unit]) -> None:
    for u in sorted(units, key=lambda u: u.label != "dispute" and u.top.label != "dispute"):
        text = u.text
        m = ARBITRATION.search(text) or ARB_BARE.search(text)
        if m and "仲裁" in text:
            span = u.span(m.start(1), m.end(1))
            _put_span(doc, "dispute_resolution", span, "arbitration")
            _put_span(doc, "dispute_venue", span, re.sub(r"\s+", "", m.group(1)))
            return
        m = COURT.search(text)
        if m and re.search(r"诉讼|起诉|管辖", text):
            span = u.span(m.start(1), m.end(1))
            _put_span(doc, "dispute_resolution", span, "litigation")
            _put_span(doc, "dispute_venue", span, re.sub(r"\s+", "", m.group(1)))
            return


VENUE_END = re.compile(r"^(.*?(?:人民法院|法院|仲裁委员会(?:[\u4e00-\u9fa5]{0,12}?分会)?|仲裁院|仲裁中心))")


def _dispute_by_ner(doc: Document, units: list[Unit], model: Any) -> None:
    """Where the wording rules found no venue, the NER's court or arbitration body in the dispute clause.

    The entity is cut after the body's name (法院 / 仲裁委员会 / 仲裁院 / 仲裁中心); its words, not its
    label, say arbitration or litigation: on wordings it never saw, the template-trained model finds
    the span but may label a court PARTY or an arbitration body COURT.
    """
    from extractors.ner.model import entities

    if model is None or "dispute_venue" in doc.fields:
        return
    for u in (u for u in units if "dispute" in (u.label, u.top.label)):
        for label, start, _end, text in entities(model, u.text):
            # a body's name the model tags PARTY on unseen wordings still names the venue when it ends in one
            m = VENUE_END.match(re.sub(r"\s+", "", text)) if label in ("COURT", "ARBITRATION", "PARTY") else None
            if m and len(m.group(1)) >= 4:
                venue = m.group(1)
                span = u.span(start, start + len(venue))
                _put_span(doc, "dispute_resolution", span, "arbitration" if "仲裁" in venue else "litigation")
                _put_span(doc, "dispute_venue", span, venue)
                return


def _dates(doc: Document, units: list[Unit]) -> None:
    for u in units:
        text = u.text
        m = FROM_TO.search(text)
        if m:
            _put_span(doc, "start_date", u.span(m.start(1), m.end(1)), parse_date(m.group(1)))
            _put_span(doc, "end_date", u.span(m.start(2), m.end(2)), parse_date(m.group(2)))
        for name, rx in zip(("start_date", "end_date"), START_END):
            m = rx.search(text)
            if m:
                _put_span(doc, name, u.span(m.start(1), m.end(1)), parse_date(m.group(1)))
        if "start_date" in doc.fields and "end_date" in doc.fields:
            return


def extract_terms(doc: Document, index: list[LineIndex], *, use_model: bool = True,
                  clauses: list[Clause] | None = None) -> list[Clause]:
    """Segment the contract (unless its ``clauses`` are given) and store its term fields (and the
    assignment flag) on ``doc``."""
    from extractors.contracts.assignment import check_assignment

    clauses = segment(index) if clauses is None else clauses
    model = None
    if use_model:
        from extractors.ner.model import get_model

        model = get_model()
    units = _units(clauses, model)
    doc.meta["contract_clauses"] = [
        {"number": c.number, "level": c.level, "heading": c.heading, "label": c.label, "pages": c.pages}
        for c in clauses
    ]
    steps: list[Callable[[Document, list[Unit]], Any]] = [_dates, _payment_terms, _retention, _penalty, _guarantee,
                                                           _dispute]
    for step in steps:
        try:
            step(doc, units)
        except Exception as exc:  # noqa: BLE001 - one rule failing must not lose the others
            log.warning("contract terms: %s failed: %s", step.__name__, exc)
    try:
        _dispute_by_ner(doc, units, model)
    except Exception as exc:  # noqa: BLE001 - a failing NER backend must not lose the rules' fields
        log.warning("contract terms: the NER fallback failed: %s", exc)
    check_assignment(doc, units)
    return clauses


__all__ = ["CLASSES", "Unit", "extract_terms", "full_text", "rule_class"]
