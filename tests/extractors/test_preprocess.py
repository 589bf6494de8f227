"""Preprocessing on pages drawn in the test."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractors.ocr import get_engine, normalize_text
from extractors.ocr.testpage import FONT_PATH, invoice_page, render_texts
from extractors.preprocess import (
    correct_perspective,
    deskew,
    detect_orientation,
    estimate_skew,
    find_page_quad,
    normalize_contrast,
    rotate,
    stamp_boxes,
    suppress_red,
    upright,
)
from pipeline.settings import OcrSettings

pytestmark = pytest.mark.skipif(not FONT_PATH.exists(), reason="needs fonts-wqy-microhei")


@pytest.fixture(scope="session")
def engine():
    return get_engine(OcrSettings())  # same cached instance as test_ocr's


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return invoice_page(dpi=200, n_rows=36)[0]


def _turn(img: np.ndarray, angle: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderValue=(255, 255, 255))


@pytest.mark.parametrize("turned", [0, 90, 180, 270])
def test_orientation_with_engine(page, engine, turned) -> None:
    img = rotate(page, turned)  # content turned counter-clockwise by `turned`
    assert detect_orientation(img, engine) == (360 - turned) % 360


@pytest.mark.parametrize("turned", [0, 90, 180, 270])
def test_orientation_of_a_low_resolution_real_receipt(realdocs, engine, turned) -> None:
    """A bank e-receipt at 528 x 1128 px, small print: turned 180 degrees its trial crops read as a few
    characters at 0.5-0.6 that outweighed the one line read at 0.9999 the other way up, and it stayed upside
    down (reads now weigh by their score to the 4th power)."""
    img = cv2.imread(str(realdocs / "bank_receipt" / "sy5683_PersonalTool__BOCOM_receipt_type_01.png"))
    assert detect_orientation(rotate(img, turned), engine) == (360 - turned) % 360


@pytest.mark.parametrize("turned", [0, 90, 180, 270])
def test_orientation_without_engine(page, turned) -> None:
    assert detect_orientation(rotate(page, turned)) == (360 - turned) % 360


@pytest.mark.parametrize("angle", [2.5, -2.5, 3.0, -0.8])
def test_skew_estimated_within_a_tenth(page, angle) -> None:
    assert abs(estimate_skew(_turn(page, angle)) - angle) <= 0.1


def test_deskew_undoes_skew(page) -> None:
    fixed = deskew(_turn(page, 2.5), 2.5)
    assert abs(estimate_skew(fixed)) <= 0.1


def test_upright_rotated_and_skewed(page, engine) -> None:
    img, rotation, skew = upright(rotate(_turn(page, 1.5), 90), engine)
    assert rotation == 270 and abs(skew - 1.5) <= 0.1
    assert img.shape[:2] == page.shape[:2]


def test_upright_leaves_an_upright_page_alone(page, engine) -> None:
    _, rotation, skew = upright(page, engine)
    assert rotation == 0 and skew == 0.0


def test_red_stamp_suppressed_text_kept(engine) -> None:
    img, _ = render_texts([(40, 40, "销售方：上海示例科技有限公司", 14)], size_pt=(360, 100), rules=False)
    seal = np.full_like(img, 255)
    s = 200 / 72
    centre = (int(150 * s), int(50 * s))
    cv2.circle(seal, centre, int(38 * s), (40, 40, 220), thickness=6, lineType=cv2.LINE_AA)
    cv2.putText(seal, "SEAL", (centre[0] - 60, centre[1] + 15), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                (40, 40, 220), 5, cv2.LINE_AA)
    stamped = np.minimum(img, seal)  # ink multiplies: black text stays black under the seal
    clean, mask = suppress_red(stamped)
    boxes = stamp_boxes(mask)
    assert boxes and abs((boxes[0][0] + boxes[0][2]) / 2 - centre[0]) < 10
    inside = clean[mask > 0].astype(int)
    assert ((inside[:, 2] - inside[:, 1]) > 60).mean() < 0.005  # no red left
    text = "".join(normalize_text(ln.text) for ln in engine.recognize(clean, 200))
    assert "销售方:上海示例科技有限公司" in text


def test_normalize_contrast_removes_shadow(page) -> None:
    _, w = page.shape[:2]
    shade = np.linspace(0.45, 1.0, w, dtype=np.float32)[None, :, None]
    shadowed = (page.astype(np.float32) * shade).astype(np.uint8)
    out = normalize_contrast(shadowed)
    paper = out[page[:, :, 0] > 250]
    assert np.percentile(paper, 5) > 200  # the dark side of the paper is white again
    ink = out[page[:, :, 0] < 60]
    assert np.median(ink) < 100


def test_perspective_recovered(engine) -> None:
    flat, _ = render_texts([(40, 60, "价税合计（大写）伍拾陆万玖仟伍佰贰拾圆整", 14)], dpi=100)
    h, w = flat.shape[:2]
    bg = np.full((1400, 1200, 3), (60, 90, 70), np.uint8)
    quad = np.float32([[180, 120], [1010, 190], [1080, 1290], [110, 1230]])
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad)
    photo = cv2.warpPerspective(flat, m, (1200, 1400), dst=bg, borderMode=cv2.BORDER_TRANSPARENT)
    out = correct_perspective(photo)
    assert out is not None
    assert abs(out.shape[0] / out.shape[1] - 297 / 210) < 0.01
    text = "".join(normalize_text(ln.text) for ln in engine.recognize(out, 100))
    assert "价税合计(大写)伍拾陆万玖仟伍佰贰拾圆整" in text
    assert correct_perspective(np.full((800, 600, 3), 255, np.uint8)) is None


def test_page_quad_with_a_shadow_across_a_corner() -> None:
    """A shadow darkens a corner of the page below the bright threshold: the region is then
    five-sided and its 4-point fit a wrong corner; the page edges still give the quad."""
    flat = np.full((1100, 800, 3), 235, np.uint8)
    cv2.putText(flat, "INVOICE 0123456789", (60, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (30, 30, 30), 3)
    quad = np.float32([[150, 110], [1010, 130], [1050, 1280], [120, 1250]])
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [800, 0], [800, 1100], [0, 1100]]), quad)
    photo = cv2.warpPerspective(flat, m, (1200, 1400), dst=np.full((1400, 1200, 3), 70, np.uint8),
                                borderMode=cv2.BORDER_TRANSPARENT).astype(np.float32)
    yy, xx = np.mgrid[0:1400, 0:1200]
    photo[(xx - 600) - (yy - 200) > 350] *= 0.5  # the top-right corner in shadow, the desk too
    found = find_page_quad(photo.astype(np.uint8))
    assert found is not None
    assert np.abs(found - quad).max() < 15


def test_page_quad_with_light_falling_off_across_the_page() -> None:
    """Light falling off across the page and a shadow put its dim side below Otsu's level between desk
    and bright paper, which cut up to a third of the page off (proportions 0.70-0.80 of the page's);
    lower levels find the whole page. Photos from samples.scan.photo, six captures that went wrong."""
    import random

    from PIL import Image, ImageDraw

    from extractors.preprocess.perspective import _sides
    from samples.scan import photo

    flat = Image.new("RGB", (1680, 980), "white")
    draw = ImageDraw.Draw(flat)
    for y in range(80, 900, 60):
        draw.text((80, y), "INVOICE 0123456789 " * 6, fill=(30, 30, 30))
    for seed in (0, 20, 22, 23, 27, 48):
        shot = photo(flat, random.Random(seed), light=(0.6, 0.7), shadow=0.35, desk=(60, 60, 60))
        found = find_page_quad(np.asarray(shot)[:, :, ::-1])
        assert found is not None
        w, h = _sides(found)
        assert 0.9 < (w / h) / (1680 / 980) < 1.1, seed  # corners move up to 3 %: the ratio by up to 7 %


def test_prepare_flattens_a_photo_to_its_own_shape_and_leaves_scans_alone(engine) -> None:
    """A landscape invoice photographed on a desk comes out flat with its own proportions (not A4's)
    and readable; a scan (paper to the edge) is not flattened."""
    from extractors.preprocess import prepare

    flat, _ = render_texts([(40, 60, "价税合计（大写）伍拾陆万玖仟伍佰贰拾圆整", 14),
                            (40, 200, "开票日期：2024年3月15日", 14)], dpi=100)
    flat = flat[:330, :]  # a landscape slip, about 2.4 : 1
    h, w = flat.shape[:2]
    quad = np.float32([[150, 160], [990, 120], [1040, 520], [110, 560]])
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad)
    photo = cv2.warpPerspective(flat, m, (1200, 700), dst=np.full((700, 1200, 3), (60, 70, 80), np.uint8),
                                borderMode=cv2.BORDER_TRANSPARENT)
    out, rotation, _, flattened = prepare(photo, engine)
    assert flattened and rotation == 0
    assert abs(out.shape[1] / out.shape[0] - 2.2) < 0.3  # its own proportions, not A4's 0.71
    text = "".join(normalize_text(ln.text) for ln in engine.recognize(out, 100))
    assert "伍拾陆万玖仟伍佰贰拾圆整" in text and "2024年3月15日" in text
    scan = np.full((700, 500, 3), 245, np.uint8)
    same, _, _, flattened = prepare(scan, engine)
    assert not flattened and same.shape == scan.shape
