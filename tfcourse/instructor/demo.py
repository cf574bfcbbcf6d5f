"""The demo batch: honest, weak, broken and cheating students submit every assignment.

``reference`` submits the instructor's solutions. Every other demo student of an assignment is a data
file next to its peers, ``demo/<assignment folder>/<student>.toml`` (``weak``, ``broken``, and cheating
students such as ``forger`` and ``snoop``), in the bad-submission corpus's format: what it does, the
solution cells it replaces in the reference solution (``[cells]``), or text it changes in them
(``[[replace]]``), or a whole-notebook mistake (``notebook``), and what it must score with which reasons.
The batch goes through the same `tfcourse grade` pipeline as real submissions.
"""

from __future__ import annotations

import copy
import shutil
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from tfcourse.course import Course
from tfcourse.errors import UnknownName
from tfcourse.grading import export_heldout, get_assignment
from tfcourse.instructor import nbgrader_steps
from tfcourse.instructor.grade import grade
from tfcourse.instructor.gradebook import GradebookRow
from tfcourse.learner.submit import submission_name, write_submission_zip

STUDENTS = ("reference", "weak", "broken")
# What `tfcourse demo` grades by default: one batch per course, chosen to show each kind of check
# (a forged history, a snoop, an unsafe Lambda model, a retrained base) in a few minutes on 2 cores.
# Every assignment's batch is graded by `tfcourse demo all` and by the test suite.
SHOWCASE = ("C1W2", "C1W4", "C2W3", "C3W3", "C4W2")
KINDS = ("weak", "broken", "cheating")
DEMO_TIME = datetime(2026, 1, 1, tzinfo=UTC)
# Whole-notebook mistakes a demo student can make instead of replacing cells.
NOTEBOOK_MISTAKES = ("half_saved", "without_test_cells", "released")


@dataclass(frozen=True)
class DemoStudent:
    """One demo student of one assignment, as its file states it."""

    name: str
    folder: str
    kind: str  # weak, broken or cheating
    what: str
    cells: dict[str, str] = field(default_factory=dict)  # grade_id -> the solution cell's new source
    replace: tuple[tuple[str, str, str], ...] = ()  # (grade_id, old, new): text changed in the reference's cell
    notebook: str | None = None  # a whole-notebook mistake, one of NOTEBOOK_MISTAKES
    expect_score: float | None = None
    expect_score_below: float | None = None
    expect_reasons: tuple[str, ...] = ()


def read_student(path: Path) -> DemoStudent:
    """The demo student described by ``demo/<folder>/<student>.toml``."""
    data = tomllib.loads(path.read_text())
    student = DemoStudent(
        name=path.stem, folder=path.parent.name, kind=data["kind"], what=data["what"], cells=data.get("cells", {}),
        replace=tuple((item["cell"], item["old"], item["new"]) for item in data.get("replace", [])),
        notebook=data.get("notebook"), expect_score=data.get("expect_score"),
        expect_score_below=data.get("expect_score_below"), expect_reasons=tuple(data.get("expect_reasons", ())))
    if student.kind not in KINDS:
        raise ValueError(f"{path}: kind must be one of {', '.join(KINDS)}, not {student.kind!r}")
    if student.notebook is not None and student.notebook not in NOTEBOOK_MISTAKES:
        raise ValueError(f"{path}: notebook must be one of {', '.join(NOTEBOOK_MISTAKES)}, not {student.notebook!r}")
    if (student.expect_score is None) == (student.expect_score_below is None):
        raise ValueError(f"{path}: give expect_score or expect_score_below, one of them")
    return student


def demo_students(course: Course, folder: str) -> dict[str, DemoStudent]:
    """Every demo student of ``folder`` but the reference, by name."""
    return {path.stem: read_student(path) for path in sorted((course.root / "demo" / folder).glob("*.toml"))}


def solution_sources(notebook) -> dict[str, str]:
    """grade_id -> source of every solution cell."""
    return {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in notebook.cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}


def fill_solutions(notebook, replacements: dict[str, str]):
    """A copy of ``notebook`` whose solution cells take the given sources (by grade_id)."""
    filled = nbformat.from_dict(copy.deepcopy(notebook))
    for cell in filled.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and grade_id in replacements:
            cell.source = replacements[grade_id]
    return filled


