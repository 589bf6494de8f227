"""Tables: ruled grids on a drawn scan (skewed, JPEG'd, sealed) and a photo, vector lines of a
digital PDF, column alignment without lines, and the committed invoices' item tables."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from extractors.tables import aligned_tables, grids, image_segments, page_tables, pdf_ruling, pdf_segments
from pipeline.types import Page, Table, Word

COMMITTED = Path(__file__).resolve().parents[2] / "samples" / "committed"
DPI = 200
K = 72 / DPI  # points per pixel
XS = [150, 450, 650, 900, 1150, 1500]  # ruled columns, pixels
YS = [400, 480, 560, 640, 720, 800]  # ruled rows
MERGED = {(0, 1): (0, 0), (3, 3): (2, 3)}  # slot -> the cell it belongs to: row 0 spans cols 0-1, col 3 rows 2-3
HEADER = ["货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额"]


def _expected() -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """(row, col) of each cell -> its pixel box before any skew."""
    cells = {}
    for r in range(5):
        for c in range(5):
            r0, c0 = MERGED.get((r, c), (r, c))
            x0, y0, x1, y1 = XS[c0], YS[r0], XS[c + 1], YS[r + 1]
            old = cells.get((r0, c0), (x0, y0, x1, y1))
            cells[(r0, c0)] = (min(old[0], x0), min(old[1], y0), max(old[2], x1), max(old[3], y1))
    return cells


def _grid_page(angle: float, grey: bool, seed: int = 0) -> tuple[np.ndarray, list[Word], np.ndarray]:
    """A4 at 200 dpi: a 5x5 grid with two merged cells, a label in each cell and a red seal over the
    right half, turned ``angle`` degrees, noisy and JPEG'd; the words as OCR would box them; the turn."""
    img = np.full((2339, 1654, 3), 248, np.uint8)
    ink = (70, 45, 30)
    for i, y in enumerate(YS):
        for c in range(5):
            if not (i == 3 and c == 3):
                cv2.line(img, (XS[c], y), (XS[c + 1], y), ink, 3 if i in (0, 5) else 2)
    for j, x in enumerate(XS):
        for r in range(5):
            if not (j == 1 and r == 0):
                cv2.line(img, (x, YS[r]), (x, YS[r + 1]), ink, 3 if j in (0, 5) else 2)
    labels = []
    for (r, c), (x0, y0, _, _) in _expected().items():
        cv2.putText(img, f"R{r}C{c}", (x0 + 20, y0 + 55), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 3)
        labels.append((f"R{r}C{c}", (x0 + 20, y0 + 25, x0 + 130, y0 + 60)))
    seal = img.copy()
    cv2.circle(seal, (1000, 620), 170, (40, 40, 215), 7)
    cv2.circle(seal, (1000, 620), 150, (40, 40, 215), 2)
    cv2.putText(seal, "SEAL", (900, 640), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (40, 40, 215), 8)
    img = cv2.addWeighted(seal, 0.85, img, 0.15, 0)
    m = cv2.getRotationMatrix2D((1654 / 2, 2339 / 2), angle, 1.0)
    img = cv2.warpAffine(img, m, (1654, 2339), flags=cv2.INTER_LINEAR, borderValue=(248, 248, 248))
    noise = np.random.default_rng(seed).normal(0, 5, img.shape[:2])[..., None]
    img = np.clip(img + noise, 0, 255).astype(np.uint8)
    if grey:
        img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    img = cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 45])[1], cv2.IMREAD_COLOR)
    words = []
    for text, (x0, y0, x1, y1) in labels:
        cx, cy = m @ np.array([(x0 + x1) / 2, (y0 + y1) / 2, 1.0])
        words.append(Word(text=text, bbox=((cx - 55) * K, (cy - 17) * K, (cx + 55) * K, (cy + 17) * K), source="ocr"))
    return img, words, m


def _turned(m: np.ndarray, box: tuple[int, int, int, int]) -> tuple[float, float]:
    cx, cy = m @ np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 1.0])
    return cx * K, cy * K


