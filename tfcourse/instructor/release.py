"""`tfcourse release`: regenerate the student versions in release/ from source/ with nbgrader, and publish
them to the exchange, where learners fetch them from JupyterLab's Assignments panel."""

from __future__ import annotations

import json

from tfcourse.course import Course
from tfcourse.errors import ReleaseFailed
from tfcourse.grading import ASSIGNMENTS, get_assignment
from tfcourse.grading.describe import BEGIN, course_table, thresholds_table, with_block, with_rules
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
    write_tables(course)
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


COURSES = ("C1", "C2", "C3", "C4")


def lab_titles(course: Course, course_id: str) -> dict[str, list[str]]:
    """Week -> the titles of its labs (notebooks/<course>/<week>/*.ipynb: each one's first heading, after "·")."""
    titles: dict[str, list[str]] = {}
    for path in sorted((course.root / "notebooks" / course_id).glob("W*/*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        source = "".join(cells[0]["source"]) if cells else ""
        heading = source.lstrip("# ").splitlines()[0] if source.strip() else path.stem
        titles.setdefault(path.parent.name, []).append(heading.split("·", 1)[-1].strip())
    return titles


def generated_tables(course: Course) -> dict[str, dict[str, str]]:
    """File (relative to the course root) -> block name -> the table `tfcourse release` writes there."""
    specs = sorted(ASSIGNMENTS.values(), key=lambda spec: spec.assignment_id)
    readme = {f"course table {course_id}": course_table(course_id, [spec for spec in specs if
                                                                     spec.assignment_id.startswith(course_id)],
                                                        lab_titles(course, course_id)) for course_id in COURSES}
    return {"README.md": readme, "docs/grading.md": {"thresholds table": thresholds_table(specs)}}


def write_tables(course: Course) -> list[str]:
    """Rewrite the generated tables of README.md and docs/grading.md (files a course copy lacks are skipped);
    the files changed."""
    changed = []
    for name, blocks in generated_tables(course).items():
        path = course.root / name
        if not path.is_file():
            continue
        text = path.read_text()
        written = text
        for block, body in blocks.items():
            written = with_block(written, block, body)
        if written != text:
            path.write_text(written)
            changed.append(name)
    return changed
