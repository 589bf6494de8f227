"""FastAPI dependencies (full-stack-fastapi-template style): settings, DB session, the caller's API key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from pipeline.queue import JobQueue
from pipeline.settings import Settings
from storage import service_repository as srepo
from storage.objects import ObjectStore

#: Cookie the clerk pages keep the key in; accepted for GET/HEAD only (no cross-site writes).
KEY_COOKIE = "docintel_key"

#: What each role may do.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "clerk": frozenset({"view", "upload", "correct"}),
    "reviewer": frozenset({"view", "upload", "correct", "review"}),
    "integration": frozenset({"view"}),
    "admin": frozenset({"view", "upload", "correct", "review", "keys"}),
}


class Principal(BaseModel):
    key_id: str
    org: str
    role: str
    name: str

    @property
    def who(self) -> str:
        """How the audit trail names the person: ``name (role, key id)``."""
        return f"{self.name or self.role} ({self.role}, key {self.key_id})"

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_queue_dep(request: Request) -> JobQueue:
    return request.app.state.queue  # type: ignore[no-any-return]


def get_store_dep(request: Request) -> ObjectStore:
    return request.app.state.store  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
QueueDep = Annotated[JobQueue, Depends(get_queue_dep)]
StoreDep = Annotated[ObjectStore, Depends(get_store_dep)]


def get_current_key(request: Request, session: SessionDep,
                    x_api_key: Annotated[str | None, Header(description="an API key: dk_<id>_<secret>")] = None
                    ) -> Principal:
    key = x_api_key
    if key is None and request.method in ("GET", "HEAD"):
        key = request.cookies.get(KEY_COOKIE)
    if not key:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "an API key is needed (header X-API-Key)")
    row = srepo.find_api_key(session, key=key)
    if row is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or revoked API key")
    return Principal(key_id=row.id, org=row.org, role=row.role, name=row.name)


CurrentKey = Annotated[Principal, Depends(get_current_key)]


def allow(permission: str) -> Callable[[Principal], Principal]:
    """A dependency: the caller's key, if its role has ``permission``, else 403."""

    def check(key: CurrentKey) -> Principal:
        if not key.can(permission):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {key.role!r} may not {permission}")
        return key

    return check


Viewer = Annotated[Principal, Depends(allow("view"))]
Uploader = Annotated[Principal, Depends(allow("upload"))]
Corrector = Annotated[Principal, Depends(allow("correct"))]
Reviewer = Annotated[Principal, Depends(allow("review"))]
Admin = Annotated[Principal, Depends(allow("keys"))]
