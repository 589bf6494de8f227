"""python -m extractors.ner.train [--config extractors/ner/configs/contract.cfg] [--output extractors/ner/model]

One command: generate the template corpus (seeded, from the config), train spaCy's NER and
clause classifier on the training templates, keep the best model (by the dev split, which
uses training templates only), then report entity P/R/F1 per label and clause accuracy on
the HELD-OUT templates, whose wording training never saw. `--eval-only` re-scores a model.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "configs" / "contract.cfg"


def evaluate(nlp, rows) -> dict:  # type: ignore[no-untyped-def]
    """Exact-span entity P/R/F1 per label and clause-class accuracy over (text, ents, cls) rows."""
    tp, fp, fn = Counter(), Counter(), Counter()
    right = 0
    confusion: Counter = Counter()
    texts = [r[0] for r in rows]
    for (text, ents, cls), doc in zip(rows, nlp.pipe(texts, batch_size=128)):
        gold = {(s, e, lab) for s, e, lab in ents}
        pred = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        for s, e, lab in pred & gold:
            tp[lab] += 1
        for s, e, lab in pred - gold:
            fp[lab] += 1
        for s, e, lab in gold - pred:
            fn[lab] += 1
        got = max(doc.cats.items(), key=lambda kv: kv[1])[0] if doc.cats else None
        right += int(got == cls)
        if got != cls:
            confusion[(cls, got)] += 1
    per = {}
    for lab in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        r = tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else 0.0
        per[lab] = {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r) if p + r else 0.0, 4),
                    "n": tp[lab] + fn[lab]}
    T, F_p, F_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro_p = T / (T + F_p) if T + F_p else 0.0
    micro_r = T / (T + F_n) if T + F_n else 0.0
    return {"ents_per_label": per,
            "ents_f": round(2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0, 4),
            "clause_accuracy": round(right / len(rows), 4) if rows else float("nan"), "n": len(rows),
            "confusions": {f"{a}->{b}": n for (a, b), n in confusion.most_common(8)}}


def _print(title: str, m: dict) -> None:
    print(f"\n{title}: {m['n']} sentences, entity micro-F1 {m['ents_f']:.3f}, clause accuracy {m['clause_accuracy']:.3f}")
    print(f"  {'label':<12} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
    for lab, s in m["ents_per_label"].items():
        print(f"  {lab:<12} {s['p']:6.3f} {s['r']:6.3f} {s['f']:6.3f} {s['n']:5d}")
    if m["confusions"]:
        print("  clause confusions (gold->predicted):", m["confusions"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.ner.train", description=__doc__)
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    ap.add_argument("--output", type=Path, default=HERE / "model")
    ap.add_argument("--heldout-per-template", type=int, default=30)
    ap.add_argument("--eval-only", action="store_true", help="score the model at --output; do not train")
    args = ap.parse_args(argv)

    import spacy
    from spacy.cli.train import train as spacy_train
    from thinc.api import Config

    from extractors.ner import corpus  # registers the template reader

    cfg = Config().from_disk(args.config)
    seed = int(cfg["system"]["seed"])
    holdout_every = int(cfg["corpora"]["train"].get("holdout_every", 4))
    if not args.eval_only:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="docintel-ner-") as tmp:
            spacy_train(args.config, Path(tmp), use_gpu=-1)
            best = Path(tmp) / "model-best"
            if args.output.exists():
                shutil.rmtree(args.output)
            shutil.copytree(best, args.output)
        print(f"trained in {time.perf_counter() - t0:.0f} s -> {args.output}")

    nlp = spacy.load(args.output)
    train_t, held_t = corpus.split_templates(holdout_every)
    print(f"templates: {len(train_t)} training, {len(held_t)} held out "
          f"({', '.join(sorted({c for c, _, _ in held_t}))})")
    seen = corpus.examples("dev", args.heldout_per_template // 3 or 1, seed + 1, holdout_every)
    held = corpus.examples("heldout", args.heldout_per_template, seed + 1, holdout_every)
    m_seen, m_held = evaluate(nlp, seen), evaluate(nlp, held)
    _print("training templates, fresh fillers", m_seen)
    _print("HELD-OUT templates", m_held)
    size = sum(p.stat().st_size for p in args.output.rglob("*") if p.is_file())
    print(f"\nmodel size {size / 1e6:.1f} MB")
    (args.output / "heldout_metrics.json").write_text(json.dumps(
        {"seen_templates": m_seen, "heldout_templates": m_held, "size_bytes": size}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
