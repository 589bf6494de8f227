"""The invoice item table: header columns found by their labels, rows below until 合计.

Given the pages' tables (``Page.tables`` from the layout stage: ruled columns or column
alignment), the one with the item header is read cell by cell: rows come from the table, so a
skewed scan or a unit column that OCR read as one vertical word keeps each value in its row.
Otherwise (or when no table holds the header) line cells are assigned to the header column they
overlap most (numbers are right-aligned under their header). Either way a row with a name but
no amount continues the previous item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from extractors.fields import patterns as P
from extractors.layout import LineIndex, _union
from extractors.normalize.money import canonical_decimal, format_money, parse_money, parse_rate
from extractors.normalize.text import strip_inner_spaces
from pipeline.types import BBox, Table, TableCell

COLUMNS: dict[str, re.Pattern[str]] = {
    "name": re.compile(r"(货\s*物\s*或\s*应\s*税\s*劳\s*务\s*[、,]?\s*服\s*务\s*名\s*称|货\s*物\s*或\s*应\s*税\s*劳\s*务\s*名\s*称|项\s*目\s*名\s*称|货物名称|商品名称)"),
    "spec": re.compile(r"规\s*格\s*型\s*号|规\s*格"),
    "unit": re.compile(r"单\s*位(?!\s*[名称])"),
    "quantity": re.compile(r"数\s*量"),
    "unit_price": re.compile(r"单\s*价"),
    "amount": re.compile(r"(?<![税价])金\s*额"),
    "tax_rate": re.compile(r"税\s*率\s*/?\s*(?:征\s*收\s*率)?|征\s*收\s*率"),
    "tax_amount": re.compile(r"(?<!合计)税\s*额"),
}
END = re.compile(r"^\s*(合\s*计|价\s*税\s*合\s*计|小\s*计|计\s*¥|计\s*$)")


@dataclass
class Item:
    values: dict[str, Any]
    page: int
    bbox: BBox
    confidence: float
    source: str
    cells: dict[str, list[str]] = field(default_factory=dict)


def _header(index: list[LineIndex]) -> tuple[int, dict[str, tuple[float, float]]] | None:
    for i, li in enumerate(index):
        if not (COLUMNS["name"].search(li.text) and COLUMNS["amount"].search(li.text)):
            continue
        cols: dict[str, tuple[float, float]] = {}
        for name, pat in COLUMNS.items():
            m = pat.search(li.text)
            if m:
                box = li.span(m.start(), m.end()).bbox
                cols[name] = (box[0], box[2])
        # 单位 matched inside 单价? keep only distinct spans
        if "unit" in cols and "unit_price" in cols and cols["unit"] == cols["unit_price"]:
            del cols["unit"]
        if len(cols) >= 4:
            return i, cols
    return None


def _column_of(box: BBox, cols: dict[str, tuple[float, float]]) -> str:
    best, best_score = "name", -1e9
    for name, (x0, x1) in cols.items():
        overlap = min(box[2], x1) - max(box[0], x0)
        score = overlap if overlap > 0 else -abs((box[0] + box[2]) / 2 - (x0 + x1) / 2)
        if score > best_score:
            best, best_score = name, score
    return best


def _split_cells(li: LineIndex) -> list[tuple[str, BBox]]:
    """A line's words as cells (words already break at gaps; spaces inside a word split too)."""
    out: list[tuple[str, BBox]] = []
    pos = 0
    for part in re.split(r"(\s+)", li.text):
        if part and not part.isspace():
            out.append((part, li.span(pos, pos + len(part)).bbox))
        pos += len(part)
    return out


def extract_items(index: list[LineIndex], tables: list[tuple[int, Table]] | None = None) -> list[Item]:
    """The items, from the first table (page number, table) with an item header, else from the lines."""
    tables = tables or []
    for page, table in tables:
        below = [t for p, t in tables if p == page and t is not table]
        items = _table_items(table, page, index, below)
        if items:
            return items
    return _line_items(index) or _shape_items(index)


