"""Item names print as *税收分类*品名; OCR misreads or loses the asterisks, which are restored."""

from __future__ import annotations

import pytest

from extractors.fields.items import item_name


@pytest.mark.parametrize(("read", "want"), [
    ("*涂料*外墙涂料", "*涂料*外墙涂料"),
    ("·涂料*外墙涂料", "*涂料*外墙涂料"),
    ("×谷物×大米", "*谷物*大米"),
    ("运输服务*货物运输服务", "*运输服务*货物运输服务"),
    ("信息技术服务”系统运维服务", "*信息技术服务*系统运维服务"),
    ("焊接钢管", "焊接钢管"),
    ("螺纹钢 HRB400", "螺纹钢HRB400"),
])
def test_category_asterisks_restored(read, want):
    assert item_name(read) == want
