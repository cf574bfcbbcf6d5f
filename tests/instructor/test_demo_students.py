"""The demo students' files: every assignment has a weak and a broken student, each file says what it
must score, and each builds a notebook from the reference solution (tests/test_demo.py grades them)."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from conftest import REPO

from tfcourse.course import Course
from tfcourse.grading import ASSIGNMENTS
from tfcourse.instructor.demo import demo_students, read_student, student_notebook

THIS_COURSE = Course(REPO)


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_every_assignment_has_a_weak_and_a_broken_student(assignment):
    """Does demo/<folder>/ hold a weak and a broken student, each saying what it does and must score?"""
    students = demo_students(THIS_COURSE, ASSIGNMENTS[assignment].folder)
    assert {"weak", "broken"} <= set(students), f"demo/{ASSIGNMENTS[assignment].folder}/ needs weak.toml and broken.toml"
    assert students["weak"].kind == "weak" and students["broken"].kind == "broken"
    for student in students.values():
        assert student.what and (student.expect_reasons or student.expect_score_below is not None), student


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_each_demo_student_changes_the_reference_notebook(assignment):
    """Does every demo student's notebook differ from the reference's, and (but a half-saved one) still parse?"""
    folder = ASSIGNMENTS[assignment].folder
    reference = student_notebook(THIS_COURSE, folder, "reference")
    for name, student in demo_students(THIS_COURSE, folder).items():
        text = student_notebook(THIS_COURSE, folder, name)
        assert text != reference, name
        if student.notebook != "half_saved":
            nbformat.reads(text, as_version=4)


def test_a_file_without_an_expectation_is_refused(tmp_path):
    """A demo student must state what it scores: a file with neither expect_score nor expect_score_below fails."""
    path = tmp_path / "C1W1_housing_prices" / "weak.toml"
    path.parent.mkdir()
    path.write_text('kind = "weak"\nwhat = "trains too little"\n')
    with pytest.raises(ValueError, match="expect_score"):
        read_student(path)


def test_a_replacement_the_reference_no_longer_contains_is_refused(tmp_path):
    """A [[replace]] whose text the reference's cell no longer holds fails loudly instead of submitting the reference."""
    for name in ("source", "release"):
        (tmp_path / name).symlink_to(REPO / name)
    shutil.copytree(REPO / "demo", tmp_path / "demo")
    course = Course(tmp_path)
    broken = tmp_path / "demo" / "C4W4_conv_lstm_temperatures" / "broken.toml"
    broken.write_text(broken.read_text().replace('old = "LSTM(32)"', 'old = "LSTM(33)"'))
    with pytest.raises(ValueError, match="no longer contains 'LSTM\\(33\\)'"):
        student_notebook(course, "C4W4_conv_lstm_temperatures", "broken")
