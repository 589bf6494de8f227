"""The Stage protocol and registry (design.md, "Stage interface")."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from pipeline.types import Document

if TYPE_CHECKING:
    from pipeline.settings import Settings


@dataclass
class StageContext:
    """What a stage may use: never global settings, never the database."""

    settings: Settings
    options: dict[str, Any] = field(default_factory=dict)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("docintel"))
    store: Any = None  # storage.objects.ObjectStore, when page images are kept
    timings: dict[str, float] = field(default_factory=dict)


@runtime_checkable
class Stage(Protocol):
    name: ClassVar[str]

    def applies_to(self, doc: Document) -> bool: ...

    def __call__(self, doc: Document, ctx: StageContext) -> Document: ...


_REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: make a stage findable by name."""
    _REGISTRY[cls.name] = cls  # type: ignore[attr-defined]
    return cls


def registered() -> dict[str, type]:
    return dict(_REGISTRY)
