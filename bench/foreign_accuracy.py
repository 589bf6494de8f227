"""Foreign-invoice accuracy against invoice2data's expected JSON (upstream-expected/invoice_other_lang).

    .venv/bin/python bench/foreign_accuracy.py [--png]

Compares invoice_number (a leading '#' ignored), issue_date, total_amount and currency. PDFs and the
.txt by default; --png also runs the PNG copies through OCR (slow).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
REALDOCS = Path(os.environ.get("DOCINTEL_REALDOCS", REPO.parent / "shared" / "realdocs"))
FIELDS = [("invoice_number", "invoice_number"), ("date", "issue_date"), ("amount", "total_amount"), ("currency", "currency")]


def norm(key: str, value: object) -> str | None:
    if value is None:
        return None
    if key == "amount":
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    return str(value).lstrip("#").strip()


def main() -> None:
    from pipeline.runner import process_path
    from pipeline.settings import get_settings

    settings = get_settings(home=Path(tempfile.mkdtemp()) / "home")
    src, exp_dir = REALDOCS / "invoice_other_lang", REALDOCS / "upstream-expected" / "invoice_other_lang"
    exts = (".pdf", ".txt", ".png") if "--png" in sys.argv else (".pdf", ".txt")
    totals = {k: [0, 0] for k, _ in FIELDS}
    print(f"{'file':<34} {'type':<8} " + " ".join(f"{k:<16}" for k, _ in FIELDS))
    for exp in sorted(exp_dir.glob("invoice-x_invoice2data__*.json")):
        expected = json.loads(exp.read_text())[0]
        for path in sorted(p for p in src.glob(exp.stem + ".*") if p.suffix.lower() in exts):
            doc = process_path(path, settings)[0]
            cells = []
            for key, field in FIELDS:
                want, got = norm(key, expected.get(key)), norm(key, doc.value(field))
                if want is None:
                    cells.append("-")
                    continue
                totals[key][1] += 1
                ok = want == got
                totals[key][0] += ok
                cells.append("ok" if ok else f"X {got}")
            name = path.name.replace("invoice-x_invoice2data__", "")
            print(f"{name:<34} {doc.doc_type or '':<8} " + " ".join(f"{c[:16]:<16}" for c in cells))
    print("accuracy: " + ", ".join(f"{k} {a}/{n} ({a / n:.2f})" for k, (a, n) in totals.items() if n))


if __name__ == "__main__":
    main()
