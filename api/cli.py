"""The docintel command line: extract, eval (and the service commands as they arrive)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from api.batch import collect, run_batch
from pipeline.settings import get_settings

app = typer.Typer(help="docintel: contracts, VAT invoices and payment vouchers in; records and risk flags out.",
                  no_args_is_help=True, add_completion=False)
err = Console(stderr=True)
HomeOpt = Annotated[Path | None, typer.Option("--home", help="data directory (default $DOCINTEL_HOME or ~/.docintel)")]


@app.callback()
def main(home: HomeOpt = None) -> None:
    """Options before the command apply to every command (``docintel --home DIR extract ...``)."""
    if home is not None:
        os.environ["DOCINTEL_HOME"] = str(home.expanduser())


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="files and folders (recursive)")],
    home: HomeOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="documents processed in parallel")] = 1,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="write the JSON Lines here too")] = None,
    summary: Annotated[bool, typer.Option("--summary", help="print a summary table on stderr")] = False,
) -> None:
    """Extract records from documents: one JSON object per document on stdout (JSON Lines)."""
    from storage.ingest import Ingestor

    settings = get_settings(home=home)
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        err.print(f"[red]error[/red] {p}: no such file or folder")
    files = collect([p for p in paths if p.exists()])
    ingestor = Ingestor(settings)
    sink = out.open("w", encoding="utf-8") if out else None
    rows: list[dict] = []
    n_failed = len(missing)
    show = len(files) > 3
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=err, disable=not show, transient=True)
    try:
        with progress:
            task = progress.add_task("extracting", total=len(files))
            for path, docs in run_batch(files, settings, jobs=jobs):
                if docs and docs[0].sha256:
                    ingestor.keep_original(path.read_bytes(), docs[0].sha256)
                for rec in ingestor.save(docs):
                    line = json.dumps(rec, ensure_ascii=False)
                    sys.stdout.write(line + "\n")
                    if sink:
                        sink.write(line + "\n")
                    rows.append(rec)
                    if rec["status"] == "failed":
                        n_failed += 1
                        reason = "; ".join(e["message"] for e in rec["errors"]) or "unknown error"
                        progress.console.print(f"[red]failed[/red] {rec['source']}: {reason}")
                progress.advance(task)
    finally:
        if sink:
            sink.close()
        ingestor.close()
    if summary:
        _summary(rows)
    if n_failed:
        raise typer.Exit(code=1)


def _summary(rows: list[dict]) -> None:
    table = Table(title="docintel extract")
    for col in ("source", "pages", "type", "status", "key fields", "flags"):
        table.add_column(col)
    for r in rows:
        f = r["fields"]
        key = f.get("invoice_number") or f.get("serial_number") or f.get("contract_number") or ""
        amount = f.get("total_amount") or f.get("amount") or ""
        flags = ",".join(sorted({fl["code"] for fl in r["risk_flags"]}))
        pr = r.get("page_range") or []
        table.add_row(Path(r["source"]).name, "-".join(map(str, pr)) if pr else str(r["pages"]),
                      r["doc_type"] or "", r["status"], f"{key} {amount}".strip(), flags)
    err.print(table)


@app.command("eval")
def evaluate(
    folder: Annotated[Path, typer.Argument(help="a folder of documents with ground-truth JSON beside them")],
    jobs: Annotated[int, typer.Option("--jobs", "-j")] = 1,
    report: Annotated[Path | None, typer.Option("--report", help="write per-document mismatches (and, on a tampered set, missed flags and the red and yellow flags on clean files) here (JSON)")] = None,
) -> None:
    """Score extraction against ground truth: doc-type accuracy, per-field exact match, digital / scanned / photo."""
    from api.evaluate import evaluate_folder, print_report

    result = evaluate_folder(folder, jobs=jobs)
    print_report(result, Console())
    if report:
        from classifiers.checks.evaluate import flag_misses

        misses = result.mismatches + flag_misses(result.flag_rows)
        report.write_text(json.dumps(misses, ensure_ascii=False, indent=1), encoding="utf-8")


# --- the service (issue 6): serve, worker, watch, ingest, db, keys ---------------------------
from api import service_cli

app.command("serve")(service_cli.serve)
app.command("worker")(service_cli.worker)
app.command("watch")(service_cli.watch)
app.command("ingest")(service_cli.ingest)
app.add_typer(service_cli.db_app, name="db")
app.add_typer(service_cli.keys_app, name="keys")


# --- models (issue 3): model folders built from installed wheels, offline ------------------
models_app = typer.Typer(help="Model folders built from the installed wheels (offline).", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("paddle-dir")
def paddle_dir(
    out: Annotated[Path | None, typer.Option("--out", help="target folder (default <DOCINTEL_HOME>/models/paddle)")] = None,
) -> None:
    """Write the det/ and rec/ folders the paddleocr engine reads (PP-OCRv6 ONNX from the rapidocr wheel)."""
    from extractors.ocr.paddle_models import build_paddle_dir
    from pipeline.errors import DocintelError

    target = (out or get_settings().home_dir / "models" / "paddle").expanduser().resolve()
    try:
        build_paddle_dir(target)
    except DocintelError as e:
        err.print(f"[red]error[/red] {e}")
        raise typer.Exit(code=1) from e
    typer.echo(str(target))
    typer.echo(f"use it with: DOCINTEL_OCR__ENGINE=paddleocr DOCINTEL_OCR__PADDLE_MODEL_DIR={target}")


if __name__ == "__main__":
    app()
