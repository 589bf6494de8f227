"""Capital numerals (大写金额): writing per the PBOC rules, parsing what documents print."""

from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractors.normalize import amount_to_words, words_to_amount

WRITTEN = [
    ("569520", "伍拾陆万玖仟伍佰贰拾圆整"),
    ("569520.00", "伍拾陆万玖仟伍佰贰拾圆整"),
    ("0", "零圆整"),
    ("0.50", "伍角整"),
    ("0.05", "伍分"),
    ("0.55", "伍角伍分"),
    ("0.01", "壹分"),
    ("1", "壹圆整"),
    ("1.10", "壹圆壹角整"),
    ("10", "壹拾圆整"),
    ("15", "壹拾伍圆整"),
    ("20.05", "贰拾圆零伍分"),
    ("1000.05", "壹仟圆零伍分"),
    ("10300", "壹万零叁佰圆整"),
    ("100050", "壹拾万零伍拾圆整"),
    ("100000001", "壹亿零壹圆整"),
    ("100000", "壹拾万圆整"),
    ("10010", "壹万零壹拾圆整"),
    ("1001000", "壹佰万零壹仟圆整"),
    ("100010000", "壹亿零壹万圆整"),
    ("10000000", "壹仟万圆整"),
    ("1409.50", "壹仟肆佰零玖圆伍角整"),
    ("6007.14", "陆仟零柒圆壹角肆分"),
    ("16409.02", "壹万陆仟肆佰零玖圆零贰分"),
    ("325.04", "叁佰贰拾伍圆零肆分"),
    ("1680.32", "壹仟陆佰捌拾圆叁角贰分"),
    ("107000.53", "壹拾万零柒仟圆伍角叁分"),
    ("1023405.67", "壹佰零贰万叁仟肆佰零伍圆陆角柒分"),
    ("1234567890.12", "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾圆壹角贰分"),
    ("100000000000", "壹仟亿圆整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖圆玖角玖分"),
    ("-1000", "负壹仟圆整"),
]


@pytest.mark.parametrize(("amount", "words"), WRITTEN)
def test_amount_to_words(amount: str, words: str) -> None:
    assert amount_to_words(Decimal(amount)) == words
    assert words_to_amount(words) == Decimal(amount).quantize(Decimal("0.01"))


def test_amount_to_words_accepts_str_float_int_and_rounds_half_up() -> None:
    assert amount_to_words("569520.00") == "伍拾陆万玖仟伍佰贰拾圆整"
    assert amount_to_words(569520) == "伍拾陆万玖仟伍佰贰拾圆整"
    assert amount_to_words(0.5) == "伍角整"
    assert amount_to_words("1.005") == "壹圆零壹分"
    assert amount_to_words("0.004") == "零圆整"


@pytest.mark.parametrize("bad", ["abc", "", "NaN"])
def test_amount_to_words_rejects_non_amounts(bad: str) -> None:
    with pytest.raises(ValueError):
        amount_to_words(bad)


