"""Cross-document linking (issue 5 item 7): invoices and payment vouchers belong to a contract.

``link(session, doc, rec)`` runs inside ``ingest._persist`` after the record is built and
before it is saved, in the same transaction, and only within the document's organisation:

- an invoice or voucher is linked to the contract whose ``contract_number`` appears in its
  ``remarks`` / ``purpose`` (method ``contract_number``); else to the one contract whose
  parties match (invoice buyer / voucher payer = ``party_a_name``, the debtor; seller /
  payee = ``party_b_name``, the creditor), narrowed by the contract's ``project_name`` in
  the text when several match (method ``parties``); ambiguous or no match: not linked;
- a contract arriving later links the earlier unlinked invoices and vouchers that match it;
- flags (records.md), recomputed on every document of a contract whenever one is linked:
  ``PARTY_MISMATCH`` on a document linked by number that names other parties than the
  contract, ``OVER_CONTRACT_AMOUNT`` on the invoices from the one that takes the invoiced
  sum past the contract's ``total_amount`` on. Flags a reviewer cleared are left alone.

``receivable(session, contract_id=..., org=...)`` is the contract's account: price, invoiced,
paid, outstanding (invoiced - paid) and the payment nodes with the due dates that can be
computed from the contract alone.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.types import Document
from storage.tables import DocumentRow, LinkRow, utcnow

LINKED_TYPES = ("invoice", "payment_voucher")
LINK_FLAGS = ("PARTY_MISMATCH", "OVER_CONTRACT_AMOUNT")
FINISHED = ("done", "partial")

#: Which field of an invoice / voucher names which party of the contract.
PARTY_FIELDS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    # (document name field, document tax id field, contract name field, contract tax id field)
    "invoice": (("buyer_name", "buyer_tax_id", "party_a_name", "party_a_tax_id"),
                ("seller_name", "seller_tax_id", "party_b_name", "party_b_tax_id")),
    "payment_voucher": (("payer_name", "", "party_a_name", "party_a_tax_id"),
                        ("payee_name", "", "party_b_name", "party_b_tax_id")),
}
TEXT_FIELD = {"invoice": "remarks", "payment_voucher": "purpose"}
AMOUNT_FIELD = {"invoice": "total_amount", "payment_voucher": "amount"}

_SPACE = re.compile(r"\s+")
_PUNCT = str.maketrans({"（": "(", "）": ")", "－": "-", "—": "-", "：": ":"})


# --- normalising -------------------------------------------------------------------------


def _norm(value: Any) -> str:
    """Names, numbers and free text compared without spaces, full-width brackets or case."""
    if value is None:
        return ""
    return _SPACE.sub("", str(value)).translate(_PUNCT).upper()


def _compact(value: str) -> str:
    return re.sub(r"[-_/.·]", "", value)


def money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01')):f}"


def _contains_number(text: str, number: str) -> bool:
    """``number`` (normalised) appears in ``text`` (normalised) as a whole token, hyphens ignored."""
    if len(number) < 4:
        return False
    for t, n in ((text, number), (_compact(text), _compact(number))):
        if n and re.search(r"(?<![A-Z0-9])" + re.escape(n) + r"(?![A-Z0-9])", t):
            return True
    return False


# --- the contracts of an organisation ------------------------------------------------------


class _Contract:
    def __init__(self, id: str, fields: dict[str, Any], order: tuple[Any, ...]):
        self.id, self.fields, self.order = id, fields, order
        self.number = _norm(fields.get("contract_number"))
        self.project = _norm(fields.get("project_name"))


def _contracts(session: Session, org: str, extra: tuple[str, dict[str, Any]] | None = None) -> list[_Contract]:
    """Finished contracts of ``org``, oldest first; ``extra`` is one being saved now (its row has no record yet).

    A contract ingested twice (same number) counts once: the earliest.
    """
    rows = session.scalars(select(DocumentRow).where(
        DocumentRow.org == org, DocumentRow.doc_type == "contract", DocumentRow.status.in_(FINISHED),
    ).order_by(DocumentRow.created_at, DocumentRow.id))
    out = [_Contract(r.id, (r.record or {}).get("fields", {}), (0, r.created_at.timestamp(), r.id))
           for r in rows if extra is None or r.id != extra[0]]
    if extra is not None:
        out.append(_Contract(extra[0], extra[1], (1, 0.0, extra[0])))
    seen: set[str] = set()
    unique = []
    for c in sorted(out, key=lambda c: c.order):
        if c.number and c.number in seen:
            continue
        if c.number:
            seen.add(c.number)
        unique.append(c)
    return unique


def _party_checks(doc_type: str, fields: dict[str, Any], contract: dict[str, Any]) -> list[dict[str, Any]]:
    """Each party both documents name: ``{field, value, contract_field, contract_value, same}``."""
    checks = []
    for name_f, tax_f, c_name_f, c_tax_f in PARTY_FIELDS[doc_type]:
        name, c_name = _norm(fields.get(name_f)), _norm(contract.get(c_name_f))
        tax, c_tax = _norm(fields.get(tax_f)) if tax_f else "", _norm(contract.get(c_tax_f))
        if tax and c_tax:
            same = tax == c_tax or (bool(name) and name == c_name)
        elif name and c_name:
            same = name == c_name
        else:
            continue
        checks.append({"field": name_f, "value": fields.get(name_f), "contract_field": c_name_f,
                       "contract_value": contract.get(c_name_f), "same": same})
    return checks


def match(doc_type: str, fields: dict[str, Any], contracts: list[_Contract]) -> tuple[str, str] | None:
    """``(contract_id, method)`` for an invoice / voucher's fields, or None when none or several fit."""
    text = _norm(fields.get(TEXT_FIELD[doc_type]))
    if text:
        by_number = [c for c in contracts if c.number and _contains_number(text, c.number)]
        if by_number:  # the longest number named wins (HT2022415 vs HT20224157)
            best = max(by_number, key=lambda c: len(c.number))
            return best.id, "contract_number"
    fitting = []
    for c in contracts:
        checks = _party_checks(doc_type, fields, c.fields)
        if len(checks) == len(PARTY_FIELDS[doc_type]) and all(ch["same"] for ch in checks):
            fitting.append(c)
    if len(fitting) > 1 and text:
        named = [c for c in fitting if c.project and c.project in text]
        fitting = named or fitting
    if len(fitting) == 1:
        return fitting[0].id, "parties"
    return None


