"""Each course's demo batch graded end to end: the reference, weak, broken and cheating students of its
assignments, run through `tfcourse grade`.

The ``demo`` fixture grades one course's batch once per test process (it keeps the batches itself);
every test is parametrized by (course, what it checks). conftest.py's scheduler makes each course's tests one
unit of work, so `make test` grades the four courses on whichever worker is free.
"""

from __future__ import annotations

import csv
import html
import json
import os
import subprocess
import sys
import zipfile

import pytest
from conftest import REPO

from tfcourse.course import Course
from tfcourse.data import get_spec
from tfcourse.grading import ASSIGNMENTS, EvaluationData, get_assignment
from tfcourse.grading.heldout import heldout_examples, scored_examples
from tfcourse.instructor.demo import DemoStudent, demo_students, run_demo
from tfcourse.instructor.grade import grade
from tfcourse.session import STARTUP_NOISE

# How many held-out seeds the reference and weak models of a generated set are scored on.
HELDOUT_SEEDS = range(1, 21)


def graded_on_generated_data(assignment: str) -> bool:
    """Whether the assignment's held-out examples are drawn from the store's seed (so vary with it)."""
    spec = get_assignment(assignment)
    return spec.has_model and get_spec(spec.dataset).heldout is not None


COURSES = ("C1", "C2", "C3", "C4")


def assignments_of(course: str) -> list[str]:
    return [assignment for assignment in sorted(ASSIGNMENTS) if assignment.startswith(course)]


def cheats_of(course: str) -> list[tuple[str, str]]:
    return [(name, assignment) for assignment in assignments_of(course)
            for name, student in students_of(assignment).items() if student.kind == "cheating"]


# What a test may be parametrized by besides its course: name -> (course -> values).
PER_COURSE = {
    "assignment": assignments_of,
    "generated": lambda course: [assignment for assignment in assignments_of(course) if graded_on_generated_data(assignment)],
    "broken": assignments_of,
    "cheat": cheats_of,
}


def pytest_generate_tests(metafunc):
    """Parametrize each test by course (the ``demo`` fixture's parameter) and by what it checks in that course;
    a test that names its own courses (``@pytest.mark.parametrize("demo", ...)``) keeps them."""
    if "demo" not in metafunc.fixturenames:
        return
    if any("demo" in str(mark.args[0]) for mark in metafunc.definition.iter_markers("parametrize")):
        return
    for name, values_of in PER_COURSE.items():
        if name in metafunc.fixturenames:
            pairs = [(course, value) for course in COURSES for value in values_of(course)]
            ids = [value if isinstance(value, str) else "-".join(value) for _, value in pairs]
            metafunc.parametrize(("demo", name), pairs, indirect=["demo"], ids=ids)
            return
    metafunc.parametrize("demo", COURSES, indirect=True)


def students_of(assignment: str) -> dict[str, DemoStudent]:
    """The demo students (weak, broken, cheating) of an assignment, as demo/<folder>/*.toml states them."""
    return demo_students(Course(REPO), get_assignment(assignment).folder)


def meets_expectation(student: DemoStudent, row) -> bool:
    """Whether a graded row has the score and the reasons the student's file expects."""
    if student.expect_score is not None and row.score != student.expect_score:
        return False
    if student.expect_score_below is not None and not row.score < student.expect_score_below:
        return False
    return all(phrase in " ".join(row.reasons) for phrase in student.expect_reasons)


# Each course's graded batch, made once per test process (and, with conftest.py's scheduler, on one worker):
# tests of several assignments and students share it.
_BATCHES: dict[str, tuple] = {}


@pytest.fixture
def demo(request, tmp_path_factory):
    """(course copy, {(student, assignment id): row}): the demo batch of the course ``request.param``."""
    course_id = request.param
    if course_id not in _BATCHES:
        course = Course(REPO).copy_to(tmp_path_factory.mktemp(f"demo-{course_id}") / "course")
        folders = [folder for folder in course.assignment_folders() if folder.startswith(course_id)]
        rows = run_demo(course, folders=folders, progress=False)
        _BATCHES[course_id] = course, {(row.student, row.assignment.split("_")[0]): row for row in rows}
        write_snapshot(course_id, rows)
    return _BATCHES[course_id]


