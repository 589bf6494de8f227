from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import repository as repo
from storage.errors import DocumentNotFound, InvalidCursor
from storage.tables import DocumentRow


def _sha(n: int | str) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def _new(
    session: Session,
    *,
    id: str | None = None,
    sha: str | None = None,
    org: str = "default",
    status: str = "queued",
    ingest_id: str | None = None,
) -> DocumentRow:
    id_ = id or uuid.uuid4().hex
    return repo.create_document(
        session,
        id=id_,
        sha256=sha or _sha(id_),
        source="in/a.pdf",
        mime="application/pdf",
        size=10,
        org=org,
        status=status,
        ingest_id=ingest_id,
    )


RECORD = {
    "source": "in/a.pdf",
    "sha256": _sha(1),
    "doc_type": "invoice",
    "pages": 1,
    "fields": {
        "invoice_number": "08675309",
        "seller_name": "中建三局第一建设工程有限责任公司",
        "total_amount": "569520.00",
    },
    "field_details": [
        {
            "name": "total_amount",
            "value": "569520.00",
            "confidence": 0.98,
            "page": 1,
            "bbox": [1.5, 2, 3, 4],
        }
    ],
    "risk_flags": [],
}


def test_create_get_and_save(session: Session) -> None:
    row = _new(session, id="a" * 32, org="acme")
    session.commit()
    assert row.status == "queued" and row.attempts == 0 and row.errors == []
    assert row.created_at.tzinfo is not None and row.ingest_id == row.id
    assert repo.get_document(session, id=row.id, org="other") is None
    assert repo.get_document(session, id="nope") is None

    repo.mark_processing(session, id=row.id)
    repo.save_result(
        session,
        id=row.id,
        record=RECORD,
        status="partial",
        doc_type="invoice",
        invoice_kind="vat_special",
        page_first=1,
        page_last=1,
        errors=[{"stage": "ocr", "message": "page 2 unreadable"}],
    )
    session.commit()
    session.expire_all()
    got = repo.get_document(session, id=row.id, org="acme")
    assert got is not None
    assert got.record == RECORD
    assert (
        got.status,
        got.doc_type,
        got.invoice_kind,
        got.page_first,
        got.page_last,
        got.attempts,
    ) == ("partial", "invoice", "vat_special", 1, 1, 1)
    assert got.errors == [{"stage": "ocr", "message": "page 2 unreadable"}]
    assert got.updated_at >= got.created_at and got.updated_at.tzinfo == UTC


def test_save_result_errors(session: Session) -> None:
    with pytest.raises(DocumentNotFound):
        repo.save_result(
            session,
            id="missing",
            record={},
            status="done",
            doc_type=None,
            invoice_kind=None,
            page_first=None,
            page_last=None,
            errors=[],
        )
    row = _new(session)
    with pytest.raises(ValueError):
        repo.save_result(
            session,
            id=row.id,
            record={},
            status="finished",
            doc_type=None,
            invoice_kind=None,
            page_first=None,
            page_last=None,
            errors=[],
        )
    with pytest.raises(ValueError):
        _new(session, status="weird")


def test_status_check_constraint(session: Session) -> None:
    row = _new(session)
    session.commit()
    row.status = "bogus"  # bypassing the repository: the database still refuses
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_find_by_sha256(session: Session) -> None:
    sha = _sha("same bytes")
    first = _new(session, sha=sha)
    sibling = _new(session, sha=sha, ingest_id=first.id)  # second invoice of the same PDF
    later = _new(session, sha=sha.upper())
    later_sibling = _new(session, sha=sha, ingest_id=later.id)
    _new(session)
    session.commit()
    assert [r.id for r in repo.find_by_sha256(session, sha256=sha)] == [
        first.id,
        sibling.id,
        later.id,
        later_sibling.id,
    ]
    assert [r.id for r in repo.find_by_sha256(session, sha256=sha, exclude_id=later_sibling.id)] == [
        first.id,
        sibling.id,
    ]
    assert [r.id for r in repo.find_by_sha256(session, sha256=sha, exclude_id=first.id)] == [later.id, later_sibling.id]
    assert repo.find_by_sha256(session, sha256=_sha("never")) == []


def test_invoice_keys(session: Session) -> None:
    a, b, c = _new(session), _new(session), _new(session)
    repo.add_invoice_key(
        session,
        document_id=a.id,
        sha256=a.sha256,
        invoice_code="4200231130",
        invoice_number="08675309",
    )
    again = repo.add_invoice_key(
        session,
        document_id=a.id,
        sha256=a.sha256,
        invoice_code="4200231130",
        invoice_number="08675309",
    )
    repo.add_invoice_key(
        session,
        document_id=b.id,
        sha256=b.sha256,
        invoice_code="4200231130",
        invoice_number="08675309",
    )
    repo.add_invoice_key(
        session,
        document_id=c.id,
        sha256=c.sha256,
        invoice_code=None,
        invoice_number="24420000000012345678",
    )
    session.commit()
    found = repo.find_invoice_key(
        session,
        invoice_code="4200231130",
        invoice_number="08675309",
        exclude_sha256=b.sha256,
    )
    assert [k.document_id for k in found] == [a.id] and found[0].id == again.id
    both = repo.find_invoice_key(
        session,
        invoice_code="4200231130",
        invoice_number="08675309",
        exclude_sha256=None,
    )
    assert [k.document_id for k in both] == [a.id, b.id]
    e = repo.find_invoice_key(
        session,
        invoice_code=None,
        invoice_number="24420000000012345678",
        exclude_sha256=a.sha256,
    )
    assert [k.document_id for k in e] == [c.id]
    assert (
        repo.find_invoice_key(
            session,
            invoice_code="1",
            invoice_number="24420000000012345678",
            exclude_sha256=None,
        )
        == []
    )
    assert repo.find_invoice_key(session, invoice_code=None, invoice_number="08675309", exclude_sha256=None) == []


