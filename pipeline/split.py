"""Split a file into the documents it holds: a PDF of 29 invoices gives 29 documents.

A page starts a new document when it is an invoice page carrying its own invoice
number (different from the one before), or a receipt page with its own receipt title.
Other pages (contract pages, goods lists) continue the document before them.
"""

from __future__ import annotations

import re
import uuid

from classifiers.doctype import classify
from extractors.fields import invoice
from extractors.layout import page_index
from pipeline.types import Document, Page

RECEIPT_TITLE = re.compile(r"回\s*单|凭\s*证")


def child_id(upload_id: str, n: int) -> str:
    """Id of the ``n``-th (0-based, n > 0) document split from a file: stable across retries, 32 hex."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"docintel:{upload_id}/{n}").hex


def _page_key(page: Page) -> tuple[str, str | None]:
    kind, _ = classify(page.text)
    if kind == "invoice":
        found = invoice.find_number(page_index([page]))
        return kind, re.sub(r"\D", "", found.value.text) if found else None
    if kind == "payment_voucher" and RECEIPT_TITLE.search(page.text):
        return kind, f"page{page.number}"
    return kind, None


def split_documents(file_doc: Document) -> list[Document]:
    if len(file_doc.pages) <= 1:
        file_doc.page_range = (1, max(len(file_doc.pages), 1))
        return [file_doc]
    groups: list[list[Page]] = []
    keys: list[tuple[str, str | None]] = []
    for page in file_doc.pages:
        kind, key = _page_key(page)
        if groups and (key is None or keys[-1][1] is None or keys[-1][1] == key):
            groups[-1].append(page)
            if keys[-1][1] is None and key is not None:
                keys[-1] = (kind, key)
        else:
            groups.append([page])
            keys.append((kind, key))
    if len(groups) == 1:
        file_doc.page_range = (1, len(file_doc.pages))
        return [file_doc]
    docs = []
    for n, pages in enumerate(groups):
        doc = file_doc.model_copy(update={"id": file_doc.id if n == 0 else child_id(file_doc.id, n), "pages": pages,
                                          "page_range": (pages[0].number, pages[-1].number),
                                          "fields": {}, "risk_flags": [], "errors": list(file_doc.errors)}, deep=False)
        docs.append(doc)
    return docs