# A folder to write each course's graded rows to, for benchmarks/compare_gradebooks.py (unset: none written).
SNAPSHOT_ENV = "TFCOURSE_DEMO_SNAPSHOT"


def write_snapshot(course_id: str, rows) -> None:
    """Write the batch's rows (score, possible, reasons) as <snapshot folder>/<course>.json, when asked to."""
    folder = os.environ.get(SNAPSHOT_ENV)
    if folder:
        rows_by_id = {f"{row.student}/{row.assignment}": {"score": row.score, "possible": row.possible,
                                                          "reasons": list(row.reasons)} for row in rows}
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{course_id}.json"), "w") as stream:
            json.dump(rows_by_id, stream, indent=1, sort_keys=True)


@pytest.mark.slow
def test_reference_solution_gets_full_marks_on_heldout_data(demo, assignment):
    """Does the reference solution, run in the sandbox and scored afterwards, clear its thresholds, and does its
    feedback page show the points and (for a model) the training curves?"""
    course, rows = demo
    row = rows[("reference", assignment)]
    assert row.score == row.possible == 10, row.reasons
    folder = get_assignment(assignment).folder
    text = (course.autograded / "reference" / folder / f"{folder}.ipynb").read_text()
    graded_on = "held-out test data" if get_assignment(assignment).has_model else "the grader's own inputs"
    assert "GRADED by the instructor's scorer" in text and graded_on in text
    assert "graded without sandbox" not in text
    page = feedback_page(course, "reference", folder)
    assert "Score: 10.0 / 10.0" in page
    assert not [noise for noise in STARTUP_NOISE if noise in page]  # TensorFlow's start-up lines stay out
    if get_assignment(assignment).has_model:  # the training curves the notebook plotted reach the learner
        assert "data:image/png;base64" in page


def feedback_page(course: Course, student: str, folder: str) -> str:
    """The text of a student's feedback page, with HTML's escapes undone."""
    return html.unescape((course.feedback / student / folder / f"{folder}.html").read_text())


_DRAWS: dict[tuple[str, int], tuple] = {}


def heldout_draw(dataset: str, seed: int) -> tuple:
    """A dataset's held-out examples for ``seed``, drawn once for every set that draws them alike (C2W1, C2W2)."""
    key = (get_spec(dataset).heldout_draws_as or dataset, seed)
    if key not in _DRAWS:
        _DRAWS[key] = heldout_examples(dataset, seed)
    return _DRAWS[key]


@pytest.mark.slow
def test_ladder_holds_on_every_heldout_seed(demo, scorer, generated):
    """Does the reference model, trained once in the demo, get the model part's full marks on held-out sets
    drawn from 20 seeds, and the weak student's model stay below partial credit on every one of them?"""
    course, _ = demo
    spec = get_assignment(generated)
    models = {student: course.autograded / student / spec.folder / spec.model_filename for student in ("reference", "weak")}
    assert all(path.is_file() for path in models.values()), models
    points = {student: [] for student in models}
    misses = []  # what the scorer said where a student got other points than it must
    for seed in HELDOUT_SEEDS:
        x, y = scored_examples(spec, *heldout_draw(spec.dataset, seed))
        data = EvaluationData(x, y, f"held-out seed {seed}", True)
        for student, path in models.items():
            checks = scorer.score_model(spec, path, data)
            points[student].append(sum(check.score for check in checks))
            if points[student][-1] != (spec.model_cell_points if student == "reference" else 0.0):
                misses.append((student, seed, [check.line().strip() for check in checks]))
    assert points["reference"] == [spec.model_cell_points] * len(HELDOUT_SEEDS), (points, misses)
    assert points["weak"] == [0.0] * len(HELDOUT_SEEDS), (points, misses)


