"""Lay contracts out as multi-page PDF (reportlab platypus) or DOCX (python-docx)."""

from __future__ import annotations

import datetime as dt
import random

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .common import SEAL_RED, draw_seal, fit_text, fmt_money, register_fonts


def _party_lines(ct, rng):
    out = []
    for lab, p in ((ct["lab_a"], ct["a"]), (ct["lab_b"], ct["b"])):
        out.append((lab, p["name"], [f"住所：{p['address']}", f"法定代表人：{p['legal_rep']}",
                                     f"联系电话：{p['phone']}"]))
    return out


def _head_lines(ct, rng):
    """Lines printed under the title: number, project, signing date (per sign_mode)."""
    lines = [f"合同编号：{ct['number']}"]
    if ct["project"] and rng.random() < 0.5:
        lines.append(f"工程名称：{ct['project']}")
    if ct["sign_mode"] in ("cover", "header"):
        lines.append(f"{rng.choice(['签订日期', '签订时间'])}：{ct['date_text']}")
        lines.append(f"签订地点：{ct['city']}市")
    return lines


def _intro(ct, rng):
    base = "根据《中华人民共和国民法典》及有关法律法规，遵循平等、自愿、公平和诚实信用的原则，双方就"
    what = ct["project"] + "有关事项" if ct["project"] else "下列事项"
    text = base + what + "协商一致，订立本合同。"
    if ct["sign_mode"] == "intro":
        text = f"本合同由双方于{ct['date_text']}在{ct['city']}市签订。" + text
    return text


class SignBlock(Flowable):
    """Two-column signature block with red company seals over it."""

    def __init__(self, ct, rng, font, size):
        super().__init__()
        self.ct, self.font, self.size = ct, font, size
        self.with_date = ct["sign_mode"] == "end" or rng.random() < 0.5
        self.seal_dx = [rng.uniform(-8, 8) for _ in range(4)]
        self.seal_font = rng.choice(["ZenHei", "UMing"])
        self.height = 62 * mm

    def wrap(self, aw, ah):
        self.width = aw
        return aw, self.height

    def draw(self):
        c, ct, s = self.canv, self.ct, self.size
        col = self.width / 2
        for k, (lab, p) in enumerate(((ct["lab_a"], ct["a"]), (ct["lab_b"], ct["b"]))):
            x = k * col
            rows = [f"{lab}（盖章）：", p["name"], f"法定代表人或委托代理人：{p['legal_rep']}",
                    f"开户银行：{p['bank']}", f"账号：{p['account']}",
                    f"日期：{ct['date_text']}" if self.with_date else "日期：      年    月    日"]
            for i, t in enumerate(rows):
                fit_text(c, t, x, self.height - (i + 1) * s * 1.9, col - 4 * mm, self.font,
                         s if i != 1 else s + 0.5)
            draw_seal(c, x + col * 0.45 + self.seal_dx[k] * mm, self.height - 22 * mm + self.seal_dx[k + 2] * mm,
                      19 * mm, 19 * mm, SEAL_RED, p["name"], "", "合同专用章", font=self.seal_font,
                      star=True, rotate=self.seal_dx[k] * 2)


