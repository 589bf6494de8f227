"""The extraction API in embedded mode: SQLite + local folder + in-process worker, one process."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_service_support import SAMPLES, make_key, upload, wait_done


@pytest.fixture()
def app(tmp_path: Path):
    from api.app import create_app
    from pipeline.settings import get_settings

    return create_app(get_settings(home=tmp_path / "home"))


@pytest.fixture()
def client(app):
    with TestClient(app) as c:
        yield c


def test_service_upload_poll_record_embedded(app, client):
    clerk = make_key(app)
    accepted = upload(client, clerk, "inv_0008.pdf", "vou_0003.pdf")
    assert [a["status"] for a in accepted] == ["queued", "queued"]
    inv = wait_done(client, clerk, accepted[0]["id"])
    vou = wait_done(client, clerk, accepted[1]["id"])
    assert inv["status"] == "done" and inv["doc_type"] == "invoice"
    rec = inv["record"]
    assert rec["id"] == inv["id"] and rec["source"] == "inv_0008.pdf" and rec["sha256"] == inv["sha256"]
    assert rec["fields"]["invoice_number"] and rec["field_details"][0]["bbox"]
    assert vou["doc_type"] == "payment_voucher"
    # the page image and the page sizes the boxes refer to
    pages = client.get(f"/api/v1/documents/{inv['id']}/pages", headers=clerk).json()
    assert pages[0]["number"] == 1 and pages[0]["width"] > 500
    png = client.get(pages[0]["image_url"], headers=clerk)
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    # the same bytes again: a new document, flagged as a duplicate of the first
    again = upload(client, clerk, "inv_0008.pdf")[0]
    dup = wait_done(client, clerk, again["id"])
    assert "DUPLICATE_DOCUMENT" in dup["flags"]
    # a file holding two invoices: the upload's row is the first, the second is a child with its own id
    multi = wait_done(client, clerk, upload(client, clerk, "inv_0016.pdf")[0]["id"])
    assert [d["page_range"] for d in multi["documents"]] == [[1, 1], [2, 2]]
    assert multi["documents"][0]["id"] == multi["id"] and multi["record"]["page_range"] == [1, 1]
    child = client.get(f"/api/v1/documents/{multi['documents'][1]['id']}", headers=clerk).json()
    assert child["ingest_id"] == multi["id"] and child["record"]["fields"]["invoice_number"]
    metrics = client.get("/metrics").text
    assert 'docintel_documents{status="done"} 5.0' in metrics and "docintel_stage_seconds_bucket" in metrics
    assert client.get("/readyz").json() == {"status": "ok", "db": "ok", "queue": "ok", "storage": "ok"}


def test_service_etag_cursor_and_audit_trail(app, client):
    clerk = make_key(app, name="李四")
    ids = [a["id"] for a in upload(client, clerk, "inv_0008.pdf", "vou_0003.pdf", "vou_0012.pdf")]
    for i in ids:
        wait_done(client, clerk, i)
    r = client.get(f"/api/v1/documents/{ids[0]}", headers=clerk)
    etag = r.headers["ETag"]
    assert client.get(f"/api/v1/documents/{ids[0]}", headers={**clerk, "If-None-Match": etag}).status_code == 304
    # cursor pagination: two pages of 2 and 1, nothing lost or repeated
    first = client.get("/api/v1/documents?limit=2", headers=clerk).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(f"/api/v1/documents?limit=2&cursor={first['next_cursor']}", headers=clerk).json()
    assert second["next_cursor"] is None
    assert sorted(i["id"] for i in first["items"] + second["items"]) == sorted(ids)
    assert client.get("/api/v1/documents?doc_type=invoice", headers=clerk).json()["items"][0]["id"] == ids[0]
    assert client.get("/api/v1/documents?cursor=bogus", headers=clerk).status_code == 422
    # a correction: record updated, audit trail (who, when, old, new), ETag changes
    old = r.json()["record"]["fields"]["invoice_number"]
    p = client.patch(f"/api/v1/documents/{ids[0]}/fields/invoice_number", json={"value": "12345678"}, headers=clerk)
    assert p.status_code == 200, p.text
    assert p.json()["record"]["fields"]["invoice_number"] == "12345678"
    trail = client.get(f"/api/v1/documents/{ids[0]}/corrections", headers=clerk).json()
    assert trail[0]["field"] == "invoice_number" and trail[0]["old"] == old and trail[0]["new"] == "12345678"
    assert trail[0]["who"].startswith("李四 (clerk") and trail[0]["at"]
    assert client.get(f"/api/v1/documents/{ids[0]}", headers={**clerk, "If-None-Match": etag}).status_code == 200
    # review: clerks may not, reviewers may
    assert client.post(f"/api/v1/documents/{ids[0]}/review", json={}, headers=clerk).status_code == 403
    reviewer = make_key(app, role="reviewer", name="王五")
    rv = client.post(f"/api/v1/documents/{ids[0]}/review", json={"note": "ok"}, headers=reviewer)
    assert rv.status_code == 200 and rv.json()["reviewed"] and rv.json()["reviews"][0]["who"].startswith("王五")


def test_service_org_isolation_and_roles(app, client):
    acme = make_key(app, org="acme")
    other = make_key(app, org="globex", role="admin")
    integration = make_key(app, org="acme", role="integration")
    doc = upload(client, acme, "vou_0003.pdf")[0]
    wait_done(client, acme, doc["id"])
    for path in ("", "/pages", "/pages/1.png", "/corrections"):
        assert client.get(f"/api/v1/documents/{doc['id']}{path}", headers=other).status_code == 404
    assert client.patch(f"/api/v1/documents/{doc['id']}/fields/amount", json={"value": "1"},
                        headers=other).status_code == 404
    assert client.get("/api/v1/documents", headers=other).json()["items"] == []
    # integration: read-only
    assert client.get(f"/api/v1/documents/{doc['id']}", headers=integration).status_code == 200
    files = [("file", ("a.pdf", (SAMPLES / "vou_0003.pdf").read_bytes(), "application/pdf"))]
    assert client.post("/api/v1/documents", files=files, headers=integration).status_code == 403
    assert client.patch(f"/api/v1/documents/{doc['id']}/fields/amount", json={"value": "1"},
                        headers=integration).status_code == 403
    assert client.get("/api/v1/documents").status_code == 401
    assert client.get("/api/v1/documents", headers={"X-API-Key": "dk_00000000_nope"}).status_code == 401
    # admin manages keys of its own organisation only
    assert client.post("/api/v1/keys", json={"role": "clerk"}, headers=acme).status_code == 403
    made = client.post("/api/v1/keys", json={"role": "clerk", "name": "新员工"}, headers=other).json()
    assert made["org"] == "globex" and client.get("/api/v1/documents", headers={"X-API-Key": made["key"]}).status_code == 200


def test_service_limits(tmp_path: Path):
    from api.app import create_app
    from pipeline.settings import get_settings

    app = create_app(get_settings(home=tmp_path / "h", limits={"max_file_mb": 0.05, "max_pages": 1}))
    with TestClient(app) as client:
        clerk = make_key(app)
        big = [("file", ("../../etc/passwd", b"%PDF-1.4\n" + b"0" * 60_000, "application/pdf"))]
        r = client.post("/api/v1/documents", files=big, headers=clerk)
        assert r.status_code == 413 and "limit" in r.json()["detail"]
        junk = [("file", ("x.pdf", b"\x00\x01\x02 not a document" * 10, "application/pdf"))]
        assert client.post("/api/v1/documents", files=junk, headers=clerk).status_code == 422
        import io

        import pypdfium2

        pdf, buf = pypdfium2.PdfDocument.new(), io.BytesIO()
        for _ in range(2):
            pdf.new_page(200, 200)
        pdf.save(buf)
        r = client.post("/api/v1/documents", files=[("file", ("c.pdf", buf.getvalue(), "x"))], headers=clerk)
        assert r.status_code == 422 and "2 pages" in r.json()["detail"]
        assert client.get("/api/v1/documents", headers=clerk).json()["items"] == []  # nothing kept
        # a path in the file name is only a label
        ok = [("file", ("../../evil/inv.pdf", (SAMPLES / "vou_0003.pdf").read_bytes(), "x"))]
        assert client.post("/api/v1/documents", files=ok, headers=clerk).json()[0]["source"] == "inv.pdf"
    assert client.get("/healthz").status_code == 200


def test_service_receivables(app, client):
    """Documents saved in code (no OCR) are linked; the receivable is read per organisation and role."""
    import uuid

    from pipeline.types import Document, Field, Status
    from storage.ingest import Ingestor

    def doc(doc_type: str, **fields) -> Document:
        d = Document(id=uuid.uuid4().hex, sha256=uuid.uuid4().hex * 2, source=f"{doc_type}.pdf",
                     mime="application/pdf", size=1, doc_type=doc_type, status=Status.done)
        for k, v in fields.items():
            d.set_field(Field(name=k, value=v))
        return d

    a, b = "中建三局第一建设工程有限责任公司", "武汉市江岸区建筑劳务有限公司"
    contract = doc("contract", contract_number="HT20224157", party_a_name=a, party_b_name=b,
                   total_amount="100000.00", signing_date="2024-01-10",
                   payment_terms=[{"milestone": "预付款", "rate": "0.1", "amount": None, "due_days": 7,
                                   "cumulative": False}])
    inv = doc("invoice", invoice_number="24420000000000000001", buyer_name=a, seller_name=b,
              total_amount="60000.00", remarks="对应合同：HT20224157")
    vou = doc("payment_voucher", serial_number="9", payer_name=a, payee_name=b, amount="10000.00",
              purpose="HT20224157 进度款")
    ing = Ingestor(app.state.settings, migrate=False)
    try:
        for d in (inv, contract, vou):
            ing.save([d], org="acme")
    finally:
        ing.close()
    viewer = make_key(app, role="integration")
    listed = client.get("/api/v1/receivables", headers=viewer)
    assert listed.status_code == 200, listed.text
    assert [r["contract_id"] for r in listed.json()["items"]] == [contract.id]
    one = client.get(f"/api/v1/receivables/{contract.id}", headers=viewer).json()
    assert (one["price"], one["invoiced"], one["paid"], one["outstanding"]) == (
        "100000.00", "60000.00", "10000.00", "50000.00")
    assert one["invoices"][0]["document_id"] == inv.id and one["invoices"][0]["link_method"] == "contract_number"
    assert one["schedule"][0]["due_date"] == "2024-01-17"
    other = make_key(app, org="globex")
    assert client.get(f"/api/v1/receivables/{contract.id}", headers=other).status_code == 404
    assert client.get("/api/v1/receivables", headers=other).json() == {"items": []}
    assert client.get(f"/api/v1/receivables/{inv.id}", headers=viewer).status_code == 404
    assert client.get("/api/v1/receivables").status_code == 401
    spec = client.get("/openapi.json").json()
    assert "/api/v1/receivables" in spec["paths"] and "/api/v1/receivables/{contract_id}" in spec["paths"]
