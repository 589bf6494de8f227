"""Checks that judge one document and raise risk flags with evidence (records.md, "Risk flags").

Each check is a module with ``check(doc) -> list[RiskFlag]``. One parameterised
stage, :class:`ChecksStage`, runs a list of them; a check that fails becomes an
error item on the document (``checks.<name>``) and the other checks still run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from pipeline.stage import StageContext, register
from pipeline.types import Document, ErrorItem, RiskFlag

Check = Callable[[Document], list[RiskFlag]]


def default_checks() -> list[tuple[str, Check]]:
    """The document-level checks in run order: QR first (it may fill fields the others read)."""
    from classifiers.checks import arithmetic, image_forensics, page_duplicates, pdf_forensics, qr, tax_ids

    return [("qr", qr.check), ("arithmetic", arithmetic.check), ("tax_ids", tax_ids.check),
            ("pdf_forensics", pdf_forensics.check), ("image_forensics", image_forensics.check),
            ("page_duplicates", page_duplicates.check)]  # hashes the pages; judged against the home on saving


@register
class ChecksStage:
    """Run a list of checks over a document and append their flags.

    ``ChecksStage()`` runs :func:`default_checks`; ``ChecksStage([("name", fn), ...])``
    runs others (tests, benchmarks). Time per check goes to ``ctx.timings["checks.<name>"]``.
    """

    name: ClassVar[str] = "checks"

    def __init__(self, checks: Sequence[tuple[str, Check]] | None = None) -> None:
        self.checks = list(checks) if checks is not None else default_checks()

    def applies_to(self, doc: Document) -> bool:
        return bool(doc.pages)

    def __call__(self, doc: Document, ctx: StageContext) -> Document:
        for name, fn in self.checks:
            t0 = time.perf_counter()
            try:
                doc.risk_flags.extend(fn(doc))
            except Exception as exc:  # one broken check must not hide the others' flags
                ctx.logger.exception("check %s failed on %s", name, doc.source)
                doc.errors.append(ErrorItem(stage=f"checks.{name}",
                                            message=f"the {name.replace('_', ' ')} check could not run: "
                                                    f"{type(exc).__name__}: {exc}"))
            key = f"checks.{name}"
            ctx.timings[key] = ctx.timings.get(key, 0.0) + time.perf_counter() - t0
        return doc
