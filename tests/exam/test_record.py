"""The attempt record: signed, chained entries that refuse any edit, removal, reordering or cut."""

from __future__ import annotations

import json

import pytest

from tfcourse.exam.record import RecordTampered, append_entry, read_record

KEY = b"k" * 32


@pytest.fixture
def record(tmp_path):
    path = tmp_path / "record.jsonl"
    for number in range(3):
        append_entry(path, KEY, {"event": "check", "task": 1, "score": float(number)})
    return path


def test_entries_read_back_in_order(record):
    assert [entry["score"] for entry in read_record(record, KEY)] == [0.0, 1.0, 2.0]


def test_an_edited_score_is_refused(record):
    lines = record.read_text().splitlines()
    signed = json.loads(lines[1])
    signed["entry"]["score"] = 5.0
    lines[1] = json.dumps(signed, sort_keys=True)
    record.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordTampered, match="line 2's signature does not match"):
        read_record(record, KEY)


def test_removed_reordered_and_cut_lines_are_refused(record):
    original = record.read_text().splitlines()
    for changed in ([original[0], original[2]], [original[1], original[0], original[2]], original[:2]):
        record.write_text("\n".join(changed) + "\n")
        with pytest.raises(RecordTampered):
            read_record(record, KEY)


def test_another_key_cannot_verify_or_forge(record):
    with pytest.raises(RecordTampered):
        read_record(record, b"x" * 32)
    head = record.with_name(record.name + ".head")
    head.write_text(head.read_text().replace("3 ", "2 ", 1))
    with pytest.raises(RecordTampered, match="head"):
        read_record(record, KEY)
