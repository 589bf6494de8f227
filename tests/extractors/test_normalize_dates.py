"""Dates to ISO YYYY-MM-DD."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractors.normalize import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年3月15日", "2024-03-15"),
        ("2024年03月15日", "2024-03-15"),
        ("2024年3月15号", "2024-03-15"),
        ("2024-03-15", "2024-03-15"),
        ("2024/3/15", "2024-03-15"),
        ("2024.03.15", "2024-03-15"),
        ("20240315", "2024-03-15"),
        ("２０２４年３月１５日", "2024-03-15"),
        ("２０２４－０３－１５", "2024-03-15"),
        ("2024 年 3 月 15 日", "2024-03-15"),
        ("2024 - 03 - 15", "2024-03-15"),
        (" 2024-03-15 ", "2024-03-15"),
        ("2024-03-15 10:23:45", "2024-03-15"),
        ("2024-03-15T10:23", "2024-03-15"),
        ("二〇二四年三月十五日", "2024-03-15"),
        ("二零二四年十二月三十一日", "2024-12-31"),
        ("二〇二四年一月一日", "2024-01-01"),
        ("2024年三月十五日", "2024-03-15"),
        ("贰零贰肆年零叁月壹拾伍日", "2024-03-15"),  # cheque style
        ("贰零贰肆年零壹拾月零贰拾日", "2024-10-20"),
        ("2024-02-29", "2024-02-29"),
    ],
)
def test_parse_date(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "20241301",
        "2024315",
        "2024/03-15",
        "2024年3月",
        "1899-01-01",
        "二〇二四年三月三十二日",
        "二〇二四年十三月一日",
        "2024-03-15 abc",
        "24-03-15",
    ],
)
def test_parse_date_refuses(text: str) -> None:
    assert parse_date(text) is None


def test_parse_date_non_str() -> None:
    assert parse_date(None) is None  # type: ignore[arg-type]
