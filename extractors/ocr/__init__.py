"""OCR engines behind one interface (``OcrEngine``), chosen by ``OcrSettings.engine``.

Nothing here loads a model at import time: call ``get_engine(settings.ocr)``.
"""

from extractors.ocr.base import OcrEngine, get_engine
from extractors.ocr.textnorm import fix_numeric, normalize_text

__all__ = ["OcrEngine", "fix_numeric", "get_engine", "normalize_text"]
