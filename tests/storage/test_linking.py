"""Cross-document linking and the receivable (issue 5 item 7), through ``Ingestor.save`` on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.settings import get_settings
from pipeline.types import Document, Field, Status
from storage import repository as repo
from storage.ingest import Ingestor
from storage.tables import LinkRow

A = "中建三局第一建设工程有限责任公司"  # pays: party_a, invoice buyer, voucher payer
A_TAX = "91420100177699788X"
B = "武汉市江岸区建筑劳务有限公司"  # is paid: party_b, invoice seller, voucher payee
OTHER = "湖北某某商贸有限公司"


def make(doc_type: str, **fields: Any) -> Document:
    sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    doc = Document(id=uuid.uuid4().hex, sha256=sha, source=f"{doc_type}-{sha[:6]}.pdf", mime="application/pdf",
                   size=100, doc_type=doc_type, status=Status.done)
    for name, value in fields.items():
        doc.set_field(Field(name=name, value=value))
    return doc


def contract(number: str = "HT20224157", price: str = "1000000.00", **more: Any) -> Document:
    fields: dict[str, Any] = {
        "contract_number": number, "contract_title": "劳务分包合同", "party_a_name": A, "party_b_name": B,
        "project_name": "光谷科技园一期", "total_amount": price, "currency": "CNY", "signing_date": "2024-01-10",
        "start_date": "2024-02-01", "end_date": "2024-12-31", "retention_months": 24}
    return make("contract", **{**fields, **more})


def invoice(number: str, total: str, *, remarks: str = "", buyer: str = A, seller: str = B,
            issue_date: str = "2024-03-15") -> Document:
    return make("invoice", invoice_kind="e_invoice", invoice_number=number, issue_date=issue_date,
                buyer_name=buyer, buyer_tax_id=A_TAX if buyer == A else "91420000000000000Q",
                seller_name=seller, total_amount=total, remarks=remarks)


def voucher(serial: str, amount: str, *, purpose: str = "", payer: str = A, payee: str = B) -> Document:
    return make("payment_voucher", serial_number=serial, payment_date="2024-04-01", payer_name=payer,
                payee_name=payee, amount=amount, purpose=purpose)


@pytest.fixture(params=["sqlite", "postgresql"])
def ingestor(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ingestor]:
    overrides: dict[str, Any] = {}
    if request.param == "postgresql":
        overrides["db"] = {"url": request.getfixturevalue("pg_database")()}
    ing = Ingestor(get_settings(home=tmp_path / "home", **overrides))
    yield ing
    ing.close()


def save(ing: Ingestor, doc: Document, org: str = "acme") -> dict[str, Any]:
    return ing.save([doc], org=org)[0]


def record(ing: Ingestor, doc_id: str) -> dict[str, Any]:
    with ing.sessions() as s:
        row = repo.get_document(s, id=doc_id)
        assert row is not None and row.record is not None
        return row.record


def codes(rec: dict[str, Any]) -> list[str]:
    return [f["code"] for f in rec["risk_flags"] if not f.get("cleared")]


def links(ing: Ingestor) -> dict[str, tuple[str, str]]:
    with ing.sessions() as s:
        return {r.document_id: (r.contract_id, r.method) for r in s.query(LinkRow)}


def test_linking_clean_set_and_receivable(ingestor: Ingestor) -> None:
    c = contract(payment_terms=[
        {"milestone": "预付款", "rate": "0.10", "amount": None, "due_days": 14, "cumulative": False},
        {"milestone": "进度款", "rate": "0.80", "amount": None, "due_days": 28, "cumulative": False},
        {"milestone": "质量保证金", "rate": "0.03", "amount": None, "due_days": 14, "cumulative": False},
    ])
    rc = save(ingestor, c)
    i1 = invoice("24420000000000000001", "300000.00", remarks="对应合同：HT20224157 第一期")
    i2 = invoice("24420000000000000002", "200000.00", remarks="光谷科技园一期 进度款")  # no number: by parties
    v = voucher("20240401000123", "250000.00", purpose="付合同编号 HT20224157 进度款")
    for d in (i1, i2, v):
        assert codes(save(ingestor, d)) == []
    assert links(ingestor) == {i1.id: (c.id, "contract_number"), i2.id: (c.id, "parties"),
                               v.id: (c.id, "contract_number")}
    assert codes(rc) == [] and codes(record(ingestor, c.id)) == []
    with ingestor.sessions() as s:
        r = repo.receivable(s, contract_id=c.id, org="acme")
        assert repo.receivable(s, contract_id=c.id, org="other") is None
        assert repo.receivable(s, contract_id=i1.id, org="acme") is None
        assert [x["contract_id"] for x in repo.list_receivables(s, org="acme")] == [c.id]
        assert repo.list_receivables(s, org="other") == []
    assert r is not None
    assert (r["price"], r["invoiced"], r["paid"], r["outstanding"], r["uninvoiced"]) == (
        "1000000.00", "500000.00", "250000.00", "250000.00", "500000.00")
    assert [i["document_id"] for i in r["invoices"]] == [i1.id, i2.id]
    assert [p["document_id"] for p in r["payments"]] == [v.id]
    sched = {t["milestone"]: t for t in r["schedule"]}
    assert sched["预付款"]["due_date"] == "2024-01-24" and sched["预付款"]["amount"] == "100000.00"
    assert sched["进度款"]["due_date"] is None
    assert sched["质量保证金"]["due_date"] == "2027-01-14"  # 2024-12-31 + 24 months + 14 days


def test_linking_contract_arriving_later_links_and_flags_earlier_documents(ingestor: Ingestor) -> None:
    i1 = invoice("24420000000000000011", "700000.00", remarks="合同编号:HT20224157")
    i2 = invoice("24420000000000000012", "400000.00", remarks="对应合同：HT20224157", issue_date="2024-05-01")
    v = voucher("20240401000999", "100000.00")  # by parties only
    for d in (i1, i2, v):
        assert codes(save(ingestor, d)) == []
    assert links(ingestor) == {}
    c = contract(price="1000000.00")
    save(ingestor, c)
    assert links(ingestor) == {i1.id: (c.id, "contract_number"), i2.id: (c.id, "contract_number"),
                               v.id: (c.id, "parties")}
    assert codes(record(ingestor, i1.id)) == []  # 700,000 is within the price
    over = record(ingestor, i2.id)
    assert codes(over) == ["OVER_CONTRACT_AMOUNT"]
    ev = over["risk_flags"][0]["evidence"]
    assert ev == {"document_id": c.id, "contract_number": "HT20224157", "invoiced": "1100000.00",
                  "price": "1000000.00"}
    with ingestor.sessions() as s:
        r = repo.receivable(s, contract_id=c.id, org="acme")
    assert r is not None and (r["invoiced"], r["paid"], r["outstanding"]) == ("1100000.00", "100000.00", "1000000.00")


def test_linking_party_mismatch_and_over_amount_on_save(ingestor: Ingestor) -> None:
    c = contract(price="500000.00")
    save(ingestor, c)
    ok = save(ingestor, invoice("24420000000000000021", "300000.00", remarks="对应合同：HT20224157"))
    assert codes(ok) == []
    wrong = invoice("24420000000000000022", "100000.00", remarks="对应合同：HT20224157", buyer=OTHER)
    rec = save(ingestor, wrong)
    assert codes(rec) == ["PARTY_MISMATCH"]
    flag = rec["risk_flags"][0]
    assert flag["severity"] == "red" and flag["evidence"]["document_id"] == c.id
    assert flag["evidence"]["fields"] == [{"field": "buyer_name", "value": OTHER, "contract_field": "party_a_name",
                                           "contract_value": A}]
    last = save(ingestor, invoice("24420000000000000023", "150000.00", remarks="HT20224157"))
    assert codes(last) == ["OVER_CONTRACT_AMOUNT"]
    assert last["risk_flags"][0]["evidence"]["invoiced"] == "550000.00"
    vou = save(ingestor, voucher("1", "1.00", purpose="HT20224157", payee=OTHER))
    assert codes(vou) == ["PARTY_MISMATCH"]
    assert vou["risk_flags"][0]["evidence"]["fields"][0]["field"] == "payee_name"
    # the same invoice ingested again (another file) is not invoiced twice
    save(ingestor, invoice("24420000000000000021", "300000.00", remarks="对应合同：HT20224157"))
    with ingestor.sessions() as s:
        r = repo.receivable(s, contract_id=c.id, org="acme")
    assert r is not None and r["invoiced"] == "550000.00" and r["paid"] == "1.00"


def test_linking_stays_within_the_org_and_skips_ambiguous_parties(ingestor: Ingestor) -> None:
    c = contract()
    save(ingestor, c, org="acme")
    foreign = invoice("24420000000000000031", "100.00", remarks="对应合同：HT20224157")
    assert codes(save(ingestor, foreign, org="globex")) == []
    save(ingestor, contract(number="HT20239999", project_name="汉口滨江二期"), org="acme")
    # same parties, two contracts, no number and no project named: not linked
    vague = invoice("24420000000000000032", "100.00", remarks="劳务费")
    save(ingestor, vague, org="acme")
    named = invoice("24420000000000000033", "100.00", remarks="汉口滨江二期 劳务费")
    save(ingestor, named, org="acme")
    got = links(ingestor)
    assert foreign.id not in got and vague.id not in got
    assert got[named.id][1] == "parties" and got[named.id][0] != c.id
