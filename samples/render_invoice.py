"""Draw VAT invoices (paper grid, electronic ordinary, fully digital e-invoice) with reportlab."""

from __future__ import annotations

import itertools
import random

import qrcode
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as rl_canvas

from .common import (
    BLACK,
    FORM_COLORS,
    RED,
    SEAL_RED,
    canon,
    draw_seal,
    fit_text,
    group5,
    register_fonts,
    spaced,
    wrap_text,
)

PAPER_SIZE = (240 * mm, 140 * mm)
E_SIZE = (210 * mm, 140 * mm)


class Sheet:
    """mm coordinates from the top-left, with a small random page offset."""

    def __init__(self, c, height, ox=0.0, oy=0.0):
        self.c, self.h, self.ox, self.oy = c, height, ox, oy

    def xy(self, x, y):
        return (x + self.ox) * mm, self.h - (y + self.oy) * mm

    def line(self, x1, y1, x2, y2, width=0.8):
        self.c.setLineWidth(width)
        self.c.line(*self.xy(x1, y1), *self.xy(x2, y2))

    def rect(self, x, y, w, h, width=1.0):
        self.c.setLineWidth(width)
        px, py = self.xy(x, y + h)
        self.c.rect(px, py, w * mm, h * mm, stroke=1, fill=0)

    def text(self, x, y, s, size, font, maxw=None, align="left", color=BLACK):
        self.c.setFillColor(color)
        px, py = self.xy(x, y)
        return fit_text(self.c, s, px, py, (maxw or 500) * mm, font, size, align)

    def vlabel(self, x, y0, y1, s, size, font, color):
        self.c.setFillColor(color)
        n = len(s)
        step = (y1 - y0) / n
        for i, ch in enumerate(s):
            self.text(x, y0 + step * (i + 0.5) + size * 0.12, ch, size, font, align="center",
                      color=color)


def _qr(c, sheet, payload, x, y, size):
    img = qrcode.make(payload, border=1, box_size=4).get_image()
    px, py = sheet.xy(x, y + size)
    c.drawImage(ImageReader(img), px, py, size * mm, size * mm)


def _style(rng: random.Random, fonts):
    return {
        "form": rng.choice(FORM_COLORS),
        "lf": rng.choice(fonts),  # label font
        "df": rng.choice(fonts),  # data font
        "ls": rng.uniform(7.6, 8.8),  # label size
        "ds": rng.uniform(8.2, 9.6),  # data size
        "yen": rng.choice(["¥", "¥", "￥"]),
        "ox": rng.uniform(-3, 3),
        "oy": rng.uniform(-2.5, 2.5),
    }


def _qty_text(rng, ln):
    if ln["quantity"] is None:
        return "", ""
    q, p = canon(ln["quantity"]), str(ln["unit_price"])
    if rng.random() < 0.2 and "." not in q:
        q = f"{ln['quantity']:.2f}"
    return q, p


def _items(s, inv, st, rng, cols, y0, step, label_head):
    heads = [label_head, "规格型号", "单位", "数量", "单价", "金额", "税率" if label_head != "项目名称"
             or rng.random() < 0.6 else "税率/征收率", "税额"]
    form, lf, df = st["form"], st["lf"], st["df"]
    for (a, b), h in zip(itertools.pairwise(cols), heads):
        s.text((a + b) / 2, y0, h, st["ls"], lf, b - a - 1, "center", form)
    for i, ln in enumerate(inv["lines"]):
        y = y0 + 4.6 + step * i
        q, p = _qty_text(rng, ln)
        vals = [ln["name"], ln["spec"] or "", ln["unit"] or "", q, p, f"{ln['amount']:.2f}",
                f"{ln['rate']}%", f"{ln['tax']:.2f}"]
        for k, v in enumerate(vals):
            a, b = cols[k], cols[k + 1]
            if k == 0:
                s.text(a + 1, y, v, st["ds"] - 0.6, df, b - a - 2)
            elif k in (1, 2):
                s.text((a + b) / 2, y, v, st["ds"] - 0.6, df, b - a - 1.5, "center")
            else:
                s.text(b - 1, y, v, st["ds"] - 0.6, df, b - a - 2, "right")