@pytest.mark.slow
def test_weak_solution_fails(demo, assignment):
    """Does the deliberately weak solution of every assignment fall short, with the reason in its feedback?"""
    course, rows = demo
    row = rows[("weak", assignment)]
    assert meets_expectation(students_of(assignment)["weak"], row) and row.reasons, row
    assert row.reasons[0][:60] in feedback_page(course, "weak", get_assignment(assignment).folder)


@pytest.mark.slow
def test_broken_submissions_lose_points_with_reasons(demo, broken):
    """Do the broken student's submissions (bad JSON, deleted tests, unsolved, unsafe model...) say why, in the
    gradebook and on the feedback page?"""
    course, rows = demo
    row = rows[("broken", broken)]
    assert meets_expectation(students_of(broken)["broken"], row), row
    assert row.reasons[0][:60] in feedback_page(course, "broken", get_assignment(broken).folder)


@pytest.mark.slow
def test_cheating_students_get_zero_with_reasons(demo, cheat):
    """Do the forger (rebound grading calls, forged history) and the snoop (held-out hunt, planted link) get 0?"""
    _, rows = demo
    row = rows[cheat]
    assert meets_expectation(students_of(cheat[1])[cheat[0]], row), row


@pytest.mark.slow
def test_nbgrader_export_agrees_with_the_gradebook(demo):
    """Do nbgrader's own export and gradebook.csv give every submission the same points?"""
    course, rows = demo
    subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=course.root, check=True, capture_output=True)
    with open(course.root / "grades.csv") as stream:
        exported = {(r["student_id"], r["assignment"].split("_")[0]): float(r["score"]) for r in csv.DictReader(stream)}
    for key, row in rows.items():
        assert exported[key] == row.score, (key, exported[key], row)


@pytest.mark.slow
def test_model_only_grading_gives_the_notebook_points(demo):
    """Does `tfcourse grade --models` give the same points as notebook mode, in nbgrader's gradebook too?"""
    course, rows = demo
    students = []
    for student, assignment in rows:
        spec = get_assignment(assignment)
        folder = course.autograded / student / spec.folder
        model = folder / spec.model_filename
        if student not in ("reference", "weak") or not model.is_file():
            continue
        archive = course.archive(spec.folder) / f"{student}-models__{spec.folder}__20260101T000000Z.zip"
        with zipfile.ZipFile(archive, "w") as stream:
            stream.writestr(spec.model_filename, model.read_bytes())
            stream.writestr(spec.notebook, (folder / spec.notebook).read_bytes())
        students.append(f"{student}-models")
    folders = sorted({get_assignment(assignment).folder for _, assignment in rows if get_assignment(assignment).has_model})
    graded = grade(folders, course=course, students=sorted(set(students)), models=True, progress=False)
    assert len(graded) == 2 * len(folders)
    for row in graded:
        notebook_row = rows[(row.student.removesuffix("-models"), row.assignment.split("_")[0])]
        assert row.score == notebook_row.score, (row, notebook_row)
    subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=course.root, check=True, capture_output=True)
    with open(course.root / "grades.csv") as stream:
        exported = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(stream)}
    assert all(exported[(row.student, row.assignment)] == row.score for row in graded)


@pytest.mark.slow
@pytest.mark.parametrize("demo", ["C2"], indirect=True)
def test_training_from_scratch_stays_below_the_transfer_ladder(demo):
    """C2W3's weak student trains the base's architecture from scratch as long as the head trains: is its
    accuracy below the ladder, so that transfer learning, not only the frozen-base rule, makes the difference?"""
    _, rows = demo
    accuracy = next(reason for reason in rows[("weak", "C2W3")].reasons if reason.startswith("accuracy:"))
    assert float(accuracy.split()[1]) < get_assignment("C2W3").ladder[-1].threshold, accuracy
