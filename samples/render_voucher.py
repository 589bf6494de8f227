"""Bank e-receipts (电子回单) in several bank layouts, with their ground truth."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from extractors.normalize.numerals import amount_to_words

from . import fakedata as fk
from .common import BLACK, FORM_COLORS, SEAL_BLUE, SEAL_RED, draw_seal, fmt_money, group4, money, register_fonts
from .render_invoice import Sheet

LAYOUTS = {  # layout -> (bank, page size mm)
    "icbc_grid": ("中国工商银行", (210, 108)),
    "ccb_grid": ("中国建设银行", (210, 124)),
    "abc_rows": ("中国农业银行", (210, 148)),
    "cmb_rows": ("招商银行", (210, 106)),
    "bocom_grid": ("交通银行", (210, 112)),
}
PURPOSES = ["工程款", "货款", "材料款", "工程进度款", "设备租赁费", "技术服务费", "往来款",
            "支付{p}工程进度款", "{p}项目材料款", "合同款", "预付款", "质保金", "劳务费"]


def make_voucher(rng: random.Random, layout: str) -> dict:
    bank, _ = LAYOUTS[layout]
    payer, payee = fk.make_company(rng), fk.make_company(rng)
    payer_bank, acc_len = fk.bank_branch(rng, payer["region"], bank)
    payer_acc = fk.bank_account(rng, acc_len)
    amount = fk.rand_decimal(rng, 800, rng.choice([50000, 500000, 5000000]), 2)
    if rng.random() < 0.3:
        amount = Decimal(rng.randint(1, 500) * 1000)
    words = amount_to_words(amount)
    if rng.random() < 0.6:  # most banks print 元, invoices print 圆
        words = words.replace("圆", "元")
    date = fk.rand_date(rng)
    purpose = rng.choice(PURPOSES).format(p=rng.choice(["一期", "二标段", "3#楼", "主体结构"]))
    v = {
        "layout": layout, "bank": bank, "date": date, "amount": amount, "words": words,
        "serial": fk.digits(rng, rng.choice([12, 15, 16, 18, 20, 22])),
        "payer": {"name": payer["name"], "account": payer_acc, "bank": payer_bank},
        "payee": {"name": payee["name"], "account": payee["account"], "bank": payee["bank"]},
        "purpose": purpose, "city": payer["region"][1],
    }
    v["fields"] = {
        "serial_number": v["serial"], "payment_date": date.isoformat(),
        "payer_name": payer["name"], "payer_account": payer_acc, "payer_bank": payer_bank,
        "payee_name": payee["name"], "payee_account": payee["account"], "payee_bank": payee["bank"],
        "amount": money(amount), "amount_in_words": words, "purpose": purpose,
    }
    return v


def _date(rng, d: dt.date) -> str:
    return rng.choice([f"{d:%Y-%m-%d}", f"{d.year}年{d.month:02d}月{d.day:02d}日", f"{d:%Y%m%d}",
                       f"{d.year}年{d.month}月{d.day}日", f"{d:%Y/%m/%d}"])


def _amount(rng, a) -> str:
    return rng.choice([fmt_money(a, True, "¥"), fmt_money(a, False, "CNY"), fmt_money(a, True, "￥"),
                       fmt_money(a, True, "RMB"), fmt_money(a, True) + "元", fmt_money(a, False, "¥")])


def _acc(rng, acc: str) -> str:
    return group4(acc) if rng.random() < 0.35 else acc


def _seal(c, s, rng, v, x, y, r=15):
    color = SEAL_BLUE if rng.random() < 0.35 else SEAL_RED
    arc = rng.choice([f"{v['bank']}{v['city']}分行", f"{v['bank']}股份有限公司",
                      f"{v['bank']}电子回单"])
    draw_seal(c, *s.xy(x, y), r * mm, r * mm, color, arc, "", rng.choice(["电子回单专用章", "业务专用章"]),
              font=rng.choice(["ZenHei", "UMing"]), star=True, rotate=rng.uniform(-15, 15))


def _cell(s, x0, x1, y0, y1, text, font, size, color=BLACK, align="left"):
    ym = (y0 + y1) / 2 + size * 0.13
    if align == "center":
        s.text((x0 + x1) / 2, ym, text, size, font, x1 - x0 - 1.5, "center", color)
    else:
        s.text(x0 + 1.5, ym, text, size, font, x1 - x0 - 3, color=color)


def _party_grid(c, s, rng, v, st, y0, labels, rh):
    """Two side-by-side party blocks, each with a vertical role label spanning three rows."""
    x = [12, 20, 36, 105, 113, 129, 198]
    lf, df, ls, ds, col = st
    for i in range(4):
        s.line(x[1] if 0 < i < 3 else x[0], y0 + rh * i, x[-1], y0 + rh * i, 0.6)
        if 0 < i < 3:
            s.line(x[4], y0 + rh * i, x[-1], y0 + rh * i, 0.6)
    for xi in x:
        s.line(xi, y0, xi, y0 + 3 * rh, 0.6)
    roles = rng.choice([("付款人", "收款人"), ("付款方", "收款方"), ("付 款 人", "收 款 人")])
    for xa, role, key in ((x[0], roles[0], "payer"), (x[3], roles[1], "payee")):
        s.vlabel(xa + 4, y0 + 1, y0 + 3 * rh - 1, role.replace(" ", ""), ls, lf, col)
        p = v[key]
        vals = [p["name"], _acc(rng, p["account"]), p["bank"]]
        for i, (lab, val) in enumerate(zip(labels, vals)):
            _cell(s, xa + 8, xa + 24, y0 + rh * i, y0 + rh * (i + 1), lab, lf, ls, col, "center")
            _cell(s, xa + 24, xa + 93 if xa == x[0] else x[-1], y0 + rh * i, y0 + rh * (i + 1),
                  val, df, ds)
    return y0 + 3 * rh


def _rows_grid(s, rows, y0, rh, st, x0=12, x1=198):
    """rows: list of [(label, value, width_mm_of_label, width_mm_of_value or None)]."""
    lf, df, ls, ds, col = st
    y = y0
    for row in rows:
        x = x0
        for j, (lab, val, wl, wv) in enumerate(row):
            wv = wv if wv is not None else x1 - x - wl
            _cell(s, x, x + wl, y, y + rh, lab, lf, ls, col, "center")
            _cell(s, x + wl, x + wl + wv, y, y + rh, val, df, ds)
            s.line(x + wl, y, x + wl, y + rh, 0.6)
            if j:
                s.line(x, y, x, y + rh, 0.6)
            x += wl + wv
        s.line(x0, y + rh, x1, y + rh, 0.6)
        y += rh
    return y


def draw_voucher(c, v, rng: random.Random, fonts) -> None:
    bank, (_w, h) = LAYOUTS[v["layout"]]
    s = Sheet(c, h * mm, rng.uniform(-2, 2), rng.uniform(-2, 2))
    col = rng.choice(FORM_COLORS + [BLACK, BLACK])
    st = (rng.choice(fonts), rng.choice(fonts), rng.uniform(8, 9.2), rng.uniform(8.5, 9.8), col)
    lf, df, ls, ds, _ = st
    c.setStrokeColor(col)
    lay = v["layout"]
    pre = rng.choice(["人民币", "人民币", ""])
    amount = _amount(rng, v["amount"])
    date = _date(rng, v["date"])
    if lay in ("icbc_grid", "ccb_grid"):
        title = rng.choice(["网上银行电子回单", "电子回单", "客户回单"]) if lay == "icbc_grid" \
            else rng.choice(["单位客户专用回单", "网上银行电子回单", "业务回单"])
        s.text(14, 14, bank, 14, "ZenHei", color=SEAL_RED if lay == "icbc_grid" else SEAL_BLUE)
        s.text(105, 15, title, 15, lf, 90, "center", col)
        s.line(80, 17.5, 130, 17.5, 0.6)
        serial_lab = rng.choice(["电子回单号码：", "回单编号：", "交易流水号："])
        s.text(120, 25, serial_lab + v["serial"], ds, df, 78)
        if lay == "icbc_grid":
            y0 = 28
            s.rect(12, y0, 186, 8 * 6, 1.0)
            y = _party_grid(c, s, rng, v, st, y0, rng.choice([["户名", "账号", "开户银行"],
                                                                ["户 名", "账 号", "开户行"]]), 8)
            y = _rows_grid(s, [[("金额", f"{pre}（大写）{v['words']}", 24, 100),
                                ("小写", amount, 14, None)],
                               [(rng.choice(["摘要", "用途", "附言"]), v["purpose"], 24, 69),
                                ("业务种类", rng.choice(["跨行转账", "行内转账", "网银汇款"]), 24, None)],
                               [("交易日期", date, 24, 69),
                                ("时间戳", (f"{v['date']:%Y-%m-%d}-{rng.randint(8, 18):02d}."
                                 f"{rng.randint(0, 59):02d}.{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}"),
                                 24, None)]], y, 8, st)
            _seal(c, s, rng, v, rng.uniform(150, 180), rng.uniform(85, 100))
            s.text(14, y + 8, f"验证码：{fk.digits(rng, 12)}", ls - 1, lf, 80, color=col)
        else:
            s.text(14, 25, f"币别：人民币元    日期：{date}", ds, df, 100)
            y0 = 28
            s.rect(12, y0, 186, 9 * 6, 1.0)
            y = _party_grid(c, s, rng, v, st, y0, rng.choice([["全称", "账号", "开户行"],
                                                                ["名称", "账号", "开户银行"]]), 9)
            y = _rows_grid(s, [[("大写金额", f"{pre}{v['words']}", 24, 93), ("小写金额", amount, 24, None)],
                               [(rng.choice(["用途", "摘要"]), v["purpose"], 24, None)],
                               [("备注", rng.choice(["", "网银转账", "对公付款"]), 24, None)]], y, 9, st)
            _seal(c, s, rng, v, rng.uniform(150, 180), rng.uniform(95, 112), 16)
            s.text(14, y + 9, f"打印日期：{v['date'] + dt.timedelta(days=rng.randint(0, 20)):%Y-%m-%d}"
                   f"    柜员：{fk.digits(rng, 6)}", ls - 0.5, lf, 120, color=col)
    elif lay == "bocom_grid":
        s.text(105, 14, f"{bank}{rng.choice(['客户回单', '电子回单凭证', '业务回单'])}", 15, lf, 150,
               "center", col)
        s.rect(12, 24, 186, 8 * 6, 1.0)
        p, q = v["payer"], v["payee"]
        pl = rng.choice([("付款人户名", "付款人账号", "付款人开户行"), ("付款方户名", "付款账号", "付款开户行")])
        ql = rng.choice([("收款人户名", "收款人账号", "收款人开户行"), ("收款方户名", "收款账号", "收款开户行")])
        y = _rows_grid(s, [[("回单编号", v["serial"], 25, 68), ("交易日期", date, 25, None)],
                           [(pl[0], p["name"], 25, 68), (ql[0], q["name"], 25, None)],
                           [(pl[1], _acc(rng, p["account"]), 25, 68), (ql[1], _acc(rng, q["account"]), 25, None)],
                           [(pl[2], p["bank"], 25, 68), (ql[2], q["bank"], 25, None)],
                           [("金额(小写)", amount, 25, 68), ("金额(大写)", f"{pre}{v['words']}", 25, None)],
                           [(rng.choice(["摘要", "附言", "用途"]), v["purpose"], 25, None)]], 24, 8, st)
        _seal(c, s, rng, v, rng.uniform(150, 185), rng.uniform(y + 2, y + 14), 14)
        s.text(14, y + 8, f"交易机构：{fk.digits(rng, 5)}   会计流水号：{fk.digits(rng, 8)}", ls - 0.5, lf,
               110, color=col)
    else:
        p, q = v["payer"], v["payee"]
        if lay == "abc_rows":
            s.text(105, 16, f"{bank}{rng.choice(['网上银行电子回单', '电子回单'])}", 16, lf, 160, "center", col)
            s.rect(18, 24, 174, 112, 0.8)
            rows = [("回单编号", v["serial"]), ("交易日期", date),
                    (rng.choice(["付款方户名", "付款人名称"]), p["name"]),
                    (rng.choice(["付款方账号", "付款人账号"]), _acc(rng, p["account"])),
                    (rng.choice(["付款方开户行", "付款人开户行"]), p["bank"]),
                    (rng.choice(["收款方户名", "收款人名称"]), q["name"]),
                    (rng.choice(["收款方账号", "收款人账号"]), _acc(rng, q["account"])),
                    (rng.choice(["收款方开户行", "收款人开户行"]), q["bank"]),
                    ("金额（小写）", amount), ("金额（大写）", f"{pre}{v['words']}"),
                    (rng.choice(["附言", "用途", "摘要"]), v["purpose"])]
            for i, (lab, val) in enumerate(rows):
                y = 33 + 9.2 * i
                s.text(26, y, lab + "：", ls + 0.5, lf, 34, color=col)
                s.text(62, y, val, ds + 0.5, df, 125)
                c.setDash(1, 2)
                s.line(24, y + 2.8, 186, y + 2.8, 0.3)
                c.setDash()
            _seal(c, s, rng, v, rng.uniform(140, 175), rng.uniform(105, 125), 16)
        else:  # cmb_rows
            s.text(14, 13, bank, 14, "ZenHei", color=SEAL_RED)
            s.text(105, 14, rng.choice(["业务回单（付款）", "网上银行电子回单", "客户回单"]), 14, lf, 80,
                   "center", col)
            s.line(12, 19, 198, 19, 1.0)
            left = [("付款人", p["name"]), ("付款账号", _acc(rng, p["account"])), ("付款开户行", p["bank"])]
            right = [("收款人", q["name"]), ("收款账号", _acc(rng, q["account"])), ("收款开户行", q["bank"])]
            for i in range(3):
                for x, (lab, val) in ((14, left[i]), (108, right[i])):
                    s.text(x, 27 + 7.5 * i, lab + "：", ls, lf, 20, color=col)
                    s.text(x + 19, 27 + 7.5 * i, val, ds, df, 70)
            rest = [("交易金额", amount), ("大写金额", f"{pre}{v['words']}"),
                    (rng.choice(["摘要", "用途", "附言"]), v["purpose"]),
                    ("流水号", v["serial"]), ("交易日期", date)]
            for i, (lab, val) in enumerate(rest):
                s.text(14, 54 + 7.5 * i, lab + "：", ls, lf, 20, color=col)
                s.text(33, 54 + 7.5 * i, val, ds, df, 120)
            s.line(12, 92, 198, 92, 1.0)
            _seal(c, s, rng, v, rng.uniform(150, 180), rng.uniform(70, 90), 15)
            s.text(14, 98, "温馨提示：本回单不作为收款方发货依据，请勿重复记账。", ls - 1, lf, 150, color=col)


def write_voucher_pdf(path, v, rng: random.Random) -> str:
    fonts = register_fonts()
    _, (w, h) = LAYOUTS[v["layout"]]
    c = rl_canvas.Canvas(str(path), pagesize=(w * mm, h * mm), invariant=1)
    c.setTitle("电子回单")
    draw_voucher(c, v, rng, fonts)
    c.showPage()
    c.save()
    return v["layout"]