# --- flags ------------------------------------------------------------------------------------


def _flags_for(doc_type: str, fields: dict[str, Any], method: str, contract_id: str,
               contract: dict[str, Any]) -> list[dict[str, Any]]:
    if method != "contract_number":
        return []
    wrong = [{k: v for k, v in ch.items() if k != "same"}
             for ch in _party_checks(doc_type, fields, contract) if not ch["same"]]
    if not wrong:
        return []
    what = "; ".join(f"{w['field']} {w['value']} ≠ contract {w['contract_field']} {w['contract_value']}"
                     for w in wrong)
    return [{"code": "PARTY_MISMATCH", "severity": "red",
             "message": f"names other parties than contract {contract.get('contract_number')}: {what}",
             "evidence": {"document_id": contract_id, "contract_number": contract.get("contract_number"),
                          "fields": wrong}}]


def _apply(record: dict[str, Any], contract_id: str, new: list[dict[str, Any]]) -> dict[str, Any]:
    """The record with its open link flags replaced by ``new``; cleared flags stay, and are not raised again."""
    kept, cleared = [], set()
    for f in record.get("risk_flags", []):
        if f.get("code") in LINK_FLAGS and not f.get("cleared"):
            continue
        if f.get("code") in LINK_FLAGS and f.get("cleared"):
            cleared.add((f["code"], (f.get("evidence") or {}).get("document_id")))
        kept.append(f)
    kept += [f for f in new if (f["code"], contract_id) not in cleared]
    return {**record, "risk_flags": kept}


def _invoice_key(fields: dict[str, Any], doc_id: str) -> tuple[str, ...]:
    number = fields.get("invoice_number")
    return ("inv", str(fields.get("invoice_code") or ""), str(number)) if number else ("id", doc_id)


def _voucher_key(fields: dict[str, Any], doc_id: str) -> tuple[str, ...]:
    serial = fields.get("serial_number")
    return ("vou", str(serial)) if serial else ("id", doc_id)


def _members(session: Session, contract_id: str,
             current: tuple[str, dict[str, Any]] | None = None) -> list[tuple[str, dict[str, Any], LinkRow]]:
    """(document id, record, link) of each document linked to the contract, in issue / payment order.

    ``current``: the document being saved now, whose row has no record yet.
    """
    links = list(session.scalars(select(LinkRow).where(LinkRow.contract_id == contract_id)))
    out = []
    for link in links:
        if current is not None and link.document_id == current[0]:
            rec = current[1]
            created = utcnow().timestamp()
        else:
            row = session.get(DocumentRow, link.document_id)
            if row is None or row.record is None:
                continue
            rec, created = row.record, row.created_at.timestamp()
        out.append((link.document_id, rec, link, created))
    f = lambda r: r.get("fields", {})
    out.sort(key=lambda m: (str(f(m[1]).get("issue_date") or f(m[1]).get("payment_date") or "9999"), m[3], m[0]))
    return [(i, r, link) for i, r, link, _ in out]


