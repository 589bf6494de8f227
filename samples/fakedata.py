"""Fake but plausible Chinese business data: companies, valid tax ids, banks, goods."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

# (province, city short, admin code, phone area code, districts)
REGIONS = [
    ("湖北", "武汉", "420103", "027", ["江汉区", "武昌区", "洪山区", "东西湖区", "汉阳区"]),
    ("北京", "北京", "110105", "010", ["朝阳区", "海淀区", "丰台区", "西城区"]),
    ("上海", "上海", "310115", "021", ["浦东新区", "徐汇区", "闵行区", "静安区"]),
    ("广东", "广州", "440106", "020", ["天河区", "越秀区", "番禺区", "黄埔区"]),
    ("广东", "深圳", "440305", "0755", ["南山区", "福田区", "宝安区", "龙岗区"]),
    ("浙江", "杭州", "330106", "0571", ["西湖区", "滨江区", "余杭区", "拱墅区"]),
    ("江苏", "南京", "320106", "025", ["鼓楼区", "建邺区", "江宁区", "玄武区"]),
    ("四川", "成都", "510107", "028", ["武侯区", "锦江区", "高新区", "青羊区"]),
    ("湖南", "长沙", "430104", "0731", ["岳麓区", "雨花区", "天心区", "开福区"]),
    ("山东", "济南", "370102", "0531", ["历下区", "市中区", "槐荫区", "历城区"]),
    ("河南", "郑州", "410105", "0371", ["金水区", "二七区", "中原区", "管城区"]),
    ("陕西", "西安", "610113", "029", ["雁塔区", "碑林区", "未央区", "长安区"]),
    ("重庆", "重庆", "500105", "023", ["江北区", "渝北区", "九龙坡区", "南岸区"]),
    ("天津", "天津", "120116", "022", ["滨海新区", "和平区", "河西区", "南开区"]),
    ("福建", "厦门", "350203", "0592", ["思明区", "湖里区", "集美区"]),
    ("安徽", "合肥", "340104", "0551", ["蜀山区", "包河区", "庐阳区"]),
]
TRADE_NAMES = ["华晟", "中联", "鼎鑫", "宏达", "恒泰", "金桥", "瑞丰", "远洋", "天成", "博远",
               "汇通", "长江", "楚天", "正和", "新纪元", "中铁", "荣盛", "安泰", "振华", "嘉禾",
               "聚源", "盛世", "明德", "锦程", "东方", "宇通", "海川", "信达", "泰和", "航宇"]
INDUSTRIES = ["建设工程", "建筑劳务", "钢铁贸易", "机械设备租赁", "信息技术", "商贸", "建材",
              "供应链管理", "物流", "电气设备", "市政工程", "装饰工程", "混凝土", "科技发展",
              "实业", "能源科技", "环保科技", "工程咨询", "置业", "路桥工程"]
SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞建国志文斌宇浩凯晨欣怡俊峰"
STREETS = ["建设大道", "解放路", "人民路", "中山大道", "光谷大道", "长江路", "黄河路", "新华路",
           "科技园路", "高新大道", "友谊大道", "和平大道", "金融街", "学院路"]
BANKS = [  # (full name, account length)
    ("中国工商银行", 19), ("中国建设银行", 20), ("中国农业银行", 19), ("中国银行", 18),
    ("招商银行", 16), ("交通银行", 19), ("中信银行", 19), ("兴业银行", 18), ("浦发银行", 17),
    ("民生银行", 16), ("光大银行", 17), ("华夏银行", 16), ("平安银行", 16),
]


# (category, name, specs, units, price range, rates, is_service)
GOODS = [
    ("建筑服务", "工程款", [None], [None, "项"], (50000, 2000000), [9, 3], True),
    ("建筑服务", "工程进度款", [None], [None, "项", "期"], (80000, 3000000), [9, 3], True),
    ("建筑服务", "劳务分包费", [None], [None, "项"], (20000, 600000), [9, 3], True),
    ("钢材", "螺纹钢", ["HRB400Φ12", "HRB400Φ16", "HRB400EΦ25", "HRB500Φ20"], ["吨"], (3300, 4600), [13], False),
    ("钢材", "热轧盘卷", ["HPB300Φ8", "HPB300Φ10"], ["吨"], (3500, 4500), [13], False),
    ("水泥", "普通硅酸盐水泥", ["P.O42.5", "P.O52.5"], ["吨"], (380, 620), [13], False),
    ("混凝土", "商品混凝土", ["C30", "C35", "C40P6"], ["立方米", "m³"], (360, 560), [3, 13], False),
    ("电线电缆", "电力电缆", ["YJV-3*95+1*50", "YJV22-4*120", "BV-2.5"], ["米", "m"], (15, 380), [13], False),
    ("金属制品", "焊接钢管", ["DN100", "DN50*3.5"], ["吨", "米"], (20, 5200), [13], False),
    ("建筑用砂石", "碎石", ["5-25mm", "10-30mm"], ["吨", "立方米"], (60, 140), [3, 1], False),
    ("木制品", "建筑模板", ["1830*915*15", "1220*2440*18"], ["张"], (40, 120), [13], False),
    ("经营租赁", "塔吊租赁费", ["QTZ80", "QTZ125"], ["月", "台·月"], (15000, 45000), [13], True),
    ("经营租赁", "挖掘机租赁费", ["PC200", "SY365H"], ["台班", "小时"], (300, 2600), [13], True),
    ("信息技术服务", "软件开发服务", [None, "V2.0"], [None, "项", "套"], (20000, 500000), [6], True),
    ("信息技术服务", "系统运维服务", [None], ["年", "月", None], (5000, 200000), [6], True),
    ("现代服务", "技术服务费", [None], [None, "项"], (3000, 300000), [6], True),
    ("现代服务", "工程咨询费", [None], [None, "项"], (10000, 400000), [6, 1], True),
    ("运输服务", "货物运输服务", [None], ["车次", "吨", None], (200, 50000), [9], True),
    ("计算机配套产品", "笔记本电脑", ["ThinkPad-T14", "MateBook-X"], ["台"], (4500, 12000), [13], False),
    ("办公设备", "激光打印机", ["M1136", "LBP2900"], ["台"], (900, 3800), [13], False),
    ("谷物", "大米", ["25kg/袋"], ["袋"], (90, 180), [9], False),
    ("涂料", "外墙涂料", ["20kg/桶"], ["桶"], (180, 600), [13], False),
]


def uscc_check(body17: str) -> str:
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(body17, USCC_WEIGHTS))
    v = 31 - total % 31
    return USCC_CHARS[0 if v == 31 else v]


def uscc_valid(code: str) -> bool:
    return (len(code) == 18 and all(ch in USCC_CHARS for ch in code)
            and uscc_check(code[:17]) == code[17])


def make_uscc(rng: random.Random, area: str | None = None) -> str:
    """A valid 18-char 统一社会信用代码 (GB 32100-2015), org code check (GB 11714) valid too."""
    dept, kind = rng.choice([("9", "1"), ("9", "1"), ("9", "1"), ("9", "2"), ("1", "2"), ("5", "2")])
    area = area or rng.choice(REGIONS)[2]
    alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org8 = "".join(rng.choice("0123456789") if k < 2 or rng.random() < 0.75 else rng.choice(alnum)
                   for k in range(8))
    s = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(org8, ORG_WEIGHTS))
    c9 = 11 - s % 11
    org9 = org8 + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    body = dept + kind + area + org9
    return body + uscc_check(body)


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def region(rng: random.Random):
    return rng.choice(REGIONS)


def company_name(rng: random.Random, reg=None, industry: str | None = None) -> str:
    reg = reg or region(rng)
    trade = rng.choice(TRADE_NAMES)
    ind = industry or rng.choice(INDUSTRIES)
    r = rng.random()
    if r < 0.12:
        return f"中建{rng.choice('一二三四五七八')}局第{rng.choice('一二三四五')}建设工程有限责任公司"
    if r < 0.22:
        return f"{trade}{ind}（{reg[1]}）有限公司"
    if r < 0.32:
        return f"{reg[0]}省{trade}{ind}{rng.choice(SUFFIXES)}" if reg[0] != reg[1] else \
            f"{reg[1]}市{trade}{ind}{rng.choice(SUFFIXES)}"
    return f"{reg[1]}{trade}{ind}{rng.choice(SUFFIXES)}"


def address(rng: random.Random, reg) -> str:
    return f"{reg[1]}市{rng.choice(reg[4])}{rng.choice(STREETS)}{rng.randint(1, 999)}号"


def phone(rng: random.Random, reg) -> str:
    n = 7 if len(reg[3]) == 4 else 8
    return f"{reg[3]}-{rng.randint(10 ** (n - 1) * 2, 10 ** n - 1)}"


def mobile(rng: random.Random) -> str:
    return rng.choice(["13", "15", "18", "17"]) + "".join(rng.choice("0123456789") for _ in range(9))


def bank_account(rng: random.Random, length: int | None = None) -> str:
    length = length or rng.randint(16, 19)
    length = max(16, min(19, length))
    return str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(length - 1))


def bank_branch(rng: random.Random, reg, bank: str | None = None) -> tuple[str, int]:
    name, acc_len = next((b for b in BANKS if b[0] == bank), None) or rng.choice(BANKS)
    district = rng.choice(reg[4]).rstrip("区")
    kind = rng.choice(["支行", "支行", "分行营业部", "营业部"])
    if kind == "支行":
        return f"{name}{reg[1]}{district}{kind}", acc_len
    return f"{name}{reg[1]}{kind}", acc_len


def make_company(rng: random.Random, industry: str | None = None) -> dict:
    reg = region(rng)
    bank, acc_len = bank_branch(rng, reg)
    return {
        "name": company_name(rng, reg, industry),
        "tax_id": make_uscc(rng, reg[2]),
        "address": address(rng, reg),
        "phone": phone(rng, reg),
        "bank": bank,
        "account": bank_account(rng, acc_len),
        "region": reg,
        "legal_rep": person(rng),
    }


def rand_date(rng: random.Random, start=dt.date(2022, 1, 1), end=dt.date(2025, 6, 30)) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def digits(rng: random.Random, n: int, lead_nonzero: bool = True) -> str:
    first = rng.choice("123456789") if lead_nonzero else rng.choice("0123456789")
    return first + "".join(rng.choice("0123456789") for _ in range(n - 1))


def rand_decimal(rng: random.Random, lo: float, hi: float, places: int = 2) -> Decimal:
    q = Decimal(1).scaleb(-places)
    return (Decimal(str(rng.uniform(lo, hi)))).quantize(q)
