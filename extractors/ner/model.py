"""Loading the trained contract pipeline once per process, and using it.

The model lives in the repository (``extractors/ner/model``); where it is missing or
spaCy is not installed, callers get None and the contract rules work alone (logged once).

The backend comes from ``DOCINTEL_NER__BACKEND`` (NerSettings.backend): ``spacy`` (default),
``rules`` (no model at all), or ``transformers``: NER from the token-classification model in
``DOCINTEL_NER__MODEL_DIR`` (transformers_backend.py), while the clause classifier stays spaCy's
committed one, which the transformers model does not replace. A missing or wrong transformers
model raises NerModelUnavailable (the user asked for it: no silent fallback to spaCy).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractors.ner.transformers_backend import TransformersNer

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "model"
_lock = threading.Lock()
_cache: dict[str, Any] = {}


def backend() -> str:
    return (os.environ.get("DOCINTEL_NER__BACKEND") or "spacy").strip().lower()


def model_path() -> Path:
    """The spaCy pipeline's directory; on the transformers backend MODEL_DIR names the transformers model."""
    if backend() == "transformers":
        return MODEL_DIR
    return Path(os.environ.get("DOCINTEL_NER__MODEL_DIR") or MODEL_DIR)


@dataclass(frozen=True)
class HybridModel:
    """The transformers backend: its NER, with the spaCy pipeline (or None) kept for clause classes."""

    nlp: Any
    ner: TransformersNer


def get_model() -> Any:
    """The model of the configured backend: spaCy pipeline, HybridModel, or None (rules only)."""
    kind = backend()
    if kind == "rules":
        return None
    nlp = _spacy_model()
    if kind == "transformers":
        from extractors.ner.transformers_backend import load

        return HybridModel(nlp, load(os.environ.get("DOCINTEL_NER__MODEL_DIR")))
    return nlp


def _spacy_model() -> Any:
    """The spaCy pipeline (loaded on first use, then shared), or None with one log line."""
    path = model_path()
    key = str(path)
    if key in _cache:
        return _cache[key]
    with _lock:
        if key in _cache:
            return _cache[key]
        nlp = None
        if not (path / "meta.json").exists():
            log.warning("contract NER model not found at %s: contract terms use rules only "
                        "(build it with `python -m extractors.ner.train`)", path)
        else:
            try:
                import spacy

                nlp = spacy.load(path)
                log.info("contract NER model loaded from %s", path)
            except Exception as exc:  # noqa: BLE001
                log.warning("contract NER model at %s could not be loaded (%s): contract terms use rules only",
                            path, exc)
        _cache[key] = nlp
        return nlp


def classify_clauses(nlp: Any, texts: list[str], threshold: float = 0.5) -> dict[int, str]:
    """Clause class per text index, where the classifier is sure enough."""
    if isinstance(nlp, HybridModel):
        nlp = nlp.nlp
    if nlp is None or "textcat" not in nlp.pipe_names:
        return {}
    out = {}
    with nlp.select_pipes(enable=[p for p in ("tok2vec", "textcat") if p in nlp.pipe_names]):
        for i, doc in enumerate(nlp.pipe([t[:400] for t in texts], batch_size=64)):
            if doc.cats:
                label, score = max(doc.cats.items(), key=lambda kv: kv[1])
                if score >= threshold:
                    out[i] = label
    return out


def entities(nlp: Any, text: str) -> list[tuple[str, int, int, str]]:
    """(label, start, end, text) of each entity the NER finds in ``text``."""
    if isinstance(nlp, HybridModel):
        return nlp.ner.entities(text)
    if nlp is None or "ner" not in nlp.pipe_names:
        return []
    with nlp.select_pipes(enable=[p for p in ("tok2vec", "ner") if p in nlp.pipe_names]):
        doc = nlp(text)
    return [(e.label_, e.start_char, e.end_char, e.text) for e in doc.ents]
