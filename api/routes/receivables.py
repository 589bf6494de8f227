"""Receivables (issue 5 item 7): per contract, what was invoiced and paid against its price."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from api.deps import SessionDep, Viewer
from api.schemas import ReceivableList, ReceivablePublic
from storage import repository as repo

router = APIRouter(prefix="/api/v1/receivables", tags=["receivables"])

ContractId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="the contract's document id")]


@router.get("", response_model=ReceivableList)
def list_receivables(key: Viewer, session: SessionDep) -> ReceivableList:
    """The receivable of every processed contract of your organisation, oldest contract first.

    Invoices and payment vouchers are linked to a contract when they are saved: by the contract
    number in the invoice's ``remarks`` / the voucher's ``purpose``, else by the parties (buyer /
    payer = ``party_a_name``, seller / payee = ``party_b_name``) and the project name.
    """
    return ReceivableList(items=[ReceivablePublic(**r) for r in repo.list_receivables(session, org=key.org)])


@router.get("/{contract_id}", response_model=ReceivablePublic, responses={404: {"description": "no such contract"}})
def get_receivable(contract_id: ContractId, key: Viewer, session: SessionDep) -> ReceivablePublic:
    """One contract's receivable: price, invoiced, paid, outstanding (invoiced − paid), the linked documents
    and the payment nodes with their due dates where computable."""
    r = repo.receivable(session, contract_id=contract_id, org=key.org)
    if r is None:  # another organisation's contract looks exactly like a missing one
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such contract")
    return ReceivablePublic(**r)
