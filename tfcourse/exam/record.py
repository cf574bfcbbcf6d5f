"""An attempt's record: every event (start, each check, the end) as one signed line, chained to the one before.

Each line holds an entry and an HMAC-SHA256 over the previous line's MAC and the entry, keyed with the
exam store's key. Editing, removing, reordering or inserting a line breaks every MAC from it on, so
:func:`read_record` refuses the record; so does a record whose last line is not the one its head file
names (lines cut off the end; the head is signed too). Someone holding the store's key can of course write
a new valid record: this keeps an attempt honest against edits of its files, not against its machine's
owner (docs/exam.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

from tfcourse.errors import UserError


class RecordTampered(UserError):
    """The record's signatures do not hold: it was edited after it was written."""


def _mac(key: bytes, previous: str, entry: dict) -> str:
    message = previous.encode() + b"\n" + json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _head_file(path: Path) -> Path:
    return path.with_name(path.name + ".head")


def _head_line(key: bytes, count: int, last: str) -> str:
    signature = hmac.new(key, f"head {count} {last}".encode(), hashlib.sha256).hexdigest()
    return f"{count} {last} {signature}\n"


def append_entry(path: Path, key: bytes, entry: dict) -> None:
    """Append ``entry`` to the record at ``path``, signed and chained (the record is verified first)."""
    entries, previous = _verified(path, key) if path.exists() else ([], "")
    mac = _mac(key, previous, entry)
    with path.open("a") as handle:
        handle.write(json.dumps({"entry": entry, "mac": mac}, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    head = _head_file(path)
    staging = head.with_name(head.name + ".part")
    staging.write_text(_head_line(key, len(entries) + 1, mac))
    staging.replace(head)


def read_record(path: Path, key: bytes) -> list[dict]:
    """Every entry of the record, after checking each signature, the chain and the head; raises RecordTampered."""
    return _verified(path, key)[0]


def _verified(path: Path, key: bytes) -> tuple[list[dict], str]:
    """The record's entries and its last MAC, checked as :func:`read_record` says."""
    previous, entries = "", []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            signed = json.loads(line)
            entry, mac = signed["entry"], signed["mac"]
        except (ValueError, KeyError, TypeError):
            raise RecordTampered(f"{path}: line {number} is not a signed entry") from None
        if not isinstance(entry, dict) or not hmac.compare_digest(str(mac), _mac(key, previous, entry)):
            raise RecordTampered(f"{path}: line {number}'s signature does not match: the record was edited")
        previous = mac
        entries.append(entry)
    try:
        head = _head_file(path).read_text()
    except OSError:
        raise RecordTampered(f"{path}: its head file is missing or unreadable") from None
    if not hmac.compare_digest(head, _head_line(key, len(entries), previous)):
        raise RecordTampered(f"{path}: its head does not name its last entry: lines were cut off, or the head "
                             f"was edited")
    return entries, previous