@pytest.mark.parametrize(("angle", "grey"), [(0.5, False), (-0.5, True), (0.0, False)])
def test_ruled_grid_on_a_skewed_jpeg_scan_with_a_seal(angle: float, grey: bool) -> None:
    img, words, m = _grid_page(angle, grey)
    page = Page(number=1, width=1654 * K, height=2339 * K, dpi=DPI, words=words, text_source="ocr")
    tables = page_tables(page, img)
    assert len(tables) == 1  # the seal's ring and letters make no table of their own
    cells = {(c.row, c.col): c for c in tables[0].cells}
    want = _expected()
    assert set(cells) == set(want)  # 23 cells: the two merged ones span, no seal line splits one
    for key, box in want.items():
        cell = cells[key]
        assert cell.text == f"R{key[0]}C{key[1]}"
        cx, cy = _turned(m, box)
        assert abs((cell.bbox[0] + cell.bbox[2]) / 2 - cx) < 2.5 and abs((cell.bbox[1] + cell.bbox[3]) / 2 - cy) < 2.5
        assert abs((cell.bbox[2] - cell.bbox[0]) - (box[2] - box[0]) * K) < 3
        assert abs((cell.bbox[3] - cell.bbox[1]) - (box[3] - box[1]) * K) < 3
    assert tables[0].header == ["R0C0", "R0C2", "R0C3", "R0C4"]


def test_residual_skew_is_measured_from_the_rules() -> None:
    img, _, _ = _grid_page(0.5, False)
    _, frame = image_segments(img, DPI)
    assert abs(frame.angle + 0.5) < 0.1  # image y points down: a counter-clockwise turn slopes rules up


def test_a_seal_and_text_alone_make_no_table() -> None:
    img = np.full((1169, 827, 3), 250, np.uint8)
    for y in range(200, 900, 40):
        cv2.putText(img, "Lorem ipsum dolor sit amet 1234", (60, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (30, 30, 30), 2)
    cv2.circle(img, (500, 600), 120, (40, 40, 215), 6)
    cv2.ellipse(img, (300, 400), (140, 90), 0, 0, 360, (40, 40, 215), 5)
    segments, _ = image_segments(img, 100)
    assert grids(segments) == []


def test_ruled_grid_on_a_phone_photo_after_perspective_correction() -> None:
    from extractors.preprocess import correct_perspective, normalize_contrast

    flat, _, _ = _grid_page(0.0, False)
    flat = cv2.resize(flat, (827, 1169), interpolation=cv2.INTER_AREA)  # the page at 100 dpi
    bg = np.full((1400, 1200, 3), (60, 90, 70), np.uint8)
    quad = np.float32([[180, 120], [1010, 190], [1080, 1290], [110, 1230]])
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [827, 0], [827, 1169], [0, 1169]]), quad)
    photo = cv2.warpPerspective(flat, warp, (1200, 1400), dst=bg, borderMode=cv2.BORDER_TRANSPARENT)
    shade = np.linspace(0.6, 1.0, 1200, dtype=np.float32)[None, :, None]
    photo = (photo * shade).astype(np.uint8)
    page_img = correct_perspective(photo)
    assert page_img is not None
    page_img = normalize_contrast(page_img)
    dpi = page_img.shape[1] / (210 / 25.4)
    found = grids(image_segments(page_img, dpi)[0])
    assert len(found) == 1
    g = found[0]
    assert (len(g.xs), len(g.ys)) == (6, 6)
    spans = {(r0, c0): (r1 - r0, c1 - c0) for r0, c0, r1, c1 in g.cells}
    assert len(spans) == 23 and spans[(0, 0)] == (1, 2) and spans[(2, 3)] == (2, 1)
    width_pt = 210 / 25.4 * 72
    assert abs((g.xs[1] - g.xs[0]) / width_pt - (XS[1] - XS[0]) / 1654) < 0.01  # columns keep their proportions


def _words(rows: list[list[tuple[str, float, str]]], top: float = 100.0, step: float = 16.0) -> list[Word]:
    """Words of a borderless table: (text, x, align) per cell, 10 pt type, 6 pt per character."""
    out = []
    for i, row in enumerate(rows):
        y = top + i * step
        for text, x, align in row:
            w = 6.0 * len(text)
            x0 = {"left": x, "right": x - w, "centre": x - w / 2}[align]
            out.append(Word(text=text, bbox=(x0, y, x0 + w, y + 10)))
    return out


