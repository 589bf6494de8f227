"""The template corpus and the committed contract pipeline (NER + clause classifier)."""

from __future__ import annotations

import logging

import pytest

from extractors.ner import corpus
from extractors.ner import model as M


def test_templates_are_split_by_template_and_seeded():
    train, held = corpus.split_templates()
    assert {t for _, _, t in train}.isdisjoint({t for _, _, t in held})
    assert {c for c, _, _ in held} == set(corpus.CLASSES)  # every class has unseen wordings
    assert corpus.examples("heldout", 2, 7) == corpus.examples("heldout", 2, 7)
    for text, ents, cls in corpus.examples("train", 1, 7):
        assert cls in corpus.CLASSES
        for s, e, lab in ents:
            assert lab in corpus.LABELS and 0 <= s < e <= len(text)


def test_missing_model_means_rules_only(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DOCINTEL_NER__MODEL_DIR", str(tmp_path / "none"))
    with caplog.at_level(logging.WARNING):
        assert M.get_model() is None
    assert "rules only" in caplog.text


@pytest.fixture(scope="module")
def nlp():
    pytest.importorskip("spacy")
    if not (M.MODEL_DIR / "meta.json").exists():
        pytest.skip("model not built (python -m extractors.ner.train)")
    return M.get_model()


def test_committed_model_finds_entities_and_classes(nlp):
    ents = {(lab, text) for lab, _, _, text in M.entities(
        nlp, "协商不成的，任何一方均可向武汉市洪山区人民法院提起诉讼。")}
    assert ("COURT", "武汉市洪山区人民法院") in ents
    ents = {(lab, text) for lab, _, _, text in M.entities(nlp, "甲方逾期付款的，每日按应付未付款的万分之五向乙方支付违约金。")}
    assert ("RATE", "万分之五") in ents
    cls = M.classify_clauses(nlp, ["未经甲方书面同意，乙方不得转让本合同项下的债权。",
                                   "甲方逾期付款的，每日按应付未付款的万分之五向乙方支付违约金。"])
    assert cls == {0: "assignment", 1: "penalty"}
    size = sum(p.stat().st_size for p in M.MODEL_DIR.rglob("*") if p.is_file())
    assert size < 10 * 1024 * 1024
