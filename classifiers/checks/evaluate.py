"""Recall of the document checks on a tampered sample set (``python -m samples.tamper``)
and the red-flag rate on its clean documents.

``python -m classifiers.checks.evaluate DIR`` prints, per code, recall = tp / (tp + fn)
over the files whose JSON lists it in ``expected_flags``, and the share of clean files
(``expected_flags: []``) that got a red flag of any of the codes checked here; also, per code, the clean
files with a yellow flag of it (``yellow_on_clean``) and recall by file format (``recall_by_format``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

CODES = ["AMOUNT_MISMATCH", "AMOUNT_WORDS_MISMATCH", "TAX_ID_INVALID", "QR_MISMATCH",
         "IMAGE_TAMPERING", "PDF_TAMPERING", "DUPLICATE_DOCUMENT", "DUPLICATE_INVOICE",
         "PARTY_MISMATCH", "OVER_CONTRACT_AMOUNT",  # these two need the contract in the same home
         "LOW_CONFIDENCE"]


def _cases(folder: Path) -> list[tuple[Path, list[str], str]]:
    out = []
    for gt in sorted(folder.glob("*.json")):
        rec = json.loads(gt.read_text(encoding="utf-8"))
        if "expected_flags" in rec and (folder / rec["file"]).exists():
            out.append((folder / rec["file"], list(rec["expected_flags"]), str(rec.get("variant", "?"))))
    return out


def run_folder(folder: Path, settings=None, log=None) -> list[dict]:  # type: ignore[no-untyped-def]
    """One row per file: expected codes, raised flags (code, severity, message)."""
    from pipeline.runner import process_path
    from pipeline.settings import get_settings

    settings = settings or get_settings()
    rows = []
    for path, expected, variant in _cases(Path(folder)):
        t0 = time.perf_counter()
        docs = process_path(path, settings)
        flags = [(f.code, f.severity, f.message) for d in docs for f in d.risk_flags]
        rows.append({"file": path.name, "variant": variant, "expected": expected, "flags": flags,
                     "errors": [e.message for d in docs for e in d.errors], "seconds": time.perf_counter() - t0})
        if log:
            log(f"{path.name:<30} expected {','.join(expected) or '-':<45} got "
                f"{','.join(sorted({c for c, s, _ in flags if c in CODES})) or '-'}")
    return rows


def score(rows: list[dict]) -> dict[str, tuple[int, int, int]]:
    """code -> (tp, fn, red flags of that code on clean files)."""
    out = {}
    for code in CODES:
        tp = sum(1 for r in rows if code in r["expected"] and any(c == code for c, _, _ in r["flags"]))
        fn = sum(1 for r in rows if code in r["expected"] and not any(c == code for c, _, _ in r["flags"]))
        fp = sum(1 for r in rows if not r["expected"] and any(c == code and s == "red" for c, s, _ in r["flags"]))
        out[code] = (tp, fn, fp)
    return out


def yellow_on_clean(rows: list[dict]) -> dict[str, int]:
    """code -> clean files whose strongest flag of that code is yellow: no deal stops on them, but a
    clerk must look at each, so their number is the review load a clean set puts on the desk."""
    out = {}
    for code in CODES:
        out[code] = sum(1 for r in rows if not r["expected"]
                        and any(c == code for c, _, _ in r["flags"])
                        and not any(c == code and s == "red" for c, s, _ in r["flags"]))
    return out


def recall_by_format(rows: list[dict]) -> dict[str, dict[str, tuple[int, int]]]:
    """code -> file format (the row's ``variant``: png, jpeg, webp, tiff, image_pdf, bmp, digital_pdf)
    -> (hits, expected): where a code's misses concentrate."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for r in rows:
        for code in r["expected"]:
            hit, variant = any(c == code for c, _, _ in r["flags"]), r.get("variant") or "?"
            tp, n = out.setdefault(code, {}).get(variant, (0, 0))
            out[code][variant] = (tp + hit, n + 1)
    return {code: dict(sorted(v.items())) for code, v in out.items()}


def flag_misses(rows: list[dict]) -> list[dict]:
    """The rows to look at: an expected code not raised, or a flag on a clean file (red: a false stop;
    yellow: the review load)."""
    out = []
    for r in rows:
        raised = {c for c, _, _ in r["flags"]}
        missed = [c for c in r["expected"] if c not in raised]
        clean = [] if r["expected"] else [(c, s, m) for c, s, m in r["flags"] if c in CODES]
        if missed or clean:
            out.append({"file": r["file"], "expected_flags": r["expected"], "missed": missed,
                        **{f"{sev}_on_clean": [{"code": c, "message": m} for c, s, m in clean if s == sev]
                           for sev in ("red", "yellow")}})
    return out


def flag_scores(folder, settings=None) -> dict[str, tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    """code -> (tp, fn, fp_red_on_clean) over a tampered folder."""
    return score(run_folder(Path(folder), settings))


def report(rows: list[dict]) -> str:
    s = score(rows)
    clean = [r for r in rows if not r["expected"]]
    red_clean = [r for r in clean if any(s_ == "red" and c in CODES for c, s_, _ in r["flags"])]
    yellow = yellow_on_clean(rows)
    lines = [f"{'code':<24}{'tp':>4}{'fn':>4}{'recall':>8}{'red on clean':>14}{'yellow on clean':>17}"]
    for code, (tp, fn, fp) in s.items():
        rec = f"{tp / (tp + fn):.2f}" if tp + fn else "  - "
        lines.append(f"{code:<24}{tp:>4}{fn:>4}{rec:>8}{fp:>14}{yellow[code]:>17}")
    for code, formats in recall_by_format(rows).items():
        if s.get(code, (0, 0, 0))[1]:
            lines.append(f"  {code} by format: " + ", ".join(f"{v} {tp}/{n}" for v, (tp, n) in formats.items()))
    rate = len(red_clean) / len(clean) if clean else 0.0
    lines.append(f"clean files with a red flag: {len(red_clean)}/{len(clean)} = {rate:.1%}")
    for r in red_clean:
        lines.append(f"  {r['file']}: " + "; ".join(f"{c} {m}" for c, sv, m in r["flags"] if sv == "red"))
    for r in rows:
        missed = [c for c in r["expected"] if not any(c == f[0] for f in r["flags"])]
        if missed:
            lines.append(f"  missed {','.join(missed)} on {r['file']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        print("usage: python -m classifiers.checks.evaluate DIR [--out rows.json]", file=sys.stderr)
        return 2
    rows = run_folder(Path(args[0]), log=print)
    if "--out" in args:
        Path(args[args.index("--out") + 1]).write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