def test_borderless_table_from_column_alignment() -> None:
    head = [("Item", 80, "centre"), ("Qty", 230, "centre"), ("Price", 330, "centre"), ("Amount", 450, "centre")]
    # numbers right-aligned at the column's right edge: clear of their centred heads
    body = [[("Cement", 50, "left"), ("12", 270, "right"), ("441.80", 390, "right"), ("5301.60", 490, "right")],
            [("Steel bar", 50, "left"), ("3", 270, "right"), ("3738.18", 390, "right"), ("11214.54", 490, "right")],
            [("Paint", 50, "left"), ("104", 270, "right"), ("205.84", 390, "right"), ("21407.36", 490, "right")]]
    prose = [[("This paragraph is one long line of running text and no table at all.", 50, "left")]] * 3
    words = _words([*prose, head, *body, *prose], top=100)
    page = Page(number=1, width=595, height=842, words=words)
    from extractors.layout import group_lines

    page.lines = group_lines(words)
    tables = page_tables(page)
    assert len(tables) == 1
    t = tables[0]
    assert t.header == ["Item", "Qty", "Price", "Amount"]  # centred heads over right-aligned numbers: one column
    rows = _rows(t)
    assert rows[1] == ["Cement", "12", "441.80", "5301.60"] and rows[3] == ["Paint", "104", "205.84", "21407.36"]
    assert len(rows) == 4  # the prose above and below is not part of it


def test_a_long_unit_price_close_after_its_quantity_stays_in_its_column() -> None:
    """An e-invoice prints unit prices to many decimals: the price reaches left to within a line height
    of the quantity, the two words read as one chunk spanning two columns, and the table ended at that
    row (seed 4141 inv_0016: its third item lost, a clean invoice's lines short of the total)."""
    head = [("Item", 80, "centre"), ("Qty", 230, "centre"), ("Price", 330, "centre"), ("Amount", 450, "centre")]
    body = [[("Cement", 50, "left"), ("12", 270, "right"), ("441.80", 390, "right"), ("5301.60", 490, "right")],
            [("Laptop", 50, "left"), ("362", 270, "right"), ("7242.52212389380531", 390, "right"),
             ("2621793.01", 490, "right")],
            [("Paint", 50, "left"), ("104", 270, "right"), ("205.84", 390, "right"), ("21407.36", 490, "right")]]
    words = _words([head, *body])
    from extractors.layout import group_lines

    tables = aligned_tables(group_lines(words))
    assert len(tables) == 1
    rows = _rows(tables[0])
    assert rows[2] == ["Laptop", "362", "7242.52212389380531", "2621793.01"]
    assert rows[3] == ["Paint", "104", "205.84", "21407.36"] and len(rows) == 4


def test_two_aligned_lines_are_not_a_table() -> None:
    words = _words([[("a", 50, "left"), ("b", 200, "left"), ("c", 350, "left")]] * 2)
    from extractors.layout import group_lines

    assert aligned_tables(group_lines(words)) == []


def _rows(t: Table) -> list[list[str]]:
    rows: dict[int, list[str]] = {}
    for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
        rows.setdefault(c.row, []).append(c.text)
    return [rows[r] for r in sorted(rows)]


def _item_table(tables: list[Table], header: list[str]) -> tuple[Table, list[list[str]]]:
    """The table whose first row is ``header`` (empty cells left out) and its rows."""
    for t in tables:
        rows = [[x.replace("\n", "") for x in r if x] for r in _rows(t)]
        if rows and rows[0] == header:
            return t, rows
    raise AssertionError(f"no table with header {header}: {[t.header for t in tables]}")


def _truth(name: str) -> list[dict]:
    data = json.loads((COMMITTED / f"{name}.json").read_text(encoding="utf-8"))
    return [d["fields"]["items"] for d in data["documents"]]


@pytest.fixture(scope="module")
def scanned_invoice(tmp_path_factory):
    from pipeline.runner import process_path
    from pipeline.settings import get_settings

    settings = get_settings(home=tmp_path_factory.mktemp("home"))
    return process_path(COMMITTED / "inv_0005.png", settings)[0]


def test_committed_scanned_invoice_item_table_from_ruling_lines(scanned_invoice) -> None:
    from extractors.fields.items import extract_items
    from extractors.layout import page_index

    page = scanned_invoice.pages[0]
    table, rows = _item_table(page.tables, HEADER)
    want = _truth("inv_0005")[0]
    assert [r[0].replace(" ", "") for r in rows[1:]] == [it["name"] for it in want] + ["合计"]
    for row, item in zip(rows[1:], want):
        assert item["amount"] in row and item["tax_amount"] in row
    items = extract_items(page_index(scanned_invoice.pages), [(page.number, t) for t in page.tables])
    assert [it.values for it in items] == want
    assert all(table.bbox[1] < it.bbox[1] and it.bbox[3] <= table.bbox[3] for it in items)  # read off the table's rows


