"""Invoice content and its ground truth (records.md form); rendering is in render_invoice."""

from __future__ import annotations

import random
from decimal import Decimal

from extractors.normalize.numerals import amount_to_words

from . import fakedata as fk
from .common import canon, money, q2, rate_str

REMARKS = [
    "项目名称：{project}",
    "工程名称：{project}；工程地点：{city}市{district}",
    "合同编号：{contract}",
    "{project}第{n}期进度款",
    "对应合同：{contract}",
]
PROJECTS = ["综合楼", "安置房", "产业园一期", "物流仓储中心", "污水处理厂", "道路改扩建工程",
            "学校教学楼", "人民医院门诊楼", "商业综合体", "地铁站附属工程", "标准厂房"]


def _line(rng: random.Random, good, rate: int) -> dict:
    cat, name, specs, units, (lo, hi), _rates, service = good
    spec = rng.choice(specs)
    unit = rng.choice(units)
    r = Decimal(rate) / 100
    if service and unit is None and rng.random() < 0.7:
        qty = price = None
        amount = q2(fk.rand_decimal(rng, lo, hi, 2))
    else:
        if unit in ("吨", "立方米", "m³") and rng.random() < 0.6:
            qty = fk.rand_decimal(rng, 1, 300, rng.choice([1, 2, 3]))
        elif unit in ("米", "m"):
            qty = Decimal(rng.randint(10, 5000))
        elif service:
            qty = Decimal(rng.choice([1, 1, 1, 2, 3, 6, 12]))
        else:
            qty = Decimal(rng.randint(1, 400))
        if qty == 0:
            qty = Decimal(1)
        gross = fk.rand_decimal(rng, lo, hi, 2)
        if rng.random() < 0.5:  # price derived from a tax-inclusive price: many decimals
            price = (gross / (1 + r)).quantize(Decimal(1).scaleb(-rng.choice([6, 8])))
        else:
            price = gross.quantize(Decimal(1).scaleb(-rng.choice([2, 2, 3, 4])))
        if price == 0:
            price = Decimal("1.00")
        amount = q2(qty * price)
    tax = q2(amount * r)
    return {
        "name": f"*{cat}*{name}",
        "spec": spec,
        "unit": unit,
        "quantity": qty,
        "unit_price": price,
        "amount": amount,
        "rate": rate,
        "tax": tax,
    }


