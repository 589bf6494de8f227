"""Money in figures, rates, plain decimals: the contract forms of docs/records.md."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractors.normalize import (
    canonical_decimal,
    format_money,
    parse_money,
    parse_rate,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥569,520.00", "569520.00"),
        ("￥569,520.00", "569520.00"),
        ("569520", "569520.00"),
        ("（小写）¥569520.00", "569520.00"),
        ("(小写)￥569520.00", "569520.00"),
        ("CNY 1,000.5", "1000.50"),
        ("RMB1,000.00元", "1000.00"),
        ("人民币100元", "100.00"),
        ("１２３，４５６．７８", "123456.78"),
        ("￥ 569 520 . 00", "569520.00"),
        ("569\u200b520.00", "569520.00"),
        ("-1,234.50", "-1234.50"),
        ("−1,234.50", "-1234.50"),
        ("（-）1,234.50", "-1234.50"),
        ("¥-1,234.50", "-1234.50"),
        ("(1,234.50)", "-1234.50"),
        ("负1234.5", "-1234.50"),
        ("569.52万元", "5695200.00"),
        ("1.2亿元", "120000000.00"),
        (".5", "0.50"),
        ("12.", "12.00"),
        ("1.005", "1.01"),
        ("0.00", "0.00"),
    ],
)
def test_parse_money(text: str, expected: str) -> None:
    value = parse_money(text)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "¥",
        "元",
        "abc",
        "1,23",
        "12,34.00",
        "1.2.3",
        "12 元 34",
        "伍佰元",
        "1e3",
        "--5",
    ],
)
def test_parse_money_refuses(text: str) -> None:
    assert parse_money(text) is None


def test_parse_money_non_str() -> None:
    assert parse_money(None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal(569520), "569520.00"),
        (Decimal("569520.005"), "569520.01"),
        (Decimal("0.125"), "0.13"),
        (Decimal("-1234.5"), "-1234.50"),
        (Decimal("-0.001"), "0.00"),
        (Decimal("1E+6"), "1000000.00"),
        (1234567890123, "1234567890123.00"),
        ("12.3", "12.30"),
        (1.005, "1.01"),
    ],
)
def test_format_money(value: object, expected: str) -> None:
    assert format_money(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13%", "0.13"),
        ("6％", "0.06"),
        ("9 %", "0.09"),
        ("0.13", "0.13"),
        ("13", "0.13"),
        ("1%", "0.01"),
        ("1.5%", "0.015"),
        ("0%", "0"),
        ("100%", "1"),
        ("免税", "0"),
        ("不征税", "0"),
        ("免征", "0"),
        ("万分之五", "0.0005"),
        ("千分之一", "0.001"),
        ("百分之十三", "0.13"),
        ("万分之二点一", "0.00021"),
        ("万分之0.5", "0.00005"),
        ("千分之1", "0.001"),
        ("3‰", "0.003"),
        ("5‱", "0.0005"),
        ("税率：13%", "0.13"),
    ],
)
def test_parse_rate(text: str, expected: str) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize(
    "text", ["", "***", "abc", "150%", "-3%", "千分之", "万分之伍伍", "%", "13%%"]
)
def test_parse_rate_refuses(text: str) -> None:
    assert parse_rate(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.00", "12"),
        ("1327.433628", "1327.433628"),
        ("1,200.50", "1200.5"),
        ("１２", "12"),
        ("100", "100"),
        ("0.000", "0"),
        ("-0.0", "0"),
        ("-3", "-3"),
        (".5", "0.5"),
        ("0.00000001", "0.00000001"),
        ("1000000000000", "1000000000000"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1.20"), "1.2"),
        (7, "7"),
    ],
)
def test_canonical_decimal(text: object, expected: str) -> None:
    result = canonical_decimal(text)  # type: ignore[arg-type]
    assert result == expected
    assert "E" not in result and "e" not in result


@pytest.mark.parametrize(
    "text", ["", "abc", "1e3", "1,2", "12kg", None, Decimal("NaN")]
)
def test_canonical_decimal_refuses(text: object) -> None:
    assert canonical_decimal(text) is None  # type: ignore[arg-type]
