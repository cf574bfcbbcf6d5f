"""`tfcourse workspace`: a learner's own copy of the released assignments, never overwritten, with the
nbgrader settings JupyterLab's Assignments panel needs to submit them through the course's exchange,
and the course folder it came from (so `tfcourse progress` run in a work folder finds the course)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tfcourse.course import CONFIG_FILE, Course, find_root, is_course_root, read_config
from tfcourse.errors import NotFound
from tfcourse.learner.check import WORKSPACE

LEARNER_CONFIG = '''\
"""nbgrader settings of a learner's work folder, written by `tfcourse workspace`: JupyterLab's Assignments
panel fetches assignments, submits and fetches feedback through the course's exchange."""

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
c.TfCourse.course_dir = {course_dir!r}  # read by tfcourse only (progress), never by nbgrader
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
        config.write_text(LEARNER_CONFIG.format(course_id=course.course_id, exchange=str(course.exchange),
                                                course_dir=str(course.root)))
        copied.append(config)
    return copied


def locate_work(start: Path) -> tuple[Course, Path]:
    """The course and the learner's work folder, seen from ``start``.

    From inside a work folder (one whose nbgrader_config.py `tfcourse workspace` wrote), that folder, and the
    course it names or that holds it; from anywhere else in a course folder, the course and its my_work/.
    """
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if not (folder / CONFIG_FILE).is_file():
            continue
        if is_course_root(folder):
            return Course(folder), folder / WORKSPACE
        named = read_config(folder).get("TfCourse", {}).get("course_dir")
        if named and (Path(named) / CONFIG_FILE).is_file():
            return Course(Path(named)), folder
        try:
            return Course(find_root(folder)), folder
        except NotFound:
            break
    raise NotFound(f"no course folder found from {start}: run this in the course folder or your work folder "
                   f"(made by `tfcourse workspace`), or pass --course")
