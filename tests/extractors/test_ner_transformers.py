"""The transformers NER backend and its fine-tuning script, with a tiny random BERT built here from a config.

No hub, no download: the checkpoint is made in tmp_path, fine-tuned for a few steps, and then selected
with DOCINTEL_NER__BACKEND / DOCINTEL_NER__MODEL_DIR for a real `docintel extract` of a committed contract.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from extractors.ner import corpus
from extractors.ner import model as M
from extractors.ner.transformers_backend import bio_to_spans, chunks

os.environ.setdefault("HF_HUB_OFFLINE", "1")
COMMITTED = Path(__file__).resolve().parents[2] / "samples" / "committed"
TERMS = ["start_date", "end_date", "advance_payment_rate", "payment_terms", "retention_rate", "retention_months",
         "penalty_rate_per_day", "guarantee_type", "assignment_restricted", "dispute_resolution", "dispute_venue"]


def test_bio_tags_become_character_spans():
    text = "账号 6222 0212 付¥5元万"
    offsets = [(0, 0), (0, 1), (1, 2), (3, 7), (8, 12), (13, 14), (14, 15), (15, 16), (16, 17), (17, 18), (0, 0)]
    tags = ["O", "O", "O", "B-ACCOUNT", "I-ACCOUNT", "I-RATE", "B-MONEY", "I-MONEY", "I-MONEY", "I-RATE", "B-DATE"]
    # spans run over the spaces the tokenizer skips; an I- that continues nothing is dropped (strict IOB2)
    assert bio_to_spans(text, offsets, tags) == [("ACCOUNT", 3, 12, "6222 0212"), ("MONEY", 14, 17, "¥5元")]
    long = "甲方应付款。" * 30 + "乙方" * 50
    pieces = chunks(long, 64)
    assert "".join(p for _, p in pieces) == long and all(len(p) <= 64 for _, p in pieces)
    assert all(long[off:off + len(p)] == p for off, p in pieces) and pieces[0][1].endswith("。")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A 2-layer, 64-wide random BERT from a BertConfig, with a character vocabulary from the training corpus,
    fine-tuned 30 steps on 8 training sentences that each hold a MONEY span."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from extractors.ner.finetune import finetune

    rows = corpus.examples("train", 1, 7)
    train = [r for r in rows if any(lab == "MONEY" for _, _, lab in r[1])][:8]
    chars = sorted({c for text, _, _ in rows for c in text if not c.isspace()})
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars
                                        + [f"##{c}" for c in chars])}
    base = tmp_path_factory.mktemp("ner")
    ckpt, out = base / "checkpoint", base / "model"
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=256, max_position_embeddings=256)).save_pretrained(ckpt)
    BertTokenizerFast(vocab=vocab, do_lower_case=False, strip_accents=False).save_pretrained(ckpt)
    result = finetune(ckpt, out, train, None, epochs=100, max_steps=30, batch_size=8, lr=1e-2, seed=0, log_every=0)
    return {"ckpt": ckpt, "out": out, "train": train, "result": result}


def test_finetuning_learns_money_spans(tiny):
    from extractors.ner.transformers_backend import BIO_LABELS, load

    losses = tiny["result"]["losses"]
    assert len(losses) == 30
    assert sum(losses[-5:]) / 5 < 0.25 * sum(losses[:5]) / 5, losses
    ner = load(tiny["out"])
    assert list(ner.id2label.values()) == BIO_LABELS
    tagged = 0
    for text, ents, _ in tiny["train"]:
        money = {(lab, s, e, text[s:e]) for s, e, lab in ents if lab == "MONEY"}
        tagged += money <= set(ner.entities(text))
    assert tagged >= 7, f"{tagged}/8 training sentences had their MONEY span tagged exactly"


def _extract(pdf: Path, home: Path) -> tuple[int, list[dict]]:
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(app, ["extract", str(pdf), "--home", str(home)])
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_extract_selects_the_transformers_backend(tiny, tmp_path, monkeypatch):
    from extractors.ner import transformers_backend as tb
    from pipeline.settings import get_settings

    monkeypatch.setenv("DOCINTEL_NER__BACKEND", "transformers")
    monkeypatch.setenv("DOCINTEL_NER__MODEL_DIR", str(tiny["out"]))
    monkeypatch.setattr(tb, "_cache", {})  # nothing loaded before the pipeline runs
    assert get_settings().ner.backend == "transformers"
    code, records = _extract(COMMITTED / "con_0009.pdf", tmp_path / "home")
    assert code == 0 and len(records) == 1
    rec = records[0]
    assert rec["status"] == "done" and rec["doc_type"] == "contract", rec["errors"]
    want = json.loads((COMMITTED / "con_0009.json").read_text(encoding="utf-8"))["documents"][0]["fields"]
    assert {f: rec["fields"].get(f) for f in TERMS} == {f: want.get(f) for f in TERMS}
    # the pipeline loaded the fine-tuned model, once, and model.py hands it out as the NER
    assert list(tb._cache) == [str(tiny["out"].resolve())]
    hybrid = M.get_model()
    assert isinstance(hybrid, M.HybridModel) and hybrid.ner is tb._cache[str(tiny["out"].resolve())]
    assert hybrid.nlp is None or "textcat" in hybrid.nlp.pipe_names  # clause classes stay spaCy's
    text, ents, _ = tiny["train"][0]
    seen = hybrid.ner.texts_seen
    got = M.entities(hybrid, text)
    assert hybrid.ner.texts_seen == seen + 1
    assert {(lab, s, e) for s, e, lab in ents if lab == "MONEY"} <= {(lab, s, e) for lab, s, e, _ in got}


def test_missing_or_wrong_model_dir_is_a_clear_error(tiny, tmp_path, monkeypatch):
    from extractors.ner.transformers_backend import NerModelUnavailable

    monkeypatch.setenv("DOCINTEL_NER__BACKEND", "transformers")
    monkeypatch.delenv("DOCINTEL_NER__MODEL_DIR", raising=False)
    with pytest.raises(NerModelUnavailable, match="needs DOCINTEL_NER__MODEL_DIR"):
        M.get_model()
    monkeypatch.setenv("DOCINTEL_NER__MODEL_DIR", str(tiny["ckpt"]))  # a checkpoint, never fine-tuned
    with pytest.raises(NerModelUnavailable, match="not a docintel NER model"):
        M.get_model()
    missing = tmp_path / "no-such-model"
    monkeypatch.setenv("DOCINTEL_NER__MODEL_DIR", str(missing))
    with pytest.raises(NerModelUnavailable, match="python -m extractors.ner.finetune"):
        M.get_model()
    code, (rec,) = _extract(COMMITTED / "con_0009.pdf", tmp_path / "home")
    assert code == 0 and rec["status"] == "partial" and rec["fields"]["party_a_name"]  # header fields still read
    (error,) = rec["errors"]
    assert str(missing) in error["message"] and "extractors.ner.finetune" in error["message"]


def test_cli_init_tiny_writes_checkpoint_model_and_heldout_scores(tmp_path, capsys):
    pytest.importorskip("transformers")
    from extractors.ner.finetune import main

    out = tmp_path / "ner"
    assert main(["--init-tiny", "--out", str(out), "--max-steps", "3", "--per-template", "1",
                 "--heldout-per-template", "1"]) == 0
    assert (tmp_path / "ner-init" / "config.json").is_file() and (out / "tokenizer.json").is_file()
    metrics = json.loads((out / "heldout_metrics.json").read_text(encoding="utf-8"))
    assert metrics["steps"] == 3 and metrics["heldout_templates"]["n"] == len(corpus.split_templates()[1])
    assert "HELD-OUT templates" in capsys.readouterr().out
