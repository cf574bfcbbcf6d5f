"""What a batch has graded already, so an interrupted batch run again resumes where it stopped.

Each recorded result is kept under its (assignment folder, student) with the digest of everything it was
graded from: the submitted files, the released notebooks, the held-out store's pin, the gradebook's
database, the grading mode and the grading code itself. A submission whose digest is unchanged keeps its
row (its grades and feedback are already recorded); any change grades it again. The ledger is written
after every result, so an interruption loses at most the unit that was running.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from tfcourse.course import Course
from tfcourse.grading.store import write_text_atomically
from tfcourse.instructor.gradebook import GradebookRow, database_url

LEDGER = Path(".tfcourse") / "graded.json"


def _files_digest(digest, folder: Path, pattern: str = "*") -> None:
    for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        if path.is_file() and not path.is_symlink():
            digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())


def grading_code_digest() -> str:
    """The SHA-256 of tfcourse's grading and instructor code: another version grades again."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted([*package.glob("grading/**/*.py"), *package.glob("instructor/*.py"), *package.glob("sandbox/*.py")]):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Ledger:
    """The course's ledger of graded submissions (``.tfcourse/graded.json``)."""

    def __init__(self, course: Course, *, mode: str):
        self.course = course
        self.path = course.root / LEDGER
        try:
            entries = json.loads(self.path.read_text())
        except (OSError, ValueError):
            entries = {}
        self.entries: dict = entries if isinstance(entries, dict) else {}
        base = hashlib.sha256()
        for part in (mode, grading_code_digest(), database_url(course.root)):
            base.update(part.encode() + b"\0")
        pin = course.heldout_pin
        base.update(pin.read_bytes() if pin.is_file() else b"no pin")
        self._base = base
        self._digests: dict[tuple[str, str], str] = {}

    def digest(self, folder: str, student: str) -> str:
        """The digest of what grading ``student``'s ``folder`` depends on (computed once per batch: a
        submission's files do not change while it is graded)."""
        key = (folder, student)
        if key not in self._digests:
            digest = self._base.copy()
            digest.update(folder.encode() + b"\0" + student.encode() + b"\0")
            _files_digest(digest, self.course.release / folder, "*.ipynb")
            _files_digest(digest, self.course.submitted / student / folder)
            self._digests[key] = digest.hexdigest()
        return self._digests[key]

    def recorded(self, folder: str, student: str) -> GradebookRow | None:
        """The row recorded for this submission as it is now, if any."""
        entry = self.entries.get(f"{folder}/{student}")
        if not isinstance(entry, dict) or entry.get("digest") != self.digest(folder, student):
            return None
        try:
            row = entry["row"]
            return GradebookRow(row["student"], row["assignment"], float(row["score"]), float(row["possible"]),
                                tuple(str(reason) for reason in row["reasons"]))
        except (KeyError, TypeError, ValueError):
            return None

    def record(self, row: GradebookRow) -> None:
        """Keep ``row`` under the submission's current digest (written at once)."""
        self.entries[f"{row.assignment}/{row.student}"] = {"digest": self.digest(row.assignment, row.student),
                                                           "row": asdict(row)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(self.path, json.dumps(self.entries, indent=1, sort_keys=True))