def test_committed_scanned_e_invoice_item_table_from_alignment_inside_the_frame(settings) -> None:
    """inv_0010 (e-invoice, variant a): the item block is one ruled cell with no column rules."""
    from pipeline.runner import process_path

    page = process_path(COMMITTED / "inv_0010.bmp", settings)[0].pages[0]
    table, rows = _item_table(page.tables, ["项目名称", *HEADER[1:]])
    want = _truth("inv_0010")[0]
    assert [r[0] for r in rows[1:len(want) + 1]] == [it["name"] for it in want]
    assert [r[-3] for r in rows[1:len(want) + 1]] == [it["amount"] for it in want]
    frame = [c.bbox for t in page.tables if t is not table for c in t.cells]
    assert any(b[0] <= table.bbox[0] and b[1] <= table.bbox[1] and table.bbox[2] <= b[2] and table.bbox[3] <= b[3]
               for b in frame)  # found inside the frame's merged item cell


def test_committed_digital_invoice_item_table_from_vector_lines(settings) -> None:
    from pipeline.runner import process_path

    docs = process_path(COMMITTED / "inv_0007.pdf", settings)
    data = (COMMITTED / "inv_0007.pdf").read_bytes()
    truth = _truth("inv_0007")
    assert len(docs) == len(truth) == 4
    for doc, want in zip(docs, truth):
        page = doc.pages[0]
        rate = "税率" if any(t.header[6:7] == ["税率"] for t in page.tables) else "税率/征收率"
        table, rows = _item_table(page.tables, ["项目名称", *HEADER[1:6], rate, "税额"])
        assert [r[0] for r in rows[1:len(want) + 1]] == [it["name"] for it in want]
        assert [r[-3] for r in rows[1:len(want) + 1]] == [it["amount"] for it in want]
        # its grid is the PDF's own lines: eight ruled columns in the item block
        ruled = grids(pdf_ruling(data, {page.number: page.rotation})[page.number])
        assert any(len(g.xs) == 9 and np.allclose([g.xs[0], g.ys[0], g.xs[-1], g.ys[-1]], table.bbox, atol=0.5)
                   for g in ruled)


def test_pdf_rules_drawn_as_thin_filled_bars_make_a_grid_and_a_filled_box_does_not() -> None:
    import pypdfium2 as pdfium
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(600, 800))
    for y in (700, 670, 640):
        c.rect(100, y, 300, 0.8, stroke=0, fill=1)
    for x in (100, 250, 400):
        c.rect(x, 640, 0.8, 60.8, stroke=0, fill=1)
    c.rect(120, 300, 100, 100, stroke=0, fill=1)
    c.circle(450, 200, 60)  # a seal's ring in vector form: curves only
    c.showPage()
    c.save()
    pdf = pdfium.PdfDocument(buf.getvalue())
    segments = [(s.horizontal, round(s.pos), round(s.lo), round(s.hi)) for s in pdf_segments(pdf[0])]
    assert sorted(segments) == [(False, 100, 99, 160), (False, 250, 99, 160), (False, 400, 99, 160),
                                (True, 100, 100, 400), (True, 130, 100, 400), (True, 160, 100, 400)]
    (g,) = grids(pdf_segments(pdf[0]))
    assert len(g.cells) == 4


def test_digital_pdf_with_a_page_rotation_keeps_cells_and_words_together(settings) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from pipeline.runner import process_bytes

    font = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    if not Path(font).exists():
        pytest.skip("needs fonts-wqy-microhei")
    if "wqy" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("wqy", font, subfontIndex=0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(842, 595))
    c.setFont("wqy", 10)
    xs, ys = [60, 200, 340, 480], [500, 470, 440, 410]
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for r in range(3):
        for k in range(3):
            c.drawString(xs[k] + 8, ys[r] - 20, f"格{r}{k}单元")
    c.drawString(60, 300, "A page drawn turned: the reader makes the text upright first.")
    c.setPageRotation(90)
    c.showPage()
    c.save()
    page = process_bytes(buf.getvalue(), "turned.pdf", settings)[0].pages[0]
    assert page.text_source == "text_layer"
    ruled = [t for t in page.tables if len(t.cells) == 9]
    assert len(ruled) == 1
    assert _rows(ruled[0]) == [[f"格{r}{k}单元" for k in range(3)] for r in range(3)]


