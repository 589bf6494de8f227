"""Server-rendered pages for clerks (Jinja2, no front-end build). Data comes from the API by fetch.

Auth: the clerk pastes a key once; the page keeps it in localStorage and in a cookie (the
cookie only lets GETs through, e.g. page images; writes send the ``X-API-Key`` header).
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from api.deps import KEY_COOKIE

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(FsPath(__file__).resolve().parents[1] / "templates"))

DOC_TYPES = {"invoice": "发票", "contract": "合同", "payment_voucher": "付款回单", "other": "其他"}
STATUSES = {"queued": "排队中", "processing": "处理中", "done": "完成", "partial": "部分完成", "failed": "失败"}


def _ctx(request: Request, **extra: object) -> dict[str, object]:
    return {"request": request, "doc_types": DOC_TYPES, "statuses": STATUSES, "key_cookie": KEY_COOKIE, **extra}


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/ui")


@router.get("/ui", response_class=HTMLResponse)
def document_list(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "list.html", _ctx(request))


@router.get("/ui/documents/{id}", response_class=HTMLResponse)
def document_page(request: Request, id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]) -> HTMLResponse:
    return templates.TemplateResponse(request, "document.html", _ctx(request, doc_id=id))
