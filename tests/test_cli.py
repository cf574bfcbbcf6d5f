"""Tests of the `tfcourse` command (in-process)."""

from __future__ import annotations

import pytest

from tfcourse.cli import main


def test_help_shows_worked_examples(capsys):
    """Does `tfcourse --help` show learner and instructor examples?"""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "tfcourse check C1W3" in out and "tfcourse grade C1W3" in out


def test_data_list(capsys):
    """Does `tfcourse data list` show each dataset with offline status and provenance?"""
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "fashion_mnist" in out and "offline: yes" in out and "offline: no" in out


def test_check_without_a_notebook_says_where_it_looked(tmp_path):
    """Does `tfcourse check` name the paths it searched when no notebook is found?"""
    with pytest.raises(FileNotFoundError, match="C1W3_convolutions.ipynb"):
        main(["check", "C1W3", "--dir", str(tmp_path)])


def test_grade_without_heldout_data_is_a_clear_error(course_copy, capsys):
    """Does grading without exported held-out data stop with an instruction instead of grading wrongly?"""
    assert main(["grade", "C1W1", "--course", str(course_copy)]) == 2
    assert "tfcourse heldout export" in capsys.readouterr().err


def test_submit_refusal_exit_code(tmp_path, capsys):
    """Does a refused submission exit non-zero with the reason on stderr?"""
    import shutil

    from conftest import REPO

    folder = tmp_path / "C1W1_housing_prices"
    shutil.copytree(REPO / "release" / "C1W1_housing_prices", folder)
    assert main(["submit", "C1W1", "--student", "ann", "--dir", str(folder)]) == 1
    assert "never run" in capsys.readouterr().err


def test_heldout_export_pins_its_checksum(course_copy, capsys):
    """Does `tfcourse heldout export` write outside the course and pin the manifest's checksum inside it?"""
    from tfcourse.course import Course
    from tfcourse.grading import open_heldout

    course = Course(course_copy)
    assert main(["heldout", "export", "--course", str(course_copy)]) == 0
    assert "pinned" in capsys.readouterr().out
    assert course.root not in course.heldout.parents
    assert open_heldout(course.heldout, course.heldout_pin).seed >= 0
