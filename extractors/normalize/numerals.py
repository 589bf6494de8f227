"""Chinese capital numerals (大写金额) both ways, as printed on invoices and receipts.

Writing follows 中国人民银行《正确填写票据和结算凭证的基本规定》 in the form the
VAT invoice systems print: 圆 (not 元); 整 after 圆 or 角 when there is no 分;
one 零 for each run of zeros between non-zero integer digits (壹万零叁佰圆整,
壹拾万零伍拾圆整, 壹亿零壹圆整); 零 after 圆 when 角 is 0 but 分 is not
(壹仟圆零伍分); nothing before 角/分 below one yuan (伍角整, 伍分); 10-19 is
壹拾…; zero is 零圆整. Where the standard leaves 零 optional we write it between
integer digits (壹拾万零柒仟圆) and not after a 圆 that follows a zero
(壹仟陆佰捌拾圆叁角贰分); the parser accepts either form, so compare amounts, not strings.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .text import normalize_text

_CENT = Decimal("0.01")
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def _group_words(group: int) -> str:
    """0 < group < 10000 in capitals, zeros inside the group as one 零."""
    out: list[str] = []
    pending_zero = False
    for pos in (3, 2, 1, 0):
        d = group // 10**pos % 10
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def _integer_words(n: int) -> str:
    """n > 0 in capitals; a zero run across 万/亿 boundaries is one 零."""
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_GROUP_UNITS):
        raise ValueError("amount too large for capital numerals")
    out: list[str] = []
    zero_before = False  # zeros seen since the last digit written
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            zero_before = bool(out)
            continue
        if out and (zero_before or g < 1000):
            out.append("零")
        out.append(_group_words(g) + _GROUP_UNITS[idx])
        zero_before = g % 10 == 0
    return "".join(out)


def amount_to_words(amount: Decimal | str | float) -> str:
    """569520.00 -> 伍拾陆万玖仟伍佰贰拾圆整 (the 圆 form printed on VAT invoices).

    Rounds half-up to the cent; a negative amount (red-letter invoice) gets 负.
    """
    try:
        value = Decimal(str(amount))
        if not value.is_finite():
            raise InvalidOperation
        value = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    sign = "负" if value < 0 else ""
    cents = int(abs(value) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零圆整"
    out = _integer_words(yuan) + "圆" if yuan else ""
    if jiao:
        out += _DIGITS[jiao] + "角" + (_DIGITS[fen] + "分" if fen else "整")
    elif fen:
        out += ("零" if yuan else "") + _DIGITS[fen] + "分"
    else:
        out += "整"
    return sign + out


# ---------------------------------------------------------------- parsing

_DIGIT_VALUE = {
    **{c: 0 for c in "零〇○Ｏ"},
    **{c: 1 for c in "壹壱一"},
    **{c: 2 for c in "贰貳弍二两兩"},
    **{c: 3 for c in "叁參叄三"},
    **{c: 4 for c in "肆四"},
    **{c: 5 for c in "伍五"},
    **{c: 6 for c in "陆陸六"},
    **{c: 7 for c in "柒七"},
    **{c: 8 for c in "捌八"},
    **{c: 9 for c in "玖九"},
    **{str(i): i for i in range(10)},
}
_SMALL_UNIT_VALUE = {
    **dict.fromkeys("拾十", 10),
    **dict.fromkeys("佰百陌", 100),
    **dict.fromkeys("仟千阡", 1000),
}
_BIG_UNIT_VALUE = {**dict.fromkeys("万萬", 10**4), **dict.fromkeys("亿億", 10**8)}
_YUAN = "圆圓元"

# Marks and labels printed around the words: ⊗/ⓧ (NFKC gives "x") before the
# 价税合计 words, (大写), currency names. Longest first.
_PREFIXES = sorted(
    (
        "人民币",
        "人民幣",
        "RMB",
        "CNY",
        "(大写)",
        "大写",
        "(大寫)",
        "大寫",
        "金额",
        "合计",
        "价税合计",
        ":",
        "¥",
        "⊗",
        "⊕",
        "×",
        "x",
        "X",
        "☒",
        "✕",
        "✖",
        "(",
        ")",
        "-",
        "负数",
        "负",
        "(负数)",
    ),
    key=len,
    reverse=True,
)
_NEG_PREFIXES = ("(负数)", "负数", "负", "-")
_DIGIT_CLASS = "".join(_DIGIT_VALUE)
_FRACTION = re.compile(
    rf"^零?(?:(?P<jiao>[{_DIGIT_CLASS}])角)?零?(?:(?P<fen>[{_DIGIT_CLASS}])分)?$"
)


def _parse_integer(text: str) -> int | None:
    """Capital or lowercase integer numerals with units, strictly: digits must be
    followed by a unit (or be last), units must descend. 拾 alone counts as 壹拾."""
    if not text:
        return None
    total = 0  # everything at or above the last 亿
    wan_part = 0  # the section closed by 万 since the last 亿
    section = 0  # below 万
    digit: int | None = None
    after_zero = False
    last_small = 10**4
    seen_wan = seen_yi = False
    has_value = False
    for ch in text:
        if ch in _DIGIT_VALUE:
            d = _DIGIT_VALUE[ch]
            if d == 0:
                if digit is not None:  # 伍零: digit-by-digit reading, not an amount
                    return None
                after_zero = True
                continue
            if digit is not None:
                return None
            digit = d
            has_value = True
        elif ch in _SMALL_UNIT_VALUE:
            u = _SMALL_UNIT_VALUE[ch]
            if digit is None:
                if u != 10:
                    return None
                digit = 1  # 拾万 = 壹拾万
                has_value = True
            if u >= last_small:
                return None
            section += digit * u
            last_small = u
            digit = None
            after_zero = False
        elif ch in _BIG_UNIT_VALUE:
            section += digit or 0
            digit = None
            if _BIG_UNIT_VALUE[ch] == 10**4:
                if seen_wan or section == 0:
                    return None
                wan_part, seen_wan = section, True
            else:
                if seen_yi or (section == 0 and wan_part == 0 and total == 0):
                    return None
                total = (total + wan_part * 10**4 + section) * 10**8
                wan_part, seen_wan, seen_yi = 0, False, True
            section = 0
            last_small = 10**4
            after_zero = False
        else:
            return None
    if digit is not None:
        # A bare last digit must be the units (壹佰零伍, 壹佰伍拾伍); colloquial
        # 壹佰伍 (150) and 壹万伍 (15000) are refused rather than guessed.
        if last_small != 10 and not after_zero and (section or wan_part or total):
            return None
        section += digit
    if not has_value and not after_zero:
        return None
    return total + wan_part * 10**4 + section


def _strip_decorations(s: str) -> tuple[str, bool]:
    negative = False
    changed = True
    while changed and s:
        changed = False
        for p in _PREFIXES:
            if s.startswith(p):
                negative = negative or p in _NEG_PREFIXES
                s = s[len(p) :]
                changed = True
                break
    while s and s[-1] in "整正)":
        s = s[:-1]
    return s, negative


def words_to_amount(text: str) -> Decimal | None:
    """伍拾陆万玖仟伍佰贰拾圆整 -> Decimal("569520.00"); None if not an amount.

    Accepts what surrounds the words on real documents (⊗, ⓧ, 人民币, (大写),
    RMB, 负数), 元 or 圆, 整 or 正, optional 零, lowercase and mixed numerals, 两,
    拾 without 壹. Ambiguous colloquial forms (壹佰伍, 二〇二四) give None.
    """
    if not isinstance(text, str):
        return None
    s = re.sub(r"\s+", "", normalize_text(text, keep_punct=False))
    s, negative = _strip_decorations(s)
    if not s:
        return None
    cut = max(s.rfind(y) for y in _YUAN)
    if cut >= 0:
        int_text, frac_text = s[:cut], s[cut + 1 :]
        if not int_text:
            return None
    else:
        m = re.search(r"(?:[^角分]角)?零?(?:[^角分]分)?$", s)
        if not m or not m.group(0):
            int_text, frac_text = s, ""
        else:
            int_text, frac_text = s[: m.start()], m.group(0)
    fm = _FRACTION.match(frac_text)
    if not fm:
        return None
    if int_text.strip("零〇○") == "":
        yuan = 0
        if not int_text and not (fm.group("jiao") or fm.group("fen")):
            return None
    else:
        parsed = _parse_integer(int_text)
        if parsed is None:
            return None
        yuan = parsed
    jiao = _DIGIT_VALUE[fm.group("jiao")] if fm.group("jiao") else 0
    fen = _DIGIT_VALUE[fm.group("fen")] if fm.group("fen") else 0
    value = (Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100).quantize(_CENT)
    return -value if negative and value else value