def _party(s, st, rng, party, x0, x1, y0, labels, tax_label):
    lines = [party["name"], party["tax_id"],
             (party["address"] + " " + party["phone"]).strip(),
             (party["bank"] + " " + party["account"]).strip()]
    for i, (lab, val) in enumerate(zip(labels, lines)):
        y = y0 + 5.0 * i
        lab = tax_label if i == 1 else lab
        size = s.text(x0, y, lab, st["ls"], st["lf"], 60, color=st["form"])
        from reportlab.pdfbase.pdfmetrics import stringWidth
        w = stringWidth(lab, st["lf"], size) / mm + 1
        s.text(x0 + w, y, val, st["ds"] + (0.6 if i == 1 else 0), st["df"], x1 - x0 - w - 1)


def draw_paper(c, inv, rng: random.Random, variant: str, fonts):
    """增值税专用/普通发票 (paper) and 增值税电子普通发票 in the classic grid."""
    st = _style(rng, fonts)
    _W, H = PAPER_SIZE
    s = Sheet(c, H, st["ox"], st["oy"])
    form = st["form"]
    electronic = inv["sub"] == "vat_ordinary_e"
    c.setStrokeColor(form)
    # supervision seal and title
    draw_seal(c, *s.xy(120, 13), 16 * mm, 10 * mm, SEAL_RED, "全国统一发票监制章",
              f"国家税务总局{inv['province']}省税务局" if len(inv["province"]) == 2 else "",
              font="ZenHei", alpha=0.55)
    title = inv["title"]
    s.text(120, 14, title if rng.random() < 0.5 else " ".join(title), rng.uniform(15, 18),
           st["lf"], 120, "center", form)
    s.line(80, 17.5, 160, 17.5, 0.7)
    s.line(80, 18.5, 160, 18.5, 0.7)
    if not electronic:
        s.text(120, 24, rng.choice(["发 票 联", "抵 扣 联", "记 账 联"]) if inv["kind"] == "vat_special"
               else "发 票 联", 9, st["lf"], 40, "center", form)
    hx = 168
    check = inv["check"]
    check_txt = (group5(check) if rng.random() < 0.5 else check) if check else None
    if electronic:
        _qr(c, s, inv["qr"], 12, 3, 21)
        s.text(12, 28, "机器编号：", st["ls"], st["lf"], color=form)
        s.text(27, 28, inv["machine"], st["ds"], st["df"])
        rows = [("发票代码：", inv["code"]), ("发票号码：", inv["number"]),
                ("开票日期：", f"{inv['date'].year}年{inv['date'].month:02d}月{inv['date'].day:02d}日"),
                ("校 验 码：", check_txt)]
        for i, (lab, val) in enumerate(rows):
            s.text(hx, 8 + 5.2 * i, lab, st["ls"], st["lf"], color=form)
            s.text(hx + 15, 8 + 5.2 * i, val, st["ds"], st["df"], 228 - hx - 15)
    else:
        s.text(12, 12, inv["code"], 13, "MicroHei")
        s.text(12, 19, "发票代码：", st["ls"], st["lf"], color=form)
        s.text(27, 19, inv["code"], st["ds"], st["df"])
        s.text(12, 28, "机器编号：", st["ls"], st["lf"], color=form)
        s.text(27, 28, inv["machine"], st["ds"], st["df"])
        s.text(hx, 12, "No", 12, "MicroHei", color=form)
        s.text(hx + 8, 12, inv["number"], 15, "MicroHei", color=RED)
        s.text(hx, 19, "开票日期：", st["ls"], st["lf"], color=form)
        s.text(hx + 15, 19, f"{inv['date'].year}年{inv['date'].month:02d}月{inv['date'].day:02d}日",
               st["ds"], st["df"])
        if check_txt:
            s.text(hx, 25, "校验码：", st["ls"], st["lf"], color=form)
            s.text(hx + 12, 25, check_txt, st["ds"] - 0.5, st["df"], 228 - hx - 12)
    # outer frame and blocks
    x0, x1 = 10, 230
    ys = [30, 52, 90, 97, 119]
    c.setStrokeColor(form)
    s.rect(x0, ys[0], x1 - x0, ys[-1] - ys[0], 1.2)
    for y in ys[1:-1]:
        s.line(x0, y, x1, y)
    for y_a, y_b in ((ys[0], ys[1]), (ys[3], ys[4])):
        s.line(17, y_a, 17, y_b)
        s.line(139, y_a, 139, y_b)
        s.line(146, y_a, 146, y_b)
    s.vlabel(13.5, ys[0] + 1, ys[1] - 1, "购买方", st["ls"] + 0.5, st["lf"], form)
    s.vlabel(142.5, ys[0] + 2, ys[1] - 2, "密码区", st["ls"], st["lf"], form)
    s.vlabel(13.5, ys[3] + 1, ys[4] - 1, "销售方", st["ls"] + 0.5, st["lf"], form)
    s.vlabel(142.5, ys[3] + 4, ys[4] - 4, "备注", st["ls"], st["lf"], form)
    if variant == "a":
        labels = ["名" + "　" * 4 + "称：", "", "地 址、电 话：", "开户行及账号："]
        tax_label = "纳税人识别号："
    else:
        labels = ["名称：", "", "地址、电话：", "开户行及账号："]
        tax_label = rng.choice(["纳税人识别号：", "统一社会信用代码/纳税人识别号："])
    _party(s, st, rng, inv["buyer"], 18.5, 138, ys[0] + 5.5, labels, tax_label)
    _party(s, st, rng, inv["seller"], 18.5, 138, ys[3] + 5.5, labels, tax_label)
    for i, row in enumerate(inv["cipher"]):
        s.text(148, ys[0] + 5.5 + 5.0 * i, row, 10, "Courier", 80)
    if inv["remarks"]:
        for i, ln in enumerate(wrap_text(inv["remarks"], st["df"], st["ds"] - 0.5, 80 * mm)[:4]):
            s.text(148, ys[3] + 5.5 + 4.6 * i, ln, st["ds"] - 0.5, st["df"], 80)
    # items
    jit = [rng.uniform(-1.5, 1.5) for _ in range(7)]
    base = [64, 88, 98, 116, 142, 172, 184] if variant == "a" else [60, 84, 95, 113, 140, 170, 182]
    cols = [x0] + [b + j for b, j in zip(base, jit)] + [x1]
    for x in cols[1:-1]:
        s.line(x, ys[1], x, ys[2] - 6 if variant == "a" else ys[2], 0.5)
    if variant == "b":
        s.line(x0, ys[1] + 5.5, x1, ys[1] + 5.5, 0.4)
    _items(s, inv, st, rng, cols, ys[1] + 4, 4.2, "货物或应税劳务、服务名称"
           if inv["kind"] == "vat_special" or rng.random() < 0.5 else "项目名称")
    yen = st["yen"]
    s.text((cols[0] + cols[1]) / 2, ys[2] - 2, spaced("合计", 6), st["ls"] + 0.5, st["lf"],
           color=form, align="center")
    s.text(cols[6] - 1, ys[2] - 2, f"{yen}{inv['amount']:.2f}", st["ds"], st["df"], align="right")
    s.text(cols[8] - 1, ys[2] - 2, f"{yen}{inv['tax']:.2f}", st["ds"], st["df"], align="right")
    # total
    ym = ys[2] + 4.8
    s.line(55, ys[2], 55, ys[3])
    s.text(32, ym, "价税合计（大写）", st["ls"], st["lf"], 43, "center", form)
    s.text(60, ym, "ⓧ", st["ds"] + 1, "ZenHei")
    s.text(66, ym, inv["words"], st["ds"] + 0.8, st["df"], 90)
    s.text(160, ym, "（小写）", st["ls"], st["lf"], color=form)
    s.text(174, ym, f"{yen}{inv['total']:.2f}", st["ds"] + 0.8, st["df"], 55)
    # footer
    yb = 126
    foot = [("收款人：", inv["payee"], 14), ("复核：", inv["reviewer"], 70),
            ("开票人：", inv["drawer"], 120), ("销售方：（章）", "", 172)]
    for lab, val, x in foot:
        s.text(x, yb, lab + val, st["ls"] + 0.5, st["lf"], 45, color=form)
    if not electronic:
        note = "第二联：发票联  购买方记账凭证" if inv["kind"] == "vat_ordinary" else "第三联：发票联  购买方记账凭证"
        for i, ch in enumerate(note):
            s.text(234.5, 36 + 3.3 * i, ch, 7, st["lf"], align="center", color=form)
    sx = rng.uniform(178, 212)
    draw_seal(c, *s.xy(sx, rng.uniform(116, 124)), 19 * mm, 12.5 * mm, SEAL_RED,
              inv["seller"]["name"], inv["seller"]["tax_id"], "发票专用章",
              font=rng.choice(["ZenHei", "UMing"]), rotate=rng.uniform(-10, 10))


