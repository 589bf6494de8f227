"""Object store for original bytes and derived artefacts: a local folder or MinIO/S3.

Keys are ``/``-separated relative paths (``originals/ab/ab12...``). Both stores validate
keys the same way, so a key that works embedded also works against S3 and vice versa.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import urlsplit

from storage.errors import InvalidKey, ObjectNotFound

if TYPE_CHECKING:
    from minio import Minio

    from pipeline.settings import Settings

DEFAULT_CONTENT_TYPE = "application/octet-stream"

#: S3 error codes that mean "no such object" (stat_object answers a HEAD, hence no body/code).
_MISSING_CODES = frozenset({"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"})


@runtime_checkable
class ObjectStore(Protocol):
    """Bytes by key. ``get`` of a missing key raises ``ObjectNotFound``; ``delete`` is idempotent."""

    def put(self, data: bytes, key: str, content_type: str = DEFAULT_CONTENT_TYPE) -> str: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


def original_key(sha256: str) -> str:
    """Key of an original file: ``originals/<sha[:2]>/<sha>`` (sha256 hex, lower-cased)."""
    sha = sha256.strip().lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise InvalidKey(f"not a sha256 hex digest: {sha256!r}")
    return f"originals/{sha[:2]}/{sha}"


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative key, else raise ``InvalidKey``."""
    if not key or not isinstance(key, str):
        raise InvalidKey("empty object key")
    if "\\" in key or "\x00" in key:
        raise InvalidKey(f"object key has a backslash or NUL: {key!r}")
    if key.startswith("/") or (len(key) > 1 and key[1] == ":"):
        raise InvalidKey(f"object key is absolute: {key!r}")
    parts = key.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise InvalidKey(f"object key has an empty, '.' or '..' segment: {key!r}")
    return key


class LocalStore:
    """Objects as files under ``root``; writes are atomic (temp file in the same folder + ``os.replace``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def path(self, key: str) -> Path:
        """The file for ``key``; raises ``InvalidKey`` if it would lie outside ``root``."""
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise InvalidKey(f"object key escapes the store root: {key!r}")
        return path

    def put(self, data: bytes, key: str, content_type: str = DEFAULT_CONTENT_TYPE) -> str:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink()
        except (FileNotFoundError, NotADirectoryError):
            pass


def _split_endpoint(endpoint: str, secure: bool) -> tuple[str, bool]:
    """``http(s)://host:port[/]`` or ``host:port`` → (``host:port``, secure); a scheme wins over ``secure``."""
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ValueError(f"S3 endpoint must be host[:port] or http(s)://host[:port]: {endpoint!r}")
        return parts.netloc, parts.scheme == "https"
    return endpoint.rstrip("/"), secure


class S3Store:
    """Objects in one MinIO/S3 bucket (created on start if missing), via the ``minio`` client."""

    def __init__(
        self,
        *,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        region: str | None = None,
        client: Minio | None = None,
    ) -> None:
        from minio import Minio
        from minio.error import S3Error

        host, secure = _split_endpoint(endpoint, secure)
        self.bucket = bucket
        self.endpoint = host
        self.client: Minio = client or Minio(
            host,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
        )
        if not self.client.bucket_exists(bucket):
            try:
                self.client.make_bucket(bucket)
            except S3Error as err:  # another worker created it between the two calls
                if err.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def __repr__(self) -> str:
        return f"S3Store(endpoint={self.endpoint!r}, bucket={self.bucket!r})"

    def put(self, data: bytes, key: str, content_type: str = DEFAULT_CONTENT_TYPE) -> str:
        self.client.put_object(
            self.bucket,
            check_key(key),
            io.BytesIO(data),
            len(data),
            content_type=content_type,
        )
        return key

    def get(self, key: str) -> bytes:
        from minio.error import S3Error

        try:
            response = self.client.get_object(self.bucket, check_key(key))
        except S3Error as err:
            if err.code in _MISSING_CODES:
                raise ObjectNotFound(key) from None
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, check_key(key))
        except S3Error as err:
            if err.code in _MISSING_CODES:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, check_key(key))


def get_store(settings: Settings) -> ObjectStore:
    """S3/MinIO when ``settings.storage.s3_endpoint`` is set, else ``LocalStore(<home>/objects)``."""
    s = settings.storage
    if s.s3_endpoint:
        return S3Store(
            endpoint=s.s3_endpoint,
            access_key=s.s3_access_key,
            secret_key=s.s3_secret_key,
            bucket=s.s3_bucket,
            secure=s.s3_secure,
        )
    return LocalStore(settings.home_dir / "objects")
