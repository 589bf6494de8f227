"""Cost of the document checks per scanned page: ``python bench/bench_checks.py [DIR]``.

Loads each scanned sample (default ``samples/committed``), runs the file stages (OCR) once
untimed, then times the document checks alone (``ChecksStage``, every check) per page, and
image forensics on its own. Prints the mean and worst seconds per page.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.checks import ChecksStage, default_checks
from pipeline.backends import load_pages, sniff_mime
from pipeline.runner import _run
from pipeline.settings import get_settings
from pipeline.stage import StageContext
from pipeline.stages import FILE_STAGES, ClassifyStage, ExtractStage
from pipeline.types import Document


def main(folder: str = "samples/committed", limit: int = 12) -> None:
    settings = get_settings()
    per_page, image_only = [], []
    files = [p for p in sorted(Path(folder).iterdir()) if p.suffix.lower() in
             (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")][:limit]
    checks = default_checks()
    image = [c for c in checks if c[0] == "image_forensics"]
    for path in files:
        data = path.read_bytes()
        loaded = load_pages(data, sniff_mime(data), dpi=settings.ocr.dpi, max_pages=10)
        doc = Document(id="b", sha256="", source=path.name, pages=[lp.page for lp in loaded])
        doc.attach_data(data)
        for lp in loaded:
            if lp.image is not None:
                doc.images[lp.page.number] = lp.image
        ctx = StageContext(settings=settings)
        doc = _run(FILE_STAGES + [ClassifyStage, ExtractStage], doc, ctx)
        n = max(1, len(doc.images))
        for cs, out in ((ChecksStage(checks), per_page), (ChecksStage(image), image_only)):
            saved = list(doc.risk_flags)
            t0 = time.perf_counter()
            cs(doc, ctx)
            out.append((time.perf_counter() - t0) / n)
            doc.risk_flags = saved
        print(f"{path.name:<16} {n} page(s)  all checks {per_page[-1]:.3f} s/page  image forensics {image_only[-1]:.3f} s/page")
    if per_page:
        print(f"all checks:      mean {statistics.mean(per_page):.3f} s/page, worst {max(per_page):.3f}")
        print(f"image forensics: mean {statistics.mean(image_only):.3f} s/page, worst {max(image_only):.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