def draw_e_invoice(c, inv, rng: random.Random, variant: str, fonts):
    """全面数字化的电子发票 (全电): QR top-left, buyer/seller side by side."""
    st = _style(rng, fonts)
    _W, H = E_SIZE
    s = Sheet(c, H, st["ox"] * 0.6, st["oy"] * 0.6)
    form = st["form"] if variant == "b" else FORM_COLORS[0]
    c.setStrokeColor(form)
    _qr(c, s, inv["qr"], 10, 4, 21)
    draw_seal(c, *s.xy(105, 14), 16 * mm, 10.5 * mm, SEAL_RED, "全国统一发票监制",
              f"国家税务总局{inv['province']}省税务局" if len(inv["province"]) == 2 else "",
              alpha=0.5)
    s.text(105, 15, inv["title"], rng.uniform(15, 17), st["lf"], 110, "center", form)
    s.line(62, 18.5, 148, 18.5, 0.6)
    s.line(62, 19.5, 148, 19.5, 0.6)
    hx = 150
    s.text(hx, 11, "发票号码：", st["ls"], st["lf"], color=form)
    s.text(hx + 15, 11, inv["number"], st["ds"], st["df"], 200 - hx - 15)
    s.text(hx, 17, "开票日期：", st["ls"], st["lf"], color=form)
    d = inv["date"]
    s.text(hx + 15, 17, f"{d.year}年{d.month:02d}月{d.day:02d}日", st["ds"], st["df"])
    x0, x1 = 8, 202
    ys = [28, 50, 94, 101, 121]
    s.rect(x0, ys[0], x1 - x0, ys[-1] - ys[0], 1.0)
    for y in ys[1:-1]:
        s.line(x0, y, x1, y, 0.7)
    mid = 105
    s.line(mid, ys[0], mid, ys[1], 0.7)
    for xa in (x0 + 7, mid + 7):
        s.line(xa, ys[0], xa, ys[1], 0.7)
    tax_label = rng.choice(["统一社会信用代码/纳税人识别号：", "统一社会信用代码/纳税人识别号："
                            if variant == "a" else "纳税人识别号："])
    from reportlab.pdfbase.pdfmetrics import stringWidth
    for xa, lab, party in ((x0, "购买方信息", inv["buyer"]), (mid, "销售方信息", inv["seller"])):
        s.vlabel(xa + 3.5, ys[0] + 1, ys[1] - 1, lab, st["ls"] - 0.5, st["lf"], form)
        s.text(xa + 9, ys[0] + 8, "名称：", st["ls"], st["lf"], color=form)
        s.text(xa + 18, ys[0] + 8, party["name"], st["ds"], st["df"], mid - 8 - 18 + (x0 - 8))
        sz = s.text(xa + 9, ys[0] + 16, tax_label, st["ls"], st["lf"], 50, color=form)
        w = stringWidth(tax_label, st["lf"], sz) / mm + 1
        s.text(xa + 9 + w, ys[0] + 16, party["tax_id"], st["ds"], st["df"], 96 - 9 - w - 2)
    jit = [rng.uniform(-1.2, 1.2) for _ in range(7)]
    base = [60, 84, 96, 114, 140, 164, 180] if variant == "a" else [56, 82, 94, 112, 138, 162, 178]
    cols = [x0] + [b + j for b, j in zip(base, jit)] + [x1]
    if variant == "b":
        for x in cols[1:-1]:
            s.line(x, ys[1], x, ys[2], 0.4)
    _items(s, inv, st, rng, cols, ys[1] + 4.5, 4.4, "项目名称")
    yen = st["yen"]
    s.text((cols[0] + cols[1]) / 2, ys[2] - 2.5, spaced("合计", 6), st["ls"] + 0.5, st["lf"],
           color=form, align="center")
    s.text(cols[6] - 1, ys[2] - 2.5, f"{yen}{inv['amount']:.2f}", st["ds"], st["df"], align="right")
    s.text(cols[8] - 1, ys[2] - 2.5, f"{yen}{inv['tax']:.2f}", st["ds"], st["df"], align="right")
    ym = ys[2] + 4.8
    s.line(45, ys[2], 45, ys[3], 0.7)
    s.text(26.5, ym, "价税合计（大写）", st["ls"], st["lf"], 36, "center", form)
    s.text(49, ym, "ⓧ", st["ds"] + 1, "ZenHei")
    s.text(55, ym, inv["words"], st["ds"] + 0.8, st["df"], 85)
    s.text(145, ym, "（小写）", st["ls"], st["lf"], color=form)
    s.text(158, ym, f"{yen}{inv['total']:.2f}", st["ds"] + 0.8, st["df"], 42)
    s.line(x0 + 7, ys[3], x0 + 7, ys[4], 0.7)
    s.vlabel(x0 + 3.5, ys[3] + 4, ys[4] - 4, "备注", st["ls"], st["lf"], form)
    if inv["remarks"]:
        for i, ln in enumerate(wrap_text(inv["remarks"], st["df"], st["ds"] - 0.5, 175 * mm)[:3]):
            s.text(x0 + 10, ys[3] + 5.5 + 4.6 * i, ln, st["ds"] - 0.5, st["df"], 180)
    s.text(20, 127, "开票人：" + inv["drawer"], st["ls"] + 0.5, st["lf"], 60, color=form)


def template_name(inv, variant: str) -> str:
    if inv["kind"] == "e_invoice":
        return f"e_invoice_{variant}"
    if inv["sub"] == "vat_ordinary_e":
        return "vat_ordinary_e_grid"
    return f"{inv['kind']}_grid_{variant}"


def write_invoices_pdf(path, invoices, rng: random.Random) -> list[str]:
    """One invoice per page; returns the template name of each page."""
    fonts = register_fonts()
    c = rl_canvas.Canvas(str(path), pagesize=PAPER_SIZE, invariant=1)
    c.setTitle("发票")
    templates = []
    for inv in invoices:
        variant = rng.choice(["a", "b"])
        if inv["kind"] == "e_invoice":
            c.setPageSize(E_SIZE)
            draw_e_invoice(c, inv, rng, variant, fonts)
        else:
            c.setPageSize(PAPER_SIZE)
            draw_paper(c, inv, rng, variant, fonts)
        templates.append(template_name(inv, variant))
        c.showPage()
    c.save()
    return templates
