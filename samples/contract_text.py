"""Contract content (blocks of text) and its ground truth; render_contract lays it out."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from extractors.normalize.numerals import amount_to_words

from . import fakedata as fk
from .common import canon, cn_date, cn_num, fmt_money, money, q2, rate_str

KINDS = {  # kind -> (titles, role of 甲方, role of 乙方, 甲方 pays?)
    "construction": (["建设工程施工合同", "施工总承包合同", "{p}施工合同"], "发包人", "承包人"),
    "subcontract": (["专业分包合同", "建设工程施工专业分包合同", "劳务分包合同"], "承包人", "分包人"),
    "purchase": (["采购合同", "钢材采购合同", "物资采购合同", "买卖合同"], "买方", "卖方"),
    "lease": (["设备租赁合同", "机械设备租赁合同", "塔吊租赁合同"], "出租人", "承租人"),
    "service": (["技术服务合同", "咨询服务合同", "工程造价咨询服务合同"], "委托方", "受托方"),
}
PROJECTS = ["综合楼工程", "安置房项目", "产业园一期工程", "物流仓储中心项目", "污水处理厂改造工程",
            "道路改扩建工程", "学校教学楼工程", "人民医院门诊楼工程", "商业综合体项目", "标准厂房工程"]
FILLER = [
    ("双方的权利和义务", ["{A}应按约定及时提供施工场地、图纸及相关资料，并对其真实性负责。",
                  "{B}应严格按照国家现行规范、标准及本合同约定履行义务，接受{A}的监督和检查。",
                  "双方应指定联系人负责日常沟通，联系人变更应提前三日书面通知对方。"]),
    ("质量要求", ["质量标准：符合国家现行验收规范及标准，达到合格等级。",
              "因{B}原因造成质量不合格的，{B}应无偿返工直至合格，由此增加的费用和延误的工期由{B}承担。"]),
    ("安全文明施工", ["{B}应遵守安全生产的法律法规，建立健全安全生产责任制度，确保施工安全。",
                "因{B}安全措施不力造成事故的，责任和由此发生的费用由{B}承担。"]),
    ("变更", ["任何一方需要变更合同内容的，应经双方协商一致并签订书面补充协议。",
            "变更引起价款调整的，按照本合同约定的计价原则确定。"]),
    ("不可抗力", ["因不可抗力不能履行合同的，根据不可抗力的影响，部分或者全部免除责任。",
              "遭受不可抗力的一方应在不可抗力发生后七日内通知对方，并在合理期限内提供证明。"]),
    ("保密", ["双方对在履行本合同过程中知悉的对方商业秘密负有保密义务，未经对方书面同意不得向第三方披露。",
            "本条约定在合同终止后继续有效。"]),
    ("通知与送达", ["本合同项下的通知应以书面形式送达合同首部载明的地址，一方地址变更的应及时书面通知另一方。"]),
    ("合同的解除", ["一方严重违约致使合同目的无法实现的，守约方有权书面通知解除本合同。",
                "合同解除后，双方应按实际完成的工作量进行结算。"]),
    ("其他", ["本合同自双方签字盖章之日起生效。", "本合同一式{n}份，甲乙双方各执{h}份，具有同等法律效力。",
            "本合同未尽事宜，双方可另行签订补充协议，补充协议与本合同具有同等法律效力。"]),
]


def _num(rng, year):
    return rng.choice([f"HT-{year}-{fk.digits(rng, 4, False)}", f"JZSG-{year}-{fk.digits(rng, 3)}",
                       f"CG{year}{fk.digits(rng, 6, False)}", f"ZL-{year}-WH-{fk.digits(rng, 3, False)}",
                       f"FW{year}-{fk.digits(rng, 3, False)}", f"SG{year}{fk.digits(rng, 4, False)}"])


def _pct(p) -> str:
    return canon(Decimal(str(p))) + "%"


def _price_text(rng, total, words):
    f = rng.choice([fmt_money(total, True), fmt_money(total)])
    return rng.choice([
        f"签约合同价为人民币（大写）{words}（¥{f}）。",
        f"合同总价：人民币{f}元（大写：{words}）。",
        f"本合同总金额为人民币￥{f}元，大写：人民币{words}。",
        f"合同价款（含税）为¥{f}元，大写人民币{words}。",
    ])


def make_contract(rng: random.Random, kind: str | None = None) -> dict:
    kind = kind or rng.choice(list(KINDS))
    titles, role_a, role_b = KINDS[kind]
    a, b = fk.make_company(rng), fk.make_company(rng)
    payer_is_a = kind in ("construction", "subcontract", "service")
    if kind == "purchase" and rng.random() < 0.35:
        role_a, role_b = "卖方", "买方"
    if kind == "lease" and rng.random() < 0.25:
        role_a, role_b = "承租人", "出租人"
    payer_is_a = role_a in ("发包人", "承包人", "买方", "承租人", "委托方")
    reg = a["region"]
    sign = fk.rand_date(rng, dt.date(2021, 1, 1), dt.date(2025, 3, 1))
    project = f"{reg[1]}{rng.choice(PROJECTS)}" if kind in ("construction", "subcontract") else None
    title = rng.choice(titles).format(p=project or "")
    style_label = rng.choice(["甲方（{r}）", "{r}（甲方）", "{r}", "甲方"])
    lab_a = style_label.format(r=role_a).replace("甲方", "甲方")
    lab_b = style_label.format(r=role_b).replace("甲方", "乙方")
    uses_jy = "甲方" in style_label
    A, B = ("甲方", "乙方") if uses_jy else (role_a, role_b)
    payer, payee = (A, B) if payer_is_a else (B, A)
    number = _num(rng, sign.year)
    numbering = rng.choice(["tiao", "dec", "cn"])

    # price
    items = None
    if kind == "purchase":
        items = []
        for _ in range(rng.randint(1, 4)):
            g = rng.choice([g for g in fk.GOODS if not g[6]])
            qty = Decimal(rng.randint(5, 800))
            price = fk.rand_decimal(rng, g[4][0], g[4][1], 2)
            items.append((g[1], g[2][0] or "", g[3][0] or "", qty, price, q2(qty * price)))
        total = sum((it[5] for it in items), Decimal(0))
    elif kind == "lease":
        months = rng.randint(3, 24)
        rent = Decimal(rng.randint(8, 60) * 1000)
        total = rent * months
    else:
        total = fk.rand_decimal(rng, 100000, 60000000, 2)
        if rng.random() < 0.5:
            total = q2(Decimal(int(total) // 1000 * 1000))
    words = amount_to_words(total)
    if rng.random() < 0.3:
        words = words.replace("圆", "元")

    f: dict = {"contract_number": number, "contract_title": title, "signing_date": sign.isoformat(),
               "party_a_name": (a if payer_is_a else b)["name"],
               "party_b_name": (b if payer_is_a else a)["name"]}
    if project:
        f["project_name"] = project
    f["total_amount"] = money(total)
    f["currency"] = "CNY"

    clauses: list[tuple[str, list[str]]] = []
    start = sign + dt.timedelta(days=rng.randint(5, 40))
    end = start + dt.timedelta(days=rng.randint(90, 720))
    if kind in ("construction", "subcontract"):
        clauses.append(("工程概况", [f"工程名称：{project}。", f"工程地点：{fk.address(rng, reg)}。",
                                 rng.choice(["工程内容：施工图纸范围内的土建、安装工程。",
                                             "承包范围：主体结构、二次结构及室外附属工程。"])]))
    if kind == "purchase":
        clauses.append(("标的物", ["标的物名称、规格、数量及价格详见下表：", "@items"]))
    if kind == "lease":
        clauses.append(("租赁设备", [(f"设备名称：{rng.choice(['塔式起重机', '履带式挖掘机', '施工升降机'])}，"
                                 f"型号：{rng.choice(['QTZ80', 'SC200/200', 'PC200-8'])}，数量：{rng.randint(1, 3)}台。"),
                                 f"月租金为人民币{fmt_money(rent, True)}元，租期{months}个月。"]))
    if rng.random() < 0.8 and kind != "purchase":
        if kind in ("construction", "subcontract"):
            txt = f"计划开工日期：{cn_date(start)}；计划竣工日期：{cn_date(end)}；工期总日历天数{(end - start).days + 1}天。"
            head = "合同工期"
        else:
            txt = f"{'租赁' if kind == 'lease' else '服务'}期限自{cn_date(start, rng.random() < 0.5)}起至{cn_date(end)}止。"
            head = "租赁期限" if kind == "lease" else "服务期限"
        clauses.append((head, [txt]))
        f["start_date"], f["end_date"] = start.isoformat(), end.isoformat()
    clauses.append(("合同价款", [_price_text(rng, total, words),
                             rng.choice(["本合同价格形式为固定总价合同。", "合同价款包含增值税。",
                                         "结算价款以经双方确认的审计结果为准。"])]))
    terms, pay = [], []

    def term(m, rate, due, cum=False, amount=None):
        terms.append({"milestone": m, "rate": rate_str(rate) if rate is not None else None,
                      "amount": money(amount) if amount is not None else None,
                      "due_days": due, "cumulative": cum})

    if kind == "lease":
        pay.append(f"租金按月支付，{payer}应于每月{rng.randint(1, 10)}日前支付当月租金。")
        pay.append(f"{payer}应于合同签订后{rng.choice([3, 5, 7])}日内支付设备押金人民币"
                   f"{fmt_money(rent, True)}元，租赁期满设备完好退还后无息返还。")
    else:
        adv_name = "首付款" if kind == "service" else "预付款"
        adv = 0
        if rng.random() < 0.8:
            adv = rng.choice([10, 15, 20, 30])
            due = rng.choice([7, 14, 15, 28])
            amt = q2(total * adv / 100) if rng.random() < 0.4 else None
            amt_txt = f"（即人民币¥{fmt_money(amt, True)}元）" if amt is not None else ""
            pay.append(f"{adv_name}：合同签订后{due}天内，{payer}向{payee}支付合同价款的{_pct(adv)}"
                       f"{amt_txt}作为{adv_name}。")
            term(adv_name, adv, due, amount=amt)
            f["advance_payment_rate"] = rate_str(adv)
        ret = rng.choice([3, 5]) if kind in ("construction", "subcontract") else rng.choice([5, 10])
        months = rng.choice([12, 24]) if kind != "service" else None
        if kind in ("construction", "subcontract"):
            pct, due = rng.choice([70, 75, 80, 85]), rng.choice([28, 14, 30, None])
            due_txt = f"在监理确认后{due}天内" if due else "经监理及甲方审核后"
            pay.append(f"进度款：按月完成工程量的{_pct(pct)}{due_txt}支付。")
            term("进度款", pct, due)
            due2 = rng.choice([28, 30, 56])
            pay.append(f"竣工结算款：工程竣工验收合格且结算审核完成后{due2}天内，支付至结算价款的{_pct(100 - ret)}。")
            term("竣工结算款", 100 - ret, due2, cum=True)
        elif kind == "purchase":
            due = rng.choice([15, 30, 60])
            pct = 100 - adv - ret
            pay.append(f"到货款：货物到达指定地点并经{payer}验收合格后{due}日内，支付至合同总价的{_pct(100 - ret)}。"
                       if rng.random() < 0.5 or not f.get("advance_payment_rate")
                       else f"到货款：货物验收合格后{due}日内支付合同总价的{_pct(pct)}。")
            cum = "支付至" in pay[-1]
            term("到货款", 100 - ret if cum else pct, due, cum=cum)
        else:
            mid = rng.choice([30, 40])
            pay.append(f"中期款：乙方提交阶段成果并经{payer}确认后15日内支付合同价款的{_pct(mid)}。")
            term("中期款", mid, 15)
            rest = 100 - mid - adv
            pay.append(f"尾款：服务成果验收合格后30日内支付剩余的{_pct(rest)}。")
            term("尾款", rest, 30)
        if kind != "service":
            name = "质量保证金" if kind != "purchase" else "质保金"
            period = "缺陷责任期" if kind != "purchase" else "质保期"
            pay.append(f"{name}：{name}为结算价款的{_pct(ret)}，{period}为{months}个月，期满无质量问题后14天内无息返还。")
            term(name, ret, 14)
            f["retention_rate"], f["retention_months"] = rate_str(ret), months
    pay.append(f"{payee}应在每次收款前向{payer}开具等额合法有效的增值税专用发票。")
    clauses.append(("付款方式", pay))
    if terms:
        f["payment_terms"] = terms

    if rng.random() < 0.5:
        g = rng.choice(["履约保函", "连带责任保证", "履约保证金"])
        txt = {"履约保函": f"{payee}应于合同签订后14日内向{payer}提交合同价款10%的履约保函。",
               "连带责任保证": f"{fk.company_name(rng)}为{payer}在本合同项下的付款义务提供连带责任保证。",
               "履约保证金": f"{payee}应向{payer}缴纳合同价款5%的履约保证金。"}[g]
        clauses.append(("履约担保", [txt]))
        f["guarantee_type"] = g
    brk = [(f"{payer}逾期付款的，每日按应付未付款的{rng.choice(['万分之五', '万分之三', '千分之一', '0.05%'])}"
           f"向{payee}支付违约金。"), f"{payee}逾期交付或工期延误的，应按合同约定承担违约责任。"]
    pen = {"万分之五": "0.0005", "万分之三": "0.0003", "千分之一": "0.001", "0.05%": "0.0005"}
    if rng.random() < 0.8:
        f["penalty_rate_per_day"] = next(v for k, v in pen.items() if k in brk[0])
    else:
        brk = brk[1:]
    clauses.append(("违约责任", brk))
    r = rng.random()
    if r < 0.45:
        clauses.append(("债权转让", [rng.choice([
            f"未经{payer}书面同意，{payee}不得转让本合同项下的债权。",
            f"{payee}不得将本合同项下的应收账款转让、质押给任何第三方，否则{payer}有权拒绝付款。",
            f"{payee}转让本合同项下的权利义务，须事先取得{payer}的书面同意。"])]))
        f["assignment_restricted"] = True
    elif r < 0.7:
        clauses.append(("债权转让", [f"{payee}有权将本合同项下的应收账款转让给保理商，但应书面通知{payer}。"]))
        f["assignment_restricted"] = False
    fill = rng.sample(FILLER[:-1], rng.randint(1, 6)) + [FILLER[-1]]
    city = reg[1]
    if rng.random() < 0.5:
        venue = rng.choice([f"{city}仲裁委员会", "中国国际经济贸易仲裁委员会", f"{city}仲裁委员会"])
        dtxt, f["dispute_resolution"] = f"协商不成的，任何一方均可提交{venue}仲裁。", "arbitration"
    else:
        venue = f"{city}市{rng.choice(reg[4])}人民法院"
        dtxt, f["dispute_resolution"] = f"协商不成的，任何一方均可向{venue}提起诉讼。", "litigation"
    f["dispute_venue"] = venue
    clauses += fill[:-1] + [("争议解决", ["因本合同引起的或与本合同有关的任何争议，双方应友好协商解决；" + dtxt]),
                            fill[-1]]

    # number the clauses
    blocks = []
    for k, (head, subs) in enumerate(clauses, 1):
        if numbering == "tiao":
            blocks.append(("heading", f"第{cn_num(k)}条　{head}"))
        elif numbering == "dec":
            blocks.append(("heading", f"{k}. {head}"))
        else:
            blocks.append(("heading", f"{cn_num(k)}、{head}"))
        for j, t in enumerate(subs, 1):
            t = t.format(A=A, B=B, n=4, h=2)
            if t == "@items":
                blocks.append(("items", items))
            elif numbering == "cn" and len(subs) > 1:
                blocks.append(("para", f"（{cn_num(j)}）{t}"))
            elif len(subs) > 1:
                blocks.append(("para", f"{k}.{j} {t}"))
            else:
                blocks.append(("para", t))
    sign_mode = rng.choice(["cover", "header", "intro", "end"])
    return {"kind": kind, "title": title, "number": number, "sign": sign, "a": a, "b": b,
            "lab_a": lab_a, "lab_b": lab_b, "project": project, "total": total, "words": words,
            "blocks": blocks, "sign_mode": sign_mode, "fields": f, "city": city,
            "date_text": cn_date(sign, rng.random() < 0.6)}
