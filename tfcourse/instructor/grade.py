"""`tfcourse grade`: collect -> autograde -> feedback -> gradebook, for a batch of submissions."""

from __future__ import annotations

import logging
from pathlib import Path

from tfcourse.course import Course
from tfcourse.grading import get_assignment
from tfcourse.instructor import gradebook, nbgrader_steps
from tfcourse.instructor.gradebook import GradebookRow

log = logging.getLogger(__name__)

GRADEBOOK_CSV = "gradebook.csv"


class GradingSetupError(RuntimeError):
    """The course itself is not ready to grade (not the submissions' fault)."""


def students_of(course: Course, folder: str) -> list[str]:
    """Students with a submitted/<student>/<folder> directory, sorted."""
    if not course.submitted.is_dir():
        return []
    return sorted(p.name for p in course.submitted.iterdir() if (p / folder).is_dir())


def released_test_ids(course: Course, folder: str) -> list[str]:
    """grade_ids of the graded test cells in the released notebook."""
    import nbformat

    path = course.release / folder / get_assignment(folder).notebook
    cells = nbformat.read(path, as_version=4).cells
    return [cell.metadata["nbgrader"]["grade_id"] for cell in cells if gradebook.is_test_cell(cell)]


def _grade_one(course: Course, folder: str, student: str, heldout: Path, cell_timeout_s: int | None) -> GradebookRow:
    spec = get_assignment(folder)
    possible = gradebook.max_score(course.root, folder)
    submitted = course.submitted / student / folder / spec.notebook
    if not submitted.is_file():
        return GradebookRow(student, folder, 0.0, possible, (f"no notebook named {spec.notebook} was submitted",))
    step = nbgrader_steps.autograde(course.root, folder, student, heldout=heldout, cell_timeout_s=cell_timeout_s)
    scores = gradebook.scores_from_database(course.root, folder, student) if step.ok else None
    if scores is None:
        reason = gradebook.shorten(f"could not be autograded: {step.reason()}")
        return GradebookRow(student, folder, 0.0, possible, (reason,))
    nbgrader_steps.generate_feedback(course.root, folder, student)
    score, possible = scores
    autograded = course.autograded / student / folder / spec.notebook
    reasons = ()
    if score < possible and autograded.is_file():
        reasons = tuple(gradebook.lost_point_reasons(autograded, released_test_ids(course, folder)))
    return GradebookRow(student, folder, score, possible, reasons)


def grade(folders: list[str] | None = None, *, course: Course, students: list[str] | None = None,
          cell_timeout_s: int | None = None, progress: bool = True) -> list[GradebookRow]:
    """Grade every collected submission of ``folders`` (default: all assignments) on held-out data.

    Zips waiting in downloaded/<folder>/archive are collected first. Each submission is
    autograded in its own nbgrader process; one that cannot be graded scores 0 with a reason
    and the batch goes on. Writes gradebook.csv in the course directory and returns its rows.
    """
    from tqdm.auto import tqdm

    folders = [get_assignment(name).folder for name in folders] if folders else course.assignment_folders()
    heldout = course.heldout
    if not (heldout / "manifest.json").is_file():
        raise GradingSetupError(f"no held-out data in {heldout}; run `tfcourse heldout export` first")
    jobs = []
    for folder in folders:
        step = nbgrader_steps.generate_assignment(course.root, folder)
        if not step.ok:
            raise GradingSetupError(f"nbgrader generate_assignment {folder} failed: {step.reason()}")
        if course.archive(folder).is_dir() and any(course.archive(folder).iterdir()):
            step = nbgrader_steps.zip_collect(course.root, folder)
            if not step.ok:
                log.warning("zip_collect %s failed: %s", folder, step.reason())
        jobs += [(folder, student) for student in students_of(course, folder) if not students or student in students]

    rows = []
    for folder, student in tqdm(jobs, desc="autograding", unit="submission", disable=not progress):
        rows.append(_grade_one(course, folder, student, heldout, cell_timeout_s))
    rows.sort(key=lambda row: (row.student, row.assignment))
    gradebook.write_csv(rows, course.root / GRADEBOOK_CSV)
    return rows