def _refresh(session: Session, contract_id: str, contract: dict[str, Any],
             current: tuple[str, dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """Recompute the link flags of every document of the contract; rewrite the records that change.

    Returns the current document's new record (not saved here: ``_persist`` saves it).
    """
    price = money(contract.get("total_amount"))
    invoiced, seen = Decimal(0), set()
    result = None
    members = _members(session, contract_id, current)
    total = Decimal(0)
    for doc_id, rec, _ in members:
        fields = rec.get("fields", {})
        if rec.get("doc_type") == "invoice" and _invoice_key(fields, doc_id) not in seen:
            seen.add(_invoice_key(fields, doc_id))
            total += money(fields.get("total_amount")) or Decimal(0)
    seen.clear()
    for doc_id, rec, link in members:
        doc_type = rec.get("doc_type") or ""
        fields = rec.get("fields", {})
        flags = _flags_for(doc_type, fields, link.method, contract_id, contract)
        if doc_type == "invoice":
            key = _invoice_key(fields, doc_id)
            if key not in seen:
                seen.add(key)
                invoiced += money(fields.get("total_amount")) or Decimal(0)
            if price is not None and invoiced > price:
                flags.append({"code": "OVER_CONTRACT_AMOUNT", "severity": "red",
                              "message": f"invoices under contract {contract.get('contract_number')} add up to "
                                         f"{_fmt(total)}, more than its price {_fmt(price)}",
                              "evidence": {"document_id": contract_id,
                                           "contract_number": contract.get("contract_number"),
                                           "invoiced": _fmt(total), "price": _fmt(price)}})
        new = _apply(rec, contract_id, flags)
        if current is not None and doc_id == current[0]:
            result = new
        elif new != rec:
            row = session.get(DocumentRow, doc_id)
            assert row is not None
            row.record = new
            row.updated_at = utcnow()
    session.flush()
    return result


def _set_link(session: Session, *, document_id: str, contract_id: str, org: str, method: str) -> None:
    link = session.get(LinkRow, document_id)
    if link is None:
        session.add(LinkRow(document_id=document_id, contract_id=contract_id, org=org, method=method,
                            created_at=utcnow()))
    else:
        link.contract_id, link.org, link.method = contract_id, org, method
    session.flush()


# --- the entry point -----------------------------------------------------------------------


def link(session: Session, doc: Document, rec: dict[str, Any]) -> dict[str, Any]:
    """Link the document being saved (and, for a contract, the earlier documents waiting for it).

    Returns the record to save: ``rec`` with the document's link flags.
    """
    row = session.get(DocumentRow, doc.id)
    if row is None or doc.status.value not in FINISHED:
        return rec
    org = row.org
    fields = rec.get("fields", {})
    if doc.doc_type in LINKED_TYPES:
        old = session.get(LinkRow, doc.id)
        found = match(doc.doc_type, fields, _contracts(session, org))
        if found is None:
            if old is not None:  # a retried job that no longer matches
                session.delete(old)
                session.flush()
                other = session.get(DocumentRow, old.contract_id)
                if other is not None and other.record:
                    _refresh(session, old.contract_id, other.record.get("fields", {}))
            return rec
        contract_id, method = found
        before = old.contract_id if old is not None else None
        _set_link(session, document_id=doc.id, contract_id=contract_id, org=org, method=method)
        if before is not None and before != contract_id:  # a retried job now names another contract
            other = session.get(DocumentRow, before)
            if other is not None and other.record:
                _refresh(session, before, other.record.get("fields", {}))
        contract = session.get(DocumentRow, contract_id)
        new = _refresh(session, contract_id, (contract.record or {}).get("fields", {}) if contract else {},
                       current=(doc.id, rec))
        return new if new is not None else rec
    if doc.doc_type == "contract":
        contracts = _contracts(session, org, extra=(doc.id, fields))
        if not any(c.id == doc.id for c in contracts):  # a second copy of a known contract
            return rec
        linked = select(LinkRow.document_id).where(LinkRow.org == org)
        waiting = session.scalars(select(DocumentRow).where(
            DocumentRow.org == org, DocumentRow.doc_type.in_(LINKED_TYPES), DocumentRow.status.in_(FINISHED),
            DocumentRow.id.not_in(linked)))
        touched = False
        for w in list(waiting):
            found = match(w.doc_type or "", (w.record or {}).get("fields", {}), contracts)
            if found is not None and found[0] == doc.id:
                _set_link(session, document_id=w.id, contract_id=doc.id, org=org, method=found[1])
                touched = True
        if touched or session.scalars(select(LinkRow).where(LinkRow.contract_id == doc.id)).first():
            _refresh(session, doc.id, fields)
    return rec


# --- the receivable ------------------------------------------------------------------------------


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _schedule(fields: dict[str, Any], price: Decimal | None) -> list[dict[str, Any]]:
    """The payment nodes, with a due date where the contract alone fixes one.

    预付款 (advance): ``signing_date`` (or ``start_date``) + ``due_days``; 质量保证金 (retention):
    ``end_date`` + ``retention_months`` + ``due_days``. Other nodes depend on events the
    documents do not date (progress measured, completion settled): ``due_date`` is null.
    """
    out = []
    signed, start, end = _iso(fields.get("signing_date")), _iso(fields.get("start_date")), _iso(fields.get("end_date"))
    for term in fields.get("payment_terms") or []:
        if not isinstance(term, dict):
            continue
        milestone = str(term.get("milestone") or "")
        rate = money(term.get("rate"))
        amount = money(term.get("amount"))
        if amount is None and rate is not None and price is not None and not term.get("cumulative") \
                and "进度" not in milestone:
            amount = price * rate
        days = term.get("due_days")
        days = int(days) if isinstance(days, (int, float, str)) and str(days).isdigit() else None
        due, basis = None, None
        if "预付" in milestone and (signed or start):
            due, basis = (signed or start), ("signing_date" if signed else "start_date")
        elif ("保证金" in milestone or "质保" in milestone) and end and fields.get("retention_months"):
            try:
                due, basis = _add_months(end, int(fields["retention_months"])), "end_date + retention_months"
            except (TypeError, ValueError):
                due = None
        if due is not None and days:
            due = due + timedelta(days=days)
        out.append({"milestone": milestone, "rate": term.get("rate"), "amount": _fmt(amount),
                    "due_days": days, "cumulative": bool(term.get("cumulative")),
                    "due_date": due.isoformat() if due else None, "basis": basis})
    return out


def receivable(session: Session, *, contract_id: str, org: str) -> dict[str, Any] | None:
    """The contract's receivable, or None when ``contract_id`` is no finished contract of ``org``."""
    row = session.get(DocumentRow, contract_id)
    if row is None or row.org != org or row.doc_type != "contract" or row.record is None:
        return None
    fields = row.record.get("fields", {})
    price = money(fields.get("total_amount"))
    invoiced, paid = Decimal(0), Decimal(0)
    seen: set[tuple[str, ...]] = set()
    invoices, vouchers = [], []
    for doc_id, rec, link in _members(session, contract_id):
        f = rec.get("fields", {})
        doc_type = rec.get("doc_type")
        amount = money(f.get(AMOUNT_FIELD.get(doc_type or "", "")))
        key = _invoice_key(f, doc_id) if doc_type == "invoice" else _voucher_key(f, doc_id)
        counted = key not in seen and amount is not None
        seen.add(key)
        item = {"document_id": doc_id, "link_method": link.method, "amount": _fmt(amount), "counted": counted,
                "flags": [fl["code"] for fl in rec.get("risk_flags", []) if not fl.get("cleared")]}
        if doc_type == "invoice":
            invoiced += amount if counted and amount is not None else Decimal(0)
            invoices.append({**item, "invoice_number": f.get("invoice_number"), "issue_date": f.get("issue_date")})
        else:
            paid += amount if counted and amount is not None else Decimal(0)
            vouchers.append({**item, "serial_number": f.get("serial_number"), "payment_date": f.get("payment_date")})
    return {
        "contract_id": contract_id, "contract_number": fields.get("contract_number"),
        "contract_title": fields.get("contract_title"), "party_a_name": fields.get("party_a_name"),
        "party_b_name": fields.get("party_b_name"), "project_name": fields.get("project_name"),
        "currency": fields.get("currency") or "CNY",
        "price": _fmt(price), "invoiced": _fmt(invoiced), "paid": _fmt(paid), "outstanding": _fmt(invoiced - paid),
        "uninvoiced": _fmt(price - invoiced) if price is not None else None,
        "invoices": invoices, "payments": vouchers, "schedule": _schedule(fields, price),
    }


def list_receivables(session: Session, *, org: str) -> list[dict[str, Any]]:
    """The receivable of every finished contract of ``org``, oldest contract first."""
    rows = session.scalars(select(DocumentRow.id).where(
        DocumentRow.org == org, DocumentRow.doc_type == "contract", DocumentRow.status.in_(FINISHED),
    ).order_by(DocumentRow.created_at, DocumentRow.id))
    return [r for r in (receivable(session, contract_id=i, org=org) for i in list(rows)) if r is not None]
