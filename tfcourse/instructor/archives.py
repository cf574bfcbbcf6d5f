"""Submission zips, checked before anything is extracted.

Stops: zip bombs (a small archive that expands to gigabytes), path traversal (absolute entry names
or names that climb out with ``..``), symbolic links, archives of thousands of files, and files a
submission has no business carrying (packages, scripts, anything but its notebook and model). A
refused zip is never extracted: only accepted zips are handed to nbgrader's ``zip_collect``, and
the student of a refused one scores 0 with the reason. Python's zipfile never writes more than
an entry's declared size, so checking the declared sizes bounds what extraction can write.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tfcourse.grading import get_assignment

MiB = 2**20
# <student>__<assignment folder>__<UTC timestamp>.zip, as `tfcourse submit` names a submission; nbgrader's
# zip_collect reads the same parts from the folder it extracts the zip into (nbgrader_config.py).
STUDENT_ID = r"[A-Za-z0-9][A-Za-z0-9.-]*"
ASSIGNMENT_FOLDER = r"C\dW\d[A-Z]?_[a-z_]+"  # C2W4_multiclass_from_csv; a week's second assignment: C2W4B_...
TIMESTAMP = r"\d{8}T\d{6}Z"
SUBMISSION_NAME = re.compile(
    rf"^(?P<student>{STUDENT_ID})__(?P<folder>{ASSIGNMENT_FOLDER})__(?P<timestamp>{TIMESTAMP})\.zip$")


@dataclass(frozen=True)
class ArchiveLimits:
    """What one submission zip may hold."""

    max_archive_bytes: int = 300 * MiB
    max_entries: int = 4
    max_entry_bytes: int = 250 * MiB
    max_total_bytes: int = 300 * MiB


ARCHIVE_LIMITS = ArchiveLimits()


@dataclass(frozen=True)
class ArchiveCheck:
    """The verdict on one zip: whose it is and what is wrong with it (nothing, when accepted)."""

    path: Path
    student: str | None  # None when the file name names no student of this assignment
    problems: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return not self.problems

    def reason(self) -> str:
        """The one-line reason a refused zip scores 0."""
        shown = "; ".join(self.problems[:3]) + ("; ..." if len(self.problems) > 3 else "")
        return f"archive refused, nothing was extracted: {shown}"


def _entry_problems(info: zipfile.ZipInfo, allowed_names: set[str], limits: ArchiveLimits) -> list[str]:
    name = info.filename
    shown = name if len(name) <= 60 else name[:57] + "..."
    if "\x00" in name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return [f"entry name {shown!r} is not a plain file name"]
    if ".." in name.split("/"):
        return [f"entry {shown!r} climbs out of its folder"]
    if info.is_dir() or "/" in name:
        return [f"entry {shown!r} is in a folder; a submission is flat"]
    problems = []
    if stat.S_ISLNK(info.external_attr >> 16):
        problems.append(f"entry {shown!r} is a symbolic link")
    if info.flag_bits & 0x1:
        problems.append(f"entry {shown!r} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        problems.append(f"entry {shown!r} uses an unsupported compression method")
    if name not in allowed_names:
        problems.append(f"entry {shown!r} is not allowed (a submission holds only {', '.join(sorted(allowed_names))})")
    if info.file_size > limits.max_entry_bytes:
        problems.append(f"entry {shown!r} expands to {info.file_size / MiB:,.0f} MiB "
                        f"(at most {limits.max_entry_bytes // MiB} MiB)")
    return problems


def check_archive(path: Path, folder: str, limits: ArchiveLimits = ARCHIVE_LIMITS) -> ArchiveCheck:
    """Check one submission zip for ``folder`` without extracting anything."""
    path = Path(path)
    match = SUBMISSION_NAME.match(path.name)
    if not match or match["folder"] != folder:
        # Nobody is blamed for a file whose name does not say it is theirs, for this assignment.
        return ArchiveCheck(path, None, (f"file name {path.name!r} is not <student>__{folder}__<time>.zip",))
    student = match["student"]
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode):
        return ArchiveCheck(path, student, ("not a regular file",))
    if info.st_size > limits.max_archive_bytes:
        return ArchiveCheck(path, student, (f"the zip is larger than {limits.max_archive_bytes // MiB} MiB",))
    spec = get_assignment(folder)
    allowed = {spec.notebook, spec.model_filename}
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return ArchiveCheck(path, student, (f"not a readable zip file ({error})",))
    if not entries:  # nothing to grade: say so, rather than let the student vanish from the batch
        return ArchiveCheck(path, student, ("the zip holds no files",))
    if len(entries) > limits.max_entries:
        return ArchiveCheck(path, student, (f"{len(entries):,} files (at most {limits.max_entries})",))
    problems = []
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        problems.append("the same file name appears twice")
    for entry in entries:
        problems += _entry_problems(entry, allowed, limits)
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_total_bytes:
        problems.append(f"expands to {total / MiB:,.0f} MiB (at most {limits.max_total_bytes // MiB} MiB)")
    return ArchiveCheck(path, student, tuple(problems))


def vet_archives(archive_dir: Path, vetted_dir: Path, folder: str) -> list[ArchiveCheck]:
    """Check every zip waiting in ``archive_dir``; copy the accepted ones into ``vetted_dir`` (emptied first).

    The downloaded zips themselves are only read.
    """
    shutil.rmtree(vetted_dir, ignore_errors=True)
    vetted_dir.mkdir(parents=True)
    checks = []
    for path in sorted(Path(archive_dir).iterdir()) if Path(archive_dir).is_dir() else []:
        check = check_archive(path, folder)
        checks.append(check)
        if check.accepted:
            shutil.copyfile(path, vetted_dir / path.name)
    return checks
