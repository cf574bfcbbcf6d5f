"""Tests of tfcourse.instructor: gradebook parsing, and nbgrader end to end on real notebooks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, code_cell, notebook
from tfcourse.course import Course
from tfcourse.grading import export_heldout
from tfcourse.instructor.demo import fill_solutions, run_demo, solution_sources
from tfcourse.instructor.grade import grade
from tfcourse.instructor.gradebook import GradebookRow, format_table, lost_point_reasons, write_csv
from tfcourse.instructor.release import release

C1W1 = "C1W1_housing_prices"


def test_reasons_are_read_from_report_lines_and_errors(tmp_path):
    """Are lost points explained from the report's partial lines and from errors, full-credit lines skipped?"""
    graded = code_cell("grade", grade=True, locked=True, points=10, grade_id="test_model")
    graded.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="C1W2: 3 / 10\n  [3/6] accuracy: 0.81\n  [0/4] stopped by callback: never\n  [4/4] fine: yes\n"),
        nbformat.v4.new_output("error", ename="NameError", evalue="name 'model' is not defined"),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook(code_cell("x = 1"), graded), path)
    assert lost_point_reasons(path) == [
        "test_model: accuracy: 0.81", "test_model: stopped by callback: never",
        "test_model: NameError: name 'model' is not defined"]


def test_gradebook_table_and_csv(tmp_path):
    """Does the gradebook show points, status, reasons and totals, and write them as CSV?"""
    rows = [GradebookRow("ann", "C1W1_housing_prices", 10, 10, ()),
            GradebookRow("bob", "C1W1_housing_prices", 0, 10, ("could not be autograded: bad JSON",))]
    table = format_table(rows)
    assert "full marks" in table and "- could not be autograded: bad JSON" in table and any(line.startswith("bob") and line.endswith("total 0 / 10") for line in table.splitlines())
    lines = write_csv(rows, tmp_path / "g.csv").read_text().splitlines()
    assert lines[0] == "student_id,assignment,score,max_score,status,reasons" and lines[2].startswith("bob,")


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def bad_input_batch(tmp_path_factory):
    """C1W1 graded for one good and five broken submissions, with the submitted files' digests."""
    course = Course(REPO).copy_to(tmp_path_factory.mktemp("bad-input") / "course")
    release(course)
    export_heldout(course.heldout)
    released = nbformat.read(course.release / C1W1 / f"{C1W1}.ipynb", as_version=4)
    solved = fill_solutions(released, solution_sources(nbformat.read(course.source / C1W1 / f"{C1W1}.ipynb", as_version=4)))

    def edit(predicate, source):
        copy = nbformat.from_dict(solved)
        for cell in copy.cells:
            if predicate(cell.get("metadata", {}).get("nbgrader", {})):
                cell.source = source
        return nbformat.writes(copy)

    is_test = lambda meta: meta.get("grade") and not meta.get("solution")  # noqa: E731
    deleted = nbformat.from_dict(solved)
    deleted.cells = [c for c in deleted.cells if not is_test(c.get("metadata", {}).get("nbgrader", {}))]
    submissions = {
        "good": nbformat.writes(solved),
        "invalid-json": nbformat.writes(solved)[:500],
        "deleted-test": nbformat.writes(deleted),
        "edited-test": edit(is_test, "# the test, edited away\nprint('trust me')"),
        "raises": nbformat.writes(released),
        "timeout": edit(lambda meta: meta.get("solution"),
                        "# an endless loop\nimport time\ndef house_model():\n    time.sleep(600)\n"),
    }
    for student, text in submissions.items():
        folder = course.submitted / student / C1W1
        folder.mkdir(parents=True)
        (folder / f"{C1W1}.ipynb").write_text(text)
    before = tree_digest(course.submitted)
    # The good notebook's training cell takes 30-45 s on 2 cores (docs/benchmarks.md); the limit leaves
    # it room while keeping the endless submission's wait short.
    rows = {row.student: row for row in grade([C1W1], course=course, cell_timeout_s=120, progress=False)}
    return course, rows, before


