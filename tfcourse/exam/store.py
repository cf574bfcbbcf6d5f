"""The exam store: the signing key, and each attempt's secret seed and signed record, outside any attempt folder.

``$TFCOURSE_EXAM_STORE``, else ``~/.local/share/tfcourse/exam`` (``$XDG_DATA_HOME`` moves it), readable
by its owner only. An attempt's folder names its attempt id and nothing secret; the seed that drew its
variants and makes its hidden data stays here, so do the records, which survive a restart.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from tfcourse.errors import NotFound
from tfcourse.exam.record import append_entry, read_record

KEY_BYTES = 32


def default_store() -> Path:
    """Where the exam store lives on this machine."""
    configured = os.environ.get("TFCOURSE_EXAM_STORE")
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_DATA_HOME") or "~/.local/share").expanduser() / "tfcourse" / "exam"


def _write_private(path: Path, text: str) -> None:
    staging = path.with_name(path.name + ".part")
    with os.fdopen(os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write(text)
    staging.replace(path)


@dataclass(frozen=True)
class ExamStore:
    """The folder holding the key, and per attempt its secret seed and record."""

    root: Path

    def key(self) -> bytes:
        """The signing key, made on first use."""
        path = self.root / "key"
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            _write_private(path, secrets.token_hex(KEY_BYTES) + "\n")
        return bytes.fromhex(path.read_text().strip())

    def _attempt_dir(self, attempt_id: str) -> Path:
        if not attempt_id.isalnum():
            raise NotFound(f"{attempt_id!r} is not an attempt id")
        return self.root / "attempts" / attempt_id

    def new_attempt(self, seed: int | None = None) -> tuple[str, int]:
        """A fresh attempt id and its secret seed (drawn here unless given: calibration and tests pin it)."""
        attempt_id, seed = secrets.token_hex(8), secrets.randbits(62) if seed is None else seed
        folder = self._attempt_dir(attempt_id)
        folder.mkdir(parents=True, mode=0o700)
        _write_private(folder / "secret.json", json.dumps({"seed": seed}) + "\n")
        return attempt_id, seed

    def seed(self, attempt_id: str) -> int:
        """The attempt's secret seed."""
        path = self._attempt_dir(attempt_id) / "secret.json"
        if not path.is_file():
            raise NotFound(f"attempt {attempt_id} is not in the exam store {self.root} (started on another "
                           f"machine or account, or the store was deleted)")
        return int(json.loads(path.read_text())["seed"])

    def record_path(self, attempt_id: str) -> Path:
        return self._attempt_dir(attempt_id) / "record.jsonl"

    def append(self, attempt_id: str, entry: dict) -> None:
        """Add a signed entry to the attempt's record."""
        append_entry(self.record_path(attempt_id), self.key(), entry)

    def record(self, attempt_id: str) -> list[dict]:
        """The attempt's verified record."""
        self.seed(attempt_id)  # a clear error for an unknown attempt
        return read_record(self.record_path(attempt_id), self.key())