PARSED = [
    # real strings from invoices and bank slips
    ("⊗伍拾陆万玖仟伍佰贰拾圆整", "569520.00"),
    ("ⓧ伍拾陆万玖仟伍佰贰拾圆整", "569520.00"),
    ("壹佰零贰万叁仟肆佰零伍圆陆角柒分", "1023405.67"),
    ("人民币（大写）：壹佰零贰万叁仟肆佰零伍圆陆角柒分", "1023405.67"),
    ("(大写)伍拾陆万玖仟伍佰贰拾元整", "569520.00"),
    ("RMB 壹佰圆整", "100.00"),
    ("人民币 伍拾陆万 玖仟伍佰贰拾元正", "569520.00"),
    ("价税合计（大写）⊗壹万零叁佰圆整", "10300.00"),
    ("（负数）壹仟圆整", "-1000.00"),
    ("负数壹仟圆整", "-1000.00"),
    # 元 / 圆, 整 / 正 / nothing
    ("伍拾陆万玖仟伍佰贰拾元", "569520.00"),
    ("伍拾陆万玖仟伍佰贰拾圆", "569520.00"),
    ("伍拾陆万", "560000.00"),
    # 零 placement, with and without the optional 零
    ("壹仟圆零伍分", "1000.05"),
    ("壹仟元零角伍分", "1000.05"),
    ("壹仟圆伍分", "1000.05"),
    ("壹万叁佰元整", "10300.00"),
    ("壹万零零叁佰元整", "10300.00"),
    ("壹仟陆佰捌拾圆零叁角贰分", "1680.32"),
    ("壹拾万柒仟圆伍角叁分", "107000.53"),
    ("壹亿零壹圆整", "100000001.00"),
    # 拾 at the start, 两, lowercase and mixed
    ("拾万元整", "100000.00"),
    ("拾伍圆整", "15.00"),
    ("壹亿拾万圆整", "100100000.00"),
    ("两千元正", "2000.00"),
    ("两万两千元", "22000.00"),
    ("五十六万九千五百二十元", "569520.00"),
    ("一百零二万三千四百零五元六角七分", "1023405.67"),
    ("伍拾六万玖千五佰贰拾元整", "569520.00"),
    ("十二", "12.00"),
    # traditional forms and Kangxi radicals from PDF text layers
    ("貳萬參仟圓整", "23000.00"),
    ("⼀百元", "100.00"),
    ("伍⻆整", "0.50"),
    # below one yuan and zero
    ("伍角", "0.50"),
    ("伍角整", "0.50"),
    ("伍分", "0.05"),
    ("零圆伍分", "0.05"),
    ("零元整", "0.00"),
    ("零圆整", "0.00"),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_words_to_amount(text: str, expected: str) -> None:
    assert words_to_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "整",
        "圆整",
        "元",
        "万",
        "千万",
        "hello",
        "569520.00",
        "壹佰伍",  # colloquial 150? refused, not guessed
        "壹万伍",
        "二〇二四",  # digit-by-digit, a year
        "伍伍",
        "伍佰伍佰",
        "壹亿万",
        "壹佰拾仟",
        "壹万贰万",
        "伍角伍角",
        "伍分伍角",
        "壹圆贰圆",
        "中建三局",
    ],
)
def test_words_to_amount_refuses_non_amounts(text: str) -> None:
    assert words_to_amount(text) is None


def test_words_to_amount_non_str() -> None:
    assert words_to_amount(None) is None  # type: ignore[arg-type]


_LOWER = str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟圆", "一二三四五六七八九十百千元")


def _random_amount(rng: random.Random) -> Decimal:
    digits = rng.randint(0, 12)
    yuan = rng.randrange(10**digits) if digits else 0
    if rng.random() < 0.5:  # many zeros inside: the hard cases for 零
        yuan = int("".join(c if rng.random() < 0.4 else "0" for c in str(yuan)))
    cents = rng.choice(
        [0, 0, rng.randrange(100), rng.randrange(10) * 10, rng.randrange(10)]
    )
    return Decimal(yuan) + Decimal(cents) / 100


def test_round_trip_random() -> None:
    """words_to_amount(amount_to_words(d)) == d for 2-place d in [0, 10^12)."""
    rng = random.Random(20240315)
    for _ in range(5000):
        d = _random_amount(rng).quantize(Decimal("0.01"))
        words = amount_to_words(d)
        assert words_to_amount(words) == d, (d, words)
        assert words_to_amount("⊗" + words.replace("圆", "元")) == d, (d, words)
        assert words_to_amount(words.translate(_LOWER)) == d, (d, words)


def test_round_trip_boundaries() -> None:
    cases = [10**k for k in range(12)] + [10**k - 1 for k in range(1, 13)]
    cases += [10**k + 1 for k in range(12)] + [10**4 * 10**k for k in range(8)]
    for yuan in cases:
        for cents in ("00", "01", "10", "99"):
            d = Decimal(f"{yuan}.{cents}")
            assert words_to_amount(amount_to_words(d)) == d, d
