"""Where uploaded files live: one small interface, `DocumentStore`, and two stores chosen by `STORAGE_BACKEND` in the
app factory (`init_app`).

- `LocalDiskStore` (`local`, the default): files in `UPLOAD_FOLDER`, outside the web root, written atomically (a
  temporary file renamed into place, so a reader never sees half a file). For one app server, or several sharing
  one mounted folder.
- `S3Store` (`s3`): any S3-compatible object store (AWS S3, MinIO, Ceph, ...) through the official `boto3` client:
  `S3_BUCKET`, `S3_ENDPOINT_URL` (empty for AWS), `S3_REGION`, `S3_PREFIX`; credentials come from boto3's own chain
  (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, a profile, an instance role), never from the portal's config. With it
  the app servers keep no file of their own: any of them serves any document.

Keys are made by `portal/uploads.py` (48 random hex digits), never from anything a person typed; every store refuses
any other shape, so a key can't name a path or another prefix. The checks of what a file is, the records that name
it, who may read it and the recording of reads stay where they were (`portal/uploads.py`, the loaders, the views).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

KEY = re.compile(r"[0-9a-f]{48}")
# What an interrupted atomic write leaves in the local folder (removed with the orphans).
_PARTIAL = re.compile(r"\.[0-9a-f]{48}\..+\.partial")
BACKENDS = ("local", "s3")


class StorageUnavailable(Exception):
    """The store could not be reached, or refused the operation (never "there is no such file": that is
    FileNotFoundError)."""


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise FileNotFoundError(key)
    return key


@dataclass
class StoredObject:
    """An open stored file: read it, or hand `stream` to `send_file` (which closes it)."""

    stream: BinaryIO
    size: int

    def read(self) -> bytes:
        try:
            return self.stream.read()
        finally:
            self.stream.close()


class DocumentStore(Protocol):
    def put(self, key: str, data: bytes | BinaryIO, content_type: str) -> None:
        """Store the whole file under `key`, or nothing (StorageUnavailable)."""

    def open(self, key: str) -> StoredObject:
        """The file to read; FileNotFoundError when there is none under `key`."""

    def get(self, key: str) -> bytes:
        """The file's bytes; FileNotFoundError when there is none under `key`."""

    def delete(self, key: str) -> None:
        """Remove the file; nothing happens when it is already gone."""

    def exists(self, key: str) -> bool: ...

    def keys_older_than(self, moment: datetime) -> Iterator[str]:
        """Every key stored before `moment` (and, locally, what interrupted writes left), for `remove-orphan-files`."""


def _as_bytes(data: bytes | BinaryIO) -> bytes:
    return data if isinstance(data, bytes | bytearray | memoryview) else data.read()


