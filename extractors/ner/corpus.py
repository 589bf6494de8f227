"""Training sentences for the contract pipeline, generated from wording templates.

Each template is one clause wording of one class with entity slots; slots are filled
from seeded random values (company names, amounts, dates, rates, durations, accounts,
courts, arbitration bodies). Templates are split by TEMPLATE (not by sentence): the
held-out templates' wordings are never seen in training, which is what measures
generalisation to contracts written differently (notes.md: variety beats epochs).

Registered as the spaCy reader ``docintel.contract_templates.v1`` so the config file
says everything about the data (split, sentences per template, seed).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from decimal import Decimal

LABELS = ["PARTY", "MONEY", "DATE", "RATE", "DURATION", "ACCOUNT", "COURT", "ARBITRATION"]
CLASSES = ["payment", "advance_payment", "progress_payment", "settlement", "retention", "penalty", "guarantee",
           "assignment", "dispute", "termination", "other"]

# {A} payer, {B} payee, {P} any party name, {M} money, {D} {D2} dates, {R} {R2} rates, {T} {T2} durations,
# {ACC} account, {COURT}, {ARB}. Keep templates one clause each; the generator's own wordings come first.
TEMPLATES: dict[str, list[str]] = {
    "advance_payment": [
        "预付款：合同签订后{T}内，{A}向{B}支付合同价款的{R}作为预付款。",
        "首付款：合同签订后{T}内，{A}向{B}支付合同价款的{R}（即{M}）作为首付款。",
        "本合同签订之日起{T}内，{A}应向{B}支付合同总价{R}的预付款，计{M}。",
        "{A}于收到{B}开具的预付款保函后{T}内支付签约合同价的{R}作为工程预付款。",
        "定金：{A}应在本合同生效后{T}内支付合同金额的{R}作为定金，即{M}。",
        "预付款金额为合同价款的{R}，于{D}前一次性支付给{B}。",
        "合同生效后{T}内，{A}预付合同总额的{R}，金额{M}。",
        "工程预付款按签约合同价的{R}计取，在开工前{T}内由{A}支付，并在进度款中分期扣回。",
    ],
    "progress_payment": [
        "进度款：按月完成工程量的{R}在监理确认后{T}内支付。",
        "进度款：按月完成工程量的{R}经监理及{A}审核后支付。",
        "中期款：{B}提交阶段成果并经{A}确认后{T}内支付合同价款的{R}。",
        "到货款：货物验收合格后{T}内支付合同总价的{R}。",
        "工程进度款按季度支付，每季度末{A}按经审核确认的已完工程量的{R}支付给{B}。",
        "{A}应在收到{B}月度进度报表并审核确认后{T}内，按当月完成产值的{R}支付进度款。",
        "主体结构封顶后{T}内，{A}支付至合同价款的{R}。",
        "设备安装调试完成并经{A}签字确认后{T}内支付合同金额的{R}。",
        "每批货物交付并验收合格后，{A}于{T}内支付该批货款的{R}。",
    ],
    "settlement": [
        "竣工结算款：工程竣工验收合格且结算审核完成后{T}内，支付至结算价款的{R}。",
        "尾款：服务成果验收合格后{T}内支付剩余的{R}。",
        "到货款：货物到达指定地点并经{A}验收合格后{T}内，支付至合同总价的{R}。",
        "工程竣工结算经审计确认后{T}内，{A}付至审定结算价的{R}。",
        "结算款：双方办理完毕结算手续后，{A}应在{T}内将结算金额的{R}支付给{B}。",
        "项目最终验收合格后，{A}一次性支付合同余款{M}。",
        "全部工作完成并经{A}书面确认后{T}内，累计支付至合同总额的{R}。",
        "结算总价以审计部门出具的审定金额为准，{A}在{D}前支付至审定金额的{R}。",
    ],
    "retention": [
        "质量保证金：质量保证金为结算价款的{R}，缺陷责任期为{T}，期满无质量问题后{T2}内无息返还。",
        "质保金：质保金为结算价款的{R}，质保期为{T}，期满无质量问题后{T2}内无息返还。",
        "{A}从每期应付款中按{R}的比例扣留质量保证金，保修期满{T}后无息退还。",
        "工程质量保修金为工程结算总价的{R}，保修期{T}，期满后{T2}内返还{B}。",
        "留取合同总价的{R}作为质保金，质保期满且无质量争议的，{A}在{T}内一次性付清。",
        "质量保证金按{R}预留，金额{M}，缺陷责任期自竣工验收之日起计算{T}。",
        "质保期为设备验收合格之日起{T}，质保金为合同金额的{R}。",
    ],
    "payment": [
        "{B}应在每次收款前向{A}开具等额合法有效的增值税专用发票。",
        "租金按月支付，{A}应于每月{T}前支付当月租金。",
        "{A}应于合同签订后{T}内支付设备押金{M}，租赁期满设备完好退还后无息返还。",
        "{A}通过银行转账方式将款项支付至{B}指定账户，账号：{ACC}。",
        "{B}收款账户名称为{P}，开户银行账号{ACC}。",
        "本合同价款以人民币结算，{A}应按约定时间足额付款。",
        "{A}付款前，{B}应提供相应金额的正式发票，否则{A}有权顺延付款。",
        "服务费按季度结算，{A}于每季度首月{T}内支付上一季度服务费{M}。",
        "合同总价：人民币{M}，大写金额以合同首页为准。",
        "收款单位：{B}；银行账号：{ACC}。",
        "{A}应于{D}前将首期款项汇入{B}账户（账号{ACC}）。",
        "款项应汇至{B}在银行开立的账户，账号为{ACC}，{A}以银行回单日期为付款日期。",
        "乙方指定收款账户如下：账号{ACC}，如账户变更应提前书面通知{A}。",
        "{A}须于{D}前付清全部款项，逾期按合同约定承担违约责任。",
        "合同款分两期支付，第一期于{D}前支付{M}，第二期于{D2}前支付剩余款项。",
        "双方确认{B}的收款账号为{ACC}，{A}应于{D}前将款项付至该账户。",
        "{B}应在{D}前提供收款账户信息（开户名：{P}，账号：{ACC}）。",
    ],
    "penalty": [
        "{A}逾期付款的，每日按应付未付款的{R}向{B}支付违约金。",
        "{B}逾期交付或工期延误的，应按合同约定承担违约责任。",
        "如{A}未按约定时间付款，每逾期一日，应按逾期金额的{R}向{B}支付滞纳金。",
        "逾期支付的，{A}应按日{R}的标准向{B}支付逾期付款违约金，直至付清为止。",
        "{B}延期交货的，每延期一天按合同总价的{R}支付违约金，但违约金总额不超过合同总价的{R2}。",
        "任何一方违反本合同约定，应赔偿对方因此遭受的全部损失，包括但不限于诉讼费、律师费。",
        "{A}迟延付款超过{T}的，{B}有权暂停施工，并要求{A}按每天{R}支付违约金。",
        "逾期付款违约金按照日{R}计算，自应付款之日起算。",
    ],
    "guarantee": [
        "{B}应于合同签订后{T}内向{A}提交合同价款{R}的履约保函。",
        "{P}为{A}在本合同项下的付款义务提供连带责任保证。",
        "{B}应向{A}缴纳合同价款{R}的履约保证金。",
        "{B}应在开工前提交由银行出具的金额为{M}的履约保函，有效期至{D}。",
        "为担保{A}的付款义务，{P}以其名下房产提供抵押担保。",
        "{P}自愿为本合同项下{A}的全部债务承担连带保证责任，保证期间为{T}。",
        "{A}应向{B}提供金额为{M}的银行支付保函。",
        "履约保证金在工程竣工验收合格后{T}内无息退还。",
    ],
    "assignment": [
        "未经{A}书面同意，{B}不得转让本合同项下的债权。",
        "{B}不得将本合同项下的应收账款转让、质押给任何第三方，否则{A}有权拒绝付款。",
        "{B}转让本合同项下的权利义务，须事先取得{A}的书面同意。",
        "{B}有权将本合同项下的应收账款转让给保理商，但应书面通知{A}。",
        "{A}同意{B}将本合同项下的应收账款转让给{P}，并配合办理转让登记。",
        "任何一方未经对方同意，不得将本合同的全部或部分权利转让给第三方。",
        "{B}可以将本合同项下的债权转让，无需{A}同意。",
        "经{A}同意后，{B}方可将合同项下的收款权利转让。",
    ],
    "dispute": [
        "因本合同引起的或与本合同有关的任何争议，双方应友好协商解决；协商不成的，任何一方均可提交{ARB}仲裁。",
        "因本合同引起的或与本合同有关的任何争议，双方应友好协商解决；协商不成的，任何一方均可向{COURT}提起诉讼。",
        "本合同履行过程中发生的争议，由双方协商解决，协商不成的，提交{ARB}按其仲裁规则进行仲裁。",
        "凡因本合同产生的纠纷，双方同意由{COURT}管辖。",
        "争议解决方式：向{COURT}起诉。",
        "双方发生争议的，应提请{ARB}仲裁，仲裁裁决是终局的，对双方均有约束力。",
        "本合同适用中华人民共和国法律，因履行本合同发生的争议由{COURT}诉讼解决。",
        "协商或调解不成的，任何一方可以将争议提交{ARB}，仲裁地点为{P}所在地。",
    ],
    "termination": [
        "一方严重违约致使合同目的无法实现的，守约方有权书面通知解除本合同。",
        "合同解除后，双方应按实际完成的工作量进行结算。",
        "{A}连续{T}未支付到期款项的，{B}有权解除合同并要求赔偿损失。",
        "本合同于{D}终止，双方应在终止后{T}内完成结算。",
        "经双方协商一致，可以提前终止本合同，并签订书面终止协议。",
        "因不可抗力致使合同无法履行超过{T}的，任何一方均有权解除本合同。",
        "{B}无正当理由停工超过{T}的，{A}有权单方解除合同。",
    ],
    "other": [
        "{A}应按约定及时提供施工场地、图纸及相关资料，并对其真实性负责。",
        "质量标准：符合国家现行验收规范及标准，达到合格等级。",
        "本合同自双方签字盖章之日起生效。",
        "本合同一式四份，甲乙双方各执两份，具有同等法律效力。",
        "计划开工日期：{D}；计划竣工日期：{D2}；工期总日历天数{T}。",
        "租赁期限自{D}起至{D2}止。",
        "双方对在履行本合同过程中知悉的对方商业秘密负有保密义务，未经对方书面同意不得向第三方披露。",
        "本合同项下的通知应以书面形式送达合同首部载明的地址，一方地址变更的应及时书面通知另一方。",
        "遭受不可抗力的一方应在不可抗力发生后{T}内通知对方，并在合理期限内提供证明。",
        "服务期限自{D}起至{D2}止，{B}应按{A}要求派驻项目负责人。",
        "{B}应遵守安全生产的法律法规，建立健全安全生产责任制度，确保施工安全。",
        "本合同签订日期为{D}，签订地点为{P}所在地。",
        "{B}应于{D}前完成全部供货并通知{A}验收。",
        "本合同有效期自{D}至{D2}。",
        "双方于{D}就本项目达成一致并签订本合同。",
        "{A}应在{D}之前向{B}提交施工图纸。",
    ],
}

SLOT_LABEL = {"A": "PARTY", "B": "PARTY", "P": "PARTY", "M": "MONEY", "D": "DATE", "D2": "DATE", "R": "RATE",
              "R2": "RATE", "T": "DURATION", "T2": "DURATION", "ACC": "ACCOUNT", "COURT": "COURT",
              "ARB": "ARBITRATION"}
CITIES = ["北京", "上海", "武汉", "广州", "深圳", "成都", "西安", "南京", "杭州", "郑州", "长沙", "重庆", "天津", "济南",
          "合肥", "福州", "昆明", "南昌", "沈阳", "青岛"]
DISTRICTS = ["江岸区", "洪山区", "朝阳区", "海淀区", "浦东新区", "天河区", "南山区", "武侯区", "雁塔区", "鼓楼区", "西湖区",
             "金水区", "岳麓区", "渝中区", "和平区", "历下区", "高新区", "经济技术开发区"]
TRADE = ["华晟", "中联", "鼎鑫", "宏达", "恒泰", "金桥", "瑞丰", "远洋", "天成", "博远", "新城", "汇通", "正信", "中恒",
         "嘉禾", "盛世", "永安", "同创", "聚源", "启航"]
INDUSTRY = ["建设工程", "建筑劳务", "钢铁贸易", "机械设备租赁", "信息技术", "商贸", "建材", "置业", "路桥工程", "环保科技",
            "物流", "电气设备", "混凝土", "装饰工程", "供应链管理"]
SUFFIX = ["有限公司", "有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
ROLES = [("甲方", "乙方"), ("发包人", "承包人"), ("买方", "卖方"), ("承租人", "出租人"), ("委托方", "受托方"),
         ("发包方", "承包方"), ("需方", "供方"), ("采购人", "供应商")]
CN_DIG = "零一二三四五六七八九"


def _cn_small(n: int) -> str:
    if n < 10:
        return CN_DIG[n]
    if n < 20:
        return "十" + (CN_DIG[n % 10] if n % 10 else "")
    return CN_DIG[n // 10] + "十" + (CN_DIG[n % 10] if n % 10 else "")


def _company(rng: random.Random) -> str:
    city = rng.choice(CITIES)
    name = f"{city}{rng.choice(TRADE)}{rng.choice(INDUSTRY)}{rng.choice(SUFFIX)}"
    if rng.random() < 0.15:
        name = f"{rng.choice(TRADE)}{rng.choice(INDUSTRY)}（{city}）{rng.choice(SUFFIX)}"
    if rng.random() < 0.1:
        name = f"中建{rng.choice('一二三四五六七八')}局第{rng.choice('一二三四五')}建设工程有限责任公司"
    return name


def _money(rng: random.Random) -> str:
    v = Decimal(rng.randint(1000, 90000000)) / (100 if rng.random() < 0.5 else 1)
    f = f"{v:,.2f}" if rng.random() < 0.6 else f"{v:.2f}"
    return rng.choice([f"人民币{f}元", f"¥{f}元", f"人民币¥{f}元", f"{f}元", f"人民币{int(v) // 10000 or 1}万元"])


def _date(rng: random.Random) -> str:
    y, m, d = rng.randint(2019, 2027), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{y}年{m:02d}月{d:02d}日", f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}.{m}.{d}"])


def _rate(rng: random.Random) -> str:
    p = rng.choice([3, 5, 10, 15, 20, 30, 40, 60, 70, 75, 80, 85, 90, 95, 97])
    return rng.choice([f"{p}%", f"{p}%", f"{p}％", f"百分之{_cn_small(p)}", rng.choice(["万分之五", "万分之三", "千分之一", "0.05%", "万分之二", "千分之二", "0.1%"])])


def _duration(rng: random.Random) -> str:
    n = rng.choice([3, 5, 7, 10, 14, 15, 28, 30, 56, 60, 90])
    unit = rng.choice(["天", "日", "个工作日", "日历天"])
    if rng.random() < 0.3:
        return rng.choice([f"{rng.choice([6, 12, 18, 24, 36])}个月", f"{rng.choice(['一', '两', '二', '三'])}年"])
    if rng.random() < 0.25:
        return f"{_cn_small(n)}{unit}"
    return f"{n}{unit}"


def _account(rng: random.Random) -> str:
    n = rng.choice([16, 17, 19, 20])
    s = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))
    return " ".join(s[i:i + 4] for i in range(0, n, 4)) if rng.random() < 0.2 else s


def _court(rng: random.Random) -> str:
    c = rng.choice(CITIES)
    return rng.choice([f"{c}市{rng.choice(DISTRICTS)}人民法院", f"{c}市中级人民法院", "合同签订地人民法院",
                       "甲方所在地人民法院", "工程所在地人民法院", f"{c}市{rng.choice(DISTRICTS)}人民法院"])


def _arb(rng: random.Random) -> str:
    c = rng.choice(CITIES)
    return rng.choice([f"{c}仲裁委员会", f"{c}仲裁委员会", "中国国际经济贸易仲裁委员会", "上海国际仲裁中心", "深圳国际仲裁院",
                       f"中国国际经济贸易仲裁委员会{rng.choice(['华南', '上海', '西南'])}分会"])


def fill(template: str, rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """The template's text with slots filled, and the (start, end, label) of each filled slot."""
    a, b = rng.choice(ROLES)
    if rng.random() < 0.5:
        a, b = b, a
    if rng.random() < 0.25:
        a = _company(rng)
    values = {"A": a, "B": b, "P": _company(rng), "M": _money(rng), "D": _date(rng), "D2": _date(rng), "R": _rate(rng),
              "R2": _rate(rng), "T": _duration(rng), "T2": _duration(rng), "ACC": _account(rng), "COURT": _court(rng),
              "ARB": _arb(rng)}
    text, ents, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos:m.start()]
        v = values[m.group(1)]
        ents.append((len(text), len(text) + len(v), SLOT_LABEL[m.group(1)]))
        text += v
        pos = m.end()
    text += template[pos:]
    return text, ents


