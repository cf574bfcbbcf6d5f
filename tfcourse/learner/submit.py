"""`tfcourse submit`: validate, then pack notebook + model into a zip nbgrader's zip_collect reads."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from tfcourse.errors import InvalidName, UserError
from tfcourse.grading import get_assignment
from tfcourse.instructor.archives import STUDENT_ID
from tfcourse.learner import activity
from tfcourse.learner.check import CheckReport, check_assignment

# The instructor's collector reads these names back (nbgrader_config.py): one pattern for both sides.
VALID_STUDENT_ID = re.compile(rf"^{STUDENT_ID}$")
SUBMISSIONS = "submissions"


class SubmissionRefused(UserError, RuntimeError):
    """The notebook is not ready to submit; the message says what to fix."""


def submission_name(student_id: str, folder: str, when: datetime) -> str:
    """``<student>__<assignment folder>__<UTC timestamp>.zip``, the name nbgrader_config.py's regexp reads."""
    if not VALID_STUDENT_ID.match(student_id):
        raise InvalidName(f"student id {student_id!r} may use only letters, digits, '.' and '-'")
    return f"{student_id}__{folder}__{when.astimezone(UTC):%Y%m%dT%H%M%SZ}.zip"


def write_submission_zip(files: list[Path], destination: Path) -> Path:
    """Write ``files`` (flat) into a zip at ``destination``; sources are only read, never changed."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, arcname=path.name)
    return destination


def submit(assignment_id: str, student_id: str, *, directory: Path | None = None,
           out_dir: Path | None = None, when: datetime | None = None) -> tuple[Path, CheckReport]:
    """Self-check, then pack the notebook and its model into a zip for the instructor."""
    spec = get_assignment(assignment_id)
    name = submission_name(student_id, spec.folder, when or datetime.now(UTC))  # a bad id fails before the check
    report = check_assignment(spec.assignment_id, directory=directory)
    if not report.ready_to_submit:
        raise SubmissionRefused(report.summary())
    folder = report.notebook.parent
    files = [report.notebook, *([folder / spec.model_filename] if spec.has_model else [])]
    target = Path(out_dir or Path.cwd() / SUBMISSIONS) / name
    written = write_submission_zip(files, target)
    unrecorded = activity.record(activity.SUBMIT, spec.assignment_id, zip=str(written))
    return written, report.with_note(unrecorded)