@pytest.mark.slow
def test_bad_submissions_score_zero_with_reasons_and_the_batch_goes_on(bad_input_batch):
    """Does each broken submission get 0 with a readable reason while the good one gets full marks?"""
    _, rows, _ = bad_input_batch
    assert rows["good"].score == 10
    expected_reason = {
        "invalid-json": "could not be autograded",
        "deleted-test": "test cell missing",
        "raises": "NotImplementedError",
        "timeout": "longer than the per-cell time limit",
    }
    for student, phrase in expected_reason.items():
        assert rows[student].score == 0, (student, rows[student])
        assert rows[student].reasons and phrase in " ".join(rows[student].reasons), (student, rows[student].reasons)


@pytest.mark.slow
def test_edited_test_cells_are_restored_before_grading(bad_input_batch):
    """Is a test cell the learner edited replaced by the original, so the model is really graded?"""
    course, rows, _ = bad_input_batch
    assert rows["edited-test"].score == 10
    autograded = (course.autograded / "edited-test" / C1W1 / f"{C1W1}.ipynb").read_text()
    assert "trust me" not in autograded and 'grade_model(\\"C1W1\\"' in autograded


@pytest.mark.slow
def test_submitted_files_are_never_modified(bad_input_batch):
    """Are the submitted files byte-for-byte the same after grading?"""
    course, _, before = bad_input_batch
    assert tree_digest(course.submitted) == before


@pytest.mark.slow
def test_gradebook_csv_and_feedback_are_written(bad_input_batch):
    """Does grading leave a gradebook CSV with every student and HTML feedback for graded ones?"""
    course, rows, _ = bad_input_batch
    csv_text = (course.root / "gradebook.csv").read_text()
    assert all(student in csv_text for student in rows)
    assert (course.feedback / "good" / C1W1 / f"{C1W1}.html").is_file()


@pytest.fixture(scope="module")
def demo_rows(tmp_path_factory):
    """The full demo: reference, weak and broken students on all Course 1 assignments."""
    course = Course(REPO).copy_to(tmp_path_factory.mktemp("demo") / "course")
    rows = run_demo(course, progress=False)
    return course, {(row.student, row.assignment.split("_")[0]): row for row in rows}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["C1W1", "C1W2", "C1W3", "C1W4"])
def test_reference_solution_gets_full_marks_on_heldout_data(demo_rows, assignment):
    """Does the autograded reference solution of every assignment clear its thresholds on held-out data?"""
    course, rows = demo_rows
    row = rows[("reference", assignment)]
    assert row.score == row.possible == 10, row.reasons
    text = next((course.autograded / "reference").glob(f"{assignment}_*/*.ipynb")).read_text()
    assert "(held-out test data" in text and "self-check on validation data" not in text


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["C1W1", "C1W2", "C1W3", "C1W4"])
def test_weak_solution_fails(demo_rows, assignment):
    """Does the deliberately weak solution of every assignment fall short, with the reason shown?"""
    _, rows = demo_rows
    row = rows[("weak", assignment)]
    assert row.score < row.possible / 2 and row.reasons, row


@pytest.mark.slow
@pytest.mark.parametrize("assignment, phrase", [
    ("C1W1", "could not be autograded"),
    ("C1W2", "test cell missing"),
    ("C1W3", "NotImplementedError"),
    ("C1W4", "could not be loaded safely"),
])
def test_broken_submissions_score_zero_with_reasons(demo_rows, assignment, phrase):
    """Do the broken student's submissions (bad JSON, unsolved, unsafe model) score 0, saying why?"""
    _, rows = demo_rows
    row = rows[("broken", assignment)]
    assert row.score == 0 and phrase in " ".join(row.reasons), row