def write_contract_pdf(path, ct, rng: random.Random) -> None:
    fonts = register_fonts()
    body_font, head_font = rng.choice(fonts), rng.choice(["ZenHei", "MicroHei"])
    size = rng.choice([10, 10.5, 11, 12])
    lead = size * rng.uniform(1.5, 1.9)
    body = ParagraphStyle("b", fontName=body_font, fontSize=size, leading=lead, wordWrap="CJK",
                          firstLineIndent=size * 2 if rng.random() < 0.6 else 0, spaceAfter=size * 0.3)
    head = ParagraphStyle("h", fontName=head_font, fontSize=size + 1, leading=lead + 2,
                          wordWrap="CJK", spaceBefore=size * 0.6, spaceAfter=size * 0.3)
    title = ParagraphStyle("t", fontName=head_font, fontSize=rng.choice([18, 20, 22]), leading=30,
                           alignment=TA_CENTER, spaceAfter=10)
    meta = ParagraphStyle("m", parent=body, firstLineIndent=0,
                          alignment=rng.choice([TA_RIGHT, 0]))
    cover_meta = ParagraphStyle("cm", parent=body, fontSize=size + 2, leading=(size + 2) * 2.2,
                                firstLineIndent=0, leftIndent=30 * mm)
    story = []
    if ct["sign_mode"] == "cover":
        story += [Spacer(1, 60 * mm), Paragraph(ct["title"], ParagraphStyle(
            "ct", parent=title, fontSize=28, leading=40)), Spacer(1, 30 * mm)]
        for ln in _head_lines(ct, rng):
            story.append(Paragraph(ln, cover_meta))
        for lab, name, _ in _party_lines(ct, rng):
            story.append(Paragraph(f"{lab}：{name}", cover_meta))
        story.append(PageBreak())
        story.append(Paragraph(ct["title"], title))
    else:
        story.append(Paragraph(ct["title"], title))
        for ln in _head_lines(ct, rng):
            story.append(Paragraph(ln, meta))
        story.append(Spacer(1, 4 * mm))
    for lab, name, extra in _party_lines(ct, rng):
        story.append(Paragraph(f"{lab}：{name}", ParagraphStyle("p", parent=body, firstLineIndent=0)))
        if rng.random() < 0.6:
            for e in extra:
                story.append(Paragraph(e, ParagraphStyle("pe", parent=body, firstLineIndent=size * 2)))
    story.append(Paragraph(_intro(ct, rng), body))
    for kind, val in ct["blocks"]:
        if kind == "heading":
            story.append(Paragraph(val, head))
        elif kind == "para":
            story.append(Paragraph(val, body))
        elif kind == "items":
            rows = [["名称", "规格型号", "单位", "数量", "单价（元）", "金额（元）"]]
            for name, spec, unit, qty, price, amt in val:
                rows.append([name, spec, unit, str(qty), fmt_money(price, True), fmt_money(amt, True)])
            rows.append(["合计", "", "", "", "", fmt_money(ct["total"], True)])
            t = Table(rows, colWidths=[38 * mm, 30 * mm, 16 * mm, 20 * mm, 28 * mm, 32 * mm])
            t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), body_font, size - 1),
                                   ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("ALIGN", (3, 1), (-1, -1), "RIGHT")]))
            story.append(t)
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph("（以下无正文，为签署页）", body))
    story.append(Spacer(1, 4 * mm))
    story.append(SignBlock(ct, rng, body_font, size))

    margin = rng.uniform(18, 30) * mm
    footer_style = rng.choice(["— {n} —", "第 {n} 页", "{n}"])

    def on_page(c, doc):
        c.saveState()
        c.setFont("MicroHei", 8)
        c.drawCentredString(A4[0] / 2, 12 * mm, footer_style.format(n=doc.page))
        c.restoreState()

    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=margin, rightMargin=margin,
                            topMargin=rng.uniform(20, 30) * mm, bottomMargin=22 * mm,
                            title=ct["title"], invariant=1)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)


def write_contract_docx(path, ct, rng: random.Random) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    font_name = rng.choice(["宋体", "仿宋", "微软雅黑"])
    st = doc.styles["Normal"]
    st.font.name = font_name
    st.font.size = Pt(rng.choice([10.5, 11, 12]))
    st.element.rPr.rFonts.set(qn("w:eastAsia"), font_name)
    cp = doc.core_properties
    cp.author, cp.title = "docintel-samples", ct["title"]
    cp.created = cp.modified = dt.datetime(2024, 1, 1)
    cp.last_modified_by = "docintel-samples"
    cp.revision = 1
    t = doc.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = t.add_run(ct["title"])
    r.bold = True
    r.font.size = Pt(18)
    rows = [("合同编号", ct["number"])]
    for lab, name, extra in _party_lines(ct, rng):
        rows.append((lab, name))
    if ct["project"]:
        rows.append(("工程名称", ct["project"]))
    rows.append(("合同总价", f"人民币{fmt_money(ct['total'], True)}元（大写：{ct['words']}）"))
    if ct["sign_mode"] in ("cover", "header"):
        rows.append((rng.choice(["签订日期", "签订时间"]), ct["date_text"]))
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for i, (k, v) in enumerate(rows):
        table.cell(i, 0).text, table.cell(i, 1).text = k, v
    doc.add_paragraph(_intro(ct, rng))
    for kind, val in ct["blocks"]:
        if kind == "heading":
            p = doc.add_paragraph()
            p.add_run(val).bold = True
        elif kind == "para":
            doc.add_paragraph(val)
        elif kind == "items":
            it = doc.add_table(rows=1, cols=6)
            it.style = "Table Grid"
            for c, h in zip(it.rows[0].cells, ["名称", "规格型号", "单位", "数量", "单价（元）", "金额（元）"]):
                c.text = h
            for name, spec, unit, qty, price, amt in val:
                cells = it.add_row().cells
                for c, v in zip(cells, [name, spec, unit, str(qty), fmt_money(price, True),
                                        fmt_money(amt, True)]):
                    c.text = v
    doc.add_paragraph("（以下无正文，为签署页）")
    sign = doc.add_table(rows=5, cols=2)
    with_date = ct["sign_mode"] == "end" or rng.random() < 0.5
    for k, (lab, p) in enumerate(((ct["lab_a"], ct["a"]), (ct["lab_b"], ct["b"]))):
        vals = [f"{lab}（盖章）：{p['name']}", f"法定代表人或委托代理人：{p['legal_rep']}",
                f"开户银行：{p['bank']}", f"账号：{p['account']}",
                f"日期：{ct['date_text']}" if with_date else "日期：    年  月  日"]
        for i, v in enumerate(vals):
            sign.cell(i, k).text = v
    doc.save(str(path))
