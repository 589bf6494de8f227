"""API keys of your organisation (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.deps import Admin, SessionDep
from api.schemas import KeyCreate, KeyCreated, KeyPublic
from storage import service_repository as srepo
from storage.tables import ApiKeyRow

router = APIRouter(prefix="/api/v1/keys", tags=["keys"])


def _public(row: ApiKeyRow) -> KeyPublic:
    return KeyPublic(id=row.id, org=row.org, role=row.role, name=row.name, created_at=row.created_at,
                     revoked=row.revoked_at is not None)


@router.post("", response_model=KeyCreated, status_code=status.HTTP_201_CREATED)
def create_key(body: KeyCreate, key: Admin, session: SessionDep) -> KeyCreated:
    """A new key in your organisation; the key is in this answer only."""
    new = srepo.create_api_key(session, org=key.org, role=body.role, name=body.name)
    session.commit()
    return KeyCreated(**_public(new.row).model_dump(), key=new.key)


@router.get("", response_model=list[KeyPublic])
def list_keys(key: Admin, session: SessionDep) -> list[KeyPublic]:
    return [_public(r) for r in srepo.list_api_keys(session, org=key.org)]


@router.delete("/{key_id}", response_model=KeyPublic)
def revoke_key(key_id: str, key: Admin, session: SessionDep) -> KeyPublic:
    row = srepo.revoke_api_key(session, id=key_id, org=key.org)
    if row is None:
        raise HTTPException(404, "no such key")
    session.commit()
    return _public(row)