def _labels(text: str) -> list[str]:
    """Column names whose labels a header cell holds, in reading order (two when a rule is missing)."""
    found = sorted((m.start(), name) for name, pat in COLUMNS.items() if (m := pat.search(text)))
    return [name for _, name in found]


def _rows(table: Table) -> dict[int, list[TableCell]]:
    rows: dict[int, list[TableCell]] = {}
    for cell in table.cells:
        rows.setdefault(cell.row, []).append(cell)
    return rows


def _table_items(table: Table, page: int, index: list[LineIndex], others: list[Table] | None = None) -> list[Item]:
    """Items read row by row from the table holding the item header, and on through the tables
    right below it when it ends before 合计 (column alignment can cut the item rows into two
    tables where a long price abuts its quantity: 1136 1068.95575221)."""
    rows = _rows(table)
    head = next((r for r, cells in sorted(rows.items())
                 if {"name", "amount"} <= {n for c in cells for n in _labels(c.text)}
                 and sum(len(_labels(c.text)) for c in cells) >= 4), None)
    if head is None:
        return []
    header = [c for c in rows[head] if _labels(c.text)]
    cols = {c.col: _labels(c.text) for c in header}
    lines = [li for li in index if li.page == page]
    items: list[Item] = []
    ended = _read_rows([rows[r] for r in sorted(k for k in rows if k > head)], cols, page, lines, items)
    bottom = table.bbox[3]
    for nxt in sorted(others or [], key=lambda t: t.bbox[1]):
        if ended or not items or not (bottom - _row_height(items) <= nxt.bbox[1] <= bottom + 3 * _row_height(items)):
            continue
        more = _rows(nxt)
        ended = _read_rows([more[r] for r in sorted(more)], _columns_under(header, nxt), page, lines, items)
        bottom = nxt.bbox[3]
    return items


def _row_height(items: list[Item]) -> float:
    return max(it.bbox[3] - it.bbox[1] for it in items)


def _columns_under(header: list[TableCell], table: Table) -> dict[int, list[str]]:
    """A continuation table's columns named by the header cells whose centres they span."""
    spans: dict[int, tuple[float, float]] = {}
    for c in table.cells:
        x0, x1 = spans.get(c.col, (c.bbox[0], c.bbox[2]))
        spans[c.col] = (min(x0, c.bbox[0]), max(x1, c.bbox[2]))
    out: dict[int, list[str]] = {}
    for col, (x0, x1) in spans.items():
        names = [n for h in sorted(header, key=lambda h: h.bbox[0]) if x0 <= (h.bbox[0] + h.bbox[2]) / 2 <= x1
                 for n in _labels(h.text)]
        if names:
            out[col] = names
    return out


def _read_rows(rows: list[list[TableCell]], cols: dict[int, list[str]], page: int,
               lines: list[LineIndex], items: list[Item]) -> bool:
    """Append the items of ``rows`` (cells by column, named by ``cols``); True once 合计 is reached."""
    for row in rows:
        cells = sorted(row, key=lambda c: c.col)
        if any(END.search(c.text) for c in cells if c.text):
            return True
        joined: dict[str, str] = {}
        for c in cells:
            names, text = cols.get(c.col, []), c.text.replace("\n", "" if cols.get(c.col) == ["name"] else " ").strip()
            if not text or not names:
                continue
            parts = text.split()
            if len(names) == 1:
                joined[names[0]] = text
            elif len(parts) == len(names):
                joined.update(zip(names, parts))
        box = (min(c.bbox[0] for c in cells), min(c.bbox[1] for c in cells),
               max(c.bbox[2] for c in cells), max(c.bbox[3] for c in cells))
        m = P.MONEY_LOOSE.search(joined.get("amount") or "")
        if m is None or parse_money(m.group(1)) is None:
            if items and joined and set(joined) <= {"name", "spec", "unit"}:
                _continue(items[-1], joined, box)
            continue
        values = _row_values(joined)
        if _sums_of(values, items):
            return True
        near = [li.line for li in lines if box[1] <= (li.line.bbox[1] + li.line.bbox[3]) / 2 <= box[3]]
        items.append(Item(values=values, page=page, bbox=box,
                          confidence=min((ln.confidence for ln in near), default=1.0),
                          source=near[0].source if near else "derived", cells={k: [v] for k, v in joined.items()}))
    return False


