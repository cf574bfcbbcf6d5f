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


def one_line_error(capsys, argv: list[str]) -> str:
    """Run `tfcourse argv`, which must fail as a user's mistake: status 2, one line on stderr, no traceback."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"tfcourse {argv[0]}: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


@pytest.mark.parametrize("argv, advice", [
    (["check", "C9W9"], "unknown assignment 'C9W9'; known: C1W1, C1W2"),
    (["submit", "C9W9", "--student", "ann"], "unknown assignment 'C9W9'"),
    (["data", "fetch", "nosuch"], "unknown dataset 'nosuch'; registered datasets: brown_genres"),
    (["demo", "C9"], "no assignment matches C9; assignments: C1W1"),
    (["submit", "C1W1", "--student", "../ann"], "may use only letters, digits, '.' and '-'"),
])
def test_mistyped_names_get_one_line_saying_what_exists(capsys, argv, advice):
    """Does a mistyped assignment, dataset or student id get one line listing what exists, and status 2?"""
    assert advice in one_line_error(capsys, argv)


def test_check_without_a_notebook_says_where_it_looked(tmp_path, capsys):
    """Does `tfcourse check` name the paths it searched, and how to get the notebook, when none is found?"""
    line = one_line_error(capsys, ["check", "C1W3", "--dir", str(tmp_path)])
    assert str(tmp_path / "C1W3_convolutions" / "C1W3_convolutions.ipynb") in line and "tfcourse workspace" in line


@pytest.mark.parametrize("command", [["grade", "C1W1"], ["release"], ["heldout", "export"], ["workspace"], ["lab"]])
def test_a_missing_course_folder_is_named(tmp_path, capsys, command):
    """Does every instructor command given a --course that is not a course say so in one line?"""
    line = one_line_error(capsys, [*command, "--course", str(tmp_path / "nowhere")])
    assert "nowhere is not a course directory" in line and "--course" in line


def test_unknown_assignment_to_grade_lists_the_known_ones(course_copy, capsys):
    """Does `tfcourse grade C1W9` list the assignments instead of raising?"""
    assert "unknown assignment 'C1W9'; known: C1W1" in one_line_error(capsys, ["grade", "C1W9", "--course", str(course_copy)])


def test_grade_without_heldout_data_is_a_clear_error(course_copy, capsys):
    """Does grading without exported held-out data stop with an instruction instead of grading wrongly?"""
    assert "tfcourse heldout export" in one_line_error(capsys, ["grade", "C1W1", "--course", str(course_copy)])


def test_grading_an_unknown_student_says_who_has_submitted(course_copy, capsys):
    """Does `tfcourse grade C1W1 --student nosuch` say there is no such submission, and exit non-zero?"""
    from tfcourse.course import Course
    from tfcourse.grading import export_heldout

    course = Course(course_copy)
    export_heldout(course.heldout, course.heldout_pin, ["C1W1"])
    line = one_line_error(capsys, ["grade", "C1W1", "--student", "nosuch", "--course", str(course_copy)])
    assert "no submission from nosuch for C1W1; students with submissions: none yet" in line


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
    store = open_heldout(course.heldout, course.heldout_pin)
    assert main(["heldout", "export", "--course", str(course_copy)]) == 0  # again: the seed and every file kept
    assert "nothing to add" in capsys.readouterr().out
    assert open_heldout(course.heldout, course.heldout_pin) == store
