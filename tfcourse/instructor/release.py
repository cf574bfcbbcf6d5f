"""`tfcourse release`: regenerate the student versions in release/ from source/ with nbgrader, and publish
them to the exchange, where learners fetch them from JupyterLab's Assignments panel."""

from __future__ import annotations

from tfcourse.course import Course
from tfcourse.errors import UserError
from tfcourse.instructor import nbgrader_steps


class ReleaseFailed(UserError, RuntimeError):
    """nbgrader could not generate an assignment."""


def release(course: Course, folders: list[str] | None = None, *, publish: bool = False) -> list[str]:
    """Run ``nbgrader generate_assignment`` for ``folders`` (default: every folder in source/); return them.

    With ``publish``, each is also copied to the exchange (:func:`tfcourse.instructor.exchange.publish`).
    """
    from tfcourse.instructor.exchange import publish as publish_to_exchange

    folders = folders or course.assignment_folders()
    for folder in folders:
        step = nbgrader_steps.generate_assignment(course.root, folder)
        if step.ok and publish:
            step = publish_to_exchange(course, folder)
        if not step.ok:
            raise ReleaseFailed(f"{folder}: {step.reason()}")
    return folders
