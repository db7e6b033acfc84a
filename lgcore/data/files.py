"""Offline-first access to data files, each checked against a pinned sha256.

Lookup order for a file ``<folder>/<name>``:

1. ``$LGCORE_DATA_DIR/<folder>/<name>`` (CI points this at the shared offline data);
2. ``~/.cache/lgcore/<folder>/<name>`` (or ``$LGCORE_CACHE_DIR``);
3. a download from the canonical address with ``pooch`` into the cache,
   unless ``LGCORE_OFFLINE=1``. pooch writes to a temporary file and renames it
   only when the download is complete.

Every file is hashed before it is used; for pickled formats this happens
before anything is unpickled. Gzipped files whose compressed bytes differ
between mirrors (MNIST's ``.gz`` headers carry a timestamp) are pinned by the
sha256 of their decompressed bytes instead.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import pooch

logger = logging.getLogger(__name__)

DATA_ENV_VAR = "LGCORE_DATA_DIR"
CACHE_ENV_VAR = "LGCORE_CACHE_DIR"
OFFLINE_ENV_VAR = "LGCORE_OFFLINE"


@dataclass(frozen=True)
class DataFile:
    """A file of a data set: where it lives under the data folder, where it comes from, its hash."""

    folder: str
    name: str
    url: str | None
    sha256: str
    hash_of_decompressed: bool = False

    @property
    def relative_path(self) -> Path:
        return Path(self.folder) / self.name


def cache_dir() -> Path:
    """Return the download cache: ``$LGCORE_CACHE_DIR`` or ``~/.cache/lgcore``."""
    return Path(os.environ.get(CACHE_ENV_VAR) or Path.home() / ".cache" / "lgcore")


def search_dirs() -> list[Path]:
    """Return the folders searched for data files, in order."""
    folders = []
    if os.environ.get(DATA_ENV_VAR):
        folders.append(Path(os.environ[DATA_ENV_VAR]))
    folders.append(cache_dir())
    return folders


def offline() -> bool:
    """Return whether downloads are disabled (``LGCORE_OFFLINE=1``)."""
    return os.environ.get(OFFLINE_ENV_VAR, "").strip().lower() in {"1", "true", "yes"}


def sha256_of(path: Path, decompress: bool = False) -> str:
    """Return the sha256 of a file's bytes, or of its gunzipped bytes when ``decompress``."""
    digest = hashlib.sha256()
    opener = gzip.open if decompress else open
    with opener(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, file: DataFile) -> Path:
    """Check ``path`` against the pinned hash of ``file``; return the path or raise ``ValueError``."""
    try:
        actual = sha256_of(path, decompress=file.hash_of_decompressed)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(
            f"{path} is not a gzip file or is truncated ({error}). Delete it and download it again"
            + (f" from {file.url}" if file.url else "")
            + "."
        ) from error
    if actual != file.sha256:
        what = "decompressed bytes" if file.hash_of_decompressed else "bytes"
        raise ValueError(
            f"checksum mismatch for {path}: sha256 of its {what} is {actual}, expected {file.sha256}. "
            f"The file is corrupt or a different version; delete it and download it again"
            + (f" from {file.url}" if file.url else "")
            + "."
        )
    return path


def find_local(file: DataFile) -> Path | None:
    """Return the first verified local copy of ``file`` in :func:`search_dirs`, or ``None``."""
    for folder in search_dirs():
        candidate = folder / file.relative_path
        if candidate.is_file():
            return verify(candidate, file)
    return None


def missing_message(file: DataFile) -> str:
    places = " or ".join(str(folder / file.relative_path) for folder in search_dirs())
    source = f"download it from {file.url}" if file.url else "this file has no public download address"
    return f"data file {file.relative_path} not found. Put it at {places}; {source}."


def fetch(file: DataFile, *, download: bool = True) -> Path:
    """Return a verified local path of ``file``, downloading it into the cache if allowed.

    Raises ``FileNotFoundError`` naming the file and where to put it when no
    copy exists and downloading is disabled or fails.
    """
    local = find_local(file)
    if local is not None:
        return local
    if not download or offline() or file.url is None:
        reason = f" Downloads are off because {OFFLINE_ENV_VAR} is set." if download and offline() else ""
        raise FileNotFoundError(missing_message(file) + reason)

    target_dir = cache_dir() / file.folder
    known_hash = None if file.hash_of_decompressed else f"sha256:{file.sha256}"
    logger.info("downloading %s to %s", file.url, target_dir)
    try:
        path = Path(pooch.retrieve(file.url, known_hash=known_hash, fname=file.name, path=target_dir,
                                   progressbar=False))
    except ValueError as error:  # pooch's hash mismatch: the server sent other bytes than pinned
        raise ValueError(f"downloaded {file.url} but its sha256 does not match the pinned value: {error}") from error
    except Exception as error:  # requests' connection and HTTP errors: the file is not available
        raise FileNotFoundError(f"{missing_message(file)} The download failed: {error}") from error
    try:
        return verify(path, file)
    except ValueError:
        path.unlink(missing_ok=True)
        raise
