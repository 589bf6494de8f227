"""Box arithmetic shared by the image-forensics tests: does a flag's evidence box meet the edit?"""

from __future__ import annotations


def overlaps(a: list[float] | tuple[float, ...], b: list[float] | tuple[float, ...]) -> bool:
    """Whether two (x0, y0, x1, y1) boxes share any area."""
    return not (a[2] <= b[0] or a[0] >= b[2] or a[3] <= b[1] or a[1] >= b[3])
