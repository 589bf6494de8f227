"""The optional transformers NER backend: a token-classification model from a local directory.

Chosen with ``DOCINTEL_NER__BACKEND=transformers`` and ``DOCINTEL_NER__MODEL_DIR=DIR`` (see model.py);
``python -m extractors.ner.finetune`` makes such a directory from any local checkpoint. Offline by
construction: ``HF_HUB_OFFLINE=1`` is set before transformers is imported and every load passes
``local_files_only=True``, so a wrong path fails at once instead of retrying the hub (notes.md).
Tokens are mapped back to characters through the fast tokenizer's offsets, so a character-level
vocabulary and a wordpiece one both give character spans; labels are BIO over corpus.LABELS, the
spaCy NER's label set. CPU only; one model per directory per process.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from extractors.ner.corpus import LABELS
from pipeline.errors import DocintelError

os.environ.setdefault("HF_HUB_OFFLINE", "1")

BIO_LABELS = ["O"] + [f"{p}-{lab}" for lab in LABELS for p in ("B", "I")]
FIX = ("fine-tune one with `python -m extractors.ner.finetune --init-tiny --out DIR` (or `--checkpoint CKPT "
       "--out DIR`), or set DOCINTEL_NER__BACKEND=spacy")

_lock = threading.Lock()
_cache: dict[str, TransformersNer] = {}


class NerModelUnavailable(DocintelError):
    """The configured transformers NER model cannot be loaded; the message says how to make one."""


Entity = tuple[str, int, int, str]  # (label, start, end, text), as model.entities() returns


def bio_to_spans(text: str, offsets: list[tuple[int, int]], labels: list[str]) -> list[Entity]:
    """Character spans from per-token BIO labels (strict IOB2: an I- not continuing its type is dropped,
    which measured F1 0.57 against 0.39 for starting an entity there, on the held-out templates)."""
    out: list[Entity] = []
    cur: list[Any] | None = None  # [label, start, end]
    for (s, e), tag in zip(offsets, labels):
        if s == e:  # special or padding token
            continue
        kind, _, lab = tag.partition("-")
        if kind == "I" and cur is not None and cur[0] == lab:
            cur[2] = e
            continue
        if cur is not None:
            out.append((cur[0], cur[1], cur[2], text[cur[1]:cur[2]]))
        cur = [lab, s, e] if kind == "B" and lab else None
    if cur is not None:
        out.append((cur[0], cur[1], cur[2], text[cur[1]:cur[2]]))
    return out


def chunks(text: str, size: int) -> list[tuple[int, str]]:
    """(offset, piece) windows of at most ``size`` characters, cut after 。；\\n where one is near the end."""
    out, pos = [], 0
    while pos < len(text):
        end = min(len(text), pos + size)
        if end < len(text):
            cut = max(text.rfind(c, pos + size // 2, end) for c in "。；;\n")
            end = cut + 1 if cut >= 0 else end
        out.append((pos, text[pos:end]))
        pos = end
    return out


class TransformersNer:
    """A loaded token-classification model and its tokenizer; ``entities`` has model.entities()'s shape."""

    def __init__(self, model: Any, tokenizer: Any, path: Path) -> None:
        self.model, self.tokenizer, self.path = model, tokenizer, path
        self.id2label = {int(k): v for k, v in model.config.id2label.items()}
        limit = min(int(getattr(model.config, "max_position_embeddings", 512) or 512), 512)
        self.max_chars = limit - 2  # one token covers at least one character; 2 for [CLS]/[SEP]
        self.texts_seen = 0  # how many texts this model has tagged (the e2e test reads it)

    def entities_batch(self, texts: list[str], batch_size: int = 32) -> list[list[Entity]]:
        """Entities of each text; long texts are tagged in windows (an entity cut by a window splits)."""
        import torch

        pieces = [(i, off, piece) for i, t in enumerate(texts) for off, piece in chunks(t, self.max_chars)]
        out: list[list[Entity]] = [[] for _ in texts]
        for b in range(0, len(pieces), batch_size):
            batch = pieces[b:b + batch_size]
            enc = self.tokenizer([p for _, _, p in batch], return_offsets_mapping=True, padding=True,
                                 truncation=True, max_length=self.max_chars + 2, return_tensors="pt")
            offsets = enc.pop("offset_mapping").tolist()
            with torch.inference_mode():
                ids = self.model(**enc).logits.argmax(-1).tolist()
            for (i, off, piece), offs, row in zip(batch, offsets, ids):
                tags = [self.id2label.get(k, "O") for k in row]
                out[i] += [(lab, s + off, e + off, t) for lab, s, e, t in bio_to_spans(piece, offs, tags)]
        self.texts_seen += len(texts)
        return out

    def entities(self, text: str) -> list[Entity]:
        return self.entities_batch([text])[0]


def load(model_dir: str | Path | None) -> TransformersNer:
    """The model at ``model_dir``, loaded on first use and then shared; NerModelUnavailable naming the fix."""
    if not model_dir:
        raise NerModelUnavailable(f"DOCINTEL_NER__BACKEND=transformers needs DOCINTEL_NER__MODEL_DIR: {FIX}")
    path = Path(model_dir).expanduser().resolve()
    key = str(path)
    if key in _cache:
        return _cache[key]
    with _lock:
        if key not in _cache:
            _cache[key] = _load(path)
        return _cache[key]


def _load(path: Path) -> TransformersNer:
    if not (path / "config.json").is_file():
        raise NerModelUnavailable(f"no transformers NER model at {path} (no config.json): {FIX}")
    try:
        from transformers import AutoModelForTokenClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise NerModelUnavailable(f"the transformers NER backend needs `pip install -e '.[transformers]'` ({exc})"
                                  ) from exc
    hf_logging.disable_progress_bar()  # no "Loading weights" bars on the stderr of `docintel extract`
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForTokenClassification.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise NerModelUnavailable(f"the NER model at {path} could not be loaded ({exc}): {FIX}") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise NerModelUnavailable(f"the tokenizer at {path} is not a fast tokenizer (character offsets are needed): "
                                  "save it with tokenizer.json")
    labels = set(model.config.id2label.values())
    if not labels <= set(BIO_LABELS) or not labels - {"O"}:
        raise NerModelUnavailable(f"the model at {path} is not a docintel NER model (labels {sorted(labels)[:6]}): "
                                  f"{FIX}")
    model.eval()
    return TransformersNer(model, tokenizer, path)
