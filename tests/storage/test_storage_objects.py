from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.settings import Settings
from storage.errors import InvalidKey, ObjectNotFound
from storage.objects import LocalStore, ObjectStore, check_key, get_store, original_key

SHA = hashlib.sha256(b"x").hexdigest()


def test_original_key() -> None:
    assert original_key(SHA.upper()) == f"originals/{SHA[:2]}/{SHA}"
    with pytest.raises(InvalidKey):
        original_key("../etc")


def test_local_round_trip(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    assert isinstance(store, ObjectStore)
    key = original_key(SHA)
    assert not store.exists(key)
    assert store.put("发票".encode() * 1000, key, "application/pdf") == key
    assert store.exists(key)
    assert store.get(key) == "发票".encode() * 1000
    assert (tmp_path / "objects" / "originals" / SHA[:2] / SHA).is_file()
    store.put(b"v2", key)  # overwrite in place
    assert store.get(key) == b"v2"
    assert not [p for p in (tmp_path / "objects").rglob("*") if p.name.startswith(".tmp-")]
    store.delete(key)
    store.delete(key)  # idempotent
    assert not store.exists(key)
    with pytest.raises(ObjectNotFound):
        store.get(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../x",
        "a/../../x",
        "a/..",
        "/etc/passwd",
        "a//b",
        "./a",
        "a\\..\\b",
        "C:/x",
        "a/./b",
    ],
)
def test_local_rejects_escaping_keys(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "objects")
    with pytest.raises(InvalidKey):
        store.put(b"x", key)
    with pytest.raises(InvalidKey):
        store.get(key)
    with pytest.raises(InvalidKey):
        check_key(key)
    assert not (tmp_path / "x").exists()


def test_local_rejects_symlink_escape(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "objects"
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    store = LocalStore(root)
    with pytest.raises(InvalidKey):
        store.put(b"x", "link/evil")
    assert not (outside / "evil").exists()


def test_get_store_local_by_default(tmp_path: Path) -> None:
    store = get_store(Settings(home=tmp_path))
    assert isinstance(store, LocalStore)
    assert store.root == (tmp_path / "objects").resolve()
