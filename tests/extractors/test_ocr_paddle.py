"""The paddleocr engine (extra ``[paddle]``, installed in dev/CI) on a page drawn in the test,
on the model folder ``docintel models paddle-dir`` builds from the rapidocr wheel; offline."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from extractors.ocr import get_engine
from extractors.ocr.paddle_engine import PaddleOcrEngine
from extractors.ocr.paddle_models import build_paddle_dir, is_paddle_dir
from extractors.ocr.testpage import edit_distance, invoice_page
from extractors.ocr.textnorm import normalize_text
from pipeline.errors import OcrUnavailable
from pipeline.settings import OcrSettings


@pytest.fixture(scope="session")
def paddle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_paddle_dir(tmp_path_factory.mktemp("models") / "paddle")


@pytest.fixture(scope="session")
def page() -> tuple[np.ndarray, list]:
    return invoice_page(dpi=200, n_rows=8)


@pytest.fixture(scope="session")
def lines(paddle_dir: Path, page):
    engine = get_engine(OcrSettings(engine="paddleocr", paddle_model_dir=str(paddle_dir)))
    assert isinstance(engine, PaddleOcrEngine)
    return engine.recognize(page[0], 200)


def _flat(s: str) -> str:
    return normalize_text(s).replace(" ", "")


def test_builder_writes_onnx_and_yml(paddle_dir: Path) -> None:
    assert is_paddle_dir(paddle_dir) and not (paddle_dir / "cls").exists()
    rec = yaml.safe_load((paddle_dir / "rec" / "inference.yml").read_text(encoding="utf-8"))
    assert rec["Global"]["model_name"] == "PP-OCRv6_small_rec"
    chars = rec["PostProcess"]["character_dict"]
    assert len(chars) == 18708 and {"壹", "¥", "贰", "A", "0"} <= set(chars)  # + blank + space = 18710 classes
    det = yaml.safe_load((paddle_dir / "det" / "inference.yml").read_text(encoding="utf-8"))
    # drift guard: same normalisation and DB post-processing as paddlex's own meta for this model
    from paddlex.modules.base.utils.pdparams2safetensors.inference_meta import build_inference_meta

    ref = build_inference_meta("PP-OCRv6_small_det")
    assert det["PostProcess"] == ref["PostProcess"]
    norm = [op for op in det["PreProcess"]["transform_ops"] if "NormalizeImage" in op]
    assert norm == [op for op in ref["PreProcess"]["transform_ops"] if "NormalizeImage" in op]


def test_paddleocr_reads_known_text(lines, page) -> None:
    _, drawn = page
    got = "".join(_flat(ln.text) for ln in lines)
    want = "".join(_flat(d.text) for d in drawn)
    assert edit_distance(got, want) / len(want) < 0.02
    texts = {_flat(ln.text) for ln in lines}
    assert "价税合计(大写)伍拾陆万玖仟伍佰贰拾圆整" in texts
    assert "发票号码:24312000000123456789" in texts
    assert any(t.endswith("¥569520.00") for t in texts)
    assert all(ln.source == "ocr" and 0 < ln.confidence <= 1 for ln in lines)
    assert "paddle" not in sys.modules  # ONNX Runtime only: paddlepaddle is never imported


def test_boxes_and_words_are_points_where_drawn(lines, page) -> None:
    _, drawn = page
    for d in drawn:
        if d.text.startswith(("价税合计", "发票号码", "开票人", "销售方")):
            ln = next(ln for ln in lines if _flat(ln.text)[:4] == _flat(d.text)[:4])
            assert all(abs(a - b) < 4 for a, b in zip(ln.bbox, d.bbox)), (ln.text, ln.bbox, d.bbox)
    ln = next(ln for ln in lines if "发票号码" in ln.text)
    assert ln.words[0].text == "发票号码" and ln.words[-1].text == "24312000000123456789"
    assert ln.words[-1].bbox[0] > ln.bbox[0] + 30 and abs(ln.words[-1].bbox[2] - ln.bbox[2]) < 4


def test_missing_model_dir_names_the_command(tmp_path: Path) -> None:
    for folder in (None, str(tmp_path / "nowhere")):
        with pytest.raises(OcrUnavailable, match="docintel models paddle-dir"):
            PaddleOcrEngine(OcrSettings(engine="paddleocr", paddle_model_dir=folder))


def test_missing_package_names_the_extra(paddle_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "paddleocr", None)  # import paddleocr -> ImportError
    with pytest.raises(OcrUnavailable, match=r"pip install \.\[paddle\]"):
        PaddleOcrEngine(OcrSettings(engine="paddleocr", paddle_model_dir=str(paddle_dir)))


def test_cli_models_paddle_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import app

    monkeypatch.setenv("DOCINTEL_HOME", str(tmp_path / "elsewhere"))  # restored after: --home rewrites it
    res = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "models", "paddle-dir"])
    assert res.exit_code == 0, res.output
    target = (tmp_path / "home" / "models" / "paddle").resolve()
    assert is_paddle_dir(target)
    assert str(target) in res.output
    assert f"DOCINTEL_OCR__ENGINE=paddleocr DOCINTEL_OCR__PADDLE_MODEL_DIR={target}" in res.output
