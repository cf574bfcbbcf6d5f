"""Compare two demo gradebook snapshots: every student keeps its points and its reasons.

Write a snapshot with ``TFCOURSE_DEMO_SNAPSHOT=<folder> pytest tests/test_demo.py -k "not every_heldout_seed"``
before and after a change, then::

    python benchmarks/compare_gradebooks.py <before folder> <after folder>

Reasons are compared with what the seed draws masked (numbers, quoted examples, lists, and the end a
long reason is cut at): a fresh course copy draws a fresh held-out seed, so measured values and the
grader's example inputs move between runs while the points and the wording must not.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

NUMBER = re.compile(r"[-+]?\d[\d,]*(\.\d+)?%?")
QUOTED = re.compile(r"'[^']*'")
LISTED = re.compile(r"\[[^\]]*\]")
SERIES = re.compile(r"#(, #)+")
CUT_AT = 150  # reasons are shortened to 240 characters; compare what every draw keeps


def masked(reason: str) -> str:
    text = SERIES.sub("#", NUMBER.sub("#", LISTED.sub("[#]", QUOTED.sub("'#'", reason))))
    return text[:CUT_AT]


def read(folder: Path) -> dict:
    rows = {}
    for path in sorted(folder.glob("*.json")):
        rows.update(json.loads(path.read_text()))
    return rows


def main(before: str, after: str) -> int:
    old, new = read(Path(before)), read(Path(after))
    differences = 0
    print(f"{'student/assignment':45} {'before':>8} {'after':>8}  reasons")
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is None or b is None:
            print(f"{key:45} {'-' if a is None else a['score']:>8} {'-' if b is None else b['score']:>8}  only in one")
            differences += 1
            continue
        same_reasons = [masked(r) for r in a["reasons"]] == [masked(r) for r in b["reasons"]]
        same = a["score"] == b["score"] and a["possible"] == b["possible"] and same_reasons
        print(f"{key:45} {a['score']:>8g} {b['score']:>8g}  {'same' if same_reasons else 'DIFFER'}")
        if not same:
            differences += 1
            for label, row in (("before", a), ("after", b)):
                for reason in row["reasons"]:
                    print(f"    {label}: {reason}")
    print(f"\n{len(old)} rows before, {len(new)} after, {differences} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
