"""Input backends: turn a file's bytes into pages (text-layer words and/or page images).

The backend is chosen from the sniffed type, never the file name.
"""

from __future__ import annotations

from pipeline.backends.base import LoadedPage, load_pages
from pipeline.backends.sniff import sniff_mime

__all__ = ["LoadedPage", "load_pages", "sniff_mime"]
