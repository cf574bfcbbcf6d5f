"""`tfcourse release`: regenerate the student versions in release/ from source/ with nbgrader."""

from __future__ import annotations

from tfcourse.course import Course
from tfcourse.errors import UserError
from tfcourse.instructor import nbgrader_steps


class ReleaseFailed(UserError, RuntimeError):
    """nbgrader could not generate an assignment."""


def release(course: Course, folders: list[str] | None = None) -> list[str]:
    """Run ``nbgrader generate_assignment`` for ``folders`` (default: every folder in source/); return them."""
    folders = folders or course.assignment_folders()
    for folder in folders:
        step = nbgrader_steps.generate_assignment(course.root, folder)
        if not step.ok:
            raise ReleaseFailed(f"{folder}: {step.reason()}")
    return folders
