"""nbgrader's exchange: the folder JupyterLab's Assignments panel fetches assignments from, submits to,
and fetches feedback from.

`tfcourse release` publishes every released assignment there (``nbgrader release_assignment``).
`tfcourse grade` packs each learner's latest exchange submission into a zip in downloaded/<folder>/archive,
named as `tfcourse submit` names its zips, so the same checks vet it before anything is extracted; only
the notebook and the model file of a submission are packed, read without following links and within the
archive limits. After grading, each exchange learner's feedback page is published under the hash nbgrader's
"Fetch Feedback" looks for (the submission's secret and the notebook's name).

The exchange is ``c.Exchange.root`` in nbgrader_config.py: a folder in the course by default, or a folder a
classroom shares (``$TFCOURSE_EXCHANGE``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from tfcourse.course import Course
from tfcourse.errors import InvalidName, ReleaseFailed
from tfcourse.grading import get_assignment
from tfcourse.instructor import nbgrader_steps
from tfcourse.instructor.archives import ARCHIVE_LIMITS
from tfcourse.learner.submit import submission_name

log = logging.getLogger(__name__)

# nbgrader names a submission <student>+<assignment>+<timestamp>[+<random>] and writes the timestamp as
# "2026-11-28 21:03:12.123456 UTC".
INBOUND_NAME = re.compile(r"^(?P<student>[^+/]+)\+(?P<folder>[^+/]+)\+(?P<timestamp>[^+/]+)(\+[^+/]*)?$")
EXCHANGE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # followed by " UTC"
SECRET = re.compile(r"^[0-9a-f]{16,256}$")


@dataclass(frozen=True)
class ExchangeSubmission:
    """One learner's submission in the exchange's inbound folder."""

    student: str
    folder: str
    submitted_at: datetime
    path: Path

    @property
    def zip_name(self) -> str:
        """The name `tfcourse submit` would give this submission's zip."""
        return submission_name(self.student, self.folder, self.submitted_at)

    def secret(self) -> str | None:
        """The submission's secret (nbgrader writes it at submit time; the learner's copy keeps it too)."""
        with _open_plain(self.path / "submission_secret.txt", limit=1024) as stream:
            text = stream.read(1024).decode(errors="replace").strip() if stream else ""
        return text if SECRET.match(text) else None


@contextlib.contextmanager
def _open_plain(path: Path, limit: int) -> Iterator[BinaryIO | None]:
    """``path`` opened for reading if it is a regular file (never through a link) of at most ``limit``
    bytes, else None. The checks are made on the open file, so the learner cannot swap it in between."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        yield None
        return
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        yield stream if stat.S_ISREG(info.st_mode) and info.st_size <= limit else None


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.removesuffix(" UTC"), EXCHANGE_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None


def exchange_course(course: Course) -> Path:
    """``<exchange root>/<course id>``: what nbgrader keeps outbound/, inbound/ and feedback/ in."""
    return course.exchange / course.course_id


def published_folders(course: Course) -> list[str]:
    """Assignment folders in the exchange's outbound folder, sorted."""
    outbound = exchange_course(course) / "outbound"
    return sorted(path.name for path in outbound.iterdir() if path.is_dir()) if outbound.is_dir() else []


def publish(course: Course, folders: list[str]) -> list[str]:
    """Copy each release/<folder> into the exchange's outbound folder, where learners fetch it; return them."""
    for folder in folders:
        step = nbgrader_steps.release_assignment(course.root, folder)
        if not step.ok:
            raise ReleaseFailed(f"{folder}: {step.reason()}")
    return folders


def latest_submissions(course: Course, folder: str) -> list[ExchangeSubmission]:
    """The newest exchange submission of each learner for ``folder``, by student id.

    Entries whose name is not nbgrader's, or whose student id could not name a submission zip (letters,
    digits, '.' and '-'), are skipped with a warning.
    """
    inbound = exchange_course(course) / "inbound"
    latest: dict[str, ExchangeSubmission] = {}
    for path in sorted(inbound.iterdir()) if inbound.is_dir() else []:
        match = INBOUND_NAME.match(path.name)
        if not match or match["folder"] != folder or not stat.S_ISDIR(path.lstat().st_mode):
            continue
        submitted_at = _parse_time(match["timestamp"])
        if submitted_at is None:
            log.warning("exchange submission %s skipped: its time is not written as nbgrader writes it", path.name)
            continue
        try:
            submission_name(match["student"], folder, submitted_at)  # refuses an id that cannot name a zip
        except InvalidName as problem:
            log.warning("exchange submission %s skipped: %s", path.name, problem)
            continue
        submission = ExchangeSubmission(match["student"], folder, submitted_at, path)
        if submission.student not in latest or submission.submitted_at > latest[submission.student].submitted_at:
            latest[submission.student] = submission
    return [latest[student] for student in sorted(latest)]


def pack_submissions(course: Course, folder: str) -> list[Path]:
    """Write each learner's latest exchange submission as a zip into downloaded/<folder>/archive.

    A zip already there (graded before) is left alone. Only the notebook and the model file are packed,
    and only as regular files within the archive limits; the exchange itself is only read.
    """
    spec = get_assignment(folder)
    archive = course.archive(folder)
    written = []
    for submission in latest_submissions(course, folder):
        destination = archive / submission.zip_name
        if destination.exists():
            continue
        archive.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as packed:
            for name in (spec.notebook, spec.model_filename):
                with _open_plain(submission.path / name, ARCHIVE_LIMITS.max_entry_bytes) as stream:
                    if stream is not None:
                        with packed.open(name, "w", force_zip64=True) as entry:
                            # at most one byte over the limit: a file that grew meanwhile is refused when vetted
                            left = ARCHIVE_LIMITS.max_entry_bytes + 1
                            while left > 0 and (chunk := stream.read(min(1 << 22, left))):
                                entry.write(chunk)
                                left -= len(chunk)
                    elif os.path.lexists(submission.path / name):
                        log.warning("%s: %s left out (not a regular file, or larger than %d bytes)",
                                    submission.path.name, name, ARCHIVE_LIMITS.max_entry_bytes)
        written.append(destination)
    return written


def release_feedback(course: Course, folder: str) -> list[Path]:
    """Publish the feedback page of each exchange learner whose graded submission is their exchange one.

    The page goes to ``<exchange>/<course>/feedback/<hash>.html``, the hash nbgrader's fetch_feedback
    computes from the submission's secret and the notebook's name, so only that learner finds it.
    """
    from nbgrader.utils import notebook_hash

    spec = get_assignment(folder)
    notebook_id = Path(spec.notebook).stem
    target = exchange_course(course) / "feedback"
    published = []
    for submission in latest_submissions(course, folder):
        page = course.feedback / submission.student / folder / f"{notebook_id}.html"
        graded_zip = course.archive(folder) / submission.zip_name
        secret = submission.secret()
        if not page.is_file() or not graded_zip.exists() or secret is None:
            continue
        target.mkdir(parents=True, exist_ok=True)
        target.chmod(0o711)  # learners read their page by its hash but cannot list the others
        destination = target / f"{notebook_hash(secret=secret, notebook_id=notebook_id)}.html"
        destination.write_bytes(page.read_bytes())
        os.chmod(destination, 0o644)
        published.append(destination)
    return published