def make_invoice(rng: random.Random, kind: str) -> dict:
    """kind: vat_special | vat_ordinary | e_invoice. Returns display data + 'fields' (GT)."""
    seller = fk.make_company(rng)
    buyer = fk.make_company(rng)
    individual = kind != "vat_special" and rng.random() < 0.08
    if individual:
        buyer = {**buyer, "name": fk.person(rng), "tax_id": "", "address": "", "phone": "",
                 "bank": "", "account": ""}
    date = fk.rand_date(rng)
    prov = seller["region"][0]
    sub = kind
    if kind == "vat_ordinary":
        sub = rng.choice(["vat_ordinary_paper", "vat_ordinary_e"])

    first = rng.choice(fk.GOODS)
    rate = rng.choice(first[5])
    mixed = rng.random() < 0.15
    pool = [g for g in fk.GOODS if (mixed or rate in g[5]) and g[6] == first[6]] or [first]
    n_lines = rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 22, 18, 12, 10, 8])[0]
    lines = [_line(rng, first, rate)]
    for _ in range(n_lines - 1):
        g = rng.choice(pool)
        lines.append(_line(rng, g, rate if rate in g[5] else rng.choice(g[5])))

    amount = sum((ln["amount"] for ln in lines), Decimal(0))
    tax = sum((ln["tax"] for ln in lines), Decimal(0))
    total = amount + tax
    words = amount_to_words(total)
    {ln["rate"] for ln in lines}

    reg = seller["region"]
    remarks = None
    if first[0] == "建筑服务" or rng.random() < 0.35:
        remarks = rng.choice(REMARKS).format(
            project=f"{reg[1]}{rng.choice(PROJECTS)}", city=reg[1], district=rng.choice(reg[4]),
            contract=f"HT{date.year}{fk.digits(rng, 4)}", n=rng.randint(1, 12))

    yy = f"{date.year % 100:02d}"
    area4 = reg[2][:2] + "00"
    inv = {
        "kind": kind, "sub": sub, "province": prov, "date": date,
        "seller": seller, "buyer": buyer, "lines": lines,
        "amount": amount, "tax": tax, "total": total, "words": words,
        "payee": fk.person(rng), "reviewer": fk.person(rng), "drawer": fk.person(rng),
        "remarks": remarks, "machine": fk.digits(rng, 12),
    }
    if kind == "e_invoice":
        inv["number"] = yy + reg[2][:2] + fk.digits(rng, 16, lead_nonzero=False)
        inv["code"] = None
        inv["check"] = None
        inv["title"] = rng.choice(["电子发票（增值税专用发票）", "电子发票（普通发票）"])
        inv["qr"] = (f"01,32,,{inv['number']},{money(total)},{date:%Y%m%d},,"
                     f"{rng.getrandbits(16):04X},")
    else:
        inv["number"] = fk.digits(rng, 8, lead_nonzero=False)
        if sub == "vat_ordinary_e":
            inv["code"] = "0" + area4 + yy + "11" + fk.digits(rng, 3, lead_nonzero=False)
            inv["title"] = f"{prov}增值税电子普通发票"
        else:
            inv["code"] = area4 + yy + rng.choice(["1", "2"]) + rng.choice(["1", "3"]) + \
                fk.digits(rng, 2, lead_nonzero=False)
            inv["title"] = f"{prov}增值税{'专用' if kind == 'vat_special' else '普通'}发票"
        inv["check"] = fk.digits(rng, 20, lead_nonzero=False) if kind == "vat_ordinary" else None
        inv["qr"] = None
        if sub == "vat_ordinary_e":
            inv["qr"] = (f"01,10,{inv['code']},{inv['number']},{money(amount)},{date:%Y%m%d},"
                         f"{inv['check']},{rng.getrandbits(16):04X},")
    inv["cipher"] = ["".join(rng.choice("0123456789<>+-*/") for _ in range(28)) for _ in range(4)]
    inv["fields"] = invoice_fields(inv)
    return inv


def invoice_fields(inv: dict) -> dict:
    f: dict = {"invoice_kind": inv["kind"]}
    if inv["code"]:
        f["invoice_code"] = inv["code"]
    f["invoice_number"] = inv["number"]
    f["issue_date"] = inv["date"].isoformat()
    if inv["check"]:
        f["check_code"] = inv["check"]
    f["buyer_name"] = inv["buyer"]["name"]
    if inv["buyer"]["tax_id"]:
        f["buyer_tax_id"] = inv["buyer"]["tax_id"]
    f["seller_name"] = inv["seller"]["name"]
    f["seller_tax_id"] = inv["seller"]["tax_id"]
    f["amount_excl_tax"] = money(inv["amount"])
    f["tax_amount"] = money(inv["tax"])
    f["total_amount"] = money(inv["total"])
    f["total_amount_in_words"] = inv["words"]
    rates = {ln["rate"] for ln in inv["lines"]}
    if len(rates) == 1:
        f["tax_rate"] = rate_str(rates.pop())
    f["items"] = [{
        "name": ln["name"],
        "spec": ln["spec"].replace(" ", "") if ln["spec"] else None,
        "unit": ln["unit"],
        "quantity": canon(ln["quantity"]) if ln["quantity"] is not None else None,
        "unit_price": canon(ln["unit_price"]) if ln["unit_price"] is not None else None,
        "amount": money(ln["amount"]),
        "tax_rate": rate_str(ln["rate"]),
        "tax_amount": money(ln["tax"]),
    } for ln in inv["lines"]]
    if inv["remarks"]:
        f["remarks"] = inv["remarks"]
    return f
