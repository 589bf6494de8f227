"""python -m extractors.ner.finetune --checkpoint DIR --out DIR [--epochs N --max-steps N --seed S]

Fine-tunes any local checkpoint a token-classification head fits on (BERT-like) on the same
template corpus as the spaCy model (corpus.py, training templates), then scores entity P/R/F1
per label on the HELD-OUT templates with the saved model, through the backend the pipeline uses
(transformers_backend.py), and writes ``heldout_metrics.json`` beside it. ``--init-tiny`` first
builds a tiny randomly initialised BERT with a character vocabulary from the training corpus,
so the script runs with no checkpoint at all. Nothing is downloaded; a plain torch loop (no
accelerate). CPU.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from extractors.ner import corpus
from extractors.ner.transformers_backend import BIO_LABELS, load  # sets HF_HUB_OFFLINE=1 before transformers loads

Row = tuple[str, list, str]  # (text, [(start, end, label)], clause class), as corpus.examples() gives
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MAX_LEN = 256


def build_tiny_checkpoint(out: Path, rows: list[Row], *, hidden: int = 64, layers: int = 2, heads: int = 2,
                          seed: int = 0) -> Path:
    """A tiny random BERT (no head) and a fast tokenizer whose vocabulary is every character of ``rows``.

    Each character is also a ``##`` piece, so digit and Latin runs split into characters, not [UNK]."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    chars = sorted({c for text, _, _ in rows for c in text if not c.isspace()})
    vocab = {t: i for i, t in enumerate(SPECIAL + chars + [f"##{c}" for c in chars])}
    tokenizer = BertTokenizerFast(vocab=vocab, do_lower_case=False, strip_accents=False, tokenize_chinese_chars=True)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                        intermediate_size=hidden * 4, max_position_embeddings=MAX_LEN)
    out.mkdir(parents=True, exist_ok=True)
    BertModel(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def encode(tokenizer: Any, text: str, ents: list, max_len: int = MAX_LEN) -> tuple[list[int], list[int]]:
    """Token ids and BIO label ids; a token takes the label of the entity its first character is in."""
    enc = tokenizer(text, return_offsets_mapping=True, truncation=True, max_length=max_len)
    char_tag = ["O"] * len(text)
    for s, e, lab in ents:
        char_tag[s] = f"B-{lab}"
        for i in range(s + 1, e):
            char_tag[i] = f"I-{lab}"
    label2id = {lab: i for i, lab in enumerate(BIO_LABELS)}
    labels = [-100 if s == e else label2id[char_tag[s]] for s, e in enc["offset_mapping"]]
    return enc["input_ids"], labels


def scores(gold: list[Row], pred: list[list[tuple[str, int, int, str]]]) -> dict:
    """Exact-span entity P/R/F1 per label and micro-F1 (same counting as train.evaluate)."""
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for (_, ents, _), got in zip(gold, pred):
        g = {(lab, s, e) for s, e, lab in ents}
        p = {(lab, s, e) for lab, s, e, _ in got}
        for bucket, items in ((tp, g & p), (fp, p - g), (fn, g - p)):
            bucket.update(lab for lab, _, _ in items)

    def f1(t: int, a: int, b: int) -> tuple[float, float, float]:
        p, r = (t / (t + a) if t + a else 0.0), (t / (t + b) if t + b else 0.0)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    per = {}
    for lab in sorted(set(tp) | set(fp) | set(fn)):
        p, r, f = f1(tp[lab], fp[lab], fn[lab])
        per[lab] = {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "n": tp[lab] + fn[lab]}
    micro = f1(sum(tp.values()), sum(fp.values()), sum(fn.values()))[2]
    return {"ents_per_label": per, "ents_f": round(micro, 4), "n": len(gold)}


def finetune(checkpoint: Path, out: Path, train_rows: list[Row], heldout_rows: list[Row] | None = None, *,
             epochs: int = 3, max_steps: int | None = None, seed: int = 0, batch_size: int = 16, lr: float = 5e-5,
             warmup: float = 0.06, log_every: int = 50) -> dict:
    """Train a token-classification head (and the body) on ``train_rows``; save to ``out``; score held-out rows.

    Returns {"losses": per-step loss, "steps", "seconds", "heldout": scores() or None}."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count() or 1)  # training owns the machine (pipeline/__init__ defaults to 1)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint, local_files_only=True)
    if not tokenizer.is_fast:
        raise SystemExit(f"{checkpoint}: a fast tokenizer (tokenizer.json) is needed for character offsets")
    model = AutoModelForTokenClassification.from_pretrained(
        checkpoint, local_files_only=True, num_labels=len(BIO_LABELS), id2label=dict(enumerate(BIO_LABELS)),
        label2id={lab: i for i, lab in enumerate(BIO_LABELS)}, ignore_mismatched_sizes=True)
    max_len = min(MAX_LEN, int(getattr(model.config, "max_position_embeddings", MAX_LEN)))
    data = [encode(tokenizer, text, ents, max_len) for text, ents, _ in train_rows]
    per_epoch = math.ceil(len(data) / batch_size)
    total = min(max_steps, epochs * per_epoch) if max_steps else epochs * per_epoch
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, int(total * warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    model.train()
    losses: list[float] = []
    t0 = time.perf_counter()
    while len(losses) < total:
        order = list(range(len(data)))
        random.shuffle(order)
        for b in range(0, len(order), batch_size):
            if len(losses) >= total:
                break
            batch = [data[i] for i in order[b:b + batch_size]]
            width = max(len(ids) for ids, _ in batch)
            ids = torch.tensor([x + [tokenizer.pad_token_id] * (width - len(x)) for x, _ in batch])
            labels = torch.tensor([y + [-100] * (width - len(y)) for _, y in batch])
            loss = model(input_ids=ids, attention_mask=(ids != tokenizer.pad_token_id).long(), labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            losses.append(loss.item())
            if log_every and len(losses) % log_every == 0:
                print(f"step {len(losses)}/{total} loss {sum(losses[-log_every:]) / log_every:.4f}", flush=True)
    seconds = time.perf_counter() - t0
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    result: dict = {"losses": losses, "steps": len(losses), "seconds": round(seconds, 1), "heldout": None}
    if heldout_rows:
        ner = load(out)
        result["heldout"] = scores(heldout_rows, ner.entities_batch([t for t, _, _ in heldout_rows]))
        (out / "heldout_metrics.json").write_text(json.dumps(
            {"checkpoint": str(checkpoint), "steps": len(losses), "heldout_templates": result["heldout"]},
            ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extractors.ner.finetune", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, help="local checkpoint dir (with --init-tiny: where to write it; "
                                                    "default OUT-init)")
    ap.add_argument("--out", type=Path, required=True, help="where the fine-tuned model and tokenizer go")
    ap.add_argument("--init-tiny", action="store_true", help="build a tiny random BERT as the checkpoint first")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--seed", type=int, default=20240514, help="training seed and corpus seed (configs/contract.cfg)")
    ap.add_argument("--per-template", type=int, default=40, help="training sentences per training template")
    ap.add_argument("--heldout-per-template", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=None, help="default 3e-3 with --init-tiny (random weights), else 5e-5")
    args = ap.parse_args(argv)

    train_rows = corpus.examples("train", args.per_template, args.seed)
    held_rows = corpus.examples("heldout", args.heldout_per_template, args.seed + 1)
    checkpoint = args.checkpoint
    if args.init_tiny:
        checkpoint = build_tiny_checkpoint(checkpoint or args.out.with_name(args.out.name + "-init"), train_rows,
                                           seed=args.seed)
        print(f"tiny random BERT written to {checkpoint}")
    elif checkpoint is None or not (checkpoint / "config.json").is_file():
        ap.error(f"--checkpoint {checkpoint}: not a local checkpoint dir (no config.json); or use --init-tiny")
    res = finetune(checkpoint, args.out, train_rows, held_rows, epochs=args.epochs, max_steps=args.max_steps,
                   seed=args.seed, batch_size=args.batch_size, lr=args.lr or (3e-3 if args.init_tiny else 5e-5))
    m = res["heldout"]
    print(f"\n{res['steps']} steps in {res['seconds']:.0f} s -> {args.out}")
    print(f"HELD-OUT templates: {m['n']} sentences, entity micro-F1 {m['ents_f']:.3f}")
    print(f"  {'label':<12} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
    for lab, s in m["ents_per_label"].items():
        print(f"  {lab:<12} {s['p']:6.3f} {s['r']:6.3f} {s['f']:6.3f} {s['n']:5d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