class LocalDiskStore:
    """Files in a folder of this machine (or a mount all app servers share)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self._folder = Path(folder) if folder is not None else None

    @property
    def folder(self) -> Path:
        # Without a folder of its own it follows the app's UPLOAD_FOLDER as configured at the time of the call.
        return self._folder if self._folder is not None else Path(current_app.config["UPLOAD_FOLDER"])

    def path(self, key: str) -> Path:
        return self.folder / check_key(key)

    def put(self, key: str, data: bytes | BinaryIO, content_type: str) -> None:
        final = self.path(key)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=final.parent, prefix=f".{key}.", suffix=".partial")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(_as_bytes(data))
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(partial, final)  # atomic: readers see no file or the whole file
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise StorageUnavailable(f"could not write {key} in {final.parent}: {error}") from error

    def open(self, key: str) -> StoredObject:
        path = self.path(key)
        try:
            file = open(path, "rb")  # noqa: SIM115 (closed by send_file's response, or by StoredObject.read)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise FileNotFoundError(key) from None
        except OSError as error:
            raise StorageUnavailable(f"could not read {key}: {error}") from error
        return StoredObject(stream=file, size=os.fstat(file.fileno()).st_size)

    def get(self, key: str) -> bytes:
        return self.open(key).read()

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink(missing_ok=True)
        except OSError as error:
            raise StorageUnavailable(f"could not delete {key}: {error}") from error

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except FileNotFoundError:  # not a key
            return False

    def keys_older_than(self, moment: datetime) -> Iterator[str]:
        folder = self.folder
        if not folder.is_dir():
            return
        cutoff = moment.timestamp()
        for entry in os.scandir(folder):
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime >= cutoff:
                continue
            if KEY.fullmatch(entry.name):
                yield entry.name
            elif _PARTIAL.fullmatch(entry.name):
                Path(entry.path).unlink(missing_ok=True)  # an interrupted write, never referenced by anything


class S3Store:
    """Objects in one bucket (under an optional prefix) of an S3-compatible store, through boto3."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None, prefix: str = "",
                 addressing_style: str = "auto", server_side_encryption: str = "") -> None:
        self.bucket = bucket
        self.prefix = prefix
        self._client_options = {"endpoint_url": endpoint_url or None, "region_name": region or None}
        self._addressing_style = addressing_style
        self._put_options = {"ServerSideEncryption": server_side_encryption} if server_side_encryption else {}
        self._client = None
        self._lock = threading.Lock()

    @property
    def client(self):
        """Made on first use, in the process that uses it (gunicorn forks workers after the app factory ran).
        A boto3 client is thread-safe; its session is not, so each store makes its own."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3
                    from botocore.config import Config

                    config = Config(s3={"addressing_style": self._addressing_style},
                                    retries={"mode": "standard", "max_attempts": 3},
                                    connect_timeout=5, read_timeout=30)
                    self._client = boto3.session.Session().client("s3", config=config, **self._client_options)
        return self._client

    def object_key(self, key: str) -> str:
        return f"{self.prefix}{check_key(key)}"

    def put(self, key: str, data: bytes | BinaryIO, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        body = _as_bytes(data)
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=body, ContentType=content_type,
                                   ContentLength=len(body), **self._put_options)
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(f"could not store {key} in bucket {self.bucket}: {error}") from error

    def open(self, key: str) -> StoredObject:
        from botocore.exceptions import BotoCoreError, ClientError

        object_key = self.object_key(key)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=object_key)
        except ClientError as error:
            if _is_missing(error):
                raise FileNotFoundError(key) from None
            raise StorageUnavailable(f"could not read {key} from bucket {self.bucket}: {error}") from error
        except BotoCoreError as error:
            raise StorageUnavailable(f"could not read {key} from bucket {self.bucket}: {error}") from error
        return StoredObject(stream=answer["Body"], size=answer["ContentLength"])

    def get(self, key: str) -> bytes:
        return self.open(key).read()

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(f"could not delete {key} from bucket {self.bucket}: {error}") from error

    def exists(self, key: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            object_key = self.object_key(key)
        except FileNotFoundError:
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=object_key)
        except ClientError as error:
            if _is_missing(error):
                return False
            raise StorageUnavailable(f"could not look for {key} in bucket {self.bucket}: {error}") from error
        except BotoCoreError as error:
            raise StorageUnavailable(f"could not look for {key} in bucket {self.bucket}: {error}") from error
        return True

    def keys_older_than(self, moment: datetime) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix):]
                if KEY.fullmatch(key) and item["LastModified"] < moment:
                    yield key


def _is_missing(error) -> bool:
    return error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}


_STORED_NAME_COLUMNS: list = []


def register_stored_names(*columns) -> None:
    """A package names the columns that hold the keys of its stored files (`flask remove-orphan-files` keeps what
    they name; the core never imports the packages)."""
    for column in columns:
        if not any(column is known for known in _STORED_NAME_COLUMNS):
            _STORED_NAME_COLUMNS.append(column)


def stored_name_columns() -> list:
    return list(_STORED_NAME_COLUMNS)


def store_from_config(config) -> DocumentStore:
    """The store the configuration names (portal/config.py: STORAGE_BACKEND and the S3_* settings)."""
    backend = (config.get("STORAGE_BACKEND") or "local").strip().lower()
    if backend not in BACKENDS:
        raise RuntimeError(f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}.")
    if backend == "local":
        return LocalDiskStore()
    bucket = (config.get("S3_BUCKET") or "").strip()
    if not bucket:
        raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for a store other than AWS).")
    style = (config.get("S3_ADDRESSING_STYLE") or "auto").strip().lower()
    if style not in ("auto", "path", "virtual"):
        raise RuntimeError(f"S3_ADDRESSING_STYLE must be auto, path or virtual, not {style!r}.")
    return S3Store(bucket, endpoint_url=(config.get("S3_ENDPOINT_URL") or "").strip() or None,
                   region=(config.get("S3_REGION") or "").strip() or None, prefix=config.get("S3_PREFIX") or "",
                   addressing_style=style,
                   server_side_encryption=(config.get("S3_SERVER_SIDE_ENCRYPTION") or "").strip())


def init_app(app: Flask) -> None:
    app.extensions["document_store"] = store_from_config(app.config)


def document_store() -> DocumentStore:
    return current_app.extensions["document_store"]


__all__ = ["DocumentStore", "LocalDiskStore", "S3Store", "StorageUnavailable", "StoredObject", "check_key",
           "document_store", "init_app", "register_stored_names", "store_from_config", "stored_name_columns"]
