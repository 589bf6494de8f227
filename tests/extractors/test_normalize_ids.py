"""Codes, numbers and tax ids (GB 32100-2015 check character)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractors.normalize import (
    normalize_code,
    normalize_tax_id,
    tax_id_kind,
    uscc_check_char,
    uscc_valid,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08675309", "08675309"),
        ("0867 5309", "08675309"),
        ("１２３４５６７８", "12345678"),
        ("1234-5678-9012", "123456789012"),
        ("No.12345678", "12345678"),
        ("No12345678", "12345678"),
        ("发票号码：0867 5309", "08675309"),
        ("1O3l", "1031"),
        ("O8675309", "08675309"),
        ("6222 O2l2 3456 I789", "6222021234561789"),
        ("ID12345", "12345"),
        ("abc", ""),
        ("O", ""),
        ("", ""),
    ],
)
def test_normalize_code(text: str, expected: str) -> None:
    assert normalize_code(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("9135 0100 m000 100y 43", "91350100M000100Y43"),
        ("91350100MOOO100Y43", "91350100M000100Y43"),  # O is not in the USCC alphabet
        ("9I350100M000100Y43", "91350100M000100Y43"),
        ("91420100177699788x", "91420100177699788X"),
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
        ("91350100S000100Y43", "91350100S000100Y43"),  # S left alone: fails the check
        ("42010O177699788", "420100177699788"),
        ("4201001776997AO", "4201001776997AO"),  # O kept in the organisation code part
        ("42010019800101123X01", "42010019800101123X01"),
    ],
)
def test_normalize_tax_id(text: str, expected: str) -> None:
    assert normalize_tax_id(text) == expected


def test_uscc_check_char() -> None:
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_check_char("91110000600037341") == "L"
    assert uscc_check_char("91420100177699788") == "0"
    with pytest.raises(ValueError):
        uscc_check_char("9135010OM000100Y4")
    with pytest.raises(ValueError):
        uscc_check_char("123")


def test_uscc_check_char_31_maps_to_0() -> None:
    """When the weighted sum is a multiple of 31 the check is 0, not index 31."""
    first17 = "00000000000000000"
    assert uscc_check_char(first17) == "0"
    assert uscc_valid(first17 + "0")


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("91350100M000100Y43", True),
        ("91110000600037341L", True),
        ("91350100m000100y43", True),
        ("91350100M000100Y44", False),
        (
            "91420100177699788X",
            False,
        ),  # the example in docs/records.md: check char should be 0
        ("914201001776997880", True),
        ("91350100MOOO100Y43", False),  # strict: repair with normalize_tax_id first
        ("9135010M000100Y43", False),
        ("", False),
    ],
)
def test_uscc_valid(code: str, valid: bool) -> None:
    assert uscc_valid(code) is valid


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("91350100M000100Y43", "uscc"),
        ("91350100M000100Y44", "uscc"),  # shape only; validity is uscc_valid
        ("420100177699788", "legacy15"),
        ("42010019800101123X01", "legacy20"),
        ("9135010OM000100Y43", "other"),
        ("12345", "other"),
        ("", "other"),
    ],
)
def test_tax_id_kind(code: str, kind: str) -> None:
    assert tax_id_kind(code) == kind
