"""One Settings object, prefix DOCINTEL_, nested groups; built by get_settings(), passed in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    return Path(os.environ.get("DOCINTEL_HOME", "~/.docintel")).expanduser()


class StorageSettings(BaseModel):
    s3_endpoint: str | None = None
    s3_access_key: str = "minioadmin"
    s3_secret_key: str = "minioadmin"
    s3_bucket: str = "docintel"
    s3_secure: bool = False


class DbSettings(BaseModel):
    url: str | None = None  # default: sqlite file in home


class QueueSettings(BaseModel):
    redis_url: str | None = None  # default: in-process worker
    job_timeout: int = 600
    retries: int = 3


class OcrSettings(BaseModel):
    engine: Literal["rapidocr", "paddleocr", "tesseract"] = "rapidocr"
    # rapidocr's inference runtime: OpenVINO when installed (measured faster here), else ONNX Runtime
    backend: Literal["auto", "openvino", "onnxruntime"] = "auto"
    threads: int = 2
    dpi: int = 200
    det_limit_side_len: int = 1600
    use_cls: bool = False
    # rapidocr: text-line crops narrowed by this factor before recognition (its cost grows with width)
    rec_width_scale: float = Field(1.0, ge=0.3, le=1.0)
    # rapidocr: the narrowest width (px, at 48 px height) a recognition batch is padded to. PaddleOCR
    # pads every batch to 320 px, so a batch of short labels (名称, 税额) costs as much as a 6-character
    # line; 160 measured 12 % less OCR time on the committed scans with the same text (README)
    rec_min_width: int = Field(160, ge=48, le=320)
    paddle_model_dir: str | None = None


class NerSettings(BaseModel):
    backend: Literal["spacy", "transformers", "rules"] = "spacy"
    model_dir: str | None = None


class PdfSettings(BaseModel):
    # the text layer's reader: PDFium (default, ~10x faster on real e-invoices) or pdfplumber (pdfminer)
    text_reader: Literal["pdfium", "pdfplumber"] = "pdfium"


class LimitSettings(BaseModel):
    max_file_mb: float = 50.0
    max_pages: int = 300


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCINTEL_", env_nested_delimiter="__")

    home: Path = Path("~/.docintel")
    storage: StorageSettings = StorageSettings()
    db: DbSettings = DbSettings()
    queue: QueueSettings = QueueSettings()
    ocr: OcrSettings = OcrSettings()
    ner: NerSettings = NerSettings()
    pdf: PdfSettings = PdfSettings()
    limits: LimitSettings = LimitSettings()
    low_confidence: float = 0.6

    @property
    def home_dir(self) -> Path:
        return Path(self.home).expanduser()

    @property
    def db_url(self) -> str:
        return self.db.url or f"sqlite:///{self.home_dir / 'docintel.sqlite3'}"


def get_settings(home: str | Path | None = None, **overrides: object) -> Settings:
    """Build settings from the environment; ``home`` (the --home flag) wins over DOCINTEL_HOME."""
    s = Settings(**overrides)  # type: ignore[arg-type]
    if home is not None:
        s.home = Path(home).expanduser()
    elif "DOCINTEL_HOME" not in os.environ and str(s.home) == "~/.docintel":
        s.home = default_home()
    return s