def test_a_name_column_missing_its_header_rule_is_cut_at_the_item_rows() -> None:
    """The rule under the name header is not printed (or not seen): the name column spans the header and the
    body bands, yet each name lands in its item's row, beside its amount, and the header cell keeps its label."""
    img = np.full((900, 1654, 3), 248, np.uint8)
    xs, ink = [100, 600, 900, 1200, 1500], (70, 45, 30)
    for x in xs:
        cv2.line(img, (x, 100), (x, 600), ink, 2)
    for y, x0 in ((100, 100), (170, 600), (600, 100)):  # the header rule starts at the second column
        cv2.line(img, (x0, y), (1500, y), ink, 2)
    k = 72 / 200

    def word(text: str, x0: int, y: int) -> Word:
        return Word(text=text, bbox=(x0 * k, y * k, (x0 + 30 * len(text)) * k, (y + 34) * k), source="ocr")

    words = [word("货物或应税劳务、服务名称", 120, 118), word("数量", 700, 118), word("金额", 1000, 118), word("税额", 1300, 118)]
    rows = [("*钢材*螺纹钢", "12", "4281.96", "556.65"), ("*水泥*普通硅酸盐水泥", "3", "1427.32", "185.55"),
            ("*木制品*建筑模板", "40", "3200.00", "416.00")]
    for i, (name, qty, amount, tax) in enumerate(rows):
        y = 200 + 60 * i
        words += [word(name, 120, y), word(qty, 820, y), word(amount, 960, y), word(tax, 1260, y)]
    from extractors.layout import group_lines

    page = Page(number=1, width=1654 * k, height=900 * k, words=words, dpi=200)
    page.lines = group_lines(words)
    table = next(t for t in page_tables(page, img) if "金额" in t.header)
    got = _rows(table)
    assert got[0] == ["货物或应税劳务、服务名称", "数量", "金额", "税额"]
    assert got[1:] == [list(r) for r in rows]


def test_item_rows_cut_into_two_tables_are_read_through_to_the_total():
    """Column alignment cut the item rows in two where a long price abuts its quantity (1136 1068.95575221
    in one column): the rows of the second table, under the same header, are items too (a clean scan had
    read 3 of 6 items and raised a false AMOUNT_MISMATCH)."""
    from extractors.fields.items import extract_items
    from pipeline.types import Table, TableCell

    heads = ["项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额"]
    xs = [24, 150, 230, 260, 300, 360, 420, 470, 571]

    def cell(row: int, col: int, text: str, x0: float, x1: float, y: float) -> TableCell:
        return TableCell(row=row, col=col, text=text, bbox=(x0, y, x1, y + 12))

    first = Table(bbox=(24, 143, 571, 196), cells=[cell(0, i, h, xs[i], xs[i + 1], 143) for i, h in enumerate(heads)]
                  + [cell(1, i, v, xs[i], xs[i + 1], 158) for i, v in enumerate(
                      ["*涂料*外墙涂料", "20kg/桶", "桶", "379", "478.25663717", "181259.27", "13%", "23563.71"])])
    merged = [xs[0], xs[1], xs[2], xs[3], xs[5], xs[6], xs[7], xs[8]]  # quantity and price share a column
    second = Table(bbox=(24, 192, 571, 261), cells=[cell(0, i, v, merged[i], merged[i + 1], 194) for i, v in enumerate(
        ["*金属制品*焊接钢管", "DN100", "米", "1136 1068.95575221", "1214333.73", "13%", "157863.38"])]
        + [cell(1, 0, "合 计", 24, 150, 249), cell(1, 4, "¥1395593.00", 360, 420, 249)])
    below = Table(bbox=(24, 400, 571, 420), cells=[cell(0, 0, "*不是*明细", 24, 150, 400), cell(0, 4, "9.00", 360, 420, 400)])
    items = [it.values for it in extract_items([], [(1, first), (1, second), (1, below)])]
    assert [(it["name"], it["quantity"], it["unit_price"], it["amount"]) for it in items] == [
        ("*涂料*外墙涂料", "379", "478.25663717", "181259.27"),
        ("*金属制品*焊接钢管", "1136", "1068.95575221", "1214333.73")]
    assert len(extract_items([], [(1, first), (1, below)])) == 1  # a table far below is not a continuation
