"""Text folding and name spaces."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractors.normalize import normalize_text, strip_inner_spaces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("⼦公司", "子公司"),  # U+2F26 KANGXI RADICAL CHILD
        ("⼀⼆⼗", "一二十"),
        ("伍⻆整", "伍角整"),  # U+2EC6, not folded by NFKC
        ("⻓江⻔", "长江门"),
        ("￥１２３．４５", "¥123.45"),
        ("（小写）", "（小写）"),
        ("１３％", "13%"),
        ("ＡＢＣ", "ABC"),
        ("a\u200bb\u200c\u200dc\ufeffd\u2060e\u00adf", "abcdef"),
        ("中\u3000国", "中 国"),
        ("", ""),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中建三局 第一建设工程有限责任公司", "中建三局第一建设工程有限责任公司"),
        (" 中 建 三 局\u3000第一建设 ", "中建三局第一建设"),
        ("中建\u200b三局", "中建三局"),
        ("ABC  Co.,  Ltd.", "ABC Co., Ltd."),
        ("西门子 Siemens  Ltd. 中国", "西门子Siemens Ltd.中国"),
        ("（北京）有限公司", "（北京）有限公司"),
    ],
)
def test_strip_inner_spaces(text: str, expected: str) -> None:
    assert strip_inner_spaces(text) == expected
