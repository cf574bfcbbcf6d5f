"""`tfcourse workspace`: a learner's own copy of the released assignments, never overwritten, with the
nbgrader settings JupyterLab's Assignments panel needs to submit them through the course's exchange."""

from __future__ import annotations

import shutil
from pathlib import Path

from tfcourse.course import CONFIG_FILE, Course
from tfcourse.learner.check import WORKSPACE

LEARNER_CONFIG = '''\
"""nbgrader settings of a learner's work folder, written by `tfcourse workspace`: JupyterLab's Assignments
panel fetches assignments, submits and fetches feedback through the course's exchange."""

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
'''


def create_workspace(course: Course, directory: Path | None = None) -> list[Path]:
    """Copy each released assignment folder into ``directory`` (default my_work/) unless it is there.

    The folder also gets a learner's nbgrader_config.py (the course id and the exchange), unless it has one.
    """
    target = Path(directory) if directory else course.root / WORKSPACE
    copied = []
    for name in course.released_folders():
        folder, destination = course.release / name, target / name
        if not destination.exists():
            shutil.copytree(folder, destination)
            copied.append(destination)
    config = target / CONFIG_FILE
    if target.is_dir() and not config.exists():
        config.write_text(LEARNER_CONFIG.format(course_id=course.course_id, exchange=str(course.exchange)))
        copied.append(config)
    return copied
