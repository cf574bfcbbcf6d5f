"""A checksummed file cache: every file is verified before use and rebuilt when corrupt."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_ENV = "TFCOURSE_CACHE_DIR"


def cache_dir() -> Path:
    """Return the course's cache directory (``$TFCOURSE_CACHE_DIR`` or ``~/.cache/tfcourse``)."""
    configured = os.environ.get(CACHE_ENV)
    base = Path(configured) if configured else Path.home() / ".cache" / "tfcourse"
    base.mkdir(parents=True, exist_ok=True)
    return base


def keras_datasets_dir() -> Path:
    """Where Keras' dataset loaders look for files: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    return Path(os.environ.get("KERAS_HOME") or "~/.keras").expanduser() / "datasets"


def sha256_of(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ChecksumMismatch(ValueError):
    """A file's bytes do not match the checksum the registry expects."""


def write_verified(target: Path, expected_sha256: str, write) -> Path:
    """Produce ``target`` by calling ``write(tmp_path)``, keep it only if its checksum matches.

    The file is written next to the target and moved into place atomically, so an
    interrupted build never leaves a partial file under the final name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    tmp_path = Path(tmp_name)
    try:
        write(tmp_path)
        actual = sha256_of(tmp_path)
        if actual != expected_sha256:
            raise ChecksumMismatch(f"{target.name}: expected sha256 {expected_sha256[:12]}..., got {actual[:12]}...")
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)
    return target


def is_valid(path: Path, expected_sha256: str) -> bool:
    """True when ``path`` exists and matches its checksum; a mismatching file is deleted."""
    if not path.exists():
        return False
    if sha256_of(path) == expected_sha256:
        return True
    log.warning("cached file %s is corrupt or partial (checksum mismatch); rebuilding it", path)
    path.unlink()
    return False