def split_templates(holdout_every: int = 4) -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    """(train, held_out) lists of (class, template index, template): every n-th template of a class is held out.

    The first template of each class (the generator's own wording) always trains."""
    train, held = [], []
    for cls in CLASSES:
        for i, t in enumerate(TEMPLATES[cls]):
            (held if i % holdout_every == holdout_every - 1 else train).append((cls, i, t))
    return train, held


def examples(split: str, per_template: int, seed: int, holdout_every: int = 4) -> list[tuple[str, list, str]]:
    """(text, entities, class) sentences of a split: "train", "dev" (train templates, other fillers) or "heldout"."""
    train, held = split_templates(holdout_every)
    chosen = held if split == "heldout" else train
    rng = random.Random(f"{seed}:{split}")
    out = []
    for cls, _, t in chosen:
        for _ in range(per_template):
            text, ents = fill(t, rng)
            out.append((text, ents, cls))
    rng.shuffle(out)
    return out


def to_examples(nlp, rows: Iterable[tuple[str, list, str]]):  # type: ignore[no-untyped-def]
    from spacy.training import Example

    for text, ents, cls in rows:
        doc = nlp.make_doc(text)
        cats = {c: float(c == cls) for c in CLASSES}
        yield Example.from_dict(doc, {"entities": ents, "cats": cats})


def _register() -> None:
    import spacy

    @spacy.registry.readers("docintel.contract_templates.v1")
    def contract_templates(split: str, per_template: int, seed: int, holdout_every: int = 4) -> Callable:
        rows = examples(split, per_template, seed, holdout_every)

        def read(nlp):  # type: ignore[no-untyped-def]
            return to_examples(nlp, rows)

        return read


try:  # registering needs spaCy; the templates themselves do not
    _register()
except ImportError:  # pragma: no cover
    pass