def cheating_students(course: Course, folder: str) -> list[str]:
    """The cheating demo students who submit ``folder``."""
    return [name for name, student in demo_students(course, folder).items() if student.kind == "cheating"]


def without_test_cells(notebook):
    """``notebook`` with its graded test cells deleted."""
    kept = nbformat.from_dict(copy.deepcopy(notebook))
    kept.cells = [cell for cell in kept.cells
                  if not (cell.get("metadata", {}).get("nbgrader", {}).get("grade")
                          and not cell.metadata["nbgrader"].get("solution"))]
    return kept


def student_notebook(course: Course, folder: str, student: str) -> str:
    """The notebook text one demo student submits for one assignment."""
    spec = get_assignment(folder)
    released = nbformat.read(course.release / folder / spec.notebook, as_version=4)
    solutions = solution_sources(nbformat.read(course.source / folder / spec.notebook, as_version=4))
    if student == "reference":
        return nbformat.writes(fill_solutions(released, solutions))
    students = demo_students(course, folder)
    if student not in students:
        raise UnknownName(f"{folder} has no demo student {student!r}; its students: reference, {', '.join(students)} "
                          f"(demo/{folder}/<student>.toml)")
    demo = students[student]
    if demo.notebook == "released":  # submitted without solving anything
        return nbformat.writes(released)
    changed = {**solutions, **demo.cells}
    for cell, old, new in demo.replace:
        if old not in changed[cell]:
            raise ValueError(f"demo/{folder}/{student}.toml: the reference's cell {cell} no longer contains {old!r}")
        changed[cell] = changed[cell].replace(old, new)
    notebook = fill_solutions(released, changed)
    if demo.notebook == "without_test_cells":
        notebook = without_test_cells(notebook)
    text = nbformat.writes(notebook)
    if demo.notebook == "half_saved":  # saved half-way: not valid JSON
        return text[: len(text) // 2]
    return text


def stage_submissions(course: Course, folders: list[str], students: tuple[str, ...] = STUDENTS) -> list[Path]:
    """Write each demo student's zip into downloaded/<folder>/archive, as `tfcourse submit` names them."""
    zips = []
    staging = course.root / "downloaded" / ".demo-staging"
    for folder in folders:
        spec = get_assignment(folder)
        archive = course.archive(folder)
        shutil.rmtree(archive, ignore_errors=True)
        for student in [*students, *cheating_students(course, folder)]:
            notebook = staging / student / spec.notebook
            notebook.parent.mkdir(parents=True, exist_ok=True)
            notebook.write_text(student_notebook(course, folder, student))
            zips.append(write_submission_zip([notebook], archive / submission_name(student, folder, DEMO_TIME)))
    shutil.rmtree(staging, ignore_errors=True)
    return zips


def demo_folders(course: Course, only: list[str] | None = None) -> list[str]:
    """The assignment folders of the courses or assignments ``only`` names (``C2``, ``C1W4``; ``C2W4`` is not
    ``C2W4B``).

    Nothing selects the showcase (`SHOWCASE`); ``all`` selects every assignment.
    """
    folders = course.assignment_folders()
    if not only:
        only = list(SHOWCASE)
    elif [choice.lower() for choice in only] == ["all"]:
        return folders
    wanted = {choice.upper() for choice in only}
    chosen = [folder for folder in folders
              if folder.split("_")[0].upper() in wanted or folder.split("_")[0][:2].upper() in wanted]
    if not chosen:
        raise UnknownName(f"no assignment matches {' '.join(only)}; assignments: "
                         f"{', '.join(folder.split('_')[0] for folder in folders)}, or all")
    return chosen


def run_demo(course: Course, *, folders: list[str] | None = None, students: tuple[str, ...] = STUDENTS,
             progress: bool = True) -> list[GradebookRow]:
    """Release, export held-out data, stage the demo students' zips and grade them all."""
    folders = folders or course.assignment_folders()
    for folder in folders:
        nbgrader_steps.generate_assignment(course.root, folder)
    export_heldout(course.heldout, course.heldout_pin, {get_assignment(folder).assignment_id for folder in folders})
    everyone = sorted({*students, *(cheat for folder in folders for cheat in cheating_students(course, folder))})
    for student in everyone:
        shutil.rmtree(course.submitted / student, ignore_errors=True)
    stage_submissions(course, folders, students)
    return grade(folders, course=course, students=everyone, progress=progress)