def _sums_of(values: dict[str, Any], items: list[Item]) -> bool:
    """The 合计 row when OCR garbled its label (含计, 合): no quantity or price, no *分类* name, and its
    amount and tax are the sums of the items above."""
    if not items or values.get("quantity") or values.get("unit_price") or CATEGORY.match(values.get("name") or ""):
        return False
    for key in ("amount", "tax_amount"):
        want = sum((Decimal(it.values[key]) for it in items if it.values.get(key)), Decimal(0))
        if values.get(key) is None or Decimal(values[key]) != want:
            return False
    return True


def _continue(prev: Item, joined: dict[str, str], box: BBox) -> None:
    """A row holding only a name, spec or unit: the rest of the item above (wrapped text)."""
    for key in ("name", "spec"):
        if joined.get(key):
            base = prev.values.get(key) or ""
            prev.values[key] = item_name(base + joined[key]) if key == "name" else spec_text(base + joined[key])
    prev.bbox = _union([prev.bbox, box])


def _line_items(index: list[LineIndex]) -> list[Item]:
    head = _header(index)
    if head is None:
        return []
    start, cols = head
    page = index[start].page
    header_bottom = index[start].line.bbox[3]
    # the table ends a little right of its last header: side notes (第三联：发票联) are not cells
    right = max(x1 for _, x1 in cols.values()) + 0.6 * (max(x1 for _, x1 in cols.values()) - min(x0 for x0, _ in cols.values())) / len(cols)
    items: list[Item] = []
    for li in index[start + 1:]:
        if li.page != page or END.search(li.text) or li.line.bbox[1] - header_bottom > 400:
            break
        cells: dict[str, list[str]] = {}
        for text, box in _split_cells(li):
            if box[0] > right:
                continue
            cells.setdefault(_column_of(box, cols), []).append(text)
        joined = {k: " ".join(v) for k, v in cells.items()}
        m = P.MONEY_LOOSE.search(joined.get("amount") or "")
        amount = parse_money(m.group(1)) if m else None
        if amount is None and items and set(joined) <= {"name", "spec", "unit"}:
            _continue(items[-1], joined, li.line.bbox)
            continue
        if amount is None:
            continue
        values = _row_values(joined)
        if _sums_of(values, items):
            break
        items.append(Item(values=values, page=li.page, bbox=li.line.bbox,
                          confidence=li.line.confidence, source=li.line.source, cells=cells))
    return items


UNIT = re.compile(r"^[\u4e00-\u9fff]{1,2}(?:[·/][\u4e00-\u9fff]{1,2})?$")  # 吨, 台班, 台·月
NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def _shape_items(index: list[LineIndex]) -> list[Item]:
    """Items when the header row is unreadable (faint labels): rows shaped like an item line — a *分类*
    name first, amount, rate and tax last; between them spec, unit, quantity and price by their form."""
    items: list[Item] = []
    for li in index:
        tokens = li.text.split()
        if len(tokens) < 4 or not CATEGORY.match(item_name(tokens[0])):
            if items and END.search(li.text):
                break
            continue
        amount, rate, tax = (P.MONEY_LOOSE.fullmatch(tokens[-3]), P.RATE.fullmatch(tokens[-2]),
                             P.MONEY_LOOSE.fullmatch(tokens[-1]))
        if not (amount and rate and tax):
            continue
        middle = tokens[1:-3]
        numbers = [t for t in middle if NUMBER.match(t)][-2:]
        words = [t for t in middle if t not in numbers]
        unit = words.pop() if words and UNIT.match(words[-1]) else None
        cells = {"name": tokens[0], "amount": tokens[-3], "tax_rate": tokens[-2], "tax_amount": tokens[-1]}
        if words:
            cells["spec"] = " ".join(words)
        if unit:
            cells["unit"] = unit
        if len(numbers) == 2:
            cells["quantity"], cells["unit_price"] = numbers
        elif numbers:  # one number: a whole count is the quantity, a fraction the price
            cells["quantity" if "." not in numbers[0].rstrip("0").rstrip(".") else "unit_price"] = numbers[0]
        values = _row_values(cells)
        if _sums_of(values, items):
            break
        items.append(Item(values=values, page=li.page, bbox=li.line.bbox, confidence=li.line.confidence,
                          source=li.line.source, cells={k: [v] for k, v in cells.items()}))
    return items


