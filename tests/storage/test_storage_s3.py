from __future__ import annotations

import hashlib
import uuid

import pytest

from pipeline.settings import Settings, StorageSettings
from storage.errors import InvalidKey, ObjectNotFound
from storage.objects import ObjectStore, S3Store, get_store, original_key


def _store(endpoint: str, bucket: str) -> S3Store:
    return S3Store(endpoint=endpoint, access_key="testing", secret_key="testing", bucket=bucket)


def test_bucket_created_on_start(s3_endpoint: str) -> None:
    bucket = f"docintel-{uuid.uuid4().hex[:8]}"
    store = _store(s3_endpoint, bucket)
    assert store.client.bucket_exists(bucket)
    _store(f"http://{s3_endpoint}", bucket)  # second start: bucket already there, no error


def test_s3_round_trip(s3_endpoint: str) -> None:
    store = _store(s3_endpoint, f"docintel-{uuid.uuid4().hex[:8]}")
    assert isinstance(store, ObjectStore)
    data = "价税合计".encode() * 5000
    key = original_key(hashlib.sha256(data).hexdigest())
    assert not store.exists(key)
    assert store.put(data, key, "application/pdf") == key
    assert store.exists(key)
    assert store.get(key) == data
    assert store.client.stat_object(store.bucket, key).content_type == "application/pdf"
    store.delete(key)
    store.delete(key)  # idempotent
    assert not store.exists(key)
    with pytest.raises(ObjectNotFound):
        store.get(key)
    with pytest.raises(InvalidKey):
        store.put(b"x", "../x")


def test_get_store_s3_when_endpoint_set(s3_endpoint: str) -> None:
    settings = Settings(
        storage=StorageSettings(
            s3_endpoint=s3_endpoint,
            s3_access_key="testing",
            s3_secret_key="testing",
            s3_bucket="docintel-cfg",
        )
    )
    store = get_store(settings)
    assert isinstance(store, S3Store)
    store.put(b"ok", "derived/x.json", "application/json")
    assert store.get("derived/x.json") == b"ok"
