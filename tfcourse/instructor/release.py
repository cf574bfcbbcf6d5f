"""`tfcourse release`: regenerate the student versions in release/ from source/ with nbgrader, and publish
them to the exchange, where learners fetch them from JupyterLab's Assignments panel."""

from __future__ import annotations

import json

from tfcourse.course import Course
from tfcourse.errors import ReleaseFailed
from tfcourse.grading import get_assignment
from tfcourse.grading.describe import BEGIN, with_rules
from tfcourse.instructor import nbgrader_steps
from tfcourse.instructor.exchange import publish as publish_to_exchange

__all__ = ["ReleaseFailed", "release"]


def release(course: Course, folders: list[str] | None = None, *, publish: bool = False) -> list[str]:
    """Run ``nbgrader generate_assignment`` for ``folders`` (default: every folder in source/); return them.

    With ``publish``, each is also copied to the exchange (:func:`tfcourse.instructor.exchange.publish`).
    """
    everything = folders is None
    folders = folders or course.assignment_folders()
    write_grading_rules(course, folders)
    # nbgrader takes "*" for every assignment: one run of about 10 s, where a run per folder costs 3.6 s each.
    for batch in ["*"] if everything else folders:
        step = nbgrader_steps.generate_assignment(course.root, batch)
        if not step.ok:
            raise ReleaseFailed(f"{'source/' if batch == '*' else batch}: {step.reason()}")
    if publish:
        publish_to_exchange(course, folders)
    return folders


def write_grading_rules(course: Course, folders: list[str]) -> list[str]:
    """Rewrite the "how you are graded" block of each source notebook from its spec; the folders changed.

    The block sits between :data:`tfcourse.grading.describe.BEGIN` and ``END`` in a markdown cell; the
    notebook file is rewritten only when a block changed, keeping nbformat's layout (one-space indent).
    """
    changed = []
    for folder in folders:
        spec = get_assignment(folder)
        path = course.source / folder / spec.notebook
        notebook = json.loads(path.read_text())
        touched = False
        for cell in notebook["cells"]:
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if cell["cell_type"] != "markdown" or BEGIN not in text:
                continue
            written = with_rules(text, spec)
            if written != text:
                lines = written.split("\n")
                cell["source"] = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
                touched = True
        if touched:
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
            changed.append(folder)
    return changed