CATEGORY = re.compile(r"^[*·•”“\"'×＊]([^*·•”“\"'×＊]{1,14})[*·•”“\"'×＊]")


CATEGORY_OPEN_LOST = re.compile(r"^([\u4e00-\u9fa5]{2,14})[*·•”“\"'×＊](?=[\u4e00-\u9fa5A-Za-z0-9])")


def item_name(text: str) -> str:
    """Names print as *税收分类*品名; OCR reads the asterisks as · ” or ×, or loses the first: restore them."""
    name = strip_inner_spaces(text)
    if CATEGORY.match(name):
        return CATEGORY.sub(lambda m: f"*{m.group(1)}*", name)
    return CATEGORY_OPEN_LOST.sub(lambda m: f"*{m.group(1)}*", name)


CEMENT_GRADE = re.compile(r"\b(P\s*[.·]\s*)0(?=\s*\d{2}\.\d)")


def spec_text(text: str) -> str:
    """规格型号 as printed. Cement grades read P.O 42.5 (Portland, letter O); OCR returns a zero there."""
    return CEMENT_GRADE.sub(r"\1O", strip_inner_spaces(text))


def _split_qty_price(cells: dict[str, str]) -> dict[str, str]:
    """Quantity and price in one cell (a short quantity right-aligned against a long price joins its column):
    two numbers where one of the pair is empty are the quantity, then the price."""
    for key, other in (("unit_price", "quantity"), ("quantity", "unit_price")):
        parts = (cells.get(key) or "").split()
        if not cells.get(other) and len(parts) == 2 and all(NUMBER.match(p) for p in parts):
            return {**cells, "quantity": parts[0], "unit_price": parts[1]}
    return cells


def _glued_quantity(values: dict[str, Any]) -> None:
    """OCR glued a small quantity to the price (1 346709.48 → 1346709.48): when the price alone does not
    give the amount, the leading digits that make quantity × price = amount (to the cent) are the quantity."""
    price, amount = values.get("unit_price"), values.get("amount")
    if values.get("quantity") or not price or not amount or "." not in price:
        return
    total = Decimal(amount)
    if abs(Decimal(price) - total) <= Decimal("0.01"):
        return
    for k in range(1, min(5, price.index("."))):
        qty, rest = Decimal(price[:k]), price[k:]
        if qty > 0 and not rest.startswith("0") and abs(qty * Decimal(rest) - total) <= Decimal("0.01") * max(qty, 1):
            values["quantity"], values["unit_price"] = canonical_decimal(qty), canonical_decimal(rest)
            return


def _row_values(cells: dict[str, str]) -> dict[str, Any]:
    cells = _split_qty_price(cells)

    def dec(key: str) -> str | None:
        return canonical_decimal(cells[key]) if cells.get(key) else None

    def mon(key: str) -> str | None:
        m = P.MONEY_LOOSE.search(cells.get(key) or "")
        v = parse_money(m.group(1)) if m else None
        return format_money(v) if v is not None else None

    rate = None
    if cells.get("tax_rate"):
        m = P.RATE.search(cells["tax_rate"])
        rate = parse_rate(m.group(1)) if m else None
    values = {
        "name": item_name(cells["name"]) if cells.get("name") else None,
        "spec": spec_text(cells["spec"]) if cells.get("spec") else None,
        "unit": strip_inner_spaces(cells["unit"]) if cells.get("unit") else None,
        "quantity": dec("quantity"),
        "unit_price": dec("unit_price"),
        "amount": mon("amount"),
        "tax_rate": rate,
        "tax_amount": mon("tax_amount"),
    }
    _glued_quantity(values)
    return values
