"""`docintel eval`: extraction scored against ground truth, in a fresh temporary home.

Ground truth is the samples' format: ``<name>.json`` beside each file with
``{"file", "scanned", "documents": [{"doc_type", "page_range", "fields"}]}``; results are split
by capture (``SPLITS``): a phone photo (``"capture": "photo"``) is scanned too but scored apart,
since perspective, light and a phone's resolution fail in their own ways.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from api.batch import run_batch
from pipeline.settings import get_settings

FIELDS: dict[str, list[str]] = {
    "invoice": ["invoice_kind", "invoice_code", "invoice_number", "issue_date", "check_code", "buyer_name",
                "buyer_tax_id", "seller_name", "seller_tax_id", "amount_excl_tax", "tax_amount", "total_amount",
                "total_amount_in_words", "tax_rate", "items", "remarks"],
    "payment_voucher": ["serial_number", "payment_date", "payer_name", "payer_account", "payer_bank", "payee_name",
                        "payee_account", "payee_bank", "amount", "amount_in_words", "purpose"],
    "contract": ["contract_number", "contract_title", "signing_date", "party_a_name", "party_b_name",
                 "project_name", "total_amount", "currency"],
}
SPLITS = ("digital", "scanned", "photo")
CONTRACT_TERMS = ["start_date", "end_date", "advance_payment_rate", "payment_terms", "retention_rate",
                  "retention_months", "penalty_rate_per_day", "guarantee_type", "assignment_restricted",
                  "dispute_resolution", "dispute_venue"]


@dataclass
class Score:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += int(ok)
        self.total += 1

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else float("nan")


@dataclass
class EvalResult:
    doc_type: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    fields: dict[tuple[str, str, str], Score] = field(default_factory=lambda: defaultdict(Score))
    overall: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    terms: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0
    flag_rows: list[dict[str, Any]] = field(default_factory=list)  # files with expected_flags (tampered sets)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) | set(b)
        return all(_same(a.get(k), b.get(k)) for k in keys)
    if a is None or b is None:
        return a is None and b is None
    return str(a) == str(b)


def load_truth(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for gt in sorted(folder.rglob("*.json")):
        data = json.loads(gt.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "documents" not in data:
            continue
        doc_file = gt.parent / data.get("file", gt.stem)
        if doc_file.exists():
            out.append((doc_file, data))
    return out


def _match(truth_docs: list[dict], records: list[dict]) -> list[tuple[dict, dict | None]]:
    by_range = {tuple(r.get("page_range") or ()): r for r in records}
    pairs = []
    for i, t in enumerate(truth_docs):
        rec = by_range.get(tuple(t.get("page_range") or ()))
        if rec is None and i < len(records) and len(records) == len(truth_docs):
            rec = records[i]
        pairs.append((t, rec))
    return pairs


def evaluate_folder(folder: Path, *, jobs: int = 1) -> EvalResult:
    from storage.ingest import Ingestor

    truth = load_truth(folder)
    result = EvalResult()
    with tempfile.TemporaryDirectory(prefix="docintel-eval-") as home:
        settings = get_settings(home=home)
        ingestor = Ingestor(settings)
        try:
            files = [p for p, _ in truth]
            by_file = dict(truth)
            for path, docs in run_batch(files, settings, jobs=jobs):
                gt = by_file[path]
                records = ingestor.save(docs)  # adds the duplicate flags judged against the home
                if "expected_flags" in gt:
                    expected = list(gt["expected_flags"])
                    flags = [(f["code"], f["severity"], f["message"]) for r in records for f in r["risk_flags"]]
                    if expected and not any(c.startswith("DUPLICATE_") for c in expected):
                        # an edited copy of an original ingested before is a duplicate too; its truth lists the edit
                        flags = [f for f in flags if not f[0].startswith("DUPLICATE_")]
                    result.flag_rows.append({"file": path.name, "variant": gt.get("variant"), "expected": expected,
                                             "flags": flags})
                split = capture(gt)
                for t, rec in _match(gt["documents"], records):
                    _score(result, path, split, t, rec)
        finally:
            ingestor.close()
    return result


def capture(gt: dict[str, Any]) -> str:
    """The split a ground-truth file is scored in: digital, scanned or photo."""
    if gt.get("capture") == "photo":
        return "photo"
    return "scanned" if gt.get("scanned") else "digital"


def _score(result: EvalResult, path: Path, split: str, truth: dict, rec: dict | None) -> None:
    result.documents += 1
    kind = truth["doc_type"]
    got_type = rec["doc_type"] if rec else None
    result.doc_type[split].add(got_type == kind)
    pred = rec["fields"] if rec else {}
    want = truth.get("fields", {})
    wrong = {}
    for name in FIELDS.get(kind, []):
        if name not in want and pred.get(name) in (None, ""):
            continue  # absent on the document and not invented
        ok = _same(pred.get(name), want.get(name))
        result.fields[(kind, split, name)].add(ok)
        result.overall[split].add(ok)
        if not ok:
            wrong[name] = {"want": want.get(name), "got": pred.get(name)}
    if kind == "contract":
        for name in CONTRACT_TERMS:
            if name in want or pred.get(name) not in (None, ""):
                result.terms[f"{split}:{name}"].add(_same(pred.get(name), want.get(name)))
    if wrong or got_type != kind:
        result.mismatches.append({"file": str(path), "page_range": truth.get("page_range"), "doc_type":
                                  {"want": kind, "got": got_type}, "fields": wrong})


def print_report(result: EvalResult, console: Console) -> None:
    t = Table(title="document type")
    t.add_column("split")
    t.add_column("accuracy")
    t.add_column("n")
    for split, s in sorted(result.doc_type.items()):
        t.add_row(split, f"{s.rate:.3f}", str(s.total))
    console.print(t)
    ft = Table(title="field exact match")
    splits = [s for s in SPLITS if s != "photo" or s in result.overall]  # no photos: the table as it was
    for col in ("type", "field", *splits):
        ft.add_column(col)
    keys = sorted({(k, n) for k, _, n in result.fields})
    for kind, name in keys:
        cells = []
        for split in splits:
            s = result.fields.get((kind, split, name))
            cells.append(f"{s.rate:.3f} ({s.right}/{s.total})" if s else "-")
        ft.add_row(kind, name, *cells)
    console.print(ft)
    if result.terms:
        tt = Table(title="contract terms (clause level)")
        tt.add_column("field")
        tt.add_column("accuracy")
        for k, s in sorted(result.terms.items()):
            tt.add_row(k, f"{s.rate:.3f} ({s.right}/{s.total})")
        console.print(tt)
    if result.flag_rows:
        from classifiers.checks.evaluate import recall_by_format, score, yellow_on_clean

        rows = result.flag_rows
        clean = sum(1 for r in rows if not r["expected"])
        red_clean = sum(1 for r in rows if not r["expected"] and any(s == "red" for _, s, _ in r["flags"]))
        yellow_clean = sum(1 for r in rows if not r["expected"] and r["flags"]
                           and not any(s == "red" for _, s, _ in r["flags"]))
        yellow = yellow_on_clean(rows)
        ft2 = Table(title="risk flags (tampered set)")
        for col in ("code", "recall", "red on clean", "yellow on clean", "misses by format"):
            ft2.add_column(col)
        formats = recall_by_format(rows)
        for code, (tp, fn, fp) in score(rows).items():
            if tp + fn:
                where = ", ".join(f"{v} {h}/{n}" for v, (h, n) in formats.get(code, {}).items() if h < n)
                ft2.add_row(code, f"{tp / (tp + fn):.3f} ({tp}/{tp + fn})", f"{fp}/{clean}", f"{yellow[code]}/{clean}",
                            where)
        console.print(ft2)
        console.print(f"flags: red on clean documents {red_clean}/{clean}, yellow only {yellow_clean}/{clean}")
    dt = Score(sum(s.right for s in result.doc_type.values()), sum(s.total for s in result.doc_type.values()))
    parts = [f"eval: {result.documents} documents", f"doc_type {dt.rate:.3f}"]
    for split in SPLITS:
        s = result.overall.get(split)
        if s and s.total:
            parts.append(f"fields {split} {s.rate:.3f} ({s.right}/{s.total})")
    console.print(", ".join(parts))
