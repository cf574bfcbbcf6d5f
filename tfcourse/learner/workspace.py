"""`tfcourse workspace`: a learner's own copy of the released assignments, never overwritten."""

from __future__ import annotations

import shutil
from pathlib import Path

from tfcourse.course import Course
from tfcourse.learner.check import WORKSPACE


def create_workspace(course: Course, directory: Path | None = None) -> list[Path]:
    """Copy each released assignment folder into ``directory`` (default my_work/) unless it is there."""
    target = Path(directory) if directory else course.root / WORKSPACE
    copied = []
    for folder in sorted(p for p in course.release.iterdir() if p.is_dir()):
        destination = target / folder.name
        if not destination.exists():
            shutil.copytree(folder, destination)
            copied.append(destination)
    return copied