def test_page_hashes(session: Session) -> None:
    a, b = _new(session), _new(session)
    repo.add_page_hash(session, document_id=a.id, sha256=a.sha256, page=1, phash="F0F0F0F0F0F0F0F0")
    repo.add_page_hash(session, document_id=a.id, sha256=a.sha256, page=2, phash="0000000000000001")
    repo.add_page_hash(session, document_id=b.id, sha256=b.sha256, page=1, phash="ffffffffffffffff")
    # a retried job replaces the hash of the same page
    repo.add_page_hash(session, document_id=a.id, sha256=a.sha256, page=2, phash="0000000000000002")
    session.commit()
    assert repo.all_page_hashes(session) == [
        (a.id, a.sha256, 1, "f0f0f0f0f0f0f0f0"),
        (a.id, a.sha256, 2, "0000000000000002"),
        (b.id, b.sha256, 1, "ffffffffffffffff"),
    ]
    with pytest.raises(ValueError):
        repo.add_page_hash(session, document_id=a.id, sha256=a.sha256, page=3, phash="xyz")


def test_corrections(session: Session) -> None:
    a = _new(session)
    repo.add_correction(
        session,
        document_id=a.id,
        field="total_amount",
        old="569520.00",
        new="569000.00",
        who="王会计",
    )
    repo.add_correction(
        session,
        document_id=a.id,
        field="items",
        old=None,
        new=[{"name": "钢材"}],
        who="clerk",
    )
    session.commit()
    got = repo.list_corrections(session, document_id=a.id)
    assert [(c.field, c.old, c.new, c.who) for c in got] == [
        ("total_amount", "569520.00", "569000.00", "王会计"),
        ("items", None, [{"name": "钢材"}], "clerk"),
    ]
    assert got[0].at.tzinfo is not None
    with pytest.raises(DocumentNotFound):
        repo.add_correction(session, document_id="missing", field="x", old=1, new=2, who="w")


def test_list_documents_cursor(session: Session) -> None:
    base = datetime(2024, 3, 15, 8, 0, tzinfo=UTC)
    rows = [_new(session, org="acme" if i % 3 else "other") for i in range(12)]
    for i, row in enumerate(rows):  # two rows share each timestamp: the id breaks ties
        row.updated_at = base + timedelta(seconds=i // 2)
        row.doc_type = "invoice" if i % 2 else "contract"
    session.commit()
    expected = sorted(rows, key=lambda r: (r.updated_at, r.id))

    seen, cursor = [], None
    while True:
        page = repo.list_documents(session, limit=5, cursor=cursor)
        seen += [r.id for r in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [r.id for r in expected]

    newest, cursor = [], None
    while True:
        page = repo.list_documents(session, limit=4, cursor=cursor, newest_first=True)
        newest += [r.id for r in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert newest == [r.id for r in reversed(expected)]

    acme = repo.list_documents(session, org="acme", doc_type="invoice", limit=50)
    assert [r.id for r in acme.items] == [r.id for r in expected if r.org == "acme" and r.doc_type == "invoice"]
    since = base + timedelta(seconds=4)
    assert [r.id for r in repo.list_documents(session, updated_since=since).items] == [
        r.id for r in expected if r.updated_at >= since
    ]
    shanghai = datetime(2024, 3, 15, 16, 0, 4, tzinfo=timezone(timedelta(hours=8)))
    assert shanghai == since  # any zone works: compared in UTC
    assert (
        repo.list_documents(session, updated_since=shanghai).items
        == repo.list_documents(session, updated_since=since).items
    )
    assert repo.list_documents(session, status="done").items == []
    with pytest.raises(InvalidCursor):
        repo.list_documents(session, cursor="not-a-cursor")


def test_list_documents_change_feed_sees_updates(session: Session) -> None:
    a, b = _new(session), _new(session)
    session.commit()
    page = repo.list_documents(session, limit=1)
    first = page.items[0]
    repo.save_result(
        session,
        id=first.id,
        record={},
        status="done",
        doc_type="other",
        invoice_kind=None,
        page_first=1,
        page_last=1,
        errors=[],
    )
    session.commit()
    rest = repo.list_documents(session, limit=10, cursor=page.next_cursor)
    assert {r.id for r in rest.items} == {
        a.id,
        b.id,
    }  # the updated row comes round again, nothing skipped
