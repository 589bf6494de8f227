"""Shared fixtures: real documents from ../shared/realdocs and documents built in code."""

from __future__ import annotations

import io
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REALDOCS = Path(os.environ.get("DOCINTEL_REALDOCS", REPO.parent / "shared" / "realdocs"))
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@pytest.fixture(scope="session")
def realdocs() -> Path:
    if not REALDOCS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real documents missing at {REALDOCS}: CI must have ../shared beside the clone")
        pytest.skip(f"real documents not found at {REALDOCS} (set DOCINTEL_REALDOCS)")
    return REALDOCS


@pytest.fixture()
def settings(tmp_path: Path):
    from pipeline.settings import get_settings

    return get_settings(home=tmp_path / "home")


def text_pdf(lines: list[str], pages: int = 1, encrypt: str | None = None) -> bytes:
    """A digital PDF with a real text layer (reportlab, embedded TrueType CJK font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "wqy" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("wqy", FONT, subfontIndex=0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    for _ in range(pages):
        c.setFont("wqy", 12)
        y = 800
        for line in lines:
            c.drawString(60, y, line)
            y -= 20
        c.showPage()
    c.save()
    return buf.getvalue()


def text_image(lines: list[str], size: tuple[int, int] = (1654, 700)):
    """A page image (PIL, white, black text at ~200 dpi) with known text."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 40)
    y = 60
    for line in lines:
        draw.text((80, y), line, fill="black", font=font)
        y += 80
    return img


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """``127.0.0.1:<port>`` of one moto S3 server (plain HTTP, no credentials checked) for the whole session."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()
