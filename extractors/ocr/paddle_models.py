"""Builds the model folder the ``paddleocr`` engine reads, from the rapidocr wheel, offline.

paddleocr 3.x downloads its models from one of four hosts; given a folder per model holding
``inference.onnx`` + ``inference.yml`` it runs them on ONNX Runtime instead. The ONNX files
are the PP-OCRv6 small det/rec that rapidocr ships (the same ones it uses by default); the
yml mirrors ``paddlex``'s ``build_inference_meta`` for those models, and the rec character
list comes from the rec ONNX's own metadata (key ``character``), so no download and no
paddlex are needed to build it. No ``cls/``: the engine runs without textline orientation.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from extractors.ocr.rapidocr_engine import DET_MODEL, REC_MODEL, wheel_model_dir
from pipeline.errors import OcrUnavailable

DET_NAME = "PP-OCRv6_small_det"  # paddlex model names: they pick paddlex's resize defaults
REC_NAME = "PP-OCRv6_small_rec"
_IMAGENET = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "scale": "1./255.", "order": "hwc"}


def det_meta() -> dict[str, Any]:
    """inference.yml for the det model (paddlex ``_meta_det`` without training-only ops)."""
    return {
        "Global": {"model_name": DET_NAME},
        "PreProcess": {"transform_ops": [
            {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
            {"DetResizeForTest": {"resize_long": 960}},
            {"NormalizeImage": _IMAGENET},
            {"ToCHWImage": None},
        ]},
        "PostProcess": {"name": "DBPostProcess", "thresh": 0.3, "box_thresh": 0.6, "max_candidates": 1000,
                        "unclip_ratio": 1.5},
    }


def rec_meta(characters: list[str]) -> dict[str, Any]:
    """inference.yml for the rec model: CTC decoding over ``characters`` (no blank, no space)."""
    return {
        "Global": {"model_name": REC_NAME},
        "PreProcess": {"transform_ops": [
            {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
            {"RecResizeImg": {"image_shape": [3, 48, 320]}},
        ]},
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": characters},
    }


def rec_characters(onnx_path: Path) -> list[str]:
    """The rec model's character list, stored in its ONNX metadata (one per line)."""
    import onnxruntime as ort

    meta = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"]).get_modelmeta()
    chars = meta.custom_metadata_map.get("character", "").split("\n")
    if len(chars) < 100:
        raise OcrUnavailable(f"{onnx_path} carries no character list in its metadata: reinstall rapidocr")
    return chars


def _write(model_dir: Path, onnx: Path, meta: dict[str, Any]) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(onnx, model_dir / "inference.onnx")
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    (model_dir / "inference.yml").write_text(text, encoding="utf-8")


def build_paddle_dir(out: Path) -> Path:
    """Write ``out/det`` and ``out/rec`` (inference.onnx + inference.yml); returns ``out``."""
    src = wheel_model_dir()
    det, rec = src / DET_MODEL, src / REC_MODEL
    for f in (det, rec):
        if not f.is_file():
            raise OcrUnavailable(f"rapidocr model {f.name} missing from {src}: reinstall rapidocr")
    _write(out / "det", det, det_meta())
    _write(out / "rec", rec, rec_meta(rec_characters(rec)))
    return out


def is_paddle_dir(root: Path) -> bool:
    """True when ``root`` holds what the paddleocr engine needs."""
    return all((root / d / f).is_file() for d in ("det", "rec") for f in ("inference.onnx", "inference.yml"))
